/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The plugin's outputs. Event and trace records of calls are written in one
 * pass, straight into the calling vCPU's buffer (output/sink.h, json.h);
 * rare records (names, statistics) are built in a text and copied there;
 * the summary is built once in a GString and written in one go, as QEMU's
 * own plugins do.
 */
#include "output/report.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "output/call_json.h"
#include "output/event_bin.h"
#include "output/json.h"
#include "output/file.h"
#include "output/log.h"
#include "output/regions.h"
#include "output/sink.h"
#include "output/summary.h"
#include "output/trace_json.h"

struct output_vcpu {
    struct event_buffer *events;
    struct event_buffer *trace;
    struct call_json_memo call_memo; /* events= */
    struct trace_json_memo trace_memo;
};

static struct report_options opts;
static bool events_binary; /* events=PATH.bin */
static struct sink *events_sink, *trace_sink;
static struct out_file *print_file, *summary_file, *regions_file;
static pthread_mutex_t print_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t summary_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned stats_dumps;

/*
 * Trace layout: each vCPU is a process (pid vcpu + 1, "vCPU N"); its thread
 * 0 carries marks and handler events, and each region id gets a thread of its
 * own (tid id + 1), so regions with different ids may overlap freely while
 * spans on one thread always nest, as the trace-event format requires.
 */
static const char trace_header[] = "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n";
/* Ends the array with an element, so every record can end in a comma. */
static const char trace_footer[] =
    "{\"name\":\"trace_end\",\"ph\":\"M\",\"pid\":0,\"tid\":0,\"args\":{}}\n]}\n";

/* Guest threads' processes come after every possible vCPU's (65536). */
#define TRACE_THREAD_TRACKS 100000u

uint64_t report_trace_vcpu_track(unsigned int vcpu)
{
    return vcpu + 1u;
}

/* Just before the guest threads' processes. */
uint64_t report_trace_machine_track(void)
{
    return TRACE_THREAD_TRACKS - 1u;
}

uint64_t report_trace_thread_track(unsigned int thread)
{
    return TRACE_THREAD_TRACKS + (uint64_t)thread;
}

/* A metadata record naming a trace process or thread. */
static void trace_name(struct text *out, const char *what, uint64_t track, uint64_t tid,
                       const char *name)
{
    text_lit(out, "{\"name\":\"");
    text_str(out, what);
    text_lit(out, "\",\"ph\":\"M\",\"pid\":");
    json_u64(out, track);
    text_lit(out, ",\"tid\":");
    json_u64(out, tid);
    text_lit(out, ",\"args\":{\"name\":");
    json_string(out, name, strlen(name));
    text_lit(out, "}},\n");
}

bool report_open(const struct report_options *options, char *err, size_t err_size)
{
    opts = *options;
    const struct report_options *o = &opts;
    /* PATH.bin: the binary event log (output/event_bin.h). */
    size_t events_len = o->events_path != NULL ? strlen(o->events_path) : 0;
    events_binary = events_len > 4 && strcmp(o->events_path + events_len - 4, ".bin") == 0;
    char header[EVENT_BIN_SLOT];
    event_bin_header(header);
    if (o->events_path != NULL &&
        (events_sink = sink_open("events", o->events_path, o->max_output, header,
                                 events_binary ? sizeof header : 0, NULL, events_binary,
                                 err, err_size)) == NULL) {
        return false;
    }
    if (o->trace_path != NULL &&
        (trace_sink = sink_open("trace", o->trace_path, o->max_output, trace_header,
                                sizeof trace_header - 1, trace_footer, false, err,
                                err_size)) == NULL) {
        return false;
    }
    print_file = out_file_open("print", o->print_path ? o->print_path : "stderr",
                               o->max_output, OUT_TEXT, NULL, err, err_size);
    if (print_file == NULL) {
        return false;
    }
    if (o->regions_path != NULL &&
        (regions_file = out_file_open("regions", o->regions_path, o->max_output, OUT_RECORDS,
                                      NULL, err, err_size)) == NULL) {
        return false;
    }
    if (o->summary_path == NULL || strcmp(o->summary_path, "none") != 0) {
        summary_file = out_file_open("summary", o->summary_path ? o->summary_path : "stderr",
                                     o->max_output, OUT_TEXT, NULL, err, err_size);
        if (summary_file == NULL) {
            return false;
        }
    }
    return true;
}

void report_start(void)
{
    sink_start(events_sink);
    sink_start(trace_sink);
    if (print_file != NULL) {
        out_file_start(print_file);
    }
    if (summary_file != NULL) {
        out_file_start(summary_file);
    }
    if (regions_file != NULL) {
        out_file_start(regions_file);
    }
}

void report_abandon(void)
{
    sink_abandon(events_sink);
    sink_abandon(trace_sink);
    events_sink = trace_sink = NULL;
    if (print_file != NULL) {
        out_file_abandon(print_file);
        print_file = NULL;
    }
    if (summary_file != NULL) {
        out_file_abandon(summary_file);
        summary_file = NULL;
    }
    if (regions_file != NULL) {
        out_file_abandon(regions_file);
        regions_file = NULL;
    }
}

/* A rare record, built in a text, into a vCPU's buffer. */
static void emit(struct event_buffer *buf, const struct text *record)
{
    char *p = event_reserve(buf, record->len);
    if (p != NULL) {
        event_commit(buf, json_put(p, record->data, record->len));
    }
}

/* A rare event-log record, as its JSON line: a line of its own in the
 * JSON Lines log, or carried as such in the binary one. */
static void emit_event(struct event_buffer *buf, const struct text *line)
{
    if (!events_binary) {
        emit(buf, line);
        return;
    }
    char *p = event_reserve(buf, event_bin_json_max(line->len));
    if (p != NULL) {
        event_commit(buf, event_bin_json(p, line->data, line->len));
    }
}

/* A process's name, its place (vCPUs first, then threads, in number
 * order) and the name of its thread 0. */
static void trace_process(struct text *out, uint64_t track, const char *name)
{
    trace_name(out, "process_name", track, 0, name);
    text_lit(out, "{\"name\":\"process_sort_index\",\"ph\":\"M\",\"pid\":");
    json_u64(out, track);
    text_lit(out, ",\"tid\":0,\"args\":{\"sort_index\":");
    json_u64(out, track);
    text_lit(out, "}},\n");
    trace_name(out, "thread_name", track, 0, "marks and events");
}

struct output_vcpu *report_vcpu_new(unsigned int vcpu)
{
    struct output_vcpu *vs = g_new0(struct output_vcpu, 1);
    vs->events = event_buffer_new(events_sink);
    vs->trace = event_buffer_new(trace_sink);
    if (vs->trace != NULL) {
        struct text out;
        text_init(&out, 512);
        char name[32];
        snprintf(name, sizeof name, "vCPU %u", vcpu);
        trace_process(&out, report_trace_vcpu_track(vcpu), name);
        emit(vs->trace, &out);
        text_free(&out);
    }
    /* Visible to the end of the run's drain only now, complete. */
    event_buffer_register(vs->events);
    event_buffer_register(vs->trace);
    return vs;
}

bool report_tracing(const struct output_vcpu *vs)
{
    return vs->trace != NULL;
}

void report_trace_track_name(struct output_vcpu *vs, uint64_t track, const char *name)
{
    if (vs->trace != NULL) {
        struct text out;
        text_init(&out, 512);
        trace_process(&out, track, name);
        emit(vs->trace, &out);
        text_free(&out);
    }
}

static void log_call(const struct call_record *call)
{
    char args[128] = "";
    size_t used = 0;
    for (unsigned i = 0; i < call->nargs && used < sizeof args; i++) {
        used += (size_t)snprintf(args + used, sizeof args - used, " 0x%" PRIx64,
                                 call->args[i]);
    }
    plugin_log("vcpu %u pc 0x%" PRIx64 ": %s %s %u%s -> %s", call->vcpu, call->pc,
               call_json_type_name(call->type), call->op, call->command, args,
               call_json_status_name(call->status));
}

void report_call(struct output_vcpu *vs, const struct call_record *call)
{
    if (opts.log_calls) {
        log_call(call);
    }
    if (events_binary) {
        char *p = event_reserve(vs->events, event_bin_call_max(call));
        if (p != NULL) {
            event_commit(vs->events, event_bin_call(p, call));
        }
        return;
    }
    char *p = event_reserve(vs->events, call_json_max(call));
    if (p != NULL) {
        event_commit(vs->events, call_json_memo(p, call, &vs->call_memo));
    }
}

void report_handler_event(struct output_vcpu *vs, unsigned int vcpu, const char *name,
                          uint64_t value)
{
    uint64_t ts = now_ns();
    size_t len = strlen(name);
    if (vs->events != NULL) {
        struct text line;
        text_init(&line, 128 + JSON_STRING_MAX(len));
        char *p = event_json_start(line.data, ts, vcpu, "handler", 7);
        p = json_put_lit(p, ",\"name\":");
        p = json_put_string(p, name, len);
        p = json_put_lit(p, ",\"value\":");
        p = json_put_u64(p, value);
        p = json_put_lit(p, "}\n");
        line.len = (size_t)(p - line.data);
        emit_event(vs->events, &line);
        text_free(&line);
    }
    char *p = event_reserve(vs->trace, 160 + JSON_STRING_MAX(len));
    if (p != NULL) {
        p = json_put_lit(p, "{\"name\":");
        p = json_put_string(p, name, len);
        p = json_put_lit(p, ",\"ph\":\"i\",\"s\":\"t\",\"pid\":");
        p = json_put_u64(p, report_trace_vcpu_track(vcpu));
        p = json_put_lit(p, ",\"tid\":0,\"ts\":");
        p = json_put_us(p, ts);
        p = json_put_lit(p, ",\"args\":{\"value\":");
        p = json_put_u64(p, value);
        p = json_put_lit(p, "}},\n");
        event_commit(vs->trace, p);
    }
}

void report_print(const char *text, size_t len)
{
    pthread_mutex_lock(&print_lock);
    if (print_file != NULL) {
        out_file_write(print_file, text, len);
    }
    pthread_mutex_unlock(&print_lock);
}

void report_trace_region_name(struct output_vcpu *vs, uint64_t track, uint64_t id)
{
    if (vs->trace != NULL) {
        struct text out;
        text_init(&out, 256);
        char name[32];
        snprintf(name, sizeof name, "roi %" PRIu64, id);
        trace_name(&out, "thread_name", track, trace_json_tid("roi", id), name);
        emit(vs->trace, &out);
        text_free(&out);
    }
}

void report_trace(struct output_vcpu *vs, uint64_t track, char phase, const char *kind,
                  uint64_t id, uint64_t ts_ns, const char *arg_key, uint64_t arg_value)
{
    char *p = event_reserve(vs->trace, TRACE_JSON_MAX);
    if (p != NULL) {
        struct trace_record r = {track, phase, kind, id, ts_ns, arg_key, arg_value};
        event_commit(vs->trace, trace_json_memo(p, &r, &vs->trace_memo));
    }
}

static void write_summary_text(const GString *text)
{
    /* Checked under the lock: report_close clears it under the same lock. */
    pthread_mutex_lock(&summary_lock);
    if (summary_file != NULL) {
        out_file_write(summary_file, text->str, text->len);
    }
    pthread_mutex_unlock(&summary_lock);
}

unsigned int report_stats(struct output_vcpu *vs, unsigned int vcpu,
                          const struct run_snapshot *snap)
{
    unsigned dump = __atomic_add_fetch(&stats_dumps, 1, __ATOMIC_RELAXED);
    char title[32];
    snprintf(title, sizeof title, "statistics dump %u", dump);
    GString *text = summary_format(title, snap);
    write_summary_text(text);
    g_string_free(text, TRUE);

    if (vs->events != NULL) {
        struct text out;
        text_init(&out, 4096);
        text_grow(&out, EVENT_JSON_START_MAX + 5);
        out.len = (size_t)(event_json_start(out.data, now_ns(), vcpu, "stats", 5) - out.data);
        text_lit(&out, ",\"dump\":");
        json_u64(&out, dump);
        text_char(&out, ',');
        summary_regions_json(&out, snap);
        text_lit(&out, "}\n");
        emit_event(vs->events, &out);
        text_free(&out);
    }
    return dump;
}

/* Outputs that stopped early, one line each (the summary's own, if it
 * stopped, could not say so: it said so on stderr). */
static void describe_problems(GString *out)
{
    if (regions_file != NULL) {
        out_file_describe_problem(regions_file, out);
    }
    sink_describe_problem(events_sink, out);
    sink_describe_problem(trace_sink, out);
    pthread_mutex_lock(&print_lock);
    if (print_file != NULL) {
        out_file_describe_problem(print_file, out);
    }
    pthread_mutex_unlock(&print_lock);
}

/* The last record of the event log: why the emulation ended, and the
 * regions and marks as the summary shows them. */
static void summary_record(struct text *out, const char *reason, int status,
                           const struct run_snapshot *snap)
{
    text_grow(out, EVENT_JSON_START_MAX + 7);
    out->len = (size_t)(event_json_start(out->data + out->len, now_ns(), 0, "summary", 7) -
                        out->data);
    text_lit(out, ",\"reason\":");
    json_string(out, reason, strlen(reason));
    if (status >= 0) {
        text_lit(out, ",\"status\":");
        json_u64(out, (uint64_t)status);
    }
    text_char(out, ',');
    summary_regions_json(out, snap);
    GString *problems = g_string_new(NULL);
    describe_problems(problems);
    text_lit(out, ",\"output_problems\":[");
    gchar **lines = g_strsplit(problems->str, "\n", -1);
    bool first = true;
    for (gchar **line = lines; *line != NULL; line++) {
        if (**line != '\0') {
            text_str(out, first ? "" : ",");
            json_string(out, *line, strlen(*line));
            first = false;
        }
    }
    g_strfreev(lines);
    g_string_free(problems, TRUE);
    text_lit(out, "]}\n");
    text_char(out, '\0');
}

static struct text last_event;

void report_summary(const char *reason, int status, const struct run_snapshot *snap)
{
    char title[128];
    if (status >= 0) {
        snprintf(title, sizeof title, "summary, ended by %s (status %d)", reason, status);
    } else {
        snprintf(title, sizeof title, "summary, ended by %s", reason);
    }
    text_init(&last_event, 4096);
    summary_record(&last_event, reason, status, snap);
    GString *text = summary_format(title, snap);
    if (events_sink != NULL) {
        g_string_append_printf(text, "events: %s\n", opts.events_path);
    }
    if (trace_sink != NULL) {
        g_string_append_printf(text, "trace: %s (open in ui.perfetto.dev)\n", opts.trace_path);
    }
    if (regions_file != NULL) {
        GString *table = regions_format(opts.regions_path, snap);
        out_file_write(regions_file, table->str, table->len);
        g_string_free(table, TRUE);
        g_string_append_printf(text, "regions: %s\n", opts.regions_path);
    }
    describe_problems(text);
    write_summary_text(text);
    g_string_free(text, TRUE);
}

void report_close(void)
{
    if (events_binary && last_event.len > 0) {
        /* The summary record, carried as its line. */
        struct text line = last_event;
        line.len--; /* its '\0' */
        text_init(&last_event, event_bin_json_max(line.len));
        last_event.len =
            (size_t)(event_bin_json(last_event.data, line.data, line.len) - last_event.data);
        text_free(&line);
        sink_close(events_sink, last_event.data, last_event.len);
    } else {
        sink_close(events_sink, last_event.data, last_event.len ? last_event.len - 1 : 0);
    }
    sink_close(trace_sink, NULL, 0);
    text_free(&last_event);
    pthread_mutex_lock(&print_lock);
    if (print_file != NULL) {
        out_file_close(print_file);
        print_file = NULL;
    }
    pthread_mutex_unlock(&print_lock);
    if (regions_file != NULL) {
        out_file_close(regions_file);
        regions_file = NULL;
    }
    pthread_mutex_lock(&summary_lock);
    if (summary_file != NULL) {
        out_file_close(summary_file);
        summary_file = NULL;
    }
    pthread_mutex_unlock(&summary_lock);
}

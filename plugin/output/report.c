/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The plugin's outputs. Event and trace records are formatted by hand into
 * per-vCPU buffers (output/sink.c, output/text.h); the summary is built once in a
 * GString and written in one go, as QEMU's own plugins do.
 */
#include "output/report.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "output/json.h"
#include "output/file.h"
#include "output/log.h"
#include "output/regions.h"
#include "output/sink.h"
#include "output/summary.h"

struct output_vcpu {
    struct event_buffer *events;
    struct event_buffer *trace;
};

static struct report_options opts;
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

static uint64_t trace_tid(const char *kind, uint64_t id)
{
    return strcmp(kind, "roi") == 0 ? id + 1 : 0;
}

/* Guest threads' processes come after every possible vCPU's (65536). */
#define TRACE_THREAD_TRACKS 100000u

uint64_t report_trace_vcpu_track(unsigned int vcpu)
{
    return vcpu + 1u;
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
    if (o->events_path != NULL &&
        (events_sink = sink_open("events", o->events_path, o->max_output, NULL, NULL, err,
                                 err_size)) == NULL) {
        return false;
    }
    if (o->trace_path != NULL &&
        (trace_sink = sink_open("trace", o->trace_path, o->max_output, trace_header,
                                trace_footer, err, err_size)) == NULL) {
        return false;
    }
    print_file = out_file_open("print", o->print_path ? o->print_path : "stderr",
                               o->max_output, err, err_size);
    if (print_file == NULL) {
        return false;
    }
    if (o->regions_path != NULL &&
        (regions_file = out_file_open("regions", o->regions_path, o->max_output, err,
                                      err_size)) == NULL) {
        return false;
    }
    if (o->summary_path == NULL || strcmp(o->summary_path, "none") != 0) {
        summary_file = out_file_open("summary", o->summary_path ? o->summary_path : "stderr",
                                     o->max_output, err, err_size);
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
    struct text *out = event_begin(vs->trace);
    if (out != NULL) {
        char name[32];
        snprintf(name, sizeof name, "vCPU %u", vcpu);
        trace_process(out, report_trace_vcpu_track(vcpu), name);
        event_end(vs->trace);
    }
    return vs;
}

void report_trace_track_name(struct output_vcpu *vs, uint64_t track, const char *name)
{
    struct text *out = event_begin(vs->trace);
    if (out != NULL) {
        trace_process(out, track, name);
        event_end(vs->trace);
    }
}

static const char *status_name(enum backdoor_status status)
{
    static const char *const names[BACKDOOR_STATUS_COUNT] = {
#define STATUS_NAME(NAME, name, error, doc) [BACKDOOR_STATUS_##NAME] = #name,
        BACKDOOR_STATUSES(STATUS_NAME)
#undef STATUS_NAME
    };
    return names[status];
}

static void record_start(struct text *out, uint64_t ts, unsigned int vcpu,
                         const char *event)
{
    text_lit(out, "{\"ts_ns\":");
    json_u64(out, ts);
    text_lit(out, ",\"vcpu\":");
    json_u64(out, vcpu);
    text_lit(out, ",\"event\":\"");
    text_str(out, event);
    text_char(out, '"');
}

static const char *type_name(enum backdoor_type type)
{
    static const char *const names[BACKDOOR_TYPE_COUNT] = {
#define TYPE_NAME(NAME, name, number, doc) [number] = #name,
        BACKDOOR_TYPES(TYPE_NAME)
#undef TYPE_NAME
    };
    return (unsigned)type < BACKDOOR_TYPE_COUNT ? names[type] : "?";
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
               type_name(call->type), call->op, call->command, args,
               status_name(call->status));
}

void report_call(struct output_vcpu *vs, const struct call_record *call)
{
    if (opts.log_calls) {
        log_call(call);
    }
    struct text *out = event_begin(vs->events);
    if (out == NULL) {
        return;
    }
    record_start(out, call->ts_ns, call->vcpu, "call");
    text_lit(out, ",\"pc\":");
    json_hex(out, call->pc);
    text_lit(out, ",\"type\":\"");
    text_str(out, type_name(call->type));
    text_lit(out, "\",\"cmd\":");
    json_hex(out, call->command);
    text_lit(out, ",\"op\":\"");
    text_str(out, call->op);
    text_lit(out, "\",\"args\":[");
    for (unsigned i = 0; i < call->nargs; i++) {
        if (i > 0) {
            text_char(out, ',');
        }
        json_u64(out, call->args[i]);
    }
    text_lit(out, "],\"status\":\"");
    text_str(out, status_name(call->status));
    text_char(out, '"');
    if (call->has_result) {
        text_lit(out, ",\"result\":");
        json_i64(out, call->result);
    }
    for (unsigned i = 0; i < call->n_extra; i++) {
        text_lit(out, ",\"");
        text_str(out, call->extra[i].key);
        text_lit(out, "\":");
        json_u64(out, call->extra[i].value);
    }
    if (call->text != NULL) {
        text_lit(out, ",\"text\":");
        json_string(out, call->text, call->text_len);
    }
    if (call->attributed) {
        text_lit(out, ",\"asid\":");
        json_hex(out, call->asid);
        text_str(out, call->kernel ? ",\"priv\":\"kernel\"" : ",\"priv\":\"user\"");
    }
    text_lit(out, "}\n");
    event_end(vs->events);
}

void report_handler_event(struct output_vcpu *vs, unsigned int vcpu, const char *name,
                          uint64_t value)
{
    uint64_t ts = now_ns();
    struct text *out = event_begin(vs->events);
    if (out != NULL) {
        record_start(out, ts, vcpu, "handler");
        text_lit(out, ",\"name\":");
        json_string(out, name, strlen(name));
        text_lit(out, ",\"value\":");
        json_u64(out, value);
        text_lit(out, "}\n");
        event_end(vs->events);
    }
    out = event_begin(vs->trace);
    if (out != NULL) {
        text_lit(out, "{\"name\":");
        json_string(out, name, strlen(name));
        text_lit(out, ",\"ph\":\"i\",\"s\":\"t\",\"pid\":");
        json_u64(out, report_trace_vcpu_track(vcpu));
        text_lit(out, ",\"tid\":0");
        text_lit(out, ",\"ts\":");
        json_us(out, ts);
        text_lit(out, ",\"args\":{\"value\":");
        json_u64(out, value);
        text_lit(out, "}},\n");
        event_end(vs->trace);
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
    struct text *out = event_begin(vs->trace);
    if (out != NULL) {
        char name[32];
        snprintf(name, sizeof name, "roi %" PRIu64, id);
        trace_name(out, "thread_name", track, trace_tid("roi", id), name);
        event_end(vs->trace);
    }
}

void report_trace(struct output_vcpu *vs, uint64_t track, char phase, const char *kind,
                  uint64_t id, uint64_t ts_ns, const char *arg_key, uint64_t arg_value)
{
    struct text *out = event_begin(vs->trace);
    if (out == NULL) {
        return;
    }
    text_lit(out, "{\"name\":\"");
    text_str(out, kind);
    text_char(out, ' ');
    json_digits(out, id);
    text_lit(out, "\",\"cat\":\"");
    text_str(out, kind);
    text_lit(out, "\",\"ph\":\"");
    text_char(out, phase);
    text_str(out, phase == 'i' ? "\",\"s\":\"t" : "");
    text_lit(out, "\",\"pid\":");
    json_u64(out, track);
    text_lit(out, ",\"tid\":");
    json_u64(out, trace_tid(kind, id));
    text_lit(out, ",\"ts\":");
    json_us(out, ts_ns);
    text_lit(out, ",\"args\":{\"id\":");
    json_u64(out, id);
    if (arg_key != NULL) {
        text_lit(out, ",\"");
        text_str(out, arg_key);
        text_lit(out, "\":");
        json_u64(out, arg_value);
    }
    text_lit(out, "}},\n");
    event_end(vs->trace);
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

    struct text *out = event_begin(vs->events);
    if (out != NULL) {
        record_start(out, now_ns(), vcpu, "stats");
        text_lit(out, ",\"dump\":");
        json_u64(out, dump);
        text_char(out, ',');
        summary_regions_json(out, snap);
        text_lit(out, "}\n");
        event_end(vs->events);
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
    record_start(out, now_ns(), 0, "summary");
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
    sink_close(events_sink, last_event.data);
    sink_close(trace_sink, NULL);
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

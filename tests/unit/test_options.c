/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Option parsing: values, defaults, and messages that name the option. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/options.h"
#include "unit.h"

static bool parse(struct options *o, char *err, size_t n, int argc, ...)
{
    char *argv[16];
    va_list ap;
    va_start(ap, argc);
    for (int i = 0; i < argc; i++) {
        argv[i] = va_arg(ap, char *);
    }
    va_end(ap);
    err[0] = '\0';
    return options_parse(o, argc, argv, err, n);
}



/* Keeps the compiler from judging a table's string literal against NULL. */
static const char *fallback_of(const char *fallback)
{
    return fallback;
}

/* Values of one kind alike: paths by their text, the rest by their bytes. */
static bool same_bytes(const void *a, const void *b, size_t size)
{
    return memcmp(a, b, size) == 0;
}

static bool same_text(const void *a, const void *b, size_t size)
{
    (void)size;
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    return (x == NULL && y == NULL) || (x != NULL && y != NULL && strcmp(x, y) == 0);
}

#define same_INPUT same_text
#define same_OUTPUT same_text
#define same_OUTDIR same_text
#define same_SOCKET same_text
#define same_TEXT same_bytes
#define same_BOOL same_bytes
#define same_SIZE same_bytes
#define same_NUMBER same_bytes
#define same_CHOICE same_bytes
#define same_COMMANDS same_bytes

/* Every line of backdoor/options.h: its key is accepted with its fallback
 * written out, and that gives what leaving it out gives. */
static void check_table(void)
{
    struct options given, left_out;
    char err[512], arg[128];
    CHECK(parse(&left_out, err, sizeof err, 0));
#define CHECK_LINE(key, field, kind, fallback, syntax, doc)                              \
    if (fallback_of(fallback) != NULL) {                                                \
        snprintf(arg, sizeof arg, "%s=%s", key, fallback_of(fallback));                 \
        CHECK(parse(&given, err, sizeof err, 1, arg));                                  \
        CHECK(same_##kind(&given.field, &left_out.field, sizeof given.field));           \
    } else {                                                                            \
        CHECK(!parse(&given, err, sizeof err, 1, key "=") || strcmp(key, "handler-arg") == 0); \
    }
    BACKDOOR_PLUGIN_OPTIONS(CHECK_LINE)
#undef CHECK_LINE
    CHECK(strstr(options_known_keys(), "handler, handler-arg, ") == options_known_keys());
    CHECK(strstr(options_known_keys(), ", profile") != NULL);
}

/* The OUTPUT lines, as the core hands them to the outputs: every one, in
 * the table's order, with its value or fallback. */
static void check_output_paths(void)
{
    struct options o;
    char err[512];
    struct output_path paths[OPTIONS_COUNT];
    CHECK(parse(&o, err, sizeof err, 2, "events=e.jsonl", "summary=none"));
    size_t n = options_output_paths(&o, paths, OPTIONS_COUNT);
    size_t want = 0;
#define COUNT_OUTPUT(key, field, kind, fallback, syntax, doc) want += strcmp(#kind, "OUTPUT") == 0;
    BACKDOOR_PLUGIN_OPTIONS(COUNT_OUTPUT)
#undef COUNT_OUTPUT
    CHECK_EQ(n, want);
    CHECK(n > 0 && strcmp(paths[0].key, "summary") == 0 && strcmp(paths[0].path, "none") == 0);
    CHECK(n > 1 && strcmp(paths[1].key, "events") == 0 &&
          strcmp(paths[1].path, "e.jsonl") == 0);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(paths[i].key, "trace") == 0) {
            CHECK(paths[i].path == NULL); /* not given, no fallback */
        }
        if (strcmp(paths[i].key, "print") == 0) {
            CHECK(strcmp(paths[i].path, "stderr") == 0); /* its fallback */
        }
    }
    CHECK_EQ(options_output_paths(&o, paths, 1), 1); /* never past max */
}

int main(int argc, char **argv)
{
    struct options o;
    char err[512];

    /* tests/test_docs.py compares the keys with the launcher's and the docs'. */
    if (argc == 2 && strcmp(argv[1], "--keys") == 0) {
        puts(options_known_keys());
        return 0;
    }

    check_table();
    check_output_paths();

    CHECK(parse(&o, err, sizeof err, 0) && !o.count_repeats);
    CHECK(parse(&o, err, sizeof err, 1, "count-reps=on") && o.count_repeats);
    CHECK(!parse(&o, err, sizeof err, 1, "count-reps=2"));
    CHECK(strstr(err, "option 'count-reps=2': expected on or off") != NULL);
    CHECK(parse(&o, err, sizeof err, 1, "count-reps=off") && option_given(&o, "count-reps"));
    CHECK(parse(&o, err, sizeof err, 1, "valgrind=on") && !option_given(&o, "count-reps") &&
          o.cpu_identity == CPU_IDENTITY_AUTO);
    CHECK(parse(&o, err, sizeof err, 1, "cpu-identity=valgrind") &&
          o.cpu_identity == CPU_IDENTITY_VALGRIND);
    CHECK(parse(&o, err, sizeof err, 1, "cpu-identity=qemu") &&
          o.cpu_identity == CPU_IDENTITY_QEMU);
    CHECK(parse(&o, err, sizeof err, 3, "valgrind=on", "toggle-collect=run_*",
                "toggle-collect=f?o") &&
          o.toggle_collect.count == 2 && strcmp(o.toggle_collect.items[1], "f?o") == 0 &&
          !o.collect_atstart);
    CHECK(parse(&o, err, sizeof err, 3, "valgrind=on", "toggle-collect=f",
                "collect-atstart=on") && o.collect_atstart);
    CHECK(!parse(&o, err, sizeof err, 1, "toggle-collect=f"));
    CHECK(strstr(err, "option 'toggle-collect=f' needs valgrind=on") != NULL);
    CHECK(!parse(&o, err, sizeof err, 1, "cpu-identity=host"));
    CHECK(strstr(err, "option 'cpu-identity=host': expected auto, valgrind or qemu") != NULL);
    CHECK(parse(&o, err, sizeof err, 0) && o.call_graph);
    CHECK(parse(&o, err, sizeof err, 1, "call-graph=off") && !o.call_graph);
    CHECK(parse(&o, err, sizeof err, 0));
    CHECK_EQ(o.max_buffer, 1u << 20);
    CHECK(o.handler_path == NULL && o.allow_from == ALLOW_FROM_ANY && !o.log_calls);

    CHECK(parse(&o, err, sizeof err, 7, "handler=/x.so", "handler-arg=a=b",
                "handler-arg=c", "max-buffer=64K", "allow-from=kernel",
                "deny=exit:print", "log=on"));
    CHECK(strcmp(o.handler_path, "/x.so") == 0);
    CHECK_EQ(o.handler_argv.count, 2);
    CHECK(strcmp(o.handler_argv.items[0], "a=b") == 0 && o.handler_argv.items[2] == NULL);
    CHECK_EQ(o.max_buffer, 64 * 1024);
    CHECK_EQ(o.allow_from, ALLOW_FROM_KERNEL);
    CHECK(o.denied[BACKDOOR_OP_EXIT] && o.denied[BACKDOOR_OP_PRINT] &&
          !o.denied[BACKDOOR_OP_MARK]);
    CHECK(o.log_calls);

    /* Output limits and the regions table. */
    CHECK(parse(&o, err, sizeof err, 0));
    CHECK_EQ(o.max_output, 4ull << 30);
    CHECK(parse(&o, err, sizeof err, 2, "max-output=100K", "regions=r.csv"));
    CHECK_EQ(o.max_output, 100 * 1024);
    CHECK(strcmp(o.regions_path, "r.csv") == 0);
    CHECK(parse(&o, err, sizeof err, 1, "max-output=0"));
    CHECK_EQ(o.max_output, 0);
    CHECK(!parse(&o, err, sizeof err, 1, "max-output=lots"));
    CHECK(strstr(err, "'max-output=lots'") != NULL);

    /* The bound of the thread table (issue 21). */
    CHECK(parse(&o, err, sizeof err, 0));
    CHECK_EQ(o.max_threads, 65536);
    CHECK(parse(&o, err, sizeof err, 1, "max-threads=16"));
    CHECK_EQ(o.max_threads, 16);
    CHECK(!parse(&o, err, sizeof err, 1, "max-threads=0"));
    CHECK(strstr(err, "'max-threads=0'") != NULL);
    CHECK(!parse(&o, err, sizeof err, 1, "max-threads=-1"));
    CHECK(!parse(&o, err, sizeof err, 1, "max-threads=1K"));
    CHECK(!parse(&o, err, sizeof err, 1, "max-threads=99999999999"));

    CHECK(parse(&o, err, sizeof err, 0) && !o.regions_by_vcpu);
    CHECK(parse(&o, err, sizeof err, 1, "regions-by=vcpu") && o.regions_by_vcpu);
    CHECK(parse(&o, err, sizeof err, 1, "regions-by=thread") && !o.regions_by_vcpu);
    CHECK(!parse(&o, err, sizeof err, 1, "regions-by=process"));
    CHECK(strstr(err, "expected thread or vcpu") != NULL);

    /* Valgrind's requests: off by default, Callgrind's defaults otherwise. */
    CHECK(parse(&o, err, sizeof err, 0));
    CHECK(!o.valgrind && o.collect_atstart && o.instr_atstart && o.profile_path == NULL);
    CHECK_EQ(o.running_on_valgrind, 0);
    CHECK(parse(&o, err, sizeof err, 5, "valgrind=on", "collect-atstart=off",
                "instr-atstart=no", "running-on-valgrind=1", "profile=p.out"));
    CHECK(o.valgrind && !o.collect_atstart && !o.instr_atstart);
    CHECK_EQ(o.running_on_valgrind, 1);
    CHECK(strcmp(o.profile_path, "p.out") == 0);
    CHECK(!parse(&o, err, sizeof err, 1, "profile=p.out"));
    CHECK(strstr(err, "needs valgrind=on") != NULL);
    CHECK(!parse(&o, err, sizeof err, 1, "collect-atstart=maybe"));
    CHECK(strstr(err, "'collect-atstart=maybe': expected on or off (or yes, no)") != NULL);
    CHECK(!parse(&o, err, sizeof err, 1, "valgrind=maybe"));
    CHECK(strstr(err, "'valgrind=maybe'") != NULL);
    CHECK(!parse(&o, err, sizeof err, 1, "running-on-valgrind=-1"));
    CHECK(strstr(err, "running-on-valgrind=-1") != NULL);
    CHECK(parse(&o, err, sizeof err, 3, "valgrind=on", "profile=p.out", "symbols=System.map"));
    CHECK(strcmp(o.symbols_path, "System.map") == 0);
    CHECK(!parse(&o, err, sizeof err, 2, "valgrind=on", "symbols=System.map"));
    CHECK(strstr(err, "give profile= too") != NULL);

    CHECK(!parse(&o, err, sizeof err, 1, "colour=blue"));
    CHECK(strstr(err, "'colour=blue'") != NULL && strstr(err, "unknown key") != NULL);
    CHECK(!parse(&o, err, sizeof err, 1, "max-buffer=12x"));
    CHECK(strstr(err, "max-buffer=12x") != NULL);
    CHECK(!parse(&o, err, sizeof err, 1, "max-buffer=0"));
    CHECK(!parse(&o, err, sizeof err, 1, "max-buffer=2G"));
    CHECK(!parse(&o, err, sizeof err, 1, "deny=exit:frobnicate"));
    CHECK(strstr(err, "'frobnicate' is not a built-in command") != NULL);
    CHECK(!parse(&o, err, sizeof err, 1, "allow-from=root"));
    CHECK(!parse(&o, err, sizeof err, 1, "log=maybe"));
    CHECK(!parse(&o, err, sizeof err, 1, "handler"));
    CHECK(strstr(err, "expected KEY=VALUE") != NULL);
    CHECK(!parse(&o, err, sizeof err, 1, "events="));
    CHECK(strstr(err, "empty value") != NULL);
    CHECK(!parse(&o, err, sizeof err, 1, "handler-arg=x"));
    CHECK(strstr(err, "without 'handler'") != NULL);

    uint64_t bytes;
    CHECK(parse_size("4096", &bytes) && bytes == 4096);
    CHECK(parse_size("1M", &bytes) && bytes == 1u << 20);
    CHECK(!parse_size("", &bytes) && !parse_size("-1", &bytes) && !parse_size("1KB", &bytes));
    CHECK(!parse_size("99999999999999999999", &bytes));

    CHECK_EQ(builtin_by_name("roi_begin"), BACKDOOR_OP_ROI_BEGIN);
    CHECK(strcmp(backdoor_op_name(BACKDOOR_OP_HOST_TIME_NS), "host_time_ns") == 0);
    CHECK(backdoor_op_name(0x7ff) == NULL);
    return unit_report("test_options");
}

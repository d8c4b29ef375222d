/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: the option parser (options_parse, parse_size, the
 * built-in names) on arbitrary -plugin argument strings. The input after
 * its first byte is the text after "libbackdoor.so," split on commas the
 * way QEMU splits it (",," is a literal comma); each argument is a heap
 * block of its exact length and the error buffer is exactly as big as the
 * first byte says, so a read or write past either is an ASan report.
 * Accepted options are checked against the arguments (the last of each key
 * wins, values point into their argument), refused ones must leave a
 * terminated message that names the option.
 */
#include <stdbool.h>
#include <string.h>

#include "core/options.h"
#include "fuzz.h"

#define MAX_ARGS 64

/* The value of the last KEY=VALUE argument with this key, or NULL. */
static const char *last_value(int argc, char **argv, const char *key)
{
    size_t key_len = strlen(key);
    const char *value = NULL;
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], key, key_len) == 0 && argv[i][key_len] == '=') {
            value = argv[i] + key_len + 1;
        }
    }
    return value;
}

static int count_key(int argc, char **argv, const char *key)
{
    size_t key_len = strlen(key);
    int n = 0;
    for (int i = 0; i < argc; i++) {
        n += strncmp(argv[i], key, key_len) == 0 && argv[i][key_len] == '=';
    }
    return n;
}

static void check_accepted(const struct options *opts, int argc, char **argv)
{
    FUZZ_CHECK(opts->max_buffer >= 1 && opts->max_buffer <= (1ull << 30));
    FUZZ_CHECK(opts->allow_from == ALLOW_FROM_ANY || opts->allow_from == ALLOW_FROM_KERNEL ||
               opts->allow_from == ALLOW_FROM_USER);
    FUZZ_CHECK(opts->handler_path == last_value(argc, argv, "handler"));
    /* Not given: the table's fallback (backdoor/options.h). */
    const char *summary = last_value(argc, argv, "summary");
    const char *print = last_value(argc, argv, "print");
    FUZZ_CHECK(summary ? opts->summary_path == summary : strcmp(opts->summary_path, "stderr") == 0);
    FUZZ_CHECK(opts->events_path == last_value(argc, argv, "events"));
    FUZZ_CHECK(opts->trace_path == last_value(argc, argv, "trace"));
    FUZZ_CHECK(print ? opts->print_path == print : strcmp(opts->print_path, "stderr") == 0);
    FUZZ_CHECK(opts->handler_argv.count == count_key(argc, argv, "handler-arg"));
    FUZZ_CHECK(opts->handler_argv.count <= OPTIONS_MAX_TEXTS);
    FUZZ_CHECK(opts->handler_argv.items[opts->handler_argv.count] == NULL);
    FUZZ_CHECK(opts->handler_argv.count == 0 || opts->handler_path != NULL);
    for (int i = 0; i < opts->handler_argv.count; i++) {
        FUZZ_CHECK(strncmp(opts->handler_argv.items[i] - 12, "handler-arg=", 12) == 0);
    }
    for (unsigned n = 0; n < OPTIONS_BUILTIN_LIMIT; n++) {
        FUZZ_CHECK(!opts->denied[n] || backdoor_op_name(n) != NULL);
    }
}

/*
 * parse_size against its definition: decimal digits, then at most one of
 * K, M, G (either case), nothing else, and no overflow of 64 bits.
 */
static void check_size(const char *text)
{
    uint64_t value = 0;
    bool ok = text[0] >= '0' && text[0] <= '9';
    size_t i = 0;
    for (; ok && text[i] >= '0' && text[i] <= '9'; i++) {
        unsigned digit = (unsigned)(text[i] - '0');
        if (value > (UINT64_MAX - digit) / 10) {
            ok = false;
        }
        value = value * 10 + digit;
    }
    unsigned shift = 0;
    if (ok && text[i] != '\0') {
        const char *suffixes = "kKmMgG";
        const char *s = strchr(suffixes, text[i]);
        ok = s != NULL && text[i + 1] == '\0';
        shift = ok ? 10 * (unsigned)(1 + (s - suffixes) / 2) : 0;
    }
    if (ok && shift != 0 && value > (UINT64_MAX >> shift)) {
        ok = false;
    }
    uint64_t got = 0;
    bool parsed = parse_size(text, &got);
    FUZZ_CHECK(parsed == ok);
    FUZZ_CHECK(!ok || got == value << shift);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = {data, size};
    size_t err_size = (size_t)fuzz_take(&in, 1);
    char *argv[MAX_ARGS];
    int argc = 0;
    /* QEMU's own splitting; a NUL ends the command line as in a C string. */
    size_t i = 0;
    while (i < in.size && in.data[i] != 0 && argc < MAX_ARGS) {
        char *arg = malloc(in.size - i + 1);
        size_t len = 0;
        for (; i < in.size && in.data[i] != 0; i++) {
            if (in.data[i] == ',') {
                if (i + 1 < in.size && in.data[i + 1] == ',') {
                    i++;
                } else {
                    break;
                }
            }
            arg[len++] = (char)in.data[i];
        }
        if (i < in.size && in.data[i] == ',') {
            i++;
        }
        arg[len] = '\0';
        argv[argc] = malloc(len + 1);
        memcpy(argv[argc++], arg, len + 1);
        free(arg);
    }

    char *err = err_size ? malloc(err_size) : NULL;
    if (err != NULL) {
        memset(err, 0x5a, err_size);
    }
    struct options opts;
    bool ok = options_parse(&opts, argc, argv, err, err_size);
    if (ok) {
        check_accepted(&opts, argc, argv);
        /* Parsing reads its arguments and nothing else. */
        struct options again;
        FUZZ_CHECK(options_parse(&again, argc, argv, err, err_size));
        FUZZ_CHECK(memcmp(&opts, &again, sizeof opts) == 0);
    } else if (err != NULL) {
        FUZZ_CHECK(memchr(err, '\0', err_size) != NULL);
        size_t prefix = err_size - 1 < 6 ? err_size - 1 : 6;
        FUZZ_CHECK(strncmp(err, "option", prefix) == 0);
    }
    for (int a = 0; a < argc; a++) {
        check_size(argv[a]);
        int number = builtin_by_name(argv[a]);
        FUZZ_CHECK(number < 0 || strcmp(backdoor_op_name((unsigned)number), argv[a]) == 0);
        free(argv[a]);
    }
    free(err);
    return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Option parsing. QEMU hands each KEY=VALUE as one argv entry and splits on
 * commas itself, so lists inside a value use ':' (deny=exit:print).
 */
#include "core/options.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct builtin_entry {
    unsigned number;
    const char *name;
} builtins[] = {
#define BUILTIN_ENTRY(NAME, name, number, type, nargs, result, doc) {number, #name},
    BACKDOOR_OPS(BUILTIN_ENTRY)
#undef BUILTIN_ENTRY
};

int builtin_by_name(const char *name)
{
    for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++) {
        if (strcmp(builtins[i].name, name) == 0) {
            return (int)builtins[i].number;
        }
    }
    return -1;
}

bool parse_size(const char *text, uint64_t *bytes)
{
    if (text == NULL || !isdigit((unsigned char)text[0])) {
        return false;
    }
    errno = 0;
    char *end;
    unsigned long long value = strtoull(text, &end, 10);
    if (errno != 0) {
        return false;
    }
    unsigned shift = 0;
    switch (*end) {
    case '\0':
        break;
    case 'k': case 'K':
        shift = 10;
        break;
    case 'm': case 'M':
        shift = 20;
        break;
    case 'g': case 'G':
        shift = 30;
        break;
    default:
        return false;
    }
    if (*end != '\0' && end[1] != '\0') {
        return false;
    }
    if (shift != 0 && value > (UINT64_MAX >> shift)) {
        return false;
    }
    *bytes = (uint64_t)value << shift;
    return true;
}

static bool parse_bool(const char *text, bool *value)
{
    static const char *const yes[] = {"on", "yes", "true", "1"};
    static const char *const no[] = {"off", "no", "false", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcmp(text, yes[i]) == 0) {
            *value = true;
            return true;
        }
        if (strcmp(text, no[i]) == 0) {
            *value = false;
            return true;
        }
    }
    return false;
}

static bool parse_deny_list(struct options *opts, const char *list, char *err,
                            size_t err_size)
{
    const char *start = list;
    for (;;) {
        const char *stop = strchr(start, ':');
        size_t len = stop ? (size_t)(stop - start) : strlen(start);
        char name[32];
        if (len == 0 || len >= sizeof name) {
            snprintf(err, err_size, "option 'deny=%s': empty or overlong command name", list);
            return false;
        }
        memcpy(name, start, len);
        name[len] = '\0';
        int number = builtin_by_name(name);
        if (number < 0) {
            snprintf(err, err_size,
                     "option 'deny=%s': '%s' is not a built-in command", list, name);
            return false;
        }
        opts->denied[number] = true;
        if (stop == NULL) {
            return true;
        }
        start = stop + 1;
    }
}

enum option_kind { INPUT, OUTPUT, OUTDIR, TEXT, BOOL, SIZE, NUMBER, CHOICE, COMMANDS, SOCKET };

static const struct option_spec {
    const char *key;
    enum option_kind kind;
    size_t offset;
    const char *fallback;
    const char *syntax;
} specs[] = {
#define OPTION_SPEC(key, field, kind, fallback, syntax, doc) \
    {key, kind, offsetof(struct options, field), fallback, syntax},
    BACKDOOR_PLUGIN_OPTIONS(OPTION_SPEC)
#undef OPTION_SPEC
};
#define SPEC_COUNT (sizeof specs / sizeof specs[0])
_Static_assert(SPEC_COUNT <= 64, "struct options.given has a bit per line of the table");

const char *options_known_keys(void)
{
    static char keys[512];
    if (keys[0] == '\0') {
        size_t used = 0;
        for (size_t i = 0; i < SPEC_COUNT && used < sizeof keys; i++) {
            used += (size_t)snprintf(keys + used, sizeof keys - used, "%s%s",
                                     i ? ", " : "", specs[i].key);
        }
    }
    return keys;
}

size_t options_output_paths(const struct options *opts, struct output_path *paths, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < SPEC_COUNT && n < max; i++) {
        if (specs[i].kind == OUTPUT) {
            paths[n++] = (struct output_path){
                specs[i].key, *(const char *const *)((const char *)opts + specs[i].offset)};
        }
    }
    return n;
}

/* The index of word in a CHOICE's "a|b|c", or -1. */
static int choice_index(const char *syntax, const char *word)
{
    size_t len = strlen(word);
    int index = 0;
    for (const char *w = syntax;; index++) {
        const char *bar = strchr(w, '|');
        size_t wlen = bar ? (size_t)(bar - w) : strlen(w);
        if (wlen == len && strncmp(w, word, len) == 0) {
            return index;
        }
        if (bar == NULL) {
            return -1;
        }
        w = bar + 1;
    }
}

/* "a|b|c" as "a, b or c". */
static const char *choice_words(const char *syntax, char *out, size_t size)
{
    const char *last = strrchr(syntax, '|');
    size_t used = 0;
    out[0] = '\0';
    for (const char *c = syntax; *c && used + 5 < size; c++) {
        if (*c != '|') {
            out[used++] = *c;
        } else {
            const char *sep = c == last ? " or " : ", ";
            used += (size_t)snprintf(out + used, size - used, "%s", sep);
        }
    }
    out[used < size ? used : size - 1] = '\0';
    return out;
}

/* Sets one option; arg is the whole KEY=VALUE for messages. */
static bool set_option(struct options *opts, const struct option_spec *spec,
                       const char *value, const char *arg, char *err, size_t err_size)
{
    void *field = (char *)opts + spec->offset;
    switch (spec->kind) {
    case INPUT:
    case OUTPUT:
    case OUTDIR:
    case SOCKET:
        *(const char **)field = value;
        return true;
    case TEXT: {
        struct option_texts *texts = field;
        if (texts->count == OPTIONS_MAX_TEXTS) {
            snprintf(err, err_size, "option '%s': more than %d %s options", arg,
                     OPTIONS_MAX_TEXTS, spec->key);
            return false;
        }
        texts->items[texts->count++] = (char *)value;
        return true;
    }
    case BOOL:
        if (!parse_bool(value, field)) {
            snprintf(err, err_size, "option '%s': expected on or off (or yes, no)", arg);
            return false;
        }
        return true;
    case SIZE:
        if (!parse_size(value, field)) {
            snprintf(err, err_size, "option '%s': not a size (bytes, or with K/M/G)", arg);
            return false;
        }
        return true;
    case NUMBER: {
        char *end;
        errno = 0;
        *(uint64_t *)field = strtoull(value, &end, 0);
        if (errno != 0 || *end != '\0' || !isdigit((unsigned char)value[0])) {
            snprintf(err, err_size, "option '%s': expected a number", arg);
            return false;
        }
        return true;
    }
    case CHOICE: {
        int index = choice_index(spec->syntax, value);
        if (index < 0) {
            char words[128];
            snprintf(err, err_size, "option '%s': expected %s", arg,
                     choice_words(spec->syntax, words, sizeof words));
            return false;
        }
        *(unsigned *)field = (unsigned)index;
        return true;
    }
    case COMMANDS:
        return parse_deny_list(opts, value, err, err_size);
    }
    return false;
}

/* What the table cannot say: limits of one option, options that go together. */
static bool options_agree(const struct options *opts, char *err, size_t err_size)
{
    if (opts->max_buffer == 0 || opts->max_buffer > (1ull << 30)) {
        snprintf(err, err_size, "option 'max-buffer': not a size between 1 and 1G");
        return false;
    }
    if (opts->max_threads == 0 || opts->max_threads > MAX_THREADS_LIMIT) {
        snprintf(err, err_size, "option 'max-threads=%" PRIu64 "': expected a number of "
                 "threads between 1 and %u", opts->max_threads, MAX_THREADS_LIMIT);
        return false;
    }
    if (opts->handler_argv.count > 0 && opts->handler_path == NULL) {
        snprintf(err, err_size, "option 'handler-arg' given without 'handler'");
        return false;
    }
    if (opts->toggle_collect.count > 0 && !opts->valgrind) {
        /* The collection state is the one Valgrind's requests switch. */
        snprintf(err, err_size, "option 'toggle-collect=%s' needs valgrind=on",
                 opts->toggle_collect.items[0]);
        return false;
    }
    if (opts->profile_path != NULL && !opts->valgrind) {
        /* The profile covers what Callgrind's requests collect. */
        snprintf(err, err_size, "option 'profile=%s' needs valgrind=on", opts->profile_path);
        return false;
    }
    if (opts->symbols_path != NULL && opts->profile_path == NULL) {
        snprintf(err, err_size, "option 'symbols=%s' names functions for profile=; give "
                 "profile= too", opts->symbols_path);
        return false;
    }
    if ((opts->checkpoint_dir != NULL || opts->restore_path != NULL) && opts->qmp_path == NULL) {
        /* QEMU's plugin API cannot save or load a machine; its QMP can. */
        snprintf(err, err_size, "option '%s' needs qmp=PATH, a socket QEMU was started with "
                 "(-qmp unix:PATH,server=on,wait=off); qemu-backdoor makes one",
                 opts->checkpoint_dir != NULL ? "checkpoint-dir" : "restore");
        return false;
    }
    /* Outputs naming one file are refused when they are opened
     * (output/file.c), where files are compared, not names. */
    return true;
}

bool option_given(const struct options *opts, const char *key)
{
    for (size_t i = 0; i < SPEC_COUNT; i++) {
        if (strcmp(specs[i].key, key) == 0) {
            return opts->given >> i & 1;
        }
    }
    return false;
}

static const struct option_spec *spec_for(const char *key, size_t key_len)
{
    for (size_t i = 0; i < SPEC_COUNT; i++) {
        if (strlen(specs[i].key) == key_len && strncmp(specs[i].key, key, key_len) == 0) {
            return &specs[i];
        }
    }
    return NULL;
}

bool options_parse(struct options *opts, int argc, char **argv, char *err,
                   size_t err_size)
{
    memset(opts, 0, sizeof *opts);
    for (size_t i = 0; i < SPEC_COUNT; i++) {
        if (specs[i].fallback != NULL &&
            !set_option(opts, &specs[i], specs[i].fallback, specs[i].key, err, err_size)) {
            return false; /* a table mistake; unit tests catch it */
        }
    }
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        const char *eq = strchr(arg, '=');
        if (eq == NULL || eq == arg) {
            snprintf(err, err_size, "option '%s': expected KEY=VALUE (keys: %s)",
                     arg, options_known_keys());
            return false;
        }
        const struct option_spec *spec = spec_for(arg, (size_t)(eq - arg));
        if (spec == NULL) {
            snprintf(err, err_size, "option '%s': unknown key '%.*s' (keys: %s)", arg,
                     (int)(eq - arg), arg, options_known_keys());
            return false;
        }
        const char *value = eq + 1;
        if (*value == '\0' && spec->kind != TEXT) {
            snprintf(err, err_size, "option '%s': empty value", arg);
            return false;
        }
        if (!set_option(opts, spec, value, arg, err, err_size)) {
            return false;
        }
        opts->given |= 1ull << (spec - specs);
    }
    /* As Callgrind's --toggle-collect: the collection starts off, unless
     * asked otherwise. */
    if (opts->toggle_collect.count > 0 && !option_given(opts, "collect-atstart")) {
        opts->collect_atstart = false;
    }
    return options_agree(opts, err, err_size);
}

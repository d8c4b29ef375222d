/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Option parsing. QEMU hands each KEY=VALUE as one argv entry and splits on
 * commas itself, so lists inside a value use ':' (deny=exit:print).
 */
#include "core/options.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_BUFFER (1u << 20)
/* Per output file: enough for hours of events, and a guest that loops on
 * stats_dump or print cannot fill the disk. */
#define DEFAULT_MAX_OUTPUT (4ull << 30)

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

static const char *const known_keys =
    "handler, handler-arg, summary, events, trace, print, max-buffer, "
    "max-output, allow-from, deny, log, regions, regions-by, valgrind, running-on-valgrind, "
    "collect-atstart, instr-atstart, profile, count-reps";

/* Two outputs in one file would interleave into a corrupt one. */
static bool outputs_distinct(const struct options *opts, char *err, size_t err_size)
{
    const struct {
        const char *option, *path;
    } outputs[] = {{"events", opts->events_path}, {"trace", opts->trace_path},
                   {"summary", opts->summary_path}, {"print", opts->print_path},
                   {"regions", opts->regions_path}, {"profile", opts->profile_path}};
    size_t n = sizeof outputs / sizeof outputs[0];
    for (size_t i = 0; i < n; i++) {
        for (size_t j = i + 1; j < n; j++) {
            const char *a = outputs[i].path, *b = outputs[j].path;
            /* Devices (/dev/null, /dev/full) take any number of writers. */
            if (a != NULL && b != NULL && strcmp(a, b) == 0 && strcmp(a, "stderr") != 0 &&
                strcmp(a, "stdout") != 0 && strcmp(a, "none") != 0 &&
                strncmp(a, "/dev/", 5) != 0) {
                snprintf(err, err_size, "options '%s=%s' and '%s=%s' name the same file; "
                         "give each output its own", outputs[i].option, a,
                         outputs[j].option, b);
                return false;
            }
        }
    }
    return true;
}

bool options_parse(struct options *opts, int argc, char **argv, char *err,
                   size_t err_size)
{
    memset(opts, 0, sizeof *opts);
    opts->max_buffer = DEFAULT_MAX_BUFFER;
    opts->max_output = DEFAULT_MAX_OUTPUT;
    /* Callgrind's defaults, so that a program measured there and here is
     * given the same options. */
    opts->collect_atstart = true;
    opts->instr_atstart = true;

    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        const char *eq = strchr(arg, '=');
        if (eq == NULL || eq == arg) {
            snprintf(err, err_size, "option '%s': expected KEY=VALUE (keys: %s)",
                     arg, known_keys);
            return false;
        }
        size_t key_len = (size_t)(eq - arg);
        const char *value = eq + 1;
#define KEY_IS(name) (key_len == strlen(name) && strncmp(arg, name, key_len) == 0)
        if (*value == '\0' && !KEY_IS("handler-arg")) {
            snprintf(err, err_size, "option '%s': empty value", arg);
            return false;
        }
        if (KEY_IS("handler")) {
            opts->handler_path = value;
        } else if (KEY_IS("handler-arg")) {
            if (opts->handler_argc == OPTIONS_MAX_HANDLER_ARGS) {
                snprintf(err, err_size, "option '%s': more than %d handler-arg options",
                         arg, OPTIONS_MAX_HANDLER_ARGS);
                return false;
            }
            opts->handler_argv[opts->handler_argc++] = (char *)value;
        } else if (KEY_IS("summary")) {
            opts->summary_path = value;
        } else if (KEY_IS("events")) {
            opts->events_path = value;
        } else if (KEY_IS("regions")) {
            opts->regions_path = value;
        } else if (KEY_IS("regions-by")) {
            if (strcmp(value, "thread") != 0 && strcmp(value, "vcpu") != 0) {
                snprintf(err, err_size, "option '%s': expected thread or vcpu", arg);
                return false;
            }
            opts->regions_by_vcpu = strcmp(value, "vcpu") == 0;
        } else if (KEY_IS("trace")) {
            opts->trace_path = value;
        } else if (KEY_IS("print")) {
            opts->print_path = value;
        } else if (KEY_IS("max-buffer")) {
            if (!parse_size(value, &opts->max_buffer) || opts->max_buffer == 0 ||
                opts->max_buffer > (1ull << 30)) {
                snprintf(err, err_size,
                         "option '%s': not a size between 1 and 1G (bytes, or with K/M/G)",
                         arg);
                return false;
            }
        } else if (KEY_IS("max-output")) {
            if (!parse_size(value, &opts->max_output)) {
                snprintf(err, err_size,
                         "option '%s': not a size (bytes, or with K/M/G; 0: no limit)", arg);
                return false;
            }
        } else if (KEY_IS("allow-from")) {
            if (strcmp(value, "any") == 0) {
                opts->allow_from = ALLOW_FROM_ANY;
            } else if (strcmp(value, "kernel") == 0) {
                opts->allow_from = ALLOW_FROM_KERNEL;
            } else if (strcmp(value, "user") == 0) {
                opts->allow_from = ALLOW_FROM_USER;
            } else {
                snprintf(err, err_size, "option '%s': expected any, kernel or user", arg);
                return false;
            }
        } else if (KEY_IS("deny")) {
            if (!parse_deny_list(opts, value, err, err_size)) {
                return false;
            }
        } else if (KEY_IS("log")) {
            if (!parse_bool(value, &opts->log_calls)) {
                snprintf(err, err_size, "option '%s': expected on or off", arg);
                return false;
            }
        } else if (KEY_IS("valgrind") || KEY_IS("collect-atstart") ||
                   KEY_IS("instr-atstart") || KEY_IS("count-reps")) {
            bool *flag = KEY_IS("valgrind") ? &opts->valgrind
                         : KEY_IS("collect-atstart") ? &opts->collect_atstart
                         : KEY_IS("instr-atstart") ? &opts->instr_atstart
                                                   : &opts->count_repeats;
            if (!parse_bool(value, flag)) {
                snprintf(err, err_size, "option '%s': expected on or off", arg);
                return false;
            }
        } else if (KEY_IS("running-on-valgrind")) {
            char *end;
            errno = 0;
            opts->running_on_valgrind = strtoull(value, &end, 0);
            if (errno != 0 || *end != '\0' || !isdigit((unsigned char)value[0])) {
                snprintf(err, err_size, "option '%s': expected a number (0: not under "
                         "Valgrind)", arg);
                return false;
            }
        } else if (KEY_IS("profile")) {
            opts->profile_path = value;
        } else {
            snprintf(err, err_size, "option '%s': unknown key '%.*s' (keys: %s)", arg,
                     (int)key_len, arg, known_keys);
            return false;
        }
#undef KEY_IS
    }
    opts->handler_argv[opts->handler_argc] = NULL;
    if (opts->handler_argc > 0 && opts->handler_path == NULL) {
        snprintf(err, err_size, "option 'handler-arg' given without 'handler'");
        return false;
    }
    if (opts->profile_path != NULL && !opts->valgrind) {
        /* The profile covers what Callgrind's requests collect. */
        snprintf(err, err_size, "option 'profile=%s' needs valgrind=on", opts->profile_path);
        return false;
    }
    return outputs_distinct(opts, err, err_size);
}

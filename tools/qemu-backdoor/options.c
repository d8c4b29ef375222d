/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-backdoor's command line: its long options become the plugin's
 * KEY=VALUE options, with paths made absolute, in one -plugin argument.
 * --plugin-opt passes any other KEY=VALUE, so a new plugin option needs no
 * new release of this command.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <backdoor/host.h>

#include "qemu-backdoor.h"

#ifndef BACKDOOR_VERSION
#define BACKDOOR_VERSION "unknown"
#endif

static bool is_one_of(const char *value, const char *const *words)
{
    for (; *words != NULL; words++) {
        if (strcmp(value, *words) == 0) {
            return true;
        }
    }
    return false;
}

/* Adds one plugin option; values that name files become absolute. */
static void add_plugin_option(struct request *rq, const char *key, const char *value)
{
    static const char *const files[] = {"events", "trace", "summary", "print", "regions",
                                        "profile", NULL};
    static const char *const streams[] = {"stderr", "stdout", "none", NULL};
    char *v = format("%s", value);
    if (strcmp(key, "handler") == 0) {
        free(v);
        v = absolute(value);
        if (access(v, R_OK) != 0) {
            die("--handler=%s: %s: %s; build it first (cc -fPIC -shared -o libmine.so "
                "mine.c) or give its path", value, v, strerror(errno));
        }
    } else if (strcmp(key, "deny") == 0) {
        /* The plugin separates commands with ':' because QEMU splits on
         * ','; accept either. */
        for (char *c = v; *c; c++) {
            *c = *c == ',' ? ':' : *c;
        }
    } else if (is_one_of(key, files) && !is_one_of(value, streams) && value[0] != '\0') {
        free(v);
        v = absolute(value);
        list_add(&rq->written, format("%s=%s", key, v));
    }
    list_add(&rq->plugin_options, format("%s=%s", key, v));
    free(v);
}

/* QEMU splits the -plugin argument on commas and reads ",," as a comma
 * inside a value. */
static char *escape_commas(char *out, const char *text)
{
    for (; *text; text++) {
        if (*text == ',') {
            *out++ = ',';
        }
        *out++ = *text;
    }
    return out;
}

char *plugin_argument(const char *plugin, const struct list *options)
{
    size_t size = 2 * strlen(plugin) + 1;
    for (size_t i = 0; i < options->count; i++) {
        size += 2 * strlen(options->items[i]) + 1;
    }
    char *out = malloc(size);
    if (out == NULL) {
        die("out of memory");
    }
    char *o = escape_commas(out, plugin);
    for (size_t i = 0; i < options->count; i++) {
        *o++ = ',';
        o = escape_commas(o, options->items[i]);
    }
    *o = '\0';
    return out;
}

static void usage(FILE *out)
{
    fprintf(out,
        "usage: %1$s [OPTION...] [--] PROGRAM [ARG...]\n"
        "       %1$s [OPTION...] --system [--kernel FILE] [--arch ARCH] [-- QEMU-ARG...]\n"
        "\n"
        "Runs PROGRAM under QEMU user mode (qemu-x86_64, qemu-i386, qemu-aarch64 or\n"
        "qemu-riscv64, from its ELF header), or a machine under qemu-system-ARCH, with\n"
        "the backdoor plugin. Exits with the program's (or QEMU's) exit status.\n"
        "\n"
        "Plugin options (relative paths are made absolute):\n"
        "  --handler=LIB          handler library (backdoor/host.h)\n"
        "  --handler-arg=TEXT     argument for the handler's init (repeatable)\n"
        "  --events=FILE          one JSON object per call (JSON Lines)\n"
        "  --trace=FILE           Chrome/Perfetto trace (ui.perfetto.dev)\n"
        "  --summary=FILE|stderr|none   summary at exit (default stderr)\n"
        "  --print=FILE|stdout|stderr   where guest text goes (default stderr)\n"
        "  --max-buffer=SIZE      largest send/receive buffer (default 1M)\n"
        "  --regions=FILE         the final regions, CSV (.csv) or JSON\n"
        "  --regions-by=thread|vcpu  system mode: regions per guest thread (default)\n"
        "                         or per vCPU\n"
        "  --max-output=SIZE      largest size of each output file (default 4G, 0: none)\n"
        "  --allow-from=any|kernel|user  accept calls only from this privilege level\n"
        "  --deny=CMD[,CMD...]    refuse these built-in commands\n"
        "  --log                  one line on stderr per call\n"
        "  --valgrind             honour Valgrind's client requests (docs/valgrind.md)\n"
        "  --profile=FILE         with --valgrind: per-function counts, Callgrind format\n"
        "  --running-on-valgrind=N  what RUNNING_ON_VALGRIND returns (default 0)\n"
        "  --collect-atstart=yes|no  as Callgrind's option (default yes)\n"
        "  --instr-atstart=yes|no    as Callgrind's option (default yes)\n"
        "  --count-reps           x86: each repetition of rep movs, stos, cmps, ... counts\n"
        "                         as an instruction, as in Callgrind\n"
        "  --plugin-opt KEY=VAL   any other plugin option, passed as it is\n"
        "\n"
        "Running:\n"
        "  --system               system mode; arguments after -- go to QEMU\n"
        "  --kernel=FILE          system mode: boot FILE (-kernel); its ELF header\n"
        "                         picks the QEMU\n"
        "  --arch=ARCH            system mode: %2$s (default x86_64)\n"
        "  -n, --dry-run          print the QEMU command line instead of running it\n"
        "  -q, --quiet            no closing line naming what was written\n"
        "  -h, --help             this text\n"
        "  -V, --version          versions, and the plugin and QEMU that would run\n"
        "\n"
        "QEMU: $QEMU_PREFIX/bin, else the one 'make qemu' built (build/qemu, or\n"
        "$BACKDOOR_CACHE, default ~/.cache/backdoor). TCG only: -accel kvm and\n"
        "-enable-kvm are refused. Exit status 125: qemu-backdoor's own error.\n"
        "See qemu-backdoor(1).\n",
        program_name, arch_list);
}

static void version(const char *dir)
{
    printf("%s (backdoor) %s\nguest protocol %d, handler ABI %d\n", program_name,
           BACKDOOR_VERSION, BACKDOOR_PROTOCOL_VERSION, BACKDOOR_HOST_ABI_VERSION);
    const char *looked = "";
    char *plugin = find_plugin(dir, &looked);
    printf("plugin: %s\n", plugin ? plugin : looked);
    for (size_t i = 0; i < arch_count; i++) {
        char *user = format("qemu-%s", arches[i].name);
        char *qemu = find_qemu(dir, user, &looked);
        printf("%s: %s\n", user, qemu ? qemu : looked);
    }
}

enum {
    OPT_HANDLER = 256, OPT_HANDLER_ARG, OPT_EVENTS, OPT_TRACE, OPT_SUMMARY, OPT_PRINT,
    OPT_MAX_BUFFER, OPT_MAX_OUTPUT, OPT_REGIONS, OPT_REGIONS_BY, OPT_ALLOW_FROM, OPT_DENY, OPT_LOG, OPT_VALGRIND,
    OPT_PROFILE, OPT_RUNNING_ON_VALGRIND, OPT_COLLECT_ATSTART, OPT_INSTR_ATSTART, OPT_COUNT_REPS,
    OPT_PLUGIN_OPT,
    OPT_SYSTEM,
    OPT_KERNEL, OPT_ARCH,
};

static const struct option long_options[] = {
    {"handler", required_argument, NULL, OPT_HANDLER},
    {"handler-arg", required_argument, NULL, OPT_HANDLER_ARG},
    {"events", required_argument, NULL, OPT_EVENTS},
    {"trace", required_argument, NULL, OPT_TRACE},
    {"summary", required_argument, NULL, OPT_SUMMARY},
    {"print", required_argument, NULL, OPT_PRINT},
    {"max-buffer", required_argument, NULL, OPT_MAX_BUFFER},
    {"max-output", required_argument, NULL, OPT_MAX_OUTPUT},
    {"regions", required_argument, NULL, OPT_REGIONS},
    {"regions-by", required_argument, NULL, OPT_REGIONS_BY},
    {"allow-from", required_argument, NULL, OPT_ALLOW_FROM},
    {"deny", required_argument, NULL, OPT_DENY},
    {"log", no_argument, NULL, OPT_LOG},
    {"valgrind", no_argument, NULL, OPT_VALGRIND},
    {"profile", required_argument, NULL, OPT_PROFILE},
    {"running-on-valgrind", required_argument, NULL, OPT_RUNNING_ON_VALGRIND},
    {"collect-atstart", required_argument, NULL, OPT_COLLECT_ATSTART},
    {"instr-atstart", required_argument, NULL, OPT_INSTR_ATSTART},
    {"count-reps", no_argument, NULL, OPT_COUNT_REPS},
    {"plugin-opt", required_argument, NULL, OPT_PLUGIN_OPT},
    {"system", no_argument, NULL, OPT_SYSTEM},
    {"kernel", required_argument, NULL, OPT_KERNEL},
    {"arch", required_argument, NULL, OPT_ARCH},
    {"dry-run", no_argument, NULL, 'n'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

/* getopt_long's '?': an unknown option, or a value given or missing. */
static _Noreturn void bad_option(char **argv)
{
    const char *word = argv[optind - 1];
    for (const struct option *o = long_options; optopt != 0 && o->name != NULL; o++) {
        if (o->val != optopt || strncmp(word, "--", 2) != 0) {
            continue;
        }
        if (o->has_arg == required_argument) {
            die("option '--%s' needs a value: --%s=VALUE (%s --help)", o->name, o->name,
                program_name);
        }
        die("option '--%s' takes no value (%s --help)", o->name, program_name);
    }
    if (optopt != 0) {
        die("unknown option '-%c'; QEMU's own options go after '--' (%s --help)",
            optopt, program_name);
    }
    die("unknown option '%s'; QEMU's own options go after '--' (%s --help)", word,
        program_name);
}

int parse_command_line(struct request *rq, int argc, char **argv, const char *dir)
{
    int c, index = 0;
    opterr = 0;
    /* '+': the first word that is no option of ours is the program. */
    while ((c = getopt_long(argc, argv, "+nqhV", long_options, &index)) != -1) {
        const char *name = long_options[index].name;
        switch (c) {
        case OPT_HANDLER: case OPT_HANDLER_ARG: case OPT_EVENTS: case OPT_TRACE:
        case OPT_SUMMARY: case OPT_PRINT: case OPT_MAX_BUFFER: case OPT_MAX_OUTPUT:
        case OPT_REGIONS: case OPT_REGIONS_BY:
        case OPT_ALLOW_FROM:
        case OPT_DENY:
            add_plugin_option(rq, name, optarg);
            break;
        case OPT_LOG:
            add_plugin_option(rq, "log", "on");
            break;
        case OPT_VALGRIND:
            add_plugin_option(rq, "valgrind", "on");
            break;
        case OPT_COUNT_REPS:
            add_plugin_option(rq, "count-reps", "on");
            break;
        case OPT_PROFILE: case OPT_RUNNING_ON_VALGRIND: case OPT_COLLECT_ATSTART:
        case OPT_INSTR_ATSTART:
            add_plugin_option(rq, name, optarg);
            break;
        case OPT_PLUGIN_OPT: {
            const char *eq = strchr(optarg, '=');
            if (eq == NULL || eq == optarg) {
                die("--plugin-opt %s: expected KEY=VALUE", optarg);
            }
            char *key = format("%.*s", (int)(eq - optarg), optarg);
            add_plugin_option(rq, key, eq + 1);
            free(key);
            break;
        }
        case OPT_SYSTEM:
            rq->system = true;
            break;
        case OPT_KERNEL:
            rq->kernel = absolute(optarg);
            if (access(rq->kernel, R_OK) != 0) {
                die("--kernel=%s: %s: %s; give the path of a kernel image", optarg,
                    rq->kernel, strerror(errno));
            }
            break;
        case OPT_ARCH:
            rq->arch = arch_by_name(optarg);
            break;
        case 'n':
            rq->dry_run = true;
            break;
        case 'q':
            rq->quiet = true;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        case 'V':
            version(dir);
            exit(0);
        default:
            bad_option(argv);
        }
    }
    if (!rq->system && (rq->kernel != NULL || rq->arch != NULL)) {
        die("--kernel and --arch are for --system; in user mode the program's ELF "
            "header picks the QEMU");
    }
    return optind;
}


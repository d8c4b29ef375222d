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
#include <sys/stat.h>
#include <unistd.h>

#include <backdoor/host.h>
#include <backdoor/options.h>

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

/* The plugin's options (backdoor/options.h): qemu-backdoor's --KEY for each. */
enum option_kind { INPUT, OUTPUT, OUTDIR, TEXT, BOOL, SIZE, NUMBER, CHOICE, COMMANDS, SOCKET };
static const struct plugin_option {
    const char *key;
    enum option_kind kind;
    const char *fallback, *syntax, *doc;
} plugin_options[] = {
#define PLUGIN_OPTION(key, field, kind, fallback, syntax, doc) {key, kind, fallback, syntax, doc},
    BACKDOOR_PLUGIN_OPTIONS(PLUGIN_OPTION)
#undef PLUGIN_OPTION
};
#define PLUGIN_OPTION_COUNT (sizeof plugin_options / sizeof plugin_options[0])

/* A BOOL that is off unless given: --KEY alone turns it on. */
static bool is_flag(const struct plugin_option *o)
{
    return o->kind == BOOL && strcmp(o->fallback, "off") == 0;
}

static const struct plugin_option *plugin_option(const char *key)
{
    for (size_t i = 0; i < PLUGIN_OPTION_COUNT; i++) {
        if (strcmp(plugin_options[i].key, key) == 0) {
            return &plugin_options[i];
        }
    }
    return NULL;
}

/* Adds one plugin option; values that name files become absolute. */
static void add_plugin_option(struct request *rq, const char *key, const char *value)
{
    static const char *const streams[] = {"stderr", "stdout", "none", NULL};
    const struct plugin_option *o = plugin_option(key);
    enum option_kind kind = o ? o->kind : TEXT; /* --plugin-opt: as given */
    char *v = format("%s", value);
    if (kind == INPUT && value[0] != '\0') {
        free(v);
        v = absolute(value);
        if (access(v, R_OK) != 0) {
            size_t len = strlen(v);
            bool script = len > 3 && strcmp(v + len - 3, ".py") == 0;
            die("--%s=%s: %s: %s%s", key, value, v, strerror(errno),
                strcmp(key, "handler") != 0 ? ""
                : script ? "; give the path of the Python script"
                         : "; build it first (cc -fPIC -shared -o libmine.so mine.c) or give its path");
        }
    } else if (kind == COMMANDS) {
        /* The plugin separates commands with ':' because QEMU splits on
         * ','; accept either. */
        for (char *c = v; *c; c++) {
            *c = *c == ',' ? ':' : *c;
        }
    } else if (kind == SOCKET && value[0] != '\0') {
        free(v);
        v = absolute(value);
    } else if (kind == OUTDIR && value[0] != '\0') {
        free(v);
        v = absolute(value);
        struct stat st;
        if (stat(v, &st) != 0) {
            die("--%s=%s: %s: %s; create the directory first", key, value, v,
                strerror(errno));
        }
        if (!S_ISDIR(st.st_mode)) {
            die("--%s=%s: %s is not a directory", key, value, v);
        }
        list_add(&rq->written, format("%s=%s", key, v));
    } else if (kind == OUTPUT && !is_one_of(value, streams) && value[0] != '\0') {
        free(v);
        v = absolute(value);
        list_add(&rq->written, format("%s=%s", key, v));
    }
    static const char *const help[] = {"help", "?", NULL};
    if (is_one_of(v, help)) {
        /* QEMU takes any -plugin value "help" or "?" as a request for its
         * own -plugin help, prints it and exits 0 without running the
         * guest; no quoting gets such a value past it. */
        die("plugin option %s=%s: QEMU reads any -plugin value '%s' as a request for its "
            "own help, and would exit without running anything; give another value", key,
            v, v);
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

char *plugin_argument(const char *plugin, const struct request *rq, const char *qemu)
{
    const struct list *options = &rq->plugin_options;
    /* "file=" named: a path with '=' in it (an install prefix such as
     * /opt/x=1) would otherwise be read as an option KEY=VALUE. */
    static const char file[] = "file=";
    char level[32] = "";
    /* The plugin then need not read QEMU's executable at every start. */
    int api = request_option(rq, "qemu-api") != NULL ? 0 : qemu_binary_api_level(qemu);
    if (api > 0) {
        snprintf(level, sizeof level, ",qemu-api=%d", api);
    }
    size_t size = sizeof file + 2 * strlen(plugin) + 1 + strlen(level);
    for (size_t i = 0; i < options->count; i++) {
        size += 2 * strlen(options->items[i]) + 1;
    }
    char *out = malloc(size);
    if (out == NULL) {
        die("out of memory");
    }
    memcpy(out, file, sizeof file - 1);
    char *o = escape_commas(out + sizeof file - 1, plugin);
    for (size_t i = 0; i < options->count; i++) {
        *o++ = ',';
        o = escape_commas(o, options->items[i]);
    }
    strcpy(o, level);
    return out;
}

/* Text from the option table for a terminal: without the Markdown backticks,
 * wrapped at 80 columns under a 26-column option name. */
static void print_wrapped(FILE *out, const char *name, const char *text)
{
    enum { INDENT = 26, WIDTH = 80 };
    int col = fprintf(out, "  %s", name);
    if (col >= INDENT - 1) {
        fputc('\n', out);
        col = 0;
    }
    fprintf(out, "%*s", INDENT - col, "");
    col = INDENT;
    const char *word = text;
    while (*word) {
        size_t len = strcspn(word, " ");
        size_t shown = 0;
        for (size_t i = 0; i < len; i++) {
            shown += word[i] != '`';
        }
        if (col > INDENT && col + 1 + (int)shown > WIDTH) {
            fprintf(out, "\n%*s", INDENT, "");
            col = INDENT;
        } else if (col > INDENT) {
            fputc(' ', out);
            col++;
        }
        for (size_t i = 0; i < len; i++) {
            if (word[i] != '`') {
                fputc(word[i], out);
            }
        }
        col += (int)shown;
        word += len;
        word += strspn(word, " ");
    }
    fputc('\n', out);
}

static void usage(FILE *out)
{
    fprintf(out,
        "usage: %1$s [OPTION...] [--] PROGRAM [ARG...]\n"
        "       %1$s [OPTION...] --linux [--smp N] [--memory SIZE] -- PROGRAM [ARG...]\n"
        "       %1$s [OPTION...] --system [--kernel FILE] [--arch ARCH] [-- QEMU-ARG...]\n"
        "\n"
        "Runs PROGRAM under QEMU user mode (qemu-x86_64, qemu-i386, qemu-aarch64 or\n"
        "qemu-riscv64, from its ELF header), as a process of a Linux machine\n"
        "(--linux), or a machine under qemu-system-ARCH, with the backdoor plugin.\n"
        "Exits with the program's (or QEMU's) exit status.\n"
        "\n"
        "Plugin options (relative paths are made absolute):\n",
        program_name);
    for (size_t i = 0; i < PLUGIN_OPTION_COUNT; i++) {
        const struct plugin_option *o = &plugin_options[i];
        char *name = is_flag(o) ? format("--%s", o->key) : format("--%s=%s", o->key, o->syntax);
        char *doc = o->fallback != NULL && !is_flag(o)
                        ? format("%s (default %s)", o->doc, o->fallback)
                        : format("%s", o->doc);
        print_wrapped(out, name, doc);
        free(name);
        free(doc);
    }
    fprintf(out,
        "  --plugin-opt KEY=VAL    any other plugin option, passed as it is\n"
        "\n"
        "Running:\n"
        "  --system                system mode; arguments after -- go to QEMU\n"
        "  --kernel=FILE           boot FILE (-kernel; also with --linux); its ELF or\n"
        "                          Linux boot header picks the QEMU\n");
    char *arch_words = format("%s", "");
    for (size_t i = 0; i < arch_count; i++) {
        char *more = format("%s%s%s", arch_words, i ? "|" : "", arches[i].name);
        free(arch_words);
        arch_words = more;
    }
    char *arch_option = format("--arch=%s", arch_words);
    print_wrapped(out, arch_option, "system mode: the guest architecture (default x86_64)");
    free(arch_option);
    free(arch_words);
    static const char *const linux_options[][2] = {
        {"--linux", "boot Linux (Debian's kernel of the tests, for the program's "
                    "architecture) and run PROGRAM in it"},
        {"--smp=N", "Linux guests: N vCPUs (default 1)"},
        {"--memory=SIZE", "Linux guests: guest memory, as QEMU's -m (default 256M)"},
        {"--file=PATH", "Linux guests: copy this host file (or directory) into the guest, at the "
                        "same path"},
        {"--append=TEXT", "Linux guests: more kernel parameters"},
        {"--console=FILE|stderr|none", "Linux guests: the kernel's console (default: shown only "
                                       "if the machine ends without the program's status)"},
        {"--qemu-arg=ARG", "one more QEMU option or value (repeatable; any mode)"},
        {"--timeout=SECONDS", "stop QEMU after this long: exit status 124"},
    };
    for (size_t i = 0; i < sizeof linux_options / sizeof linux_options[0]; i++) {
        print_wrapped(out, linux_options[i][0], linux_options[i][1]);
    }
    fprintf(out,
        "  -n, --dry-run           print the QEMU command line instead of running it\n"
        "  --events-to-json=FILE   print a binary event log (--events=FILE.bin) as the\n"
        "                          JSON Lines --events writes, and exit\n"
        "  -q, --quiet             no closing line naming what was written\n"
        "  -h, --help              this text\n"
        "  -V, --version           versions, and the plugin and QEMU that would run\n"
        "\n"
        "QEMU: $QEMU_PREFIX/bin, else the one 'make qemu' built (build/qemu, or\n"
        "$BACKDOOR_CACHE, default ~/.cache/backdoor). TCG only: -accel kvm and\n"
        "-enable-kvm are refused. Exit status 125: qemu-backdoor's own error.\n"
        "See qemu-backdoor(1).\n");
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

/* qemu-backdoor's own options; the plugin's follow them, from the table. */
enum {
    OPT_PLUGIN_OPT = 256,
    OPT_EVENTS_TO_JSON,
    OPT_SYSTEM,
    OPT_KERNEL, OPT_ARCH,
    OPT_LINUX, OPT_SMP, OPT_MEMORY, OPT_APPEND, OPT_CONSOLE, OPT_FILE, OPT_QEMU_ARG, OPT_TIMEOUT,
    OPT_FIRST_PLUGIN_OPTION, /* + index in plugin_options */
};

static const struct option own_options[] = {
    {"plugin-opt", required_argument, NULL, OPT_PLUGIN_OPT},
    {"events-to-json", required_argument, NULL, OPT_EVENTS_TO_JSON},
    {"system", no_argument, NULL, OPT_SYSTEM},
    {"kernel", required_argument, NULL, OPT_KERNEL},
    {"arch", required_argument, NULL, OPT_ARCH},
    {"linux", no_argument, NULL, OPT_LINUX},
    {"smp", required_argument, NULL, OPT_SMP},
    {"memory", required_argument, NULL, OPT_MEMORY},
    {"append", required_argument, NULL, OPT_APPEND},
    {"console", required_argument, NULL, OPT_CONSOLE},
    {"file", required_argument, NULL, OPT_FILE},
    {"qemu-arg", required_argument, NULL, OPT_QEMU_ARG},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"dry-run", no_argument, NULL, 'n'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
};
#define OWN_OPTION_COUNT (sizeof own_options / sizeof own_options[0])

static struct option long_options[OWN_OPTION_COUNT + PLUGIN_OPTION_COUNT + 1];

static void make_long_options(void)
{
    memcpy(long_options, own_options, sizeof own_options);
    for (size_t i = 0; i < PLUGIN_OPTION_COUNT; i++) {
        long_options[OWN_OPTION_COUNT + i] = (struct option){
            plugin_options[i].key, is_flag(&plugin_options[i]) ? optional_argument
                                                                : required_argument,
            NULL, OPT_FIRST_PLUGIN_OPTION + (int)i};
    }
}

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

static unsigned positive(const char *option, const char *text, unsigned long max)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || v == 0 || v > max || text[0] == '-') {
        die("--%s=%s: expected a whole number from 1 to %lu", option, text, max);
    }
    return (unsigned)v;
}

int parse_command_line(struct request *rq, int argc, char **argv, const char *dir)
{
    int c, index = 0;
    opterr = 0;
    /* '+': the first word that is no option of ours is the program. */
    make_long_options();
    while ((c = getopt_long(argc, argv, "+nqhV", long_options, &index)) != -1) {
        if (c >= OPT_FIRST_PLUGIN_OPTION) {
            const struct plugin_option *o = &plugin_options[c - OPT_FIRST_PLUGIN_OPTION];
            add_plugin_option(rq, o->key, optarg != NULL ? optarg : "on");
            continue;
        }
        switch (c) {
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
        case OPT_EVENTS_TO_JSON:
            rq->events_to_json = optarg;
            break;
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
        case OPT_LINUX:
            rq->linux_guest = true;
            break;
        case OPT_SMP:
            rq->smp = positive("smp", optarg, 64);
            break;
        case OPT_TIMEOUT:
            rq->timeout = positive("timeout", optarg, 86400 * 365);
            break;
        case OPT_MEMORY: {
            size_t digits = strspn(optarg, "0123456789");
            const char *unit = optarg + digits;
            if (digits == 0 ||
                (*unit != '\0' && (strchr("KMGTkmgt", *unit) == NULL || unit[1] != '\0'))) {
                die("--memory=%s: expected a size such as 512M or 2G (QEMU's -m)", optarg);
            }
            rq->memory = optarg;
            break;
        }
        case OPT_APPEND:
            rq->append = optarg;
            break;
        case OPT_CONSOLE:
            rq->console = is_one_of(optarg, (const char *const[]){"stderr", "none", NULL})
                              ? optarg : absolute(optarg);
            break;
        case OPT_FILE:
            list_add(&rq->files, absolute(optarg));
            if (access(optarg, R_OK) != 0) {
                die("--file=%s: %s; give a file or directory to copy into the guest", optarg,
                    strerror(errno));
            }
            break;
        case OPT_QEMU_ARG:
            list_add(&rq->qemu_args, optarg);
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
    const char *restore = request_option(rq, "restore");
    if (restore != NULL && (rq->system || rq->linux_guest || rq->kernel != NULL ||
                            rq->arch != NULL || rq->smp || rq->memory || rq->append ||
                            rq->files.count)) {
        die("--restore=%s starts the machine the checkpoint recorded, its kernel, memory and "
            "vCPUs with it: drop --linux, --system, --kernel, --arch, --smp, --memory, "
            "--append and --file", restore);
    }
    if (rq->system && rq->linux_guest) {
        die("--system and --linux: choose one (--linux boots Linux and runs a program in "
            "it; --system runs the machine the QEMU arguments after -- describe)");
    }
    if (rq->linux_guest && rq->arch != NULL) {
        die("--arch is for --system; with --linux the program's ELF header picks the "
            "architecture");
    }
    if (!rq->system && !rq->linux_guest && (rq->kernel != NULL || rq->arch != NULL)) {
        die("--kernel and --arch are for --system (and --kernel for --linux); in user "
            "mode the program's ELF header picks the QEMU");
    }
    if (!rq->linux_guest && (rq->smp || rq->memory || rq->append || rq->console ||
                             rq->files.count)) {
        die("--smp, --memory, --append, --console and --file are for --linux (with "
            "--system, QEMU's own options go after --)");
    }
    return optind;
}


/* SPDX-License-Identifier: MIT */
/*
 * backdoor: the guest command line, for shell scripts inside an emulated
 * machine. Every built-in command of guest.h's op list is a subcommand
 * ("roi begin 1" and "roi_begin 1" are the same); "call" reaches handler
 * commands, "seed" the 2010 calls, "probe" tells whether a host answers.
 * Exit status: 0 done, 1 bad arguments, 2 the command needs an answer and no
 * host gave one, or the host returned an error.
 *
 * "roi begin N" and "roi end N" open and close machine regions
 * (roi_begin_machine): each call comes from a process of its own that ends
 * at once, and a script means the work between its two lines, whichever
 * processes do it; a region of the calling thread would end with this
 * command. docs/outputs.md, "Regions from a shell".
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <backdoor/guest.h>

enum { OK = 0, USAGE = 1, NO_ANSWER = 2 };

struct op {
    const char *name;
    uint16_t number;
    unsigned type, nargs, result;
    const char *doc;
};

static const struct op ops[] = {
#define CLI_OP(NAME, name, number, type, nargs, result, doc) \
    {#name, number, BACKDOOR_TYPE_##type, nargs, result, doc},
    BACKDOOR_OPS(CLI_OP)
#undef CLI_OP
};

static const char *program = "backdoor";

static int usage_error(const char *format, const char *detail)
{
    fprintf(stderr, "%s: ", program);
    fprintf(stderr, format, detail);
    fprintf(stderr, "\n(run '%s --help' for usage)\n", program);
    return USAGE;
}

static void help(void)
{
    printf("usage: %s COMMAND [ARG...]\n\n"
           "Talks to the host through the backdoor QEMU plugin. Commands:\n", program);
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        const struct op *op = &ops[i];
        char name[32];
        snprintf(name, sizeof name, "%s", op->name);
        char *us = strchr(name, '_');
        if (op->number == BACKDOOR_OP_ROI_BEGIN || op->number == BACKDOOR_OP_ROI_END) {
            continue; /* a thread's region would end with this command */
        }
        if (us != NULL && (strncmp(name, "roi", 3) == 0 || strncmp(name, "stats", 5) == 0)) {
            *us = ' ';
        }
        char *machine = strstr(name, "_machine");
        if (machine != NULL) {
            *machine = '\0';
        }
        const char *args = op->number == BACKDOOR_OP_READFILE ? " > FILE"
                           : op->number == BACKDOOR_OP_WRITEFILE ? " FILE [NAME]"
                           : op->number == BACKDOOR_OP_CHECKPOINT ? " NAME"
                           : op->type == BACKDOOR_TYPE_SEND ? " TEXT..."
                           : op->type == BACKDOOR_TYPE_RECV ? ""
                           : op->nargs == 1 ? " N" : op->nargs == 2 ? " N N"
                           : op->nargs == 4 ? " N N N N" : "";
        char left[48];
        snprintf(left, sizeof left, "%s%s", name, args);
        printf("  %-22s %s\n", left, op->doc);
    }
    printf("  %-22s %s\n", "call CMD [N...]", "extended call to handler command CMD (0x800..0xffff), up to 4 numbers; prints the result");
    printf("  %-22s %s\n", "seed I8 [V32]", "the 2010 seed's BACKDOOR_i8 / BACKDOOR_i8_v32");
    printf("  %-22s %s\n", "probe", "print protocol version, features and host; exit 2 if no host answers");
    printf("\nNumbers are decimal, 0x hexadecimal or 0 octal. Commands that need an\n"
           "answer (probe, call, host_info, host_time_ns, readfile, writefile) exit with\n"
           "status 2 when none comes: run natively, under QEMU without the plugin, or with\n"
           "plugin API < 5; readfile and writefile also when the host was given no\n"
           "readfile= or outdir=, or refuses the name.\n");
}

static int parse_number(const char *text, backdoor_word_t *value)
{
    if (text == NULL || *text == '\0' || *text == '-') {
        return -1;
    }
    errno = 0;
    char *end;
    unsigned long long v = strtoull(text, &end, 0);
    if (errno != 0 || *end != '\0' || v > (backdoor_word_t)-1) {
        return -1;
    }
    *value = (backdoor_word_t)v;
    return 0;
}

static int parse_numbers(int argc, char **argv, backdoor_word_t *values, unsigned max,
                         const char *what)
{
    if ((unsigned)argc > max) {
        return usage_error("too many arguments for '%s'", what);
    }
    for (int i = 0; i < argc; i++) {
        if (parse_number(argv[i], &values[i]) != 0) {
            fprintf(stderr, "%s: '%s': '%s' is not a number\n", program, what, argv[i]);
            return USAGE;
        }
    }
    return OK;
}

static int need_host(const char *what)
{
    if (backdoor_present() == 0) {
        fprintf(stderr, "%s: %s needs an answer, and no backdoor host answers "
                "(not under QEMU with the backdoor plugin, or plugin API < 5)\n",
                program, what);
        return NO_ANSWER;
    }
    return OK;
}

static int report_result(const char *what, backdoor_word_t result)
{
    if (BACKDOOR_IS_ERROR(result)) {
        fprintf(stderr, "%s: %s failed: error %ld\n", program, what, (long)result);
        return NO_ANSWER;
    }
    printf("%llu\n", (unsigned long long)result);
    return OK;
}

/* The number of arguments picks the request's leaf, so it must be static. */
static backdoor_word_t call_n(uint16_t cmd, unsigned n, const backdoor_word_t *a)
{
    switch (n) {
    case 0:
        return backdoor_call0(cmd, BACKDOOR_ENOSYS);
    case 1:
        return backdoor_call1(cmd, a[0], BACKDOOR_ENOSYS);
    case 2:
        return backdoor_call2(cmd, a[0], a[1], BACKDOOR_ENOSYS);
    case 3:
        return backdoor_call3(cmd, a[0], a[1], a[2], BACKDOOR_ENOSYS);
    default:
        return backdoor_call4(cmd, a[0], a[1], a[2], a[3], BACKDOOR_ENOSYS);
    }
}

static int run_print(int argc, char **argv)
{
    static char text[4096];
    size_t len = 0;
    for (int i = 0; i < argc; i++) {
        size_t n = strlen(argv[i]);
        if (len + n + 2 > sizeof text) {
            return usage_error("%s", "text longer than 4 KiB");
        }
        if (i > 0) {
            text[len++] = ' ';
        }
        memcpy(text + len, argv[i], n);
        len += n;
    }
    text[len++] = '\n';
    backdoor_write(text, len);
    return OK;
}

/*
 * Files move in chunks of at most one send/receive buffer; a host with a
 * smaller max-buffer answers BACKDOOR_E2BIG, and the chunk halves. The
 * buffer is touched once before use: under an OS the host fills only
 * pages that are mapped, and an untouched page of .bss is not.
 */
#define FILE_CHUNK (1u << 20)
static char file_buf[FILE_CHUNK];

static const char *file_error(backdoor_word_t result, const char *option)
{
    static char text[96];
    switch ((long)result) {
    case BACKDOOR_ENOSYS:
        snprintf(text, sizeof text, "the host was given no %s", option);
        return text;
    case BACKDOOR_EINVAL:
        return "not a plain file name (1..255 bytes, no '/', not '.' or '..')";
    case BACKDOOR_EFBIG:
        return "the host's bound on files written is reached (max-output)";
    case BACKDOOR_ENOSPC:
        return "the host's disk is full";
    case BACKDOOR_EIO:
        return "the host's read or write failed";
    case BACKDOOR_EPERM:
        return "refused by the host's policy";
    default:
        snprintf(text, sizeof text, "error %ld", (long)result);
        return text;
    }
}

static int run_readfile(int argc)
{
    if (argc != 0) {
        return usage_error("%s", "'readfile' takes no arguments; it writes the host's "
                           "readfile= file to standard output");
    }
    int rc = need_host("readfile");
    if (rc != OK) {
        return rc;
    }
    memset(file_buf, 0, sizeof file_buf);
    backdoor_word_t chunk = FILE_CHUNK, offset = 0;
    for (;;) {
        backdoor_word_t n = backdoor_readfile(file_buf, chunk, offset);
        if (n == (backdoor_word_t)BACKDOOR_E2BIG && chunk > 1) {
            chunk /= 2;
            continue;
        }
        if (BACKDOOR_IS_ERROR(n)) {
            fprintf(stderr, "%s: readfile: %s\n", program,
                    file_error(n, "file to read (qemu-backdoor --readfile=FILE)"));
            return NO_ANSWER;
        }
        if (n == 0) {
            break;
        }
        if (fwrite(file_buf, 1, n, stdout) != n) {
            fprintf(stderr, "%s: readfile: writing standard output: %s\n", program,
                    strerror(errno));
            return USAGE;
        }
        if (offset + n < offset) {
            fprintf(stderr, "%s: readfile: the file goes past what this guest's offsets "
                    "reach\n", program);
            return NO_ANSWER;
        }
        offset += n;
    }
    if (fflush(stdout) != 0) {
        fprintf(stderr, "%s: readfile: writing standard output: %s\n", program,
                strerror(errno));
        return USAGE;
    }
    return OK;
}

/* Sends file_buf[0..len) at offset, in smaller pieces if the host wants. */
static backdoor_word_t write_chunk(const char *name, size_t len, backdoor_word_t offset,
                                   backdoor_word_t *chunk)
{
    size_t done = 0;
    do {
        backdoor_word_t piece = len - done < *chunk ? len - done : *chunk;
        backdoor_word_t r = backdoor_writefile(name, file_buf + done, piece, offset + done);
        if (r == (backdoor_word_t)BACKDOOR_E2BIG && *chunk > 1) {
            *chunk /= 2;
            continue;
        }
        if (BACKDOOR_IS_ERROR(r)) {
            return r;
        }
        done += piece;
    } while (done < len);
    return 0;
}

static int run_writefile(int argc, char **argv)
{
    if (argc < 1 || argc > 2 || (argc == 1 && strcmp(argv[0], "-") == 0)) {
        return usage_error("%s", "'writefile' takes FILE and an optional NAME (NAME is "
                           "needed for '-', standard input)");
    }
    const char *path = argv[0], *slash = strrchr(path, '/');
    const char *name = argc == 2 ? argv[1] : slash != NULL ? slash + 1 : path;
    FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (in == NULL) {
        fprintf(stderr, "%s: writefile: %s: %s\n", program, path, strerror(errno));
        return USAGE;
    }
    int rc = need_host("writefile");
    backdoor_word_t chunk = FILE_CHUNK, offset = 0;
    /* Offset 0 empties the file on the host: an empty FILE still makes one. */
    for (bool first = true; rc == OK; first = false) {
        size_t n = fread(file_buf, 1, sizeof file_buf, in);
        if (ferror(in)) {
            fprintf(stderr, "%s: writefile: reading %s: %s\n", program, path,
                    strerror(errno));
            rc = USAGE;
            break;
        }
        if (n == 0 && !first) {
            break;
        }
        if (offset + n < offset) {
            fprintf(stderr, "%s: writefile: %s goes past what this guest's offsets reach\n",
                    program, path);
            rc = NO_ANSWER;
            break;
        }
        backdoor_word_t r = write_chunk(name, n, offset, &chunk);
        if (r != 0) {
            fprintf(stderr, "%s: writefile '%s': %s\n", program, name,
                    file_error(r, "directory to write in (qemu-backdoor --outdir=DIR)"));
            rc = NO_ANSWER;
            break;
        }
        offset += n;
    }
    if (in != stdin) {
        fclose(in);
    }
    return rc;
}

/* Exit status 0 in the run that saved the checkpoint, 1 in a restored one
 * (a shell script branches as on fork's result); anything wrong is 2, so
 * that no mistake reads as "restored". */
static int run_checkpoint(int argc, char **argv)
{
    if (argc != 1) {
        fprintf(stderr, "%s: 'checkpoint' takes one NAME (a plain file name)\n", program);
        return NO_ANSWER;
    }
    int rc = need_host("checkpoint");
    if (rc != OK) {
        return rc;
    }
    backdoor_word_t r = backdoor_checkpoint(argv[0]);
    if (r == 0 || r == 1) {
        return (int)r;
    }
    fprintf(stderr, "%s: checkpoint '%s' failed: %s\n", program, argv[0],
            r == (backdoor_word_t)BACKDOOR_EINVAL ? "not a plain file name"
            : r == (backdoor_word_t)BACKDOOR_ENOSYS
                ? "no checkpoints here (user mode, or the host has no checkpoint directory)"
            : r == (backdoor_word_t)BACKDOOR_ENOSPC ? "the host's disk is full"
                                                    : "the host could not save the machine");
    return NO_ANSWER;
}

/* name: as the user typed it ("roi_begin" for roi_begin_machine). */
static int run_op(const struct op *op, const char *name, int argc, char **argv)
{
    backdoor_word_t a[4] = {0, 0, 0, 0};
    if (op->number == BACKDOOR_OP_READFILE) {
        return run_readfile(argc);
    }
    if (op->number == BACKDOOR_OP_WRITEFILE) {
        return run_writefile(argc, argv);
    }
    if (op->number == BACKDOOR_OP_CHECKPOINT) {
        return run_checkpoint(argc, argv);
    }
    if (op->number == BACKDOOR_OP_NAME_THREAD) {
        if (argc != 1) {
            return usage_error("'%s' takes one name", name);
        }
        backdoor_name_thread(argv[0]);
        return OK;
    }
    if (op->type == BACKDOOR_TYPE_SEND) {
        return run_print(argc, argv);
    }
    if (op->type == BACKDOOR_TYPE_RECV) {
        if (argc != 0) {
            return usage_error("'%s' takes no arguments", name);
        }
        int rc = need_host(name);
        if (rc != OK) {
            return rc;
        }
        if (op->number == BACKDOOR_OP_HOST_TIME_NS) {
            printf("%llu\n", (unsigned long long)backdoor_host_time_ns());
        } else {
            char info[256];
            backdoor_word_t n = backdoor_host_info(info, sizeof info);
            if (BACKDOOR_IS_ERROR(n)) {
                return report_result(name, n);
            }
            printf("%s\n", info);
        }
        return OK;
    }
    if ((unsigned)argc != op->nargs) {
        fprintf(stderr, "%s: '%s' takes %u argument%s, got %d\n", program, name,
                op->nargs, op->nargs == 1 ? "" : "s", argc);
        return USAGE;
    }
    int rc = parse_numbers(argc, argv, a, op->nargs, name);
    if (rc != OK) {
        return rc;
    }
    if (op->number == BACKDOOR_OP_EXIT && a[0] > 255) {
        return usage_error("exit status %s is not 0..255", argv[0]);
    }
    if (op->result) {
        rc = need_host(name);
        if (rc != OK) {
            return rc;
        }
    }
    backdoor_word_t r = call_n(op->number, op->nargs, a);
    return op->result ? report_result(name, r) : OK;
}

static int run_call(int argc, char **argv)
{
    backdoor_word_t cmd, a[4] = {0, 0, 0, 0};
    if (argc < 1 || parse_number(argv[0], &cmd) != 0 || cmd == 0 || cmd > 0xffff) {
        return usage_error("%s", "'call' needs a command number 1..0xffff");
    }
    int rc = parse_numbers(argc - 1, argv + 1, a, 4, "call");
    if (rc != OK) {
        return rc;
    }
    rc = need_host("call");
    if (rc != OK) {
        return rc;
    }
    return report_result("call", call_n((uint16_t)cmd, (unsigned)argc - 1, a));
}

static int run_seed(int argc, char **argv)
{
    backdoor_word_t v[2];
    if (argc < 1 || argc > 2) {
        return usage_error("%s", "'seed' takes I8 and an optional V32");
    }
    int rc = parse_numbers(argc, argv, v, 2, "seed");
    if (rc != OK) {
        return rc;
    }
    if (v[0] == 0 || v[0] > 255 || (argc == 2 && v[1] > 0xffffffffu)) {
        return usage_error("%s", "'seed' needs I8 in 1..255 and V32 in 0..0xffffffff");
    }
    if (argc == 1) {
        BACKDOOR_i8((uint8_t)v[0]);
    } else {
        BACKDOOR_i8_v32((uint8_t)v[0], (uint32_t)v[1]);
    }
    return OK;
}

static int run_probe(void)
{
    backdoor_word_t version = backdoor_present();
    if (version == 0) {
        printf("no backdoor host\n");
        return NO_ANSWER;
    }
    backdoor_word_t features = backdoor_features();
    static const char *const names[] = {"results", "mem_read", "mem_write", "handler",
                                        "system"};
    printf("backdoor protocol %llu\nfeatures:", (unsigned long long)version);
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (features & (1u << i)) {
            printf(" %s", names[i]);
        }
    }
    char info[256];
    if (!BACKDOOR_IS_ERROR(backdoor_host_info(info, sizeof info))) {
        printf("\nhost: %s", info);
    }
    printf("\n");
    return OK;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        return usage_error("%s", "missing command");
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        help();
        return OK;
    }
    if (strcmp(cmd, "call") == 0) {
        return run_call(argc - 2, argv + 2);
    }
    if (strcmp(cmd, "seed") == 0) {
        return run_seed(argc - 2, argv + 2);
    }
    if (strcmp(cmd, "probe") == 0) {
        return argc == 2 ? run_probe() : usage_error("%s", "'probe' takes no arguments");
    }
    /* "roi begin" and "stats dump" are roi_begin and stats_dump; a region
     * opened as "roi begin" by this short-lived command is the machine's,
     * while the op's own name (roi_begin) keeps the calling thread's. */
    char joined[64];
    int used = 2;
    snprintf(joined, sizeof joined, "%s", cmd);
    if (argc > 2 && (strcmp(cmd, "roi") == 0 || strcmp(cmd, "stats") == 0)) {
        snprintf(joined, sizeof joined, "%s_%s", cmd, argv[2]);
        used = 3;
    }
    char op_name[80];
    snprintf(op_name, sizeof op_name, "%s%s", joined,
             used == 3 && strcmp(cmd, "roi") == 0 ? "_machine" : "");
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        if (strcmp(ops[i].name, op_name) == 0) {
            return run_op(&ops[i], joined, argc - used, argv + used);
        }
    }
    return usage_error("unknown command '%s'", joined);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-backdoor, the host command: what its parts share. common.c has the
 * small helpers, elf.c tells a program's architecture, locate.c finds the
 * plugin, QEMU and the program, options.c turns the command line into a
 * request and the plugin's option string, run.c runs QEMU and reports,
 * events.c turns a binary event log into JSON Lines.
 * --linux: linux.c boots a kernel with an initramfs (cpio.c) holding the
 * program and what it needs (libraries.c); guest_output.c reads the
 * guest's console. checkpoint.c: --checkpoint-dir and --restore.
 */
#ifndef QEMU_BACKDOOR_H
#define QEMU_BACKDOOR_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* Our own failures, told apart from the program's status as env(1) does. */
enum { EXIT_TIMEOUT = 124, EXIT_SETUP = 125, EXIT_CANNOT_RUN = 126 };

extern const char program_name[];

/* common.c */
_Noreturn void die(const char *format, ...) __attribute__((format(printf, 1, 2)));
char *format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The value of an environment variable; NULL when unset or empty. */
const char *env(const char *name);
bool is_executable_file(const char *path);
char *absolute(const char *path);

/* A growing NULL-terminated list of strings, for argv and plugin options. */
struct list {
    char **items;
    size_t count, capacity;
};
void list_add(struct list *list, char *item);
/* True if the list holds word. */
bool list_has(const struct list *list, const char *word);

/* elf.c */
struct arch {
    const char *name; /* --arch, and the suffix of qemu-NAME */
    uint16_t machine; /* e_machine */
    unsigned char elf_class;
    const char *system_qemu;
    const char *triplet;       /* Debian's multiarch name: /lib/TRIPLET */
    const char *lib_dir;       /* lib64 or lib32 */
    const char *cross_root;    /* Debian's cross sysroot, "" for the host's own */
    const char *cross_package; /* the package that fills it */
};
extern const struct arch arches[];
extern const size_t arch_count;
extern const char arch_list[];
/* Dies when path is an ELF file for another architecture, or no ELF file
 * at all and only_elf; else NULL for a file that is no ELF file. */
const struct arch *elf_arch(const char *path, const char *what, bool only_elf);
const struct arch *arch_by_name(const char *name);
/* The architecture of a kernel that is no ELF file, from its boot header;
 * NULL if none is recognised. */
const struct arch *image_arch(const char *path);

/* locate.c: the find_ functions return NULL and set *looked to a message
 * saying where they looked and what to do; need() dies with it (a pointer,
 * read after the find_ call has set it). */
char *self_dir(void);
/* $BACKDOOR_CACHE, else ~/.cache/backdoor: QEMU builds and Linux kernels. */
char *backdoor_cache(void);
char *find_plugin(const char *dir, const char **looked);
char *find_qemu(const char *dir, const char *binary, const char **looked);
char *need(char *found, const char *const *looked);
char *find_program(const char *name);
void add_firmware_dirs(struct list *cmd, const char *qemu, char **qemu_args);

/* options.c */
struct request {
    bool system, linux_guest, dry_run, quiet;
    const char *events_to_json; /* --events-to-json=FILE: only that */
    const struct arch *arch;
    char *kernel;
    struct list plugin_options; /* "key=value", values not yet escaped */
    struct list written;        /* "key=path" of files the plugin writes */
    struct list qemu_args;      /* --qemu-arg, in order */
    unsigned timeout;           /* seconds, 0: none */
    /* --linux */
    unsigned smp;
    char *memory, *append, *console;
    struct list files;          /* --file, absolute */
};
/* Returns the index in argv of the first word that is not ours. */
int parse_command_line(struct request *rq, int argc, char **argv, const char *dir);
/* The -plugin argument for the QEMU binary qemu: the request's plugin
 * options, and the plugin API level of that QEMU (qemu-api=) unless given. */
char *plugin_argument(const char *plugin, const struct request *rq, const char *qemu);

/* qemu_level.c: the plugin API level to declare to the QEMU binary at
 * path (plugin/qemu/qemu_version.h), 0 if it cannot tell. */
int qemu_binary_api_level(const char *path);

/* events.c: prints the binary event log at path as JSON Lines; the exit
 * status. */
int events_to_json(const char *path);

/* run.c */
void refuse_accelerators(char **qemu_args);
void print_command(char **argv);
/* How run() watches QEMU: a time limit, and for --linux a pipe whose write
 * end QEMU inherits as fd 3 (its serial console), each read passed to
 * consume. */
struct run_watch {
    unsigned timeout; /* seconds, 0: none; then SIGTERM, and SIGKILL 10 s later */
    bool console;
    void (*consume)(void *data, const unsigned char *bytes, size_t len);
    void *data;
    bool timed_out; /* set by run() */
};
/* Runs QEMU and returns its wait status; watch may be NULL. */
int run(char **argv, struct run_watch *watch);
void report(const struct request *rq, int status, time_t start);
_Noreturn void pass_status(int status);

/* libraries.c: a dynamic program's interpreter and libraries, as host
 * paths and the guest paths the guest's loader looks up. */
struct program_files {
    struct list host, guest;
};
void find_program_files(const char *program, const struct arch *arch,
                        struct program_files *files);
/* The program's PT_INTERP, NULL for a static program. */
char *program_interpreter(const char *program, const struct arch *arch);
/* The host file of ELF interpreter interp (as PT_INTERP names it), on the
 * host or under the architecture's cross sysroot; NULL if neither. */
char *find_interpreter(const char *interp, const struct arch *arch);

/* cpio.c: a newc archive, written as it is built; names are guest paths
 * (a leading '/' is dropped), each written once, parents made first. */
struct cpio;
struct cpio *cpio_create(const char *path);
void cpio_dir(struct cpio *c, const char *name);
void cpio_data(struct cpio *c, const char *name, const void *data, size_t size, unsigned mode);
void cpio_file(struct cpio *c, const char *name, const char *host_path);
void cpio_symlink(struct cpio *c, const char *name, const char *target);
void cpio_chardev(struct cpio *c, const char *name, unsigned major, unsigned minor,
                  unsigned mode);
void cpio_finish(struct cpio *c);

/* guest_output.c */
struct guest_output {
    int status;          /* the program's exit status, -1 until its frame */
    int console_fd;      /* --console=FILE or stderr, else -1 */
    bool console_none;
    unsigned char header[4];
    size_t header_len, remaining;
    int kind;
    unsigned char tail[16384];
    size_t tail_len;
};
/* console: --console's value, or NULL. */
void guest_output_init(struct guest_output *out, const char *console);
void guest_output_consume(void *data, const unsigned char *bytes, size_t len);
void guest_output_finish(struct guest_output *out);
void guest_output_show_console(const struct guest_output *out);

/* linux.c */
_Noreturn void run_linux(struct request *rq, char **rest, const char *dir, const char *plugin);
/* Runs a Linux machine whose console is fd 3 (cmd made by run_linux, or a
 * restored one) and returns the program's exit status, or ours. */
int run_linux_machine(const struct request *rq, char **cmd);

/* checkpoint.c */
/* The value of plugin option key as given, or NULL. */
const char *request_option(const struct request *rq, const char *key);
/* A machine's last words: the plugin and --qemu-arg. With --checkpoint-dir
 * or --restore the plugin gets a QMP socket in a directory of this run's
 * own, returned for remove_qmp_socket (else NULL). */
char *add_machine_plugin(struct list *cmd, struct request *rq, const char *plugin,
                         const char *qemu);
void remove_qmp_socket(char *dir);
/* --dry-run: the printed command names the socket, so its directory stays. */
void keep_qmp_socket(char *dir);
/* Whether a checkpoint in dir was made from a machine booted with initrd. */
bool initrd_in_checkpoints(const char *dir, const char *initrd);
_Noreturn void run_restore(struct request *rq, char **rest, const char *plugin);

#endif /* QEMU_BACKDOOR_H */

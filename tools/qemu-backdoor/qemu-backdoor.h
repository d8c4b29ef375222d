/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-backdoor, the host command: what its parts share. common.c has the
 * small helpers, elf.c tells a program's architecture, locate.c finds the
 * plugin, QEMU and the program, options.c turns the command line into a
 * request and the plugin's option string, run.c runs QEMU and reports,
 * events.c turns a binary event log into JSON Lines.
 */
#ifndef QEMU_BACKDOOR_H
#define QEMU_BACKDOOR_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* Our own failures, told apart from the program's status as env(1) does. */
enum { EXIT_SETUP = 125, EXIT_CANNOT_RUN = 126 };

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

/* elf.c */
struct arch {
    const char *name; /* --arch, and the suffix of qemu-NAME */
    uint16_t machine; /* e_machine */
    unsigned char elf_class;
    const char *system_qemu;
};
extern const struct arch arches[];
extern const size_t arch_count;
extern const char arch_list[];
/* Dies when path is an ELF file for another architecture, or no ELF file
 * at all and only_elf; else NULL for a file that is no ELF file. */
const struct arch *elf_arch(const char *path, const char *what, bool only_elf);
const struct arch *arch_by_name(const char *name);

/* locate.c: the find_ functions return NULL and set *looked to a message
 * saying where they looked and what to do; need() dies with it (a pointer,
 * read after the find_ call has set it). */
char *self_dir(void);
char *find_plugin(const char *dir, const char **looked);
char *find_qemu(const char *dir, const char *binary, const char **looked);
char *need(char *found, const char *const *looked);
char *find_program(const char *name);
void add_firmware_dirs(struct list *cmd, const char *qemu, char **qemu_args);

/* options.c */
struct request {
    bool system, dry_run, quiet;
    const char *events_to_json; /* --events-to-json=FILE: only that */
    const struct arch *arch;
    char *kernel;
    struct list plugin_options; /* "key=value", values not yet escaped */
    struct list written;        /* "key=path" of files the plugin writes */
};
/* Returns the index in argv of the first word that is not ours. */
int parse_command_line(struct request *rq, int argc, char **argv, const char *dir);
char *plugin_argument(const char *plugin, const struct list *options);

/* events.c: prints the binary event log at path as JSON Lines; the exit
 * status. */
int events_to_json(const char *path);

/* run.c */
void refuse_accelerators(char **qemu_args);
void print_command(char **argv);
int run(char **argv);
void report(const struct request *rq, int status, time_t start);
_Noreturn void pass_status(int status);

#endif /* QEMU_BACKDOOR_H */

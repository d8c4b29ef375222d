/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --linux: boots a Debian kernel under qemu-system-ARCH (ARCH from the
 * program's ELF header) with an initramfs holding the program, its ELF
 * interpreter and libraries (libraries.c), busybox, the guest backdoor
 * command and our /init (tools/linux-init.c), runs the program and ends
 * with its exit status.
 *
 * An initramfs rather than a 9p or virtiofs share of the host's root:
 * Debian's kernels build 9p, virtiofs and every virtio transport as
 * modules, and the cache holds the kernel image alone (its modules are
 * hundreds of megabytes); an initramfs needs no device, no daemon
 * (virtiofsd) and no module, boots the user's own kernel as well, and the
 * guest sees exactly the files it was given. The price: files the program
 * opens by name must be given (--file), and what it writes stays in the
 * guest (the program's stdout and stderr come back, and so do the plugin's
 * outputs).
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "qemu-backdoor.h"

/* The kernels the tests fetch (scripts/fetch-linux*.sh), and how each
 * boots under TCG (the recipe of tests/lib/linux.py). */
struct linux_machine {
    const char *arch;      /* of the program */
    const char *cache_dir; /* under the cache */
    const char *kernel;
    const char *fetch;     /* the command that fetches it */
    const char *machine;
    const char *cpu;
    const char *console;
    const char *bios;      /* in cache_dir, or NULL */
    bool firmware;         /* needs the SeaBIOS and option ROM directories */
};

static const struct linux_machine machines[] = {
    /* vmlinux: the PVH entry boots 5-7 s sooner than vmlinuz, whose
     * decompressor is slow under TCG. */
    {"x86_64", "linux", "vmlinux", "scripts/fetch-linux.sh", "pc", "max", "ttyS0", NULL, true},
    /* The same kernel runs 32-bit programs (IA32 emulation). */
    {"i386", "linux", "vmlinux", "scripts/fetch-linux.sh", "pc", "max", "ttyS0", NULL, true},
    /* -cpu max: hardware PAN, no KPTI trampolines (docs/outputs.md). */
    {"aarch64", "linux-arm64", "Image", "scripts/fetch-linux-port.sh arm64", "virt", "max",
     "ttyAMA0", NULL, false},
    /* rv64 boots in 2-3 s; max (with Ztso) takes 4-6 s. */
    {"riscv64", "linux-riscv64", "Image", "scripts/fetch-linux-port.sh riscv64", "virt",
     "rv64", "ttyS0", "fw_dynamic.bin", false},
};

/* Kernel parameters (measured in tests/lib/linux.py): quiet keeps printk
 * off the console; the rest skips boot work that costs emulated time and is
 * useless here. panic=-1 turns a panic into a reset, which -no-reboot turns
 * into QEMU's end. */
static const char append_base[] =
    "quiet loglevel=3 panic=-1 oops=panic mitigations=off nokaslr cryptomgr.notests "
    "rodata=off initcall_blacklist=crypto_kdf108_init,init_kprobe_trace 8250.nr_uarts=1 "
    "no_timer_check tsc=reliable audit=0 nowatchdog random.trust_cpu=on rdinit=/init";

static const struct linux_machine *machine_for(const struct arch *arch)
{
    for (size_t i = 0; i < sizeof machines / sizeof machines[0]; i++) {
        if (strcmp(machines[i].arch, arch->name) == 0) {
            return &machines[i];
        }
    }
    die("--linux runs programs for x86_64, i386, aarch64 and riscv64, not %s", arch->name);
}

/* The fetch command as the user can paste it: absolute where the tree is. */
static char *fetch_command(const char *dir, const struct linux_machine *m)
{
    char *tree = format("%s/..", dir);
    char *root = realpath(tree, NULL);
    const char *space = strchr(m->fetch, ' ');
    char *script = format("%s/%.*s", root ? root : tree,
                          (int)(space ? space - m->fetch : (long)strlen(m->fetch)), m->fetch);
    return access(script, R_OK) == 0
               ? format("bash %s/%s", root ? root : tree, m->fetch)
               : format("bash %s (in the backdoor source tree)", m->fetch);
}

static char *cached_file(const char *dir, const struct linux_machine *m, const char *name,
                         const char *what)
{
    char *path = format("%s/%s/%s", backdoor_cache(), m->cache_dir, name);
    if (access(path, R_OK) != 0) {
        die("no %s for %s guests: %s is missing; fetch Debian's kernel and busybox with '%s' "
            "(a few minutes, once), or give your own kernel with --kernel FILE", what,
            m->arch, path, fetch_command(dir, m));
    }
    return path;
}

/* A static guest program of the project's, built for the guest's
 * architecture: beside us in the build tree, in share/backdoor/ARCH when
 * installed. */
static char *guest_tool(const char *dir, const char *name, const char *arch)
{
    const char *suffix = strcmp(arch, "x86_64") == 0 ? "" : arch;
    char *built = format("%s/%s%s%s", dir, name, suffix[0] ? "-" : "", suffix);
    if (access(built, R_OK) == 0) {
        return built;
    }
    char *installed = format("%s/../share/backdoor/%s/%s", dir, arch, name);
    if (access(installed, R_OK) == 0) {
        return installed;
    }
    die("the guest's %s for %s is missing: neither %s nor %s exists; run 'make' in the "
        "backdoor tree (it needs the cross compilers 'make deps' installs)", name, arch,
        built, installed);
}

static struct cpio *tree_archive;

static int add_tree_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (type == FTW_D) {
        cpio_dir(tree_archive, path);
    } else if (type == FTW_F) {
        cpio_file(tree_archive, path, path);
    }
    return 0;
}

/* A --file: a file, or a directory with everything in it (symbolic links
 * followed), at its real host path. */
static void add_tree(struct cpio *c, const char *path)
{
    char *real = realpath(path, NULL);
    if (real == NULL) {
        die("--file=%s: %s", path, strerror(errno));
    }
    tree_archive = c;
    if (nftw(real, add_tree_entry, 16, 0) != 0) {
        die("--file=%s: cannot read it all: %s", path, strerror(errno));
    }
    free(real);
}

static void write_initramfs(const char *path, const struct request *rq, const char *dir,
                            const struct linux_machine *m, const struct arch *guest_arch,
                            const char *program, char **argv)
{
    /* The kernel's architecture runs the guest's tools: an i386 program
     * runs on the x86-64 kernel. */
    const char *tools_arch = strcmp(m->arch, "i386") == 0 ? "x86_64" : m->arch;
    struct cpio *c = cpio_create(path);
    static const char *const dirs[] = {"bin", "sbin", "usr/bin", "usr/sbin", "dev", "proc",
                                       "sys", "tmp", "root", "etc/qemu-backdoor"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        cpio_dir(c, dirs[i]);
    }
    /* The kernel opens /dev/console for init before devtmpfs is mounted. */
    cpio_chardev(c, "dev/console", 5, 1, 0600);
    cpio_chardev(c, "dev/null", 1, 3, 0666);
    cpio_file(c, "init", guest_tool(dir, "linux-init", tools_arch));
    /* The program's own files first, so that they win over busybox's. The
     * program at its host path, without symbolic links or "..", which the
     * kernel's unpacker would not resolve. */
    char *guest_program = realpath(program, NULL);
    if (guest_program == NULL) {
        die("cannot resolve %s: %s", program, strerror(errno));
    }
    cpio_file(c, guest_program, program);
    struct program_files files = {0};
    find_program_files(program, guest_arch, &files);
    for (size_t i = 0; i < files.host.count; i++) {
        cpio_file(c, files.guest.items[i], files.host.items[i]);
    }
    for (size_t i = 0; i < rq->files.count; i++) {
        add_tree(c, rq->files.items[i]);
    }
    cpio_file(c, "bin/busybox", cached_file(dir, m, "busybox", "busybox"));
    cpio_symlink(c, "bin/sh", "busybox");
    cpio_file(c, "bin/backdoor", guest_tool(dir, "backdoor", tools_arch));
    /* What /init runs, word by word: nothing is re-split or re-quoted. */
    size_t size = 0;
    for (char **a = argv; *a != NULL; a++) {
        size += strlen(*a) + 1;
    }
    char *words = malloc(size + 1), *w = words;
    for (char **a = argv; *a != NULL; a++) {
        w = stpcpy(w, *a) + 1;
    }
    cpio_data(c, "etc/qemu-backdoor/argv", words, size, 0644);
    cpio_data(c, "etc/qemu-backdoor/program", guest_program, strlen(guest_program), 0644);
    char *cwd = getcwd(NULL, 0);
    if (cwd != NULL) {
        cpio_data(c, "etc/qemu-backdoor/cwd", cwd, strlen(cwd), 0644);
    }
    char *console = format("/dev/%s", m->console);
    cpio_data(c, "etc/qemu-backdoor/console", console, strlen(console), 0644);
    cpio_finish(c);
}

_Noreturn void run_linux(struct request *rq, char **rest, const char *dir, const char *plugin)
{
    if (*rest == NULL) {
        die("no program given: %s --linux [OPTION...] -- ./program [ARG...] (%s --help)",
            program_name, program_name);
    }
    char *program = find_program(rest[0]);
    const struct arch *arch = elf_arch(program, "program", true);
    const struct linux_machine *m = machine_for(arch);
    char *kernel = rq->kernel;
    if (kernel != NULL) {
        const struct arch *k = elf_arch(kernel, "kernel", false);
        k = k != NULL ? k : image_arch(kernel);
        const char *want = strcmp(arch->name, "i386") == 0 ? "x86_64" : arch->name;
        if (k != NULL && strcmp(k->name, want) != 0 &&
            !(strcmp(k->name, "i386") == 0 && strcmp(want, "x86_64") == 0)) {
            die("--kernel=%s is a kernel for %s, and %s is a program for %s: give a kernel "
                "for %s", kernel, k->name, program, arch->name, want);
        }
    } else {
        kernel = cached_file(dir, m, m->kernel, "Linux kernel");
    }
    const char *looked = "";
    char *qemu = need(find_qemu(dir, arch->system_qemu, &looked), &looked);
    refuse_accelerators(rq->qemu_args.items ? rq->qemu_args.items : (char *[]){NULL});

    char *tmp = format("%s/qemu-backdoor-XXXXXX", env("TMPDIR") ? env("TMPDIR") : "/tmp");
    if (mkdtemp(tmp) == NULL) {
        die("cannot make a temporary directory %s: %s", tmp, strerror(errno));
    }
    /* A checkpoint's restore loads the initramfs again: it stays beside
     * the checkpoints. */
    const char *checkpoint_dir = request_option(rq, "checkpoint-dir");
    char *initrd = checkpoint_dir != NULL ? format("%s/initramfs-XXXXXX", checkpoint_dir)
                                          : format("%s/initramfs.cpio", tmp);
    if (checkpoint_dir != NULL) {
        int fd = mkstemp(initrd);
        if (fd < 0) {
            die("--checkpoint-dir=%s: cannot make a file there: %s", checkpoint_dir,
                strerror(errno));
        }
        close(fd);
    }
    write_initramfs(initrd, rq, dir, m, arch, program, rest);

    struct list cmd = {0};
    list_add(&cmd, qemu);
    if (m->firmware) {
        add_firmware_dirs(&cmd, qemu, rq->qemu_args.items ? rq->qemu_args.items
                                                          : (char *[]){NULL});
    }
    char *words[] = {"-M", (char *)m->machine, "-cpu", (char *)m->cpu,
                     "-m", rq->memory ? rq->memory : "256M",
                     "-smp", format("%u", rq->smp ? rq->smp : 1),
                     "-display", "none", "-nodefaults", "-no-reboot", "-net", "none",
                     "-kernel", kernel, "-initrd", initrd,
                     "-append", format("console=%s %s%s%s", m->console, append_base,
                                       rq->append ? " " : "", rq->append ? rq->append : ""),
                     /* The launcher's pipe, inherited as fd 3 (run.c). */
                     "-serial", "file:/proc/self/fd/3"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        list_add(&cmd, words[i]);
    }
    if (m->bios != NULL) {
        list_add(&cmd, "-bios");
        list_add(&cmd, cached_file(dir, m, m->bios, "OpenSBI firmware (fw_dynamic.bin)"));
    }
    char *socket_dir = add_machine_plugin(&cmd, rq, plugin, qemu);
    if (rq->dry_run) {
        print_command(cmd.items);
        printf("# initramfs kept: %s\n", initrd);
        keep_qmp_socket(socket_dir);
        exit(0);
    }

    int status = run_linux_machine(rq, cmd.items);
    remove_qmp_socket(socket_dir);
    if (checkpoint_dir == NULL || !initrd_in_checkpoints(checkpoint_dir, initrd)) {
        unlink(initrd); /* no checkpoint of this run needs it */
    }
    rmdir(tmp);
    exit(status);
}

int run_linux_machine(const struct request *rq, char **cmd)
{
    struct guest_output out;
    guest_output_init(&out, rq->console);
    struct run_watch watch = {.timeout = rq->timeout, .console = true,
                              .consume = guest_output_consume, .data = &out};
    time_t start = time(NULL);
    int qemu_status = run(cmd, &watch);
    guest_output_finish(&out);
    int status;
    if (watch.timed_out) {
        fprintf(stderr, "%s: the guest did not end within %u s (--timeout=%u): QEMU was "
                "stopped; exit status %d\n", program_name, rq->timeout, rq->timeout,
                EXIT_TIMEOUT);
        guest_output_show_console(&out);
        status = EXIT_TIMEOUT;
    } else if (out.status >= 0) {
        status = out.status;
    } else if (request_option(rq, "restore") != NULL && WIFEXITED(qemu_status) &&
               WEXITSTATUS(qemu_status) != 0) {
        fprintf(stderr, "%s: QEMU could not restore the machine from %s (its message is "
                "above); exit status %d\n", program_name, request_option(rq, "restore"),
                EXIT_SETUP);
        status = EXIT_SETUP;
    } else {
        fprintf(stderr, "%s: the machine ended before the program did (QEMU: %s): a kernel "
                "panic, or a reset; exit status %d\n", program_name,
                WIFSIGNALED(qemu_status) ? "killed by a signal"
                : WEXITSTATUS(qemu_status) ? "failed" : "ended normally", EXIT_SETUP);
        guest_output_show_console(&out);
        status = EXIT_SETUP;
    }
    if (!rq->quiet) {
        report(rq, status << 8, start);
    }
    return status;
}

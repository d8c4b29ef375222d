/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * linux-init: /init of the machines 'qemu-backdoor --linux' boots. It
 * mounts /proc, /sys, /dev and /tmp, installs busybox's applets, runs the
 * user's program (its path, argv, the directory it starts in and the
 * console device are files the host wrote into /etc/qemu-backdoor, so no word is ever
 * re-split or re-quoted) with stdin from /dev/null, relays its stdout and
 * stderr to the host in frames on the serial console, and ends the
 * machine with the program's exit status through the backdoor exit
 * built-in. A C program rather than a shell script: no shell starts
 * before the user's program, and the status arrives exactly.
 *
 * Frame on the console: byte 0, kind, length (2 bytes, little-endian),
 * data. The kernel's own console text (quiet: panics, oopses) never holds
 * a NUL byte, so the host tells the two apart (tools/qemu-backdoor/
 * guest_output.c, which defines the kinds).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <backdoor/guest.h>

enum { FRAME_STDOUT = 1, FRAME_STDERR = 2, FRAME_STATUS = 3 };
#define CONFIG_DIR "/etc/qemu-backdoor/"

static int console = -1;

static void write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return;
        }
        p += n;
        len -= (size_t)n;
    }
}

static void frame(int kind, const void *data, size_t len)
{
    unsigned char buf[4 + 4096];
    while (len > 0 || kind == FRAME_STATUS) {
        size_t n = len < 4096 ? len : 4096;
        buf[0] = 0;
        buf[1] = (unsigned char)kind;
        buf[2] = (unsigned char)(n & 0xff);
        buf[3] = (unsigned char)(n >> 8);
        memcpy(buf + 4, data, n);
        write_all(console, buf, 4 + n);
        /* Out of the machine before the program runs on: a checkpoint it
         * takes next must not hold these bytes (they would be written
         * again by every restore). */
        tcdrain(console);
        data = (const char *)data + n;
        len -= n;
        if (kind == FRAME_STATUS) {
            break;
        }
    }
}

/* A message of ours goes where the program's stderr goes. */
static void say(const char *what, const char *detail)
{
    char text[512];
    int n = snprintf(text, sizeof text, "qemu-backdoor (guest init): %s%s%s\n", what,
                     detail ? ": " : "", detail ? detail : "");
    frame(FRAME_STDERR, text, n < (int)sizeof text ? (size_t)n : sizeof text - 1);
}

/* The whole of a config file; NULL if missing. */
static char *read_config(const char *name, size_t *size)
{
    int fd = open(name, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return NULL;
    }
    struct stat st;
    char *data = fstat(fd, &st) == 0 ? malloc((size_t)st.st_size + 1) : NULL;
    ssize_t n = data ? read(fd, data, (size_t)st.st_size) : -1;
    close(fd);
    if (n < 0) {
        free(data);
        return NULL;
    }
    data[n] = '\0';
    *size = (size_t)n;
    return data;
}

/* NUL-separated words as an argv. */
static char **split_words(char *data, size_t size)
{
    size_t count = 0;
    for (size_t i = 0; i < size; i++) {
        count += data[i] == '\0';
    }
    char **argv = calloc(count + 1, sizeof *argv);
    size_t k = 0;
    for (size_t i = 0; i < size && k < count; i += strlen(data + i) + 1) {
        argv[k++] = data + i;
    }
    return argv;
}

static void mkdirs(char *path)
{
    for (char *slash = strchr(path + 1, '/'); slash != NULL; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        mkdir(path, 0755);
        *slash = '/';
    }
    mkdir(path, 0755);
}

static bool is_empty_dir(const char *path)
{
    DIR *dir = opendir(path);
    struct dirent *entry;
    bool empty = true;
    while (dir != NULL && (entry = readdir(dir)) != NULL) {
        empty = empty && (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0);
    }
    if (dir != NULL) {
        closedir(dir);
    }
    return empty;
}

static void open_console(void)
{
    size_t size = 0;
    char *name = read_config(CONFIG_DIR "console", &size);
    console = open(name ? name : "/dev/console", O_WRONLY | O_NOCTTY | O_CLOEXEC);
    if (console < 0) {
        console = open("/dev/console", O_WRONLY | O_NOCTTY | O_CLOEXEC);
    }
    /* Raw: the frames are bytes, not text for the line discipline. */
    struct termios tio;
    if (tcgetattr(console, &tio) == 0) {
        cfmakeraw(&tio);
        tcsetattr(console, TCSANOW, &tio);
    }
    free(name);
}

/* Busybox's applets as symbolic links, where nothing of the program's
 * files already stands. */
static void install_busybox(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        dup2(null, 1);
        dup2(null, 2);
        execl("/bin/busybox", "busybox", "--install", "-s", (char *)NULL);
        _exit(127);
    }
    if (pid > 0) {
        waitpid(pid, NULL, 0);
    }
}

static pid_t start_program(const char *program, char **argv, const char *cwd, int out,
                           int err)
{
    pid_t pid = fork();
    if (pid != 0) {
        return pid;
    }
    setsid();
    signal(SIGPIPE, SIG_DFL);
    int null = open("/dev/null", O_RDONLY);
    dup2(null, 0);
    dup2(out, 1);
    dup2(err, 2);
    if (chdir(cwd) != 0) {
        chdir("/");
    }
    char *envp[] = {"PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "HOME=/root",
                    "TERM=dumb", "SHELL=/bin/sh", NULL};
    execve(program, argv, envp);
    dprintf(2, "qemu-backdoor (guest init): cannot run %s: %s\n", program, strerror(errno));
    _exit(127);
}

/* Relays both pipes until both are closed, or the program has ended and
 * nothing more is waiting in them (a background child may keep a pipe
 * open for ever). */
static int relay(pid_t program, const int fds[2])
{
    int status = -1;
    static char buf[4096];
    bool open_[2] = {true, true};
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    while (open_[0] || open_[1] || status < 0) {
        struct pollfd p[2];
        nfds_t n = 0;
        for (int i = 0; i < 2; i++) {
            if (open_[i]) {
                p[n++] = (struct pollfd){fds[i], POLLIN, 0};
            }
        }
        /* Orphans come to init: reap them all, keep the program's status. */
        int ws;
        pid_t pid;
        while ((pid = waitpid(-1, &ws, WNOHANG)) > 0) {
            if (pid == program) {
                status = WIFSIGNALED(ws) ? 128 + WTERMSIG(ws) : WEXITSTATUS(ws);
            }
        }
        if (n == 0) {
            pid = waitpid(program, &ws, 0);
            if (pid == program) {
                status = WIFSIGNALED(ws) ? 128 + WTERMSIG(ws) : WEXITSTATUS(ws);
            } else if (pid < 0 && errno != EINTR) {
                status = status < 0 ? 255 : status;
            }
            continue;
        }
        /* Once the program is gone, only what is already waiting. */
        int ready = poll(p, n, status >= 0 ? 0 : 200);
        if (ready == 0 && status >= 0) {
            break;
        }
        for (nfds_t i = 0; i < n; i++) {
            if (p[i].revents == 0) {
                continue;
            }
            int which = p[i].fd == fds[0] ? 0 : 1;
            ssize_t got = read(p[i].fd, buf, sizeof buf);
            if (got > 0) {
                frame(which == 0 ? FRAME_STDOUT : FRAME_STDERR, buf, (size_t)got);
            } else if (got == 0 || errno != EINTR) {
                open_[which] = false;
            }
        }
    }
    return status;
}

int main(void)
{
    mount("proc", "/proc", "proc", 0, NULL);
    mount("sysfs", "/sys", "sysfs", 0, NULL);
    mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
    /* The initramfs is writable memory already: /tmp gets a tmpfs of its
     * own only where no file of the program's (one under the host's /tmp)
     * would be hidden by it. */
    mkdir("/tmp", 01777);
    if (is_empty_dir("/tmp")) {
        mount("tmpfs", "/tmp", "tmpfs", 0, "mode=1777");
    }
    open_console();
    size_t size = 0, cwd_size = 0, program_size = 0;
    char *words = read_config(CONFIG_DIR "argv", &size);
    char *cwd = read_config(CONFIG_DIR "cwd", &cwd_size);
    char *program = read_config(CONFIG_DIR "program", &program_size);
    if (words == NULL || size == 0 || program == NULL) {
        say("no program to run", CONFIG_DIR "argv is missing");
        backdoor_exit(125);
        reboot(RB_POWER_OFF);
    }
    install_busybox();
    if (cwd != NULL && cwd[0] == '/') {
        mkdirs(cwd);
    }
    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
        say("cannot make pipes", strerror(errno));
        backdoor_exit(125);
    }
    pid_t pid = start_program(program, split_words(words, size), cwd ? cwd : "/", out[1], err[1]);
    close(out[1]);
    close(err[1]);
    if (pid < 0) {
        say("cannot start the program", strerror(errno));
    }
    int read_ends[2] = {out[0], err[0]};
    int status = pid > 0 ? relay(pid, read_ends) : 125;
    unsigned char byte = (unsigned char)status;
    frame(FRAME_STATUS, &byte, 1);
    /* Everything through the UART before QEMU ends. */
    tcdrain(console);
    backdoor_exit(status);
    /* exit refused (deny=, allow-from=): the status went in its frame. */
    sync();
    reboot(RB_POWER_OFF);
    return status;
}

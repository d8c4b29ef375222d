/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Running QEMU: the accelerators that would make the channel silent are
 * refused, QEMU runs as a child so that qemu-backdoor can name the files it
 * wrote afterwards, and qemu-backdoor then ends exactly as QEMU did.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "qemu-backdoor.h"

/* Under a hardware accelerator the guest's instructions run on the host
 * CPU: the magic instruction never reaches QEMU's translator (x86's CPUID
 * exits to KVM, which answers it itself), so every call would silently
 * return its default. */
void refuse_accelerators(char **qemu_args)
{
    for (char **a = qemu_args; *a != NULL; a++) {
        /* QEMU takes its options with one dash or two. */
        const char *option = strncmp(*a, "--", 2) == 0 ? *a + 1 : *a;
        const char *value = a[1], *accel = NULL;
        if (strcmp(option, "-enable-kvm") == 0) {
            accel = "kvm";
            value = "";
        } else if (value == NULL) {
            break;
        } else if (strcmp(option, "-accel") == 0) {
            accel = strncmp(value, "accel=", 6) == 0 ? value + 6 : value;
        } else if (strcmp(option, "-M") == 0 || strcmp(option, "-machine") == 0) {
            const char *at = strstr(value, "accel=");
            accel = at != NULL && (at == value || at[-1] == ',') ? at + 6 : NULL;
        }
        if (accel != NULL && strncmp(accel, "tcg", 3) != 0) {
            die("%s%s%s: the backdoor channel needs TCG, QEMU's translator: under "
                "KVM or another accelerator the guest's instructions run on the host "
                "CPU, the magic instruction never reaches the translator (x86's CPUID "
                "exits to KVM's own handling) and every call would silently do "
                "nothing; drop the option (TCG is QEMU's default)",
                *a, value[0] ? " " : "", value);
        }
    }
}

/* Files the plugin wrote in this run: a file left over from an earlier
 * run is not named. */
void report(const struct request *rq, int status, time_t start)
{
    char line[4096];
    size_t used = 0;
    for (size_t i = 0; i < rq->written.count; i++) {
        const char *item = rq->written.items[i];
        struct stat st;
        if (stat(strchr(item, '=') + 1, &st) == 0 && st.st_mtime >= start - 1) {
            used += (size_t)snprintf(line + used, sizeof line - used, "%s%s",
                                     used ? ", " : "", item);
            used = used < sizeof line ? used : sizeof line - 1;
        }
    }
    char ending[64];
    if (WIFSIGNALED(status)) {
        snprintf(ending, sizeof ending, "killed by signal SIG%s",
                 sigabbrev_np(WTERMSIG(status)));
    } else {
        snprintf(ending, sizeof ending, "exit status %d", WEXITSTATUS(status));
    }
    if (used > 0) {
        fprintf(stderr, "%s: %s; wrote %s\n", program_name, ending, line);
    } else if (rq->written.count > 0) {
        /* Outputs were asked for: the hint below would mislead. */
        fprintf(stderr, "%s: %s; none of the files asked for was written\n", program_name,
                ending);
    } else {
        fprintf(stderr, "%s: %s; no files written (--events=FILE, --trace=FILE)\n",
                program_name, ending);
    }
}

void print_command(char **argv)
{
    for (char **a = argv; *a != NULL; a++) {
        const char *word = *a;
        bool plain = word[0] != '\0' &&
                     strspn(word, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                  "0123456789_@%+=:,./-") == strlen(word);
        fputs(a == argv ? "" : " ", stdout);
        if (plain) {
            fputs(word, stdout);
            continue;
        }
        putchar('\'');
        for (const char *c = word; *c; c++) {
            if (*c == '\'') {
                fputs("'\\'", stdout);
            }
            putchar(*c);
        }
        putchar('\'');
    }
    putchar('\n');
}

static volatile sig_atomic_t child_pid;

static void forward_signal(int sig)
{
    if (child_pid > 0) {
        kill((pid_t)child_pid, sig);
    }
}

/* Runs QEMU and waits. A terminal's ^C reaches QEMU through the process
 * group, so ours is ignored; a SIGTERM or SIGHUP sent to us alone is passed
 * on, so the plugin can finish its outputs either way. The wait is a poll
 * on a pidfd (and the console pipe, if any), so that a time limit needs no
 * signal of our own. */
int run(char **argv, struct run_watch *watch)
{
    static const int forwarded[] = {SIGTERM, SIGHUP}, ignored[] = {SIGINT, SIGQUIT};
    int pipe_fds[2] = {-1, -1};
    if (watch != NULL && watch->console) {
        /* QEMU opens /proc/self/fd/3 (linux.c): the write end must be 3. */
        if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
            die("cannot make a pipe for the guest's console: %s", strerror(errno));
        }
    }
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    pid_t pid = fork();
    if (pid < 0) {
        die("cannot start QEMU: %s", strerror(errno));
    }
    if (pid == 0) {
        sigprocmask(SIG_SETMASK, &old, NULL);
        /* dup2 clears close-on-exec, except on a descriptor already at 3. */
        if (pipe_fds[1] >= 0 && (pipe_fds[1] == 3 ? fcntl(3, F_SETFD, 0)
                                                  : dup2(pipe_fds[1], 3) - 3) != 0) {
            _exit(EXIT_CANNOT_RUN);
        }
        execv(argv[0], argv);
        fprintf(stderr, "%s: cannot run %s: %s\n", program_name, argv[0], strerror(errno));
        _exit(EXIT_CANNOT_RUN);
    }
    child_pid = pid;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = forward_signal;
    for (size_t i = 0; i < 2; i++) {
        sigaction(forwarded[i], &sa, NULL);
    }
    sa.sa_handler = SIG_IGN;
    for (size_t i = 0; i < 2; i++) {
        sigaction(ignored[i], &sa, NULL);
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (pipe_fds[1] >= 0) {
        close(pipe_fds[1]);
    }
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    unsigned timeout = watch != NULL ? watch->timeout : 0;
    struct timespec began;
    clock_gettime(CLOCK_MONOTONIC, &began);
    bool exited = false, terminated = false, killed = false;
    int console = pipe_fds[0];
    while (console >= 0 || (!exited && pidfd >= 0 && (timeout > 0 || console >= 0))) {
        struct pollfd p[2];
        nfds_t n = 0;
        if (console >= 0) {
            p[n++] = (struct pollfd){console, POLLIN, 0};
        }
        if (!exited && pidfd >= 0) {
            p[n++] = (struct pollfd){pidfd, POLLIN, 0};
        }
        int wait_ms = -1;
        if (timeout > 0 && !killed) {
            struct timespec now;
            clock_gettime(CLOCK_MONOTONIC, &now);
            double elapsed = (double)(now.tv_sec - began.tv_sec) +
                             (double)(now.tv_nsec - began.tv_nsec) / 1e9;
            double limit = terminated ? timeout + 10.0 : (double)timeout;
            if (elapsed >= limit) {
                kill(pid, terminated ? SIGKILL : SIGTERM);
                killed = terminated;
                terminated = true;
                watch->timed_out = true;
                continue;
            }
            wait_ms = (int)((limit - elapsed) * 1000) + 1;
        }
        if (poll(p, n, wait_ms) < 0) {
            if (errno == EINTR) {
                continue;
            }
            die("waiting for QEMU: %s", strerror(errno));
        }
        for (nfds_t i = 0; i < n; i++) {
            if (p[i].revents == 0) {
                continue;
            }
            if (p[i].fd == pidfd) {
                exited = true; /* the console still holds what QEMU wrote last */
                continue;
            }
            unsigned char buf[65536];
            ssize_t got = read(console, buf, sizeof buf);
            if (got > 0) {
                watch->consume(watch->data, buf, (size_t)got);
            } else if (got == 0 || errno != EINTR) {
                close(console);
                console = -1;
            }
        }
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            die("waiting for QEMU: %s", strerror(errno));
        }
    }
    if (pidfd >= 0) {
        close(pidfd);
    }
    return status;
}

/* Ends as QEMU ended: the same exit status, or death by the same signal
 * (without a core file of our own). */
_Noreturn void pass_status(int status)
{
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        struct rlimit none = {0, 0};
        setrlimit(RLIMIT_CORE, &none);
        signal(sig, SIG_DFL);
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, sig);
        sigprocmask(SIG_UNBLOCK, &set, NULL);
        raise(sig);
        exit(128 + sig);
    }
    exit(WEXITSTATUS(status));
}


/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-user leaves SIGINT, SIGTERM and SIGHUP at their default action until
 * the guest installs a handler, so such a signal kills the process without
 * QEMU's exit path and the plugin's outputs would stay unwritten. The plugin
 * catches them while their disposition is the default: the handler only
 * writes the signal number to a pipe (async-signal-safe); a thread of ours
 * reads it, finishes the outputs in ordinary thread context, and then dies of
 * the same signal, so the exit status is what it would have been. When the
 * guest installs a handler, QEMU replaces ours and the guest's semantics hold.
 */
#include "core/signals.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/lifecycle.h"

static const int caught[] = {SIGINT, SIGTERM, SIGHUP};
static int pipe_fds[2] = {-1, -1};

static void on_signal(int sig)
{
    unsigned char byte = (unsigned char)sig;
    int saved = errno;
    /* A full pipe means a signal is already on its way. */
    (void)!write(pipe_fds[1], &byte, 1);
    errno = saved;
}

static void *watch(void *unused)
{
    (void)unused;
    unsigned char byte;
    while (read(pipe_fds[0], &byte, 1) < 0 && errno == EINTR) {
    }
    int sig = byte;
    char reason[64];
    snprintf(reason, sizeof reason, "signal SIG%s", sigabbrev_np(sig));
    lifecycle_finish(reason, -1);
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigaction(sig, &dfl, NULL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    kill(getpid(), sig);
    return NULL;
}

bool signals_install(char *err, size_t err_size)
{
    if (pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) != 0) {
        snprintf(err, err_size, "cannot create a pipe: %s", strerror(errno));
        return false;
    }
    /* The reader blocks; only the writer must never block. */
    fcntl(pipe_fds[0], F_SETFL, 0);

    /* The watcher takes no signals, so they reach the handler elsewhere. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    pthread_t thread;
    int rc = pthread_create(&thread, NULL, watch, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        snprintf(err, err_size, "cannot start the signal thread: %s", strerror(rc));
        return false;
    }
    pthread_detach(thread);

    for (size_t i = 0; i < sizeof caught / sizeof caught[0]; i++) {
        struct sigaction current, act;
        if (sigaction(caught[i], NULL, &current) != 0 || current.sa_handler != SIG_DFL) {
            continue;
        }
        memset(&act, 0, sizeof act);
        act.sa_handler = on_signal;
        sigfillset(&act.sa_mask);
        act.sa_flags = SA_RESTART;
        sigaction(caught[i], &act, NULL);
    }
    return true;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Output files with their error and size policy (output/file.h). */
#include "output/file.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct out_file {
    char *option;
    char *path;
    int fd;
    bool owned;   /* a file of ours, not stderr/stdout */
    bool created; /* did not exist before out_file_open */
    uint64_t limit;
    pthread_mutex_t lock;
    uint64_t written;
    int error;        /* errno of the write that failed, 0 if none */
    bool limit_hit;
};

struct out_file *out_file_open(const char *option, const char *path, uint64_t limit,
                               char *err, size_t err_size)
{
    int fd;
    bool owned = true, created = false;
    if (strcmp(path, "stderr") == 0 || strcmp(path, "stdout") == 0) {
        fd = path[3] == 'e' ? STDERR_FILENO : STDOUT_FILENO;
        owned = false;
    } else {
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT) {
            fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
            created = fd >= 0;
        }
        if (fd < 0) {
            snprintf(err, err_size, "option '%s=%s': cannot open for writing: %s", option,
                     path, strerror(errno));
            return NULL;
        }
    }
    struct out_file *f = g_new0(struct out_file, 1);
    f->option = g_strdup(option);
    f->path = g_strdup(path);
    f->fd = fd;
    f->owned = owned;
    f->created = created;
    f->limit = limit;
    pthread_mutex_init(&f->lock, NULL);
    return f;
}

void out_file_start(struct out_file *f)
{
    struct stat st;
    if (f->owned && fstat(f->fd, &st) == 0 && S_ISREG(st.st_mode)) {
        (void)!ftruncate(f->fd, 0);
    }
}

void out_file_abandon(struct out_file *f)
{
    if (f->created) {
        unlink(f->path);
    }
    out_file_close(f);
}

/*
 * One write(2) with SIGXFSZ blocked: past ulimit -f the kernel then fails
 * it with EFBIG instead of killing QEMU, and the pending signal is taken
 * back before it is unblocked.
 */
static ssize_t guarded_write_at(int fd, const void *data, size_t len, int64_t offset)
{
    sigset_t xfsz, old;
    sigemptyset(&xfsz);
    sigaddset(&xfsz, SIGXFSZ);
    pthread_sigmask(SIG_BLOCK, &xfsz, &old);
    ssize_t n = offset < 0 ? write(fd, data, len) : pwrite(fd, data, len, (off_t)offset);
    int saved = errno;
    if (n < 0 && saved == EFBIG) {
        struct timespec now = {0, 0};
        while (sigtimedwait(&xfsz, NULL, &now) == SIGXFSZ) {
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    errno = saved;
    return n;
}

static ssize_t guarded_write(int fd, const char *data, size_t len)
{
    return guarded_write_at(fd, data, len, -1);
}

int file_write_at(int fd, const void *data, size_t len, int64_t offset)
{
    const char *bytes = data;
    while (len > 0) {
        ssize_t n = guarded_write_at(fd, bytes, len, offset);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return n < 0 ? errno : ENOSPC;
        }
        bytes += n;
        len -= (size_t)n;
        offset += n;
    }
    return 0;
}

static void stop(struct out_file *f, int error)
{
    f->error = error;
    if (error != 0) {
        fprintf(stderr, "backdoor: %s=%s: write failed: %s; this output stops here, the "
                "run goes on\n", f->option, f->path, strerror(error));
    } else {
        fprintf(stderr, "backdoor: %s=%s: max-output (%" PRIu64 " bytes) reached; this "
                "output stops here, the run goes on\n", f->option, f->path, f->limit);
    }
}

bool out_file_write(struct out_file *f, const char *data, size_t len)
{
    pthread_mutex_lock(&f->lock);
    bool stopped = f->error != 0 || f->limit_hit;
    if (!stopped && f->limit != 0 && f->written + len > f->limit) {
        f->limit_hit = true;
        stop(f, 0);
        stopped = true;
    }
    while (!stopped && len > 0) {
        ssize_t n = guarded_write(f->fd, data, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            stop(f, n < 0 ? errno : ENOSPC);
            stopped = true;
            break;
        }
        f->written += (uint64_t)n;
        data += n;
        len -= (size_t)n;
    }
    pthread_mutex_unlock(&f->lock);
    return !stopped;
}

void out_file_describe_problem(const struct out_file *f, GString *out)
{
    if (f->error != 0) {
        g_string_append_printf(out, "output %s=%s stopped: write failed: %s (%" PRIu64
                               " bytes written)\n", f->option, f->path, strerror(f->error),
                               f->written);
    } else if (f->limit_hit) {
        g_string_append_printf(out, "output %s=%s stopped: max-output of %" PRIu64
                               " bytes reached\n", f->option, f->path, f->limit);
    }
}

void out_file_close(struct out_file *f)
{
    if (f->owned) {
        close(f->fd);
        f->fd = -1;
        f->owned = false;
    }
}

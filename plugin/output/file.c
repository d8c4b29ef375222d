/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Output files with their identity, error and size policy (output/file.h). */
#include "output/file.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "output/log.h"

struct out_file {
    char *option;
    char *path;
    unsigned flags;
    int fd;
    bool owned;     /* fd is ours to close (opened or duplicated) */
    bool inherited; /* written through the process's stdout or stderr */
    bool created;   /* did not exist before out_file_open */
    bool cuttable;  /* a regular file of ours: truncated, cut back, locked */
    bool character; /* a terminal, /dev/null: any number of writers */
    dev_t dev;
    ino_t ino;
    uint64_t limit;
    char *closing;
    size_t closing_len;
    pthread_mutex_t lock;
    uint64_t written;  /* bytes that reached the file whole */
    /* A record boundary with room for the closing before `written`: where
     * the closing goes when the disk is full. */
    uint64_t safe_end;
    bool at_boundary;  /* the file ends at a whole record */
    int error;         /* errno of the write that failed, 0 if none */
    bool limit_hit;
    bool closed;       /* the closing is written, or cannot be */
};

/* Every open output, to refuse two on one file. */
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static GPtrArray *registry;

/* "/dev/fd/N", "/proc/self/fd/N" or "/proc/PID/fd/N" of this process: N. */
static int named_descriptor(const char *path)
{
    char self[40];
    snprintf(self, sizeof self, "/proc/%ld/fd/", (long)getpid());
    const char *prefixes[] = {"/dev/fd/", "/proc/self/fd/", self};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        size_t n = strlen(prefixes[i]);
        if (strncmp(path, prefixes[i], n) == 0 && path[n] >= '0' && path[n] <= '9') {
            char *end;
            long fd = strtol(path + n, &end, 10);
            return *end == '\0' && fd <= INT32_MAX ? (int)fd : -1;
        }
    }
    return -1;
}

static bool writable_descriptor(int fd)
{
    int mode = fcntl(fd, F_GETFL);
    return mode >= 0 && (mode & O_ACCMODE) != O_RDONLY;
}

/*
 * The inherited descriptor a path names, or -1: /dev/fd/N and the like
 * by number, and any path to the file stdout or stderr already is
 * (/dev/stdout, /dev/stderr, or log.txt when stdout was redirected to it).
 * Reopening such a file would start at offset 0 without O_APPEND, and
 * truncating it would destroy what `>> log` kept.
 */
static int inherited_descriptor(const char *path)
{
    int fd = named_descriptor(path);
    if (fd >= 0) {
        return writable_descriptor(fd) ? fd : -1;
    }
    struct stat named, stream;
    if (stat(path, &named) != 0 || S_ISDIR(named.st_mode)) {
        return -1;
    }
    for (fd = STDOUT_FILENO; fd <= STDERR_FILENO; fd++) {
        if (fstat(fd, &stream) == 0 && stream.st_dev == named.st_dev &&
            stream.st_ino == named.st_ino && writable_descriptor(fd)) {
            return fd;
        }
    }
    return -1;
}

/* Opens a path of our own: a FIFO without a reader blocks in open(2), so
 * that is tried without blocking first and the wait is said once. */
static int open_path(const char *option, const char *path, bool *created)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISFIFO(st.st_mode)) {
        int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0 && errno == ENXIO) {
            plugin_log("%s=%s is a FIFO that no process reads yet: waiting for a reader "
                       "before the guest starts", option, path);
            return open(path, O_WRONLY | O_CLOEXEC);
        }
        if (fd >= 0) {
            fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
        }
        return fd;
    }
    int fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOCTTY | O_CLOEXEC, 0644);
        *created = fd >= 0;
    }
    return fd;
}

/* Two outputs in one file would interleave into a corrupt one, unless it
 * is a device that takes any writes (a terminal, /dev/null), or both are
 * text written through the streams the user redirected. */
static bool conflict(const struct out_file *a, const struct out_file *b)
{
    return a->dev == b->dev && a->ino == b->ino && !a->character &&
           !((a->flags & b->flags & OUT_TEXT) && a->inherited && b->inherited);
}

static void registry_remove(struct out_file *f)
{
    pthread_mutex_lock(&registry_lock);
    if (registry != NULL) {
        g_ptr_array_remove(registry, f);
    }
    pthread_mutex_unlock(&registry_lock);
}

static void release(struct out_file *f)
{
    if (f->owned) {
        close(f->fd);
    }
    if (f->created) {
        unlink(f->path);
    }
    g_free(f->option);
    g_free(f->path);
    g_free(f->closing);
    g_free(f);
}

struct out_file *out_file_open(const char *option, const char *path, uint64_t limit,
                               unsigned flags, const char *closing, char *err,
                               size_t err_size)
{
    struct out_file *f = g_new0(struct out_file, 1);
    f->option = g_strdup(option);
    f->path = g_strdup(path);
    f->flags = flags;
    f->limit = limit;
    f->closing = g_strdup(closing ? closing : "");
    f->closing_len = strlen(f->closing);
    f->at_boundary = true;
    pthread_mutex_init(&f->lock, NULL);
    int stream;
    if (strcmp(path, "stderr") == 0 || strcmp(path, "stdout") == 0) {
        f->fd = path[3] == 'e' ? STDERR_FILENO : STDOUT_FILENO;
        f->inherited = true;
    } else if ((stream = inherited_descriptor(path)) >= 0) {
        f->fd = fcntl(stream, F_DUPFD_CLOEXEC, 3);
        f->owned = f->inherited = f->fd >= 0;
    } else {
        f->fd = open_path(option, path, &f->created);
        f->owned = f->fd >= 0;
    }
    struct stat st;
    if (f->fd < 0 || fstat(f->fd, &st) != 0) {
        snprintf(err, err_size, "option '%s=%s': cannot open for writing: %s", option, path,
                 strerror(errno));
        release(f);
        return NULL;
    }
    f->dev = st.st_dev;
    f->ino = st.st_ino;
    f->character = S_ISCHR(st.st_mode);
    f->cuttable = S_ISREG(st.st_mode) && !f->inherited;

    pthread_mutex_lock(&registry_lock);
    if (registry == NULL) {
        registry = g_ptr_array_new();
    }
    for (guint i = 0; i < registry->len; i++) {
        const struct out_file *other = g_ptr_array_index(registry, i);
        if (conflict(other, f)) {
            snprintf(err, err_size, "options '%s=%s' and '%s=%s' name the same file; give "
                     "each output its own", other->option, other->path, option, path);
            pthread_mutex_unlock(&registry_lock);
            release(f);
            return NULL;
        }
    }
    /* Two runs writing one file would interleave silently: the second is
     * refused while the first holds its lock (released when it exits). */
    if (f->cuttable && flock(f->fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK) {
        snprintf(err, err_size, "option '%s=%s': another run is writing this file (it holds "
                 "its lock); give each run its own output", option, path);
        pthread_mutex_unlock(&registry_lock);
        release(f);
        return NULL;
    }
    g_ptr_array_add(registry, f);
    pthread_mutex_unlock(&registry_lock);
    return f;
}

void out_file_start(struct out_file *f)
{
    if (f->cuttable) {
        (void)!ftruncate(f->fd, 0);
    }
}

bool out_file_page_aligned(const struct out_file *f)
{
    return f->cuttable;
}

void out_file_abandon(struct out_file *f)
{
    registry_remove(f);
    release(f);
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

/* Writes data whole; 0, or the errno of the write that failed, with *done
 * the bytes that reached the file. */
static int write_whole(int fd, const char *data, size_t len, size_t *done)
{
    *done = 0;
    while (*done < len) {
        ssize_t n = guarded_write(fd, data + *done, len - *done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return n < 0 ? errno : ENOSPC;
        }
        *done += (size_t)n;
    }
    return 0;
}

/* The length of data[0..len)'s whole lines: up to and with its last '\n'. */
static size_t whole_lines(const char *data, size_t len)
{
    while (len > 0 && data[len - 1] != '\n') {
        len--;
    }
    return len;
}

/* The length of data[0..len)'s whole records, data going to the file at
 * offset `at`: whole lines, or whole pages of binary records. */
static size_t whole_records(const struct out_file *f, uint64_t at, const char *data,
                            size_t len)
{
    if (f->flags & OUT_PAGES) {
        uint64_t end = (at + len) / OUT_PAGE * OUT_PAGE;
        return end > at ? (size_t)(end - at) : 0;
    }
    return whole_lines(data, len);
}

/* After a whole write of records: the latest boundary that leaves room
 * for the closing in what is on disk. */
static void note_written(struct out_file *f, const char *data, size_t len)
{
    if (len >= f->closing_len) {
        f->safe_end = f->written + whole_records(f, f->written, data, len - f->closing_len);
    }
    f->written += len;
    f->at_boundary = len == 0 || (f->flags & OUT_PAGES) || data[len - 1] == '\n';
}

/*
 * A write failed after done bytes of data reached a file of ours: cut it
 * back to a whole record, and end it with the closing if there is one.
 * The closing overwrites bytes already on disk, so a full disk does not
 * stop it; data NULL: no record boundary inside those bytes.
 */
static void cut_back(struct out_file *f, const char *data, size_t done)
{
    uint64_t end = f->written + done, keep;
    if (done >= f->closing_len) {
        keep = f->written +
               (data != NULL ? whole_records(f, f->written, data, done - f->closing_len) : 0);
    } else {
        keep = f->safe_end;
    }
    if (f->closing_len > 0 && keep + f->closing_len <= end) {
        size_t put = 0;
        while (put < f->closing_len) {
            ssize_t n = pwrite(f->fd, f->closing + put, f->closing_len - put,
                               (off_t)(keep + put));
            if (n <= 0 && !(n < 0 && errno == EINTR)) {
                break;
            }
            put += n > 0 ? (size_t)n : 0;
        }
        keep += put == f->closing_len ? f->closing_len : 0;
    }
    (void)!ftruncate(f->fd, (off_t)keep);
    lseek(f->fd, (off_t)keep, SEEK_SET);
    f->written = keep;
    f->closed = true;
}

/* Writes the closing text where the file ends (at a whole record). */
static void write_closing(struct out_file *f)
{
    if (f->closed) {
        return;
    }
    f->closed = true;
    if (f->closing_len == 0 || !f->at_boundary) {
        return;
    }
    size_t done;
    if (write_whole(f->fd, f->closing, f->closing_len, &done) == 0) {
        f->written += done;
    } else if (f->cuttable) {
        f->closed = false;
        cut_back(f, NULL, done);
    }
}

static void stop(struct out_file *f, int error)
{
    f->error = error;
    if (error != 0) {
        plugin_log("%s=%s: write failed: %s; this output stops here, the run goes on",
                   f->option, f->path, strerror(error));
    } else {
        plugin_log("%s=%s: max-output (%" PRIu64 " bytes) reached; this output stops here, "
                   "the run goes on", f->option, f->path, f->limit);
    }
}

/* Writes data, stopping the output if that fails. Caller holds f->lock. */
static bool write_locked(struct out_file *f, const char *data, size_t len)
{
    size_t done;
    int error = write_whole(f->fd, data, len, &done);
    if (error == 0) {
        note_written(f, data, len);
        return true;
    }
    stop(f, error);
    if ((f->flags & OUT_RECORDS) && f->cuttable) {
        cut_back(f, data, done);
    } else {
        f->written += done;
        f->at_boundary = done == 0 || (f->flags & OUT_PAGES) || data[done - 1] == '\n';
        if (f->flags & OUT_RECORDS) {
            write_closing(f);
        }
    }
    return false;
}

bool out_file_write(struct out_file *f, const char *data, size_t len)
{
    pthread_mutex_lock(&f->lock);
    bool ok = f->error == 0 && !f->limit_hit;
    if (ok && f->limit != 0 && f->written + len + f->closing_len > f->limit) {
        /* Records that fit go out; room for the closing is kept. */
        uint64_t room = f->limit - f->written;
        room = room > f->closing_len ? room - f->closing_len : 0;
        size_t fit = 0;
        if (f->flags & OUT_RECORDS) {
            fit = whole_records(f, f->written, data, len < room ? len : (size_t)room);
        }
        if (fit == 0 || write_locked(f, data, fit)) {
            f->limit_hit = true;
            stop(f, 0);
            if (f->flags & OUT_RECORDS) {
                write_closing(f);
            }
        }
        ok = false;
    } else if (ok) {
        ok = write_locked(f, data, len);
    }
    pthread_mutex_unlock(&f->lock);
    return ok;
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
    pthread_mutex_lock(&f->lock);
    if (f->fd >= 0) {
        if (f->error == 0 && !f->limit_hit && !f->closed && f->closing_len > 0) {
            size_t done;
            int error = write_whole(f->fd, f->closing, f->closing_len, &done);
            if (error == 0) {
                f->written += done;
            } else {
                stop(f, error);
                if (f->cuttable) {
                    cut_back(f, NULL, done);
                }
            }
            f->closed = true;
        }
        if (f->owned) {
            close(f->fd);
        }
        f->fd = -1;
        f->owned = false;
    }
    pthread_mutex_unlock(&f->lock);
    registry_remove(f);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The readfile and writefile built-ins (commands/files.h). The guest names
 * a file only by a plain name inside outdir, opened relative to the
 * directory's descriptor without following links, so nothing it sends can
 * reach outside the directory, whatever the directory's path or later
 * renames. Every write counts against max-output (all files together) and
 * FILES_MAX_CREATED, so a guest cannot fill the host's disk through here.
 */
#include "commands/files.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands/builtins.h"
#include "commands/call.h"
#include "qemu/memory.h"
#include "output/file.h"
#include "output/log.h"

#define NAME_MAX_BYTES 255

/* A file of the plugin's own that writefile must not overwrite. */
struct file_id {
    dev_t dev;
    ino_t ino;
};

static int readfile_fd = -1;
static int outdir_fd = -1;
static const char *readfile_path;
static const char *outdir_path;
static uint64_t max_output;
static GArray *protected_files; /* struct file_id */

/* Writes are rare and may each take a while on disk; one lock keeps the
 * accounting exact and the create-or-open of one name atomic. */
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t bytes_written, files_created;
static bool limit_hit;
static uint64_t bytes_read; /* atomic */

/* Whether a file can be created in the directory: access(2) says yes to
 * root on a read-only file system, so a file is made and removed. */
static int check_writable(int dir)
{
    int fd = openat(dir, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
    if (fd >= 0) {
        close(fd);
        return 0;
    }
    if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
        return errno;
    }
    char probe[64];
    snprintf(probe, sizeof probe, ".backdoor-probe-%ld", (long)getpid());
    fd = openat(dir, probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        return errno;
    }
    close(fd);
    unlinkat(dir, probe, 0);
    return 0;
}

static void protect(const char *path)
{
    struct stat st;
    if (path != NULL && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
        struct file_id id = {st.st_dev, st.st_ino};
        g_array_append_val(protected_files, id);
    }
}

bool files_open(const struct files_config *config, char *err, size_t err_size)
{
    max_output = config->max_output;
    protected_files = g_array_new(FALSE, FALSE, sizeof(struct file_id));
    if (config->readfile_path != NULL) {
        struct stat st;
        int fd = open(config->readfile_path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            snprintf(err, err_size, "option 'readfile=%s': cannot open for reading: %s",
                     config->readfile_path, strerror(errno));
            return false;
        }
        if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
            snprintf(err, err_size, "option 'readfile=%s': not a regular file (the guest "
                     "reads it at offsets of its choosing)", config->readfile_path);
            close(fd);
            return false;
        }
        readfile_fd = fd;
        readfile_path = config->readfile_path;
        protect(readfile_path);
    }
    if (config->outdir_path != NULL) {
        int dir = open(config->outdir_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        int error = dir < 0 ? errno : check_writable(dir);
        if (error != 0) {
            snprintf(err, err_size, "option 'outdir=%s': %s: %s", config->outdir_path,
                     dir < 0 ? "not a directory the plugin can open"
                             : "the plugin cannot create files there",
                     strerror(error));
            if (dir >= 0) {
                close(dir);
            }
            return false;
        }
        outdir_fd = dir;
        outdir_path = config->outdir_path;
        for (size_t i = 0; i < config->n_protected; i++) {
            protect(config->protected_paths[i]);
        }
    }
    return true;
}

void files_stats(struct files_stats *stats)
{
    stats->readfile = readfile_path;
    stats->outdir = outdir_path;
    stats->bytes_read = __atomic_load_n(&bytes_read, __ATOMIC_RELAXED);
    pthread_mutex_lock(&write_lock);
    stats->bytes_written = bytes_written;
    stats->files_created = files_created;
    stats->limit_hit = limit_hit;
    pthread_mutex_unlock(&write_lock);
}

void builtin_readfile(struct call_ctx *ctx)
{
    struct backdoor_call *call = &ctx->call;
    if (readfile_fd < 0) {
        ctx->status = BACKDOOR_STATUS_UNHANDLED;
        return;
    }
    uint64_t offset = call->args[2];
    size_t done = 0;
    /* An offset past what off_t holds is past the end of any file. */
    while (offset <= (uint64_t)INT64_MAX - call->out_capacity && done < call->out_capacity) {
        ssize_t n = pread(readfile_fd, call->out + done, call->out_capacity - done,
                          (off_t)(offset + done));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            ctx->status = BACKDOOR_STATUS_FILE_ERROR;
            return;
        }
        if (n == 0) {
            break;
        }
        done += (size_t)n;
    }
    __atomic_fetch_add(&bytes_read, done, __ATOMIC_RELAXED);
    call->out_len = done;
    call->result = done;
}

/* A name the guest may use: one path component that names a file. */
static bool plain_name(const char *name, long len)
{
    return len > 0 && len <= NAME_MAX_BYTES && strchr(name, '/') == NULL &&
           strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

static bool is_protected(const struct stat *st)
{
    for (guint i = 0; i < protected_files->len; i++) {
        const struct file_id *id = &g_array_index(protected_files, struct file_id, i);
        if (id->dev == st->st_dev && id->ino == st->st_ino) {
            return true;
        }
    }
    return false;
}

static void refuse_over_limit(const char *why)
{
    if (!limit_hit) {
        plugin_log("writefile into outdir=%s: %s; this write and later ones over it get "
                   "BACKDOOR_EFBIG, the run goes on", outdir_path, why);
    }
    limit_hit = true;
}

static enum backdoor_status status_of_errno(int error)
{
    switch (error) {
    case ENOSPC:
    case EDQUOT:
        return BACKDOOR_STATUS_DISK_FULL;
    case EFBIG:
        return BACKDOOR_STATUS_FILE_LIMIT;
    default:
        return BACKDOOR_STATUS_FILE_ERROR;
    }
}

/*
 * Opens name in outdir for writing, creating it if the file count allows.
 * O_NOFOLLOW refuses a link planted in outdir, O_NONBLOCK a FIFO's wait for
 * a reader; anything but a regular file is refused after the open.
 */
static enum backdoor_status open_in_outdir(const char *name, int *fd_out)
{
    const int flags = O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;
    int fd = openat(outdir_fd, name, flags);
    if (fd < 0 && errno == ENOENT) {
        if (files_created >= FILES_MAX_CREATED) {
            char why[96];
            snprintf(why, sizeof why, "%d files created", FILES_MAX_CREATED);
            refuse_over_limit(why);
            return BACKDOOR_STATUS_FILE_LIMIT;
        }
        fd = openat(outdir_fd, name, flags | O_CREAT | O_EXCL, 0644);
        if (fd >= 0) {
            files_created++;
        }
    }
    if (fd < 0) {
        /* A link, a directory, a FIFO without reader: not a file name. */
        return errno == ELOOP || errno == EISDIR || errno == ENXIO
                   ? BACKDOOR_STATUS_INVALID : status_of_errno(errno);
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || is_protected(&st)) {
        close(fd);
        return BACKDOOR_STATUS_INVALID;
    }
    *fd_out = fd;
    return BACKDOOR_STATUS_OK;
}

static enum backdoor_status write_file(const char *name, const uint8_t *data, size_t len,
                                       uint64_t offset)
{
    if (offset > (uint64_t)INT64_MAX - len) {
        return BACKDOOR_STATUS_FILE_LIMIT;
    }
    /* A file's size counts too: a write far out makes a sparse file that
     * copies and backups would read in full. */
    if (max_output != 0 && (bytes_written + len > max_output || offset + len > max_output)) {
        char why[96];
        snprintf(why, sizeof why, "max-output (%" PRIu64 " bytes) reached", max_output);
        refuse_over_limit(why);
        return BACKDOOR_STATUS_FILE_LIMIT;
    }
    int fd;
    enum backdoor_status status = open_in_outdir(name, &fd);
    if (status != BACKDOOR_STATUS_OK) {
        return status;
    }
    int error = offset == 0 && ftruncate(fd, 0) != 0 ? errno : 0;
    if (error == 0) {
        error = file_write_at(fd, data, len, (int64_t)offset);
    }
    if (close(fd) != 0 && error == 0) {
        error = errno; /* a network file system reports a full disk here */
    }
    if (error != 0) {
        return status_of_errno(error);
    }
    bytes_written += len;
    return BACKDOOR_STATUS_OK;
}

void builtin_writefile(struct call_ctx *ctx)
{
    struct backdoor_call *call = &ctx->call;
    if (outdir_fd < 0) {
        ctx->status = BACKDOOR_STATUS_UNHANDLED;
        return;
    }
    /* Per thread, for the call's record (text) written after this returns. */
    static _Thread_local char name[NAME_MAX_BYTES + 1];
    long len = guest_read_string(ctx->vcpu, call->args[2], name, sizeof name);
    if (len < 0) {
        ctx->status = BACKDOOR_STATUS_FAULT;
        return;
    }
    ctx->text = name;
    ctx->text_len = len > NAME_MAX_BYTES ? NAME_MAX_BYTES : (size_t)len;
    if (!plain_name(name, len)) {
        ctx->status = BACKDOOR_STATUS_INVALID;
        return;
    }
    pthread_mutex_lock(&write_lock);
    ctx->status = write_file(name, call->data, call->data_len, call->args[3]);
    pthread_mutex_unlock(&write_lock);
    if (ctx->status == BACKDOOR_STATUS_OK) {
        call->result = call->data_len;
    }
}

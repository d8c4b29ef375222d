/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Checkpoints (commands/checkpoint.h). One checkpoint at a time: the first
 * call starts it, every call until the worker is done is told to call
 * again, and the first call after that (of the same name) takes the result.
 * The pending checkpoint is part of the saved state, so a restored run
 * answers that same call with 1.
 *
 * The vCPU must not wait inside its call: QEMU stops a machine by waiting
 * for every vCPU to leave guest code. So the guest polls, and each poll
 * sleeps a millisecond here, which bounds the instructions the wait adds to
 * open regions (a few thousand a second of saving) and leaves the host's
 * CPU to the saving.
 */
#include "commands/checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "commands/handler.h"
#include "commands/roi.h"
#include "output/checkpoint_file.h"
#include "output/log.h"
#include "qemu/qmp.h"

#ifndef BACKDOOR_VERSION
#define BACKDOOR_VERSION "unknown"
#endif

#define NAME_MAX_BYTES 255
/* QEMU makes its QMP socket after loading the plugin, and may be slow to
 * start on a loaded host. */
#define CONNECT_TIMEOUT_MS 30000
/* How long the machine runs on (the caller polling) before it is stopped:
 * what the caller wrote just before its call is then out of the machine
 * (an operating system's pipes and consoles relay it when the caller
 * waits), rather than saved in it and written again by every restore. */
#define SETTLE_MS 50
/* How often the worker asks QEMU whether the machine is saved. */
#define POLL_INTERVAL_MS 2

enum checkpoint_state { IDLE, SAVING, DONE };

static struct checkpoint_config config;
static bool enabled;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static enum checkpoint_state state = IDLE;
static char pending_name[NAME_MAX_BYTES + 1];
static enum backdoor_status outcome;
static uint64_t outcome_result;
static struct qmp *qmp;
static struct checkpoint_stats stats; /* under lock */
/* The file being saved (its path written only by the worker while no
 * save is marked), removed if the run ends before it is complete. */
static char unfinished_path[PATH_MAX];
static int unfinished;

static void remove_unfinished(void)
{
    if (__atomic_exchange_n(&unfinished, 0, __ATOMIC_ACQ_REL)) {
        unlink(unfinished_path);
    }
}

/* A restored handler's state, until the handler is loaded. */
static GByteArray *restored_handler_state;
/* Where the waiting caller's last call was, for roi_exclude_since. */
static struct roi_mark wait_mark;

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* text as a JSON string's contents (QMP's arguments are JSON). */
static void json_quote(GString *out, const char *text)
{
    for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
        if (*c == '"' || *c == '\\') {
            g_string_append_c(out, '\\');
            g_string_append_c(out, (char)*c);
        } else if (*c < 0x20) {
            g_string_append_printf(out, "\\u%04x", *c);
        } else {
            g_string_append_c(out, (char)*c);
        }
    }
}

static bool execute(const char *command, char *reply, size_t reply_size, char *err,
                    size_t err_size)
{
    if (qmp == NULL && (qmp = qmp_connect(config.qmp_path, CONNECT_TIMEOUT_MS, err,
                                          err_size)) == NULL) {
        return false;
    }
    return qmp_execute(qmp, command, reply, reply_size, err, err_size);
}

static bool qemu_version(char *version, size_t size, char *err, size_t err_size)
{
    char reply[1024];
    long long major, minor, micro;
    if (!execute("{\"execute\": \"query-version\"}", reply, sizeof reply, err, err_size)) {
        return false;
    }
    if (!qmp_number(reply, "major", &major) || !qmp_number(reply, "minor", &minor) ||
        !qmp_number(reply, "micro", &micro)) {
        snprintf(err, err_size, "QEMU's query-version answer has no version: %.100s", reply);
        return false;
    }
    snprintf(version, size, "%lld.%lld.%lld", major, minor, micro);
    return true;
}

/* QEMU writes pages at their own offsets in the file (mapped-ram): the
 * file is no larger than the memory the guest touched, and loading it is
 * one read per page, without parsing a stream. */
static bool use_mapped_ram(char *err, size_t err_size)
{
    char reply[256];
    return execute("{\"execute\": \"migrate-set-capabilities\", \"arguments\": "
                   "{\"capabilities\": [{\"capability\": \"mapped-ram\", \"state\": true}]}}",
                   reply, sizeof reply, err, err_size);
}

/* Waits for the migration QEMU runs to end; false with QEMU's reason. */
static bool migration_done(char *err, size_t err_size)
{
    for (;;) {
        char reply[4096], status[64];
        if (!execute("{\"execute\": \"query-migrate\"}", reply, sizeof reply, err, err_size)) {
            return false;
        }
        if (!qmp_string(reply, "status", status, sizeof status)) {
            snprintf(err, err_size, "QEMU's query-migrate answer has no status");
            return false;
        }
        if (strcmp(status, "completed") == 0) {
            return true;
        }
        if (strcmp(status, "failed") == 0 || strcmp(status, "cancelled") == 0) {
            if (!qmp_string(reply, "error-desc", err, err_size)) {
                snprintf(err, err_size, "QEMU's migration %s", status);
            }
            return false;
        }
        sleep_ms(POLL_INTERVAL_MS);
    }
}

static bool migrate(const char *how, const char *path, uint64_t offset, char *err,
                    size_t err_size)
{
    GString *cmd = g_string_new(NULL);
    g_string_printf(cmd, "{\"execute\": \"%s\", \"arguments\": {\"uri\": \"file:", how);
    json_quote(cmd, path);
    g_string_append_printf(cmd, ",offset=%" PRIu64 "\"}}", offset);
    char reply[256];
    bool ok = execute(cmd->str, reply, sizeof reply, err, err_size);
    g_string_free(cmd, TRUE);
    return ok && migration_done(err, err_size);
}

/* QEMU's own command line, as the kernel holds it. */
static char **own_command_line(void)
{
    gchar *bytes = NULL;
    gsize len = 0;
    if (!g_file_get_contents("/proc/self/cmdline", &bytes, &len, NULL)) {
        return NULL;
    }
    GPtrArray *args = g_ptr_array_new();
    for (gsize i = 0; i < len; i += strlen(bytes + i) + 1) {
        g_ptr_array_add(args, g_strdup(bytes + i));
    }
    g_ptr_array_add(args, NULL);
    g_free(bytes);
    return (char **)g_ptr_array_free(args, FALSE);
}

static bool write_all_at(int fd, const char *bytes, size_t len, off_t offset)
{
    while (len > 0) {
        ssize_t n = pwrite(fd, bytes, len, offset);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        bytes += n;
        len -= (size_t)n;
        offset += n;
    }
    return true;
}

/* The header's facts and the plugin's state, taken while the machine is
 * stopped, so that they and the machine agree. */
static GString *take_state(struct checkpoint_header *h, const char *name, char *err,
                           size_t err_size)
{
    if (!qemu_version(h->qemu_version, sizeof h->qemu_version, err, err_size)) {
        return NULL;
    }
    snprintf(h->backdoor_version, sizeof h->backdoor_version, "%s", BACKDOOR_VERSION);
    snprintf(h->target, sizeof h->target, "%s", config.target);
    h->exe = g_file_read_link("/proc/self/exe", NULL);
    h->argv = own_command_line();
    if (h->exe == NULL || h->argv == NULL) {
        snprintf(err, err_size, "cannot read QEMU's own command line from /proc/self");
        return NULL;
    }
    GString *plugin_state = g_string_new("checkpoint ");
    checkpoint_hex_append(plugin_state, name, strlen(name));
    g_string_append_printf(plugin_state, "\nclock %" PRIu64 "\n", now_ns());
    size_t len;
    unsigned char *handler_state = handler_save(&len);
    if (handler_state != NULL) {
        g_string_append(plugin_state, "handler ");
        checkpoint_hex_append(plugin_state, handler_state, len);
        g_string_append_c(plugin_state, '\n');
        free(handler_state);
    }
    pthread_mutex_lock(&lock);
    struct roi_mark waiting = wait_mark;
    pthread_mutex_unlock(&lock);
    roi_state_save(plugin_state, &waiting);
    return plugin_state;
}

/* Writes header and state at the start of fd; with h->machine_bytes 0
 * before QEMU writes the machine after them, and again, sealed, after. */
static bool write_head(int fd, struct checkpoint_header *h, const GString *plugin_state)
{
    size_t len;
    char *head = checkpoint_file_compose(h, plugin_state->str, &len);
    bool ok = write_all_at(fd, head, len, 0);
    g_free(head);
    return ok;
}

static enum backdoor_status failed_because(const char *why)
{
    return strstr(why, strerror(ENOSPC)) != NULL ? BACKDOOR_STATUS_DISK_FULL
                                                 : BACKDOOR_STATUS_CHECKPOINT_FAILED;
}

/* Saves the stopped machine to a new file in the directory, then puts it
 * in place of DIR/NAME.ckpt: a reader never sees half a checkpoint, and a
 * failure leaves the previous one as it was. */
static enum backdoor_status save_stopped(const char *name, char *err, size_t err_size)
{
    struct checkpoint_header h = {0};
    GString *plugin_state = take_state(&h, name, err, err_size);
    if (plugin_state == NULL) {
        checkpoint_header_free(&h);
        return BACKDOOR_STATUS_CHECKPOINT_FAILED;
    }
    char *tmp = g_strdup_printf("%s/.backdoor-checkpoint-XXXXXX", config.dir);
    char *final = g_strdup_printf("%s/%s" CHECKPOINT_SUFFIX, config.dir, name);
    enum backdoor_status status = BACKDOOR_STATUS_CHECKPOINT_FAILED;
    struct stat st;
    int fd = mkstemp(tmp);
    if (fd >= 0 && strlen(tmp) < sizeof unfinished_path) {
        strcpy(unfinished_path, tmp);
        __atomic_store_n(&unfinished, 1, __ATOMIC_RELEASE);
    }
    if (fd < 0) {
        snprintf(err, err_size, "cannot make a file in checkpoint-dir=%s: %s", config.dir,
                 strerror(errno));
        status = failed_because(err);
    } else if (!write_head(fd, &h, plugin_state)) {
        snprintf(err, err_size, "writing %s: %s", tmp, strerror(errno));
        status = failed_because(err);
    } else if (!use_mapped_ram(err, err_size) ||
               !migrate("migrate", tmp, h.machine_offset, err, err_size)) {
        status = failed_because(err);
    } else if (fstat(fd, &st) != 0 || (h.machine_bytes = (uint64_t)st.st_size -
                                                         h.machine_offset) == 0 ||
               !write_head(fd, &h, plugin_state) || fsync(fd) != 0) {
        snprintf(err, err_size, "sealing %s: %s", tmp,
                 h.machine_bytes == 0 ? "QEMU wrote no machine" : strerror(errno));
        status = failed_because(err);
    } else if (rename(tmp, final) != 0) {
        snprintf(err, err_size, "renaming %s to %s: %s", tmp, final, strerror(errno));
    } else {
        status = BACKDOOR_STATUS_OK;
        pthread_mutex_lock(&lock);
        snprintf(stats.last_saved, sizeof stats.last_saved, "%s (%.1f MiB on disk)", final,
                 (double)st.st_blocks * 512 / (1 << 20));
        pthread_mutex_unlock(&lock);
    }
    if (fd >= 0) {
        close(fd);
        if (status == BACKDOOR_STATUS_OK) {
            __atomic_store_n(&unfinished, 0, __ATOMIC_RELEASE);
        } else {
            remove_unfinished();
        }
    }
    g_free(tmp);
    g_free(final);
    g_string_free(plugin_state, TRUE);
    checkpoint_header_free(&h);
    return status;
}

/* Stops the machine, saves it, lets it go on, whatever happened between. */
static enum backdoor_status save(const char *name)
{
    char err[1024], reply[256], cont_err[512];
    enum backdoor_status status = BACKDOOR_STATUS_CHECKPOINT_FAILED;
    sleep_ms(SETTLE_MS);
    if (execute("{\"execute\": \"stop\"}", reply, sizeof reply, err, sizeof err)) {
        status = save_stopped(name, err, sizeof err);
        if (!execute("{\"execute\": \"cont\"}", reply, sizeof reply, cont_err,
                     sizeof cont_err)) {
            plugin_log("checkpoint %s: QEMU did not let the machine go on: %s", name, cont_err);
        }
    }
    pthread_mutex_lock(&lock);
    if (status != BACKDOOR_STATUS_OK) {
        stats.failed++;
        snprintf(stats.last_error, sizeof stats.last_error, "%.*s",
                 (int)sizeof stats.last_error - 1, err);
    } else {
        stats.saved++;
    }
    pthread_mutex_unlock(&lock);
    if (status != BACKDOOR_STATUS_OK) {
        plugin_log("checkpoint %s not saved: %s", name, err);
    }
    return status;
}

/* Loads the machine saved after the header, then runs it: QEMU was started
 * with -incoming defer and waits for this. A stream QEMU cannot load ends
 * QEMU with its own message. */
static void restore(const struct checkpoint_header *h)
{
    char err[1024], version[64], reply[256];
    if (!qemu_version(version, sizeof version, err, sizeof err) ||
        (strcmp(version, h->qemu_version) != 0 &&
         snprintf(err, sizeof err, "it was saved by QEMU %s; this is QEMU %s, which cannot "
                  "be trusted to load it: restore it with QEMU %s", h->qemu_version, version,
                  h->qemu_version) > 0) ||
        !use_mapped_ram(err, sizeof err) ||
        !migrate("migrate-incoming", config.restore_path, h->machine_offset, err, sizeof err) ||
        !execute("{\"execute\": \"cont\"}", reply, sizeof reply, err, sizeof err)) {
        plugin_log("restore=%s: %s", config.restore_path, err);
        exit(EXIT_FAILURE);
    }
}

static void *worker(void *data)
{
    struct checkpoint_header *h = data;
    if (h != NULL) {
        restore(h);
        checkpoint_header_free(h);
        g_free(h);
    }
    for (;;) {
        pthread_mutex_lock(&lock);
        while (state != SAVING) {
            pthread_cond_wait(&wake, &lock);
        }
        char name[NAME_MAX_BYTES + 1];
        memcpy(name, pending_name, sizeof name);
        pthread_mutex_unlock(&lock);
        enum backdoor_status status = save(name);
        pthread_mutex_lock(&lock);
        outcome = status;
        outcome_result = 0;
        state = DONE;
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

/* The restored run's answer to the checkpoint call the file was saved in. */
static bool restore_pending(const char *plugin_state, char *err, size_t err_size)
{
    static const char first[] = "checkpoint ";
    GByteArray *name = strncmp(plugin_state, first, sizeof first - 1) == 0
                           ? checkpoint_hex_decode(plugin_state + sizeof first - 1)
                           : NULL;
    bool whole = name != NULL && name->len >= 1 && name->len <= NAME_MAX_BYTES;
    if (whole) {
        memcpy(pending_name, name->data, name->len);
        pending_name[name->len] = '\0';
    }
    if (name != NULL) {
        g_byte_array_free(name, TRUE);
    }
    if (!whole) {
        snprintf(err, err_size, "its state does not begin with its checkpoint's name");
        return false;
    }
    state = DONE;
    /* Timestamps and regions' wall times go on from the checkpoint's. */
    const char *clock = strstr(plugin_state, "\nclock ");
    uint64_t saved_ns;
    if (clock == NULL || sscanf(clock, "\nclock %" SCNu64, &saved_ns) != 1) {
        snprintf(err, err_size, "its state has no clock");
        return false;
    }
    clock_continue_from(saved_ns);
    /* This run's counting starts here, where the restored regions do. */
    wait_mark = (struct roi_mark){{0, 0}, saved_ns, NULL};
    const char *handler_line = strstr(plugin_state, "\nhandler ");
    if (handler_line != NULL &&
        (restored_handler_state =
             checkpoint_hex_decode(handler_line + sizeof "\nhandler " - 1)) == NULL) {
        snprintf(err, err_size, "its handler state is damaged");
        return false;
    }
    outcome = BACKDOOR_STATUS_OK;
    outcome_result = 1;
    return true;
}

bool checkpoint_init(const struct checkpoint_config *c, bool *count_now, char *err,
                     size_t err_size)
{
    config = *c;
    *count_now = false;
    bool wanted = c->dir != NULL || c->restore_path != NULL;
    if (wanted && !c->system_mode) {
        snprintf(err, err_size, "option '%s': checkpoints are of a whole machine, in system "
                 "mode; this is user mode", c->dir != NULL ? "checkpoint-dir" : "restore");
        return false;
    }
    struct checkpoint_header *h = NULL;
    if (c->restore_path != NULL) {
        h = g_new0(struct checkpoint_header, 1);
        char *plugin_state = NULL, why[512];
        bool ok = checkpoint_file_read(c->restore_path, h, &plugin_state, err, err_size);
        if (ok && strcmp(h->backdoor_version, BACKDOOR_VERSION) != 0) {
            snprintf(err, err_size, "restore=%s: it was saved by backdoor %s; this is backdoor "
                     "%s, whose state may differ", c->restore_path, h->backdoor_version,
                     BACKDOOR_VERSION);
            ok = false;
        } else if (ok && strcmp(h->target, c->target) != 0) {
            snprintf(err, err_size, "restore=%s: it is a machine of %s; this QEMU runs %s",
                     c->restore_path, h->target, c->target);
            ok = false;
        } else if (ok && (!restore_pending(plugin_state, why, sizeof why) ||
                          !roi_state_restore(plugin_state, count_now, why, sizeof why))) {
            snprintf(err, err_size, "restore=%s: %s", c->restore_path, why);
            ok = false;
        }
        free(plugin_state);
        if (!ok) {
            checkpoint_header_free(h);
            g_free(h);
            return false;
        }
    }
    enabled = c->dir != NULL;
    stats.dir = c->dir;
    stats.restored_from = c->restore_path;
    if (wanted) {
        atexit(remove_unfinished);
        pthread_t thread;
        int e = pthread_create(&thread, NULL, worker, h);
        if (e != 0) {
            snprintf(err, err_size, "checkpoints: cannot start a thread: %s", strerror(e));
            return false;
        }
        pthread_detach(thread);
    }
    return true;
}

/* A name the guest may give: one path component, as for writefile. */
static bool plain_name(const uint8_t *name, size_t len)
{
    if (len == 0 || len > NAME_MAX_BYTES || memchr(name, '/', len) != NULL ||
        memchr(name, '\0', len) != NULL) {
        return false;
    }
    return !(len == 1 && name[0] == '.') && !(len == 2 && name[0] == '.' && name[1] == '.');
}

void builtin_checkpoint(struct call_ctx *ctx)
{
    struct backdoor_call *call = &ctx->call;
    ctx->text = (const char *)call->data;
    ctx->text_len = call->data_len > NAME_MAX_BYTES ? NAME_MAX_BYTES : call->data_len;
    if (!enabled && __atomic_load_n(&state, __ATOMIC_ACQUIRE) != DONE) {
        /* As readfile without readfile=: nobody answers, whatever the name. */
        ctx->status = BACKDOOR_STATUS_NO_CHECKPOINT;
        return;
    }
    if (!plain_name(call->data, call->data_len)) {
        ctx->status = BACKDOOR_STATUS_INVALID;
        return;
    }
    pthread_mutex_lock(&lock);
    bool same = strlen(pending_name) == call->data_len &&
                memcmp(pending_name, call->data, call->data_len) == 0;
    if (state != IDLE && same) {
        /* Open regions count neither the wait nor where in it QEMU
         * stopped the machine: the same in every run. */
        wait_mark = roi_exclude_since(ctx, wait_mark);
    }
    if (state == DONE && same) {
        /* A restored run answers here even without checkpoint-dir=. */
        state = IDLE;
        ctx->status = outcome;
        call->result = outcome_result;
    } else if (!enabled) {
        ctx->status = BACKDOOR_STATUS_NO_CHECKPOINT;
    } else if (state == IDLE) {
        memcpy(pending_name, call->data, call->data_len);
        pending_name[call->data_len] = '\0';
        wait_mark = roi_mark_now(ctx);
        state = SAVING;
        pthread_cond_signal(&wake);
        ctx->status = BACKDOOR_STATUS_PENDING;
    } else {
        ctx->status = BACKDOOR_STATUS_PENDING;
    }
    pthread_mutex_unlock(&lock);
    if (ctx->status == BACKDOOR_STATUS_PENDING) {
        sleep_ms(1);
    }
}

void checkpoint_stats(struct checkpoint_stats *out)
{
    pthread_mutex_lock(&lock);
    *out = stats;
    pthread_mutex_unlock(&lock);
}

bool checkpoint_restore_handler(char *err, size_t err_size)
{
    if (restored_handler_state == NULL) {
        return true;
    }
    bool ok = handler_restore(restored_handler_state->data, restored_handler_state->len, err,
                              err_size);
    g_byte_array_free(restored_handler_state, TRUE);
    restored_handler_state = NULL;
    return ok;
}

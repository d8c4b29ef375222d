/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QEMU's machine protocol, spoken to the QEMU we run in through the socket
 * it was started with (-qmp unix:PATH,server=on,wait=off). The plugin API
 * cannot stop, save or load a machine; QMP can, and QEMU answers it from
 * its main loop while vCPUs run, so only a thread of the plugin's own may
 * wait for the answers (a vCPU waiting would never let QEMU stop it).
 */
#ifndef BACKDOOR_PLUGIN_QEMU_QMP_H
#define BACKDOOR_PLUGIN_QEMU_QMP_H

#include <stdbool.h>
#include <stddef.h>

struct qmp;

/* Connects (waiting up to timeout_ms for QEMU to make the socket) and
 * leaves the greeting's capability negotiation; NULL with a message. */
struct qmp *qmp_connect(const char *path, int timeout_ms, char *err, size_t err_size);
void qmp_close(struct qmp *q);

/*
 * Sends one command, a JSON object as text, and waits for its answer,
 * skipping QEMU's events. True on "return", with the answer's text in
 * reply (cut to reply_size); false on "error" or a broken connection, with
 * QEMU's description in err.
 */
bool qmp_execute(struct qmp *q, const char *command, char *reply, size_t reply_size, char *err,
                 size_t err_size);

/* The string value of "key" in an answer's text, the first one found;
 * false if none. QMP's answers used here are flat enough for this. */
bool qmp_string(const char *reply, const char *key, char *value, size_t value_size);

/* The number value of "key", the first one found. */
bool qmp_number(const char *reply, const char *key, long long *value);

#endif

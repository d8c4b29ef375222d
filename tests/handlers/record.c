/* SPDX-License-Identifier: MIT */
/*
 * Test handler (project ABI): appends one line per call to the file named by
 * handler-arg=log=PATH, and answers the commands of tests/guest/
 * test_commands.h. Every service of struct backdoor_host is reachable from a
 * guest through one of them.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <backdoor/host.h>

#include "test_commands.h"

BACKDOOR_HANDLER_ABI;

static FILE *log_file;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static const struct backdoor_host *host;

int backdoor_handler_init(const struct backdoor_host *h, int argc, char **argv)
{
    host = h;
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], "log=", 4) == 0) {
            log_file = fopen(argv[i] + 4, "w");
            if (log_file == NULL) {
                h->log("cannot open %s", argv[i] + 4);
                return 2;
            }
        } else if (strcmp(argv[i], "fail") == 0) {
            h->log("init refuses on request");
            return 7;
        } else {
            h->log("unknown handler argument '%s'", argv[i]);
            return 1;
        }
    }
    h->log("record handler ready (plugin API %d, target %s, %s mode)",
           h->plugin_api, h->target, h->system_mode ? "system" : "user");
    return 0;
}

static void record(const struct backdoor_call *call)
{
    if (log_file == NULL) {
        return;
    }
    pthread_mutex_lock(&log_lock);
    fprintf(log_file, "%d %" PRIu32, (int)call->type, call->command);
    for (unsigned i = 0; i < call->nargs; i++) {
        fprintf(log_file, " %" PRIu64, call->args[i]);
    }
    if (call->type == BACKDOOR_CALL_SEND) {
        fprintf(log_file, " data=%zu", call->data_len);
    }
    fputc('\n', log_file);
    pthread_mutex_unlock(&log_lock);
}

int backdoor_handler_call(struct backdoor_call *call)
{
    record(call);
    const uint64_t *a = call->args;
    switch (call->type == BACKDOOR_CALL_I8 || call->type == BACKDOOR_CALL_I8_V32
                ? 0 : call->command) {
    case 0:
        return BACKDOOR_HANDLED;
    case CMD_MIX:
        call->result = test_mix(a[0], a[1], a[2], a[3]);
        return BACKDOOR_HANDLED;
    case CMD_FILL:
        for (size_t i = 0; i < call->out_capacity; i++) {
            call->out[i] = (uint8_t)(i * 7 + a[2]);
        }
        call->out_len = call->out_capacity;
        return BACKDOOR_HANDLED;
    case CMD_CHECKSUM:
        call->result = test_checksum(call->data, call->data_len);
        return BACKDOOR_HANDLED;
    case CMD_READ_REG: {
        char name[32] = {0};
        uint64_t value = 0;
        if (!host->read_memory(a[0], name, a[1] < sizeof name - 1 ? a[1] : sizeof name - 1) ||
            !host->read_register(name, &value)) {
            call->result = (uint64_t)-1;
        } else {
            call->result = value;
        }
        return BACKDOOR_HANDLED;
    }
    case CMD_WRITE_MEM:
        call->result = host->write_memory(a[0], &a[2], a[1] < 8 ? a[1] : 8) ? 0 : (uint64_t)-14;
        return BACKDOOR_HANDLED;
    case CMD_READ_MEM: {
        uint64_t value = 0;
        call->result = host->read_memory(a[0], &value, 8) ? value : (uint64_t)-14;
        return BACKDOOR_HANDLED;
    }
    case CMD_WRITE_REG: {
        char name[32] = {0};
        if (!host->read_memory(a[0], name, 8)) {
            call->result = (uint64_t)-14;
        } else {
            call->result = host->write_register(name, a[1]) ? 0 : (uint64_t)-1;
        }
        return BACKDOOR_HANDLED;
    }
    case CMD_EVENT:
        host->emit_event("guest-event", a[0]);
        return BACKDOOR_HANDLED;
    case CMD_EXIT:
        host->request_exit((int)a[0]);
        return BACKDOOR_HANDLED;
    case CMD_PRIVILEGE:
        call->result = (uint64_t)(int64_t)host->privilege_level();
        return BACKDOOR_HANDLED;
    case CMD_VCPU:
        call->result = call->vcpu;
        return BACKDOOR_HANDLED;
    default:
        return BACKDOOR_UNHANDLED;
    }
}

void backdoor_handler_fini(void)
{
    if (log_file != NULL) {
        fclose(log_file);
        log_file = NULL;
    }
}

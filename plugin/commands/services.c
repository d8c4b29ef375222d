/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The services handler libraries call (struct backdoor_host). Memory and
 * register services act on the vCPU of the call in progress on this thread,
 * which is also the only context where QEMU allows them.
 */
#include "commands/services.h"

#include <stdarg.h>
#include <stdio.h>

#include "commands/call.h"
#include "commands/commands.h"
#include "qemu/memory.h"
#include "qemu/registers.h"
#include "output/log.h"
#include "output/report.h"

static bool service_read_memory(uint64_t vaddr, void *buf, size_t len)
{
    struct call_ctx *ctx = call_current();
    return ctx != NULL && len <= commands.max_buffer &&
           guest_read(ctx->vcpu, vaddr, buf, len);
}

static bool service_write_memory(uint64_t vaddr, const void *buf, size_t len)
{
    struct call_ctx *ctx = call_current();
    return ctx != NULL && len <= commands.max_buffer &&
           guest_write(ctx->vcpu, vaddr, buf, len);
}

static bool service_read_register(const char *name, uint64_t *value)
{
    struct call_ctx *ctx = call_current();
    return ctx != NULL && reg_read_by_name(ctx->vcpu, name, value);
}

static bool service_write_register(const char *name, uint64_t value)
{
    struct call_ctx *ctx = call_current();
    return ctx != NULL && reg_write_by_name(ctx->vcpu, name, value);
}

static int service_privilege_level(void)
{
    struct call_ctx *ctx = call_current();
    return ctx != NULL ? guest_privilege_level(ctx->vcpu) : -1;
}

static void service_emit_event(const char *name, uint64_t value)
{
    struct call_ctx *ctx = call_current();
    if (ctx != NULL && name != NULL) {
        report_handler_event(ctx->vcpu->output, ctx->vcpu_index, name, value);
    }
}

int commands_exit_request;

void commands_request_exit(enum exit_reason reason, int status)
{
    int none = 0; /* the first request wins */
    __atomic_compare_exchange_n(&commands_exit_request, &none,
                                (int)reason << 16 | ((status & 0xff) + 1), false,
                                __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

const char *commands_exit_reason(int request)
{
    return request >> 16 == EXIT_COMMAND ? "exit command" : "handler exit request";
}

static void service_request_exit(int status)
{
    commands_request_exit(EXIT_HANDLER_REQUEST, status);
}

static void service_log(const char *format, ...)
{
    char line[1024];
    va_list args;
    va_start(args, format);
    vsnprintf(line, sizeof line, format, args);
    va_end(args);
    plugin_log("handler: %s", line);
}

static bool service_address_space(uint64_t *asid)
{
    struct call_ctx *ctx = call_current();
    return ctx != NULL && asid != NULL && guest_address_space(ctx->vcpu, asid);
}

struct backdoor_host services_host;

void services_init(void)
{
    services_host = (struct backdoor_host){
    .abi_version = BACKDOOR_HOST_ABI_VERSION,
    .plugin_api = commands.api,
    .system_mode = commands.system_mode,
    .target = commands.target,
    .features = commands.features,
    .read_memory = service_read_memory,
    .write_memory = service_write_memory,
    .read_register = service_read_register,
    .write_register = service_write_register,
    .privilege_level = service_privilege_level,
    .emit_event = service_emit_event,
    .request_exit = service_request_exit,
    .log = service_log,
    .address_space = service_address_space,
    .max_buffer = commands.max_buffer,
    };
}

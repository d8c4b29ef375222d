/* SPDX-License-Identifier: MIT */
/*
 * backdoor/host.h - write a handler library for the backdoor QEMU plugin.
 *
 * A handler is a shared library the plugin loads at start-up
 * (qemu-backdoor --handler=./libmine.so, or -plugin
 * libbackdoor.so,handler=./libmine.so). It answers the requests a guest sends
 * with backdoor/guest.h: the seed's BACKDOOR_i8/BACKDOOR_i8_v32 calls and the
 * extended commands 0x0800..0xffff. Its entry points are declared below, in
 * C and C++ alike: BACKDOOR_HANDLER_ABI and backdoor_handler_call are
 * required, backdoor_handler_init and backdoor_handler_fini optional.
 *
 * Build it as position-independent shared library:
 *
 *   cc  -fPIC -shared -o libmine.so mine.c  $(pkg-config --cflags backdoor)
 *   c++ -fPIC -shared -o libmine.so mine.cc $(pkg-config --cflags backdoor)
 *
 * (-Iinclude in place of pkg-config in this repository.) The declarations
 * below carry BACKDOOR_HANDLER_EXPORT, so the entry points stay exported when
 * the library is compiled with -fvisibility=hidden, provided their
 * definitions see these declarations (include this header first); writing
 * BACKDOOR_HANDLER_EXPORT on the definitions says so where they are.
 *
 * A library built in 2010 for the seed patch, exporting only
 * helper_backdoor_i8(uint8_t) and/or helper_backdoor_i8_v32(uint8_t,
 * uint32_t), is accepted too and receives the seed's two call types.
 *
 * Threads: in system mode with several vCPUs, and in user mode with several
 * guest threads, backdoor_handler_call runs concurrently on the vCPU threads.
 * Protect shared state. Every service below may be called from it.
 *
 * Copyright (c) 2026 The backdoor developers
 *
 * Permission is hereby granted, free of charge, to any person obtaining a
 * copy of this software and associated documentation files (the "Software"),
 * to deal in the Software without restriction, including without limitation
 * the rights to use, copy, modify, merge, publish, distribute, sublicense,
 * and/or sell copies of the Software, and to permit persons to whom the
 * Software is furnished to do so, subject to the following conditions:
 *
 * The above copyright notice and this permission notice shall be included in
 * all copies or substantial portions of the Software.
 *
 * THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
 * IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
 * FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL
 * THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
 * LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING
 * FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER
 * DEALINGS IN THE SOFTWARE.
 */
#ifndef BACKDOOR_HOST_H
#define BACKDOOR_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ops.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Incremented whenever struct backdoor_call or struct backdoor_host change
 * incompatibly; the plugin refuses a library built for another version.
 */
#define BACKDOOR_HOST_ABI_VERSION 1

/* The request types of ops.h, under the names handlers have used. */
enum backdoor_call_type {
    BACKDOOR_CALL_I8 = BACKDOOR_TYPE_I8,         /* seed BACKDOOR_i8 */
    BACKDOOR_CALL_I8_V32 = BACKDOOR_TYPE_I8_V32, /* seed BACKDOOR_i8_v32 */
    BACKDOOR_CALL_CALL = BACKDOOR_TYPE_CALL,     /* backdoor_callN */
    BACKDOOR_CALL_SEND = BACKDOOR_TYPE_SEND,     /* backdoor_send */
    BACKDOOR_CALL_RECV = BACKDOOR_TYPE_RECV,     /* backdoor_recv */
};

/* What backdoor_handler_call returns. */
enum backdoor_disposition {
    BACKDOOR_HANDLED = 0,   /* call->result goes back to the guest */
    BACKDOOR_UNHANDLED = 1, /* not mine: the guest gets BACKDOOR_ENOSYS */
    BACKDOOR_FAILED = 2,    /* mine, but it failed, and the handler has
                             * said why on the log: the guest gets
                             * BACKDOOR_EIO and the summary counts a
                             * handler error. Any other value means the
                             * same, with a line from the plugin naming
                             * the value. */
};

struct backdoor_host;

/*
 * One request, as the guest issued it. Valid only during the call.
 *
 * Buffers: for BACKDOOR_CALL_SEND and BACKDOOR_CALL_RECV, args[0] is the
 * guest address of the buffer and args[1] its length (send) or capacity
 * (receive), as the guest passed them to backdoor_send/backdoor_recv;
 * args[2] and args[3] are the two extra words of backdoor_send4/
 * backdoor_recv4. The plugin has checked the buffer (mapped, at most
 * max-buffer bytes) before the handler runs: a bad one never reaches it.
 *
 * Results: the guest receives result as one register (word-sized: a 32-bit
 * guest gets the low 32 bits). Any value is allowed, but guests test for
 * failure as from Linux system calls: BACKDOOR_IS_ERROR (guest.h) is true
 * for -4095..-1. So report a failure as a negated errno value
 * (call->result = (uint64_t)(int64_t)-EIO) and keep successful results out
 * of that range. The plugin's own errors (BACKDOOR_EPERM, BACKDOOR_E2BIG,
 * BACKDOOR_EFAULT, BACKDOOR_EINVAL, BACKDOOR_ENOSYS in ops.h) are such
 * values too.
 */
struct backdoor_call {
    unsigned int vcpu;            /* vCPU index (user mode: guest thread) */
    uint64_t pc;                  /* guest virtual address of the request */
    enum backdoor_call_type type;
    uint32_t command;             /* i8 for seed types, else 0x0800..0xffff */
    unsigned int nargs;           /* valid entries in args[] */
    uint64_t args[BACKDOOR_EXT_MAX_ARGS]; /* seed i8_v32: args[0] = v32 */

    /* BACKDOOR_CALL_SEND: the guest's args[1] bytes at args[0], already
     * copied. */
    const uint8_t *data;
    size_t data_len;

    /* BACKDOOR_CALL_RECV: out holds out_capacity (= args[1]) bytes of
     * uninitialised host memory; fill out[0..out_len). Those out_len bytes
     * are copied to the guest's buffer at args[0] when the call returns
     * BACKDOOR_HANDLED; an out_len above out_capacity is cut to
     * out_capacity. The guest receives result, or out_len if result is left
     * at 0. */
    uint8_t *out;
    size_t out_capacity;
    size_t out_len;

    /* The value the guest receives; starts at 0. Ignored for seed types. */
    uint64_t result;

    const struct backdoor_host *host;
};

/*
 * Services of the plugin, valid from init to fini. Guest memory and register
 * services act on the vCPU that issued the current call, so they work only
 * from inside backdoor_handler_call; elsewhere they fail.
 */
struct backdoor_host {
    uint32_t abi_version; /* BACKDOOR_HOST_ABI_VERSION of the plugin */
    int plugin_api;       /* QEMU plugin API level in use (4, 5, ...) */
    bool system_mode;     /* full-system emulation, else user mode */
    const char *target;   /* QEMU target name: "x86_64", "i386", ... */
    uint32_t features;    /* BACKDOOR_FEATURE_* the guest can see */

    /* Copy len bytes of guest virtual memory; false if any byte is not
     * mapped (nothing is copied then). */
    bool (*read_memory)(uint64_t vaddr, void *buf, size_t len);
    /* Write len bytes to guest virtual memory, all or nothing; false if a
     * byte is not mapped or the QEMU in use cannot write (plugin API < 5). */
    bool (*write_memory)(uint64_t vaddr, const void *buf, size_t len);
    /* Registers by their QEMU/gdb name ("rax", "x0", "a0", "pc", ...). */
    bool (*read_register)(const char *name, uint64_t *value);
    bool (*write_register)(const char *name, uint64_t value);
    /* Privilege of the calling code: x86 CPL 0-3, Arm EL 0-3, RISC-V 0
     * (user), 1 (supervisor), 3 (machine); -1 when unknown. User mode: the
     * user level of the architecture. */
    int (*privilege_level)(void);
    /* Add {"event":"handler","name":name,"value":value} to the event log
     * and the trace, stamped with time and vCPU. */
    void (*emit_event)(const char *name, uint64_t value);
    /* Flush every output and end the emulation with this exit status once
     * the current call returns. */
    void (*request_exit)(int status);
    /* printf-style message on the plugin's log (QEMU's stderr). */
    void (*log)(const char *format, ...)
#if defined(__GNUC__)
        __attribute__((__format__(__printf__, 1, 2)))
#endif
        ;
    /* The calling code's address space, as the event log's "asid" (x86
     * CR3, Arm TTBR0, RISC-V satp, without flag bits); false when there is
     * none to tell (user mode) or outside a call. This and the fields below
     * were added after the others; every plugin of this ABI version that
     * loads Python handlers provides them. */
    bool (*address_space)(uint64_t *asid);
    /* The max-buffer option: the longest buffer a guest may pass, and the
     * most read_memory and write_memory move at once. */
    uint64_t max_buffer;
};

/*
 * Marks a symbol the plugin looks up, so that it is exported even from a
 * library compiled with -fvisibility=hidden.
 */
#if defined(__GNUC__)
#define BACKDOOR_HANDLER_EXPORT __attribute__((__visibility__("default")))
#else
#define BACKDOOR_HANDLER_EXPORT
#endif

/*
 * Put this at file scope in exactly one source file of the library, C or
 * C++. It exports the ABI version the library was built against; a library
 * that exports backdoor_handler_call without it is refused.
 */
#ifdef __cplusplus
#define BACKDOOR_HANDLER_ABI                                                   \
    extern "C" BACKDOOR_HANDLER_EXPORT const uint32_t                         \
        backdoor_handler_abi_version = BACKDOOR_HOST_ABI_VERSION
#else
#define BACKDOOR_HANDLER_ABI                                                   \
    BACKDOOR_HANDLER_EXPORT const uint32_t backdoor_handler_abi_version =     \
        BACKDOOR_HOST_ABI_VERSION
#endif

/* Defined by BACKDOOR_HANDLER_ABI. */
BACKDOOR_HANDLER_EXPORT extern const uint32_t backdoor_handler_abi_version;

/*
 * Optional. Runs once at start-up, before the guest runs, with the
 * handler-arg values in the order given (argc of them; copy what you keep).
 * host stays valid until backdoor_handler_fini returns. Return 0 to accept;
 * any other value refuses: QEMU does not start, and its message names the
 * library and the value ("backdoor_handler_init failed (returned 2)"), so
 * log the reason through host->log first.
 */
BACKDOOR_HANDLER_EXPORT int backdoor_handler_init(const struct backdoor_host *host,
                                                  int argc, char **argv);

/*
 * Required. Answers one request: fill call->result (and call->out for a
 * receive) and return BACKDOOR_HANDLED, or return BACKDOOR_UNHANDLED for
 * a command that is not yours. Built-in commands (below 0x0800) never reach
 * it; seed calls (BACKDOOR_CALL_I8, BACKDOOR_CALL_I8_V32) do.
 */
BACKDOOR_HANDLER_EXPORT int backdoor_handler_call(struct backdoor_call *call);

/*
 * Optional. Runs once when the emulation ends (guest exit, the exit
 * built-in, request_exit, SIGINT/SIGTERM/SIGHUP), after the summary is
 * written and before the event log and trace are closed.
 */
BACKDOOR_HANDLER_EXPORT void backdoor_handler_fini(void);

/*
 * Optional, for checkpoints (docs/checkpoints.md). save runs while the
 * machine is stopped for a checkpoint: return your state as len bytes in
 * memory from malloc (the plugin frees it and stores it in the checkpoint),
 * or NULL with len 0 for none. restore runs in a run restored from that
 * checkpoint, after backdoor_handler_init and before the guest runs, with
 * those bytes; return 0 to accept, anything else refuses the restore (QEMU
 * does not start). Without them a handler starts afresh in a restored run.
 */
BACKDOOR_HANDLER_EXPORT void *backdoor_handler_save(size_t *len);
BACKDOOR_HANDLER_EXPORT int backdoor_handler_restore(const void *data, size_t len);

typedef int (*backdoor_handler_init_fn)(const struct backdoor_host *host,
                                        int argc, char **argv);
typedef int (*backdoor_handler_call_fn)(struct backdoor_call *call);
typedef void (*backdoor_handler_fini_fn)(void);
typedef void *(*backdoor_handler_save_fn)(size_t *len);
typedef int (*backdoor_handler_restore_fn)(const void *data, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* BACKDOOR_HOST_H */

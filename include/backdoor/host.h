/* SPDX-License-Identifier: MIT */
/*
 * backdoor/host.h - write a handler library for the backdoor QEMU plugin.
 *
 * A handler is a shared library the plugin loads at start-up
 * (-plugin libbackdoor.so,handler=./libmine.so). It answers the requests a
 * guest sends with backdoor/guest.h: the seed's BACKDOOR_i8/BACKDOOR_i8_v32
 * calls and the extended commands 0x0800..0xffff. A library exports:
 *
 *   BACKDOOR_HANDLER_ABI;                        - required, states the ABI
 *   int  backdoor_handler_init(const struct backdoor_host *host,
 *                              int argc, char **argv);   - optional
 *   int  backdoor_handler_call(struct backdoor_call *call);  - required
 *   void backdoor_handler_fini(void);            - optional
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
};

struct backdoor_host;

/* One request, as the guest issued it. Valid only during the call. */
struct backdoor_call {
    unsigned int vcpu;            /* vCPU index (user mode: guest thread) */
    uint64_t pc;                  /* guest virtual address of the request */
    enum backdoor_call_type type;
    uint32_t command;             /* i8 for seed types, else 0x0800..0xffff */
    unsigned int nargs;           /* valid entries in args[] */
    uint64_t args[BACKDOOR_EXT_MAX_ARGS]; /* seed i8_v32: args[0] = v32 */

    /* BACKDOOR_CALL_SEND: the guest's bytes, already copied. */
    const uint8_t *data;
    size_t data_len;

    /* BACKDOOR_CALL_RECV: fill out[0..out_len), out_len <= out_capacity.
     * The guest receives result, or out_len if result is left at 0. */
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
};

/*
 * Put this at file scope in exactly one source file of the library. It
 * exports the ABI version the library was built against.
 */
#define BACKDOOR_HANDLER_ABI                                                   \
    __attribute__((__visibility__("default"))) const uint32_t                  \
        backdoor_handler_abi_version = BACKDOOR_HOST_ABI_VERSION

typedef int (*backdoor_handler_init_fn)(const struct backdoor_host *host,
                                        int argc, char **argv);
typedef int (*backdoor_handler_call_fn)(struct backdoor_call *call);
typedef void (*backdoor_handler_fini_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* BACKDOOR_HOST_H */

/* SPDX-License-Identifier: MIT */
/*
 * backdoor/guest.h - issue backdoor requests from code running inside QEMU.
 *
 * A freestanding header (it needs only ops.h, <stdint.h> and <stdarg.h>)
 * for user programs, kernels and bare-metal firmware, in C99 or
 * later and in C++. Each request is one magic instruction that does nothing
 * on real hardware; under QEMU with the backdoor plugin it reaches the host.
 * Every request that returns a value takes a default, returned unchanged when
 * no host answers (native run, QEMU without the plugin, or a QEMU whose plugin
 * API cannot write guest registers). docs/abi.md is the full specification.
 *
 * In a Linux kernel module (kbuild defines __KERNEL__) it takes its types
 * from <linux/types.h>; any context works, interrupts included.
 *
 * Define BACKDOOR_DISABLE before including this file to compile every request
 * to nothing, like NDEBUG for assert() or NVALGRIND for valgrind.h.
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
#ifndef BACKDOOR_GUEST_H
#define BACKDOOR_GUEST_H

/* Linux kernel code (a module) has no libc headers: the kernel's own
 * provide the same types. */
#if defined(__KERNEL__)
#include <linux/stdarg.h>
#include <linux/types.h>
#else
#include <stdarg.h>
#include <stdint.h>
#endif

/* The ABI: encoding, request types, commands, features, errors. */
#include "ops.h"

#define BACKDOOR_IS_ERROR(result) \
    ((backdoor_word_t)(result) > (backdoor_word_t)-4096)

#ifdef __cplusplus
extern "C" {
#endif

/* A word is the width of a guest general-purpose register. */
typedef uintptr_t backdoor_word_t;

/*
 * Requests must be inlined into their caller: a constant command or argument
 * reaches the magic instruction as an immediate only then.
 */
#if defined(__GNUC__)
#define BACKDOOR_IMPL_INLINE static inline __attribute__((__always_inline__))
#else
#define BACKDOOR_IMPL_INLINE static inline
#endif

/*
 * backdoor_impl_request() is the one primitive each architecture provides: it
 * issues LEAF/SELECTOR with nargs (0..4) arguments, preloads the result
 * register with dflt, and returns what is in it afterwards.
 */
#if defined(BACKDOOR_DISABLE)

BACKDOOR_IMPL_INLINE backdoor_word_t backdoor_impl_request(
    uint32_t leaf, uint32_t selector, unsigned nargs, backdoor_word_t a0,
    backdoor_word_t a1, backdoor_word_t a2, backdoor_word_t a3,
    backdoor_word_t dflt)
{
    (void)leaf, (void)selector, (void)nargs;
    (void)a0, (void)a1, (void)a2, (void)a3;
    return dflt;
}

BACKDOOR_IMPL_INLINE uint32_t backdoor_impl_seed(uint32_t leaf, uint32_t v32)
{
    (void)leaf, (void)v32;
    return 0;
}

#elif defined(__x86_64__) || defined(__i386__)

/*
 * x86 (i386 and x86-64): the magic instruction is CPUID, which the CPU
 * answers harmlessly for any leaf. Register map:
 *   leaf EAX, selector ECX, args EDX EBX EDI EBP(i386)/R8(x86-64), result ESI.
 * CPUID itself overwrites EAX, EBX, ECX and EDX; ESI is written by the host.
 *
 * When leaf, selector and arguments are compile-time constants, their
 * immediate loads are emitted inside the asm, right before CPUID, so the
 * plugin can decode the request when it translates the code (docs/abi.md,
 * "Requests decoded at translation time"). Otherwise the compiler places the
 * values in the registers and the plugin reads them when CPUID executes.
 */
#if defined(__x86_64__)
#define BACKDOOR_IMPL_ABI32 0u
#define BACKDOOR_IMPL_CONST_ARG(v) (__builtin_constant_p(v) && (v) <= 0xffffffffu)
#else
#define BACKDOOR_IMPL_ABI32 BACKDOOR_EXT_ABI32
#define BACKDOOR_IMPL_CONST_ARG(v) __builtin_constant_p(v)
#endif
#define BACKDOOR_IMPL_CONST(v) __builtin_constant_p(v)
/* Loads constant argument i only if the call has that many (assembler .if
 * on the nargs operand): the plugin reads no more than nargs anyway. */
#define BACKDOOR_IMPL_LOAD_ARG(i, reg) \
    ".if %c[n] > " #i "\n\tmovl %[a" #i "], %%" reg "\n\t.endif\n\t"

BACKDOOR_IMPL_INLINE uint32_t backdoor_impl_seed(uint32_t leaf, uint32_t v32)
{
    uint32_t eax, ebx, ecx, edx;
    if (BACKDOOR_IMPL_CONST(leaf) && BACKDOOR_IMPL_CONST(v32))
        __asm__ __volatile__("movl %4, %%ecx\n\tmovl %5, %%eax\n\tcpuid"
                             : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx)
                             : "i"(v32), "i"(leaf)
                             : "memory");
    else if (BACKDOOR_IMPL_CONST(leaf))
        __asm__ __volatile__("movl %4, %%eax\n\tcpuid"
                             : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx)
                             : "i"(leaf), "2"(v32)
                             : "memory");
    else
        __asm__ __volatile__("cpuid"
                             : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx)
                             : "0"(leaf), "2"(v32)
                             : "memory");
    (void)ebx, (void)ecx, (void)edx;
    return eax;
}

#if defined(__x86_64__)
/* x86-64 has registers to spare, so every form is a single asm statement. */
BACKDOOR_IMPL_INLINE backdoor_word_t backdoor_impl_request(
    uint32_t leaf, uint32_t selector, unsigned nargs, backdoor_word_t a0,
    backdoor_word_t a1, backdoor_word_t a2, backdoor_word_t a3,
    backdoor_word_t dflt)
{
    backdoor_word_t result = dflt;
    uint32_t eax, ecx;
    backdoor_word_t rbx = a1, rdx = a0;
    if (BACKDOOR_IMPL_CONST(leaf) && BACKDOOR_IMPL_CONST(selector) &&
        BACKDOOR_IMPL_CONST_ARG(a0) && BACKDOOR_IMPL_CONST_ARG(a1) &&
        BACKDOOR_IMPL_CONST_ARG(a2) && BACKDOOR_IMPL_CONST_ARG(a3)) {
        __asm__ __volatile__(BACKDOOR_IMPL_LOAD_ARG(0, "edx")
                             BACKDOOR_IMPL_LOAD_ARG(1, "ebx")
                             BACKDOOR_IMPL_LOAD_ARG(2, "edi")
                             BACKDOOR_IMPL_LOAD_ARG(3, "r8d")
                             "movl %[sel], %%ecx\n\t"
                             "movl %[leaf], %%eax\n\t"
                             "cpuid"
                             : "+S"(result), "=a"(eax), "=c"(ecx), "=d"(rdx),
                               "=b"(rbx)
                             : [a0] "i"(a0), [a1] "i"(a1), [a2] "i"(a2),
                               [a3] "i"(a3), [sel] "i"(selector),
                               [leaf] "i"(leaf), [n] "i"(nargs)
                             : "rdi", "r8", "memory", "cc");
    } else if (BACKDOOR_IMPL_CONST(leaf) && BACKDOOR_IMPL_CONST(selector)) {
        register backdoor_word_t r8 __asm__("r8") = a3;
        __asm__ __volatile__("movl %[sel], %%ecx\n\t"
                             "movl %[leaf], %%eax\n\t"
                             "cpuid"
                             : "+S"(result), "=a"(eax), "=c"(ecx), "+d"(rdx),
                               "+b"(rbx), "+r"(r8)
                             : "D"(a2), [sel] "i"(selector), [leaf] "i"(leaf)
                             : "memory", "cc");
    } else {
        register backdoor_word_t r8 __asm__("r8") = a3;
        eax = leaf;
        ecx = selector;
        __asm__ __volatile__("cpuid"
                             : "+S"(result), "+a"(eax), "+c"(ecx), "+d"(rdx),
                               "+b"(rbx), "+r"(r8)
                             : "D"(a2)
                             : "memory", "cc");
    }
    (void)eax, (void)ecx, (void)rdx, (void)rbx;
    return result;
}
#else
/*
 * i386 has one register too few: the fourth argument travels in EBP, which
 * may be the frame pointer, so it is swapped in around CPUID through the
 * stack. The push of arg3 reads its operand before ESP moves.
 */
#define BACKDOOR_IMPL_I386_WITH_EBP(body)                                      \
    "pushl %[a3]\n\tpushl %%ebp\n\tmovl 4(%%esp), %%ebp\n\t" body              \
    "\n\tpopl %%ebp\n\tleal 4(%%esp), %%esp"

BACKDOOR_IMPL_INLINE backdoor_word_t backdoor_impl_request(
    uint32_t leaf, uint32_t selector, unsigned nargs, backdoor_word_t a0,
    backdoor_word_t a1, backdoor_word_t a2, backdoor_word_t a3,
    backdoor_word_t dflt)
{
    backdoor_word_t result = dflt;
    uint32_t eax, ecx;
    backdoor_word_t ebx = a1, edx = a0;
    if (nargs < 4 && BACKDOOR_IMPL_CONST(leaf) && BACKDOOR_IMPL_CONST(selector) &&
        BACKDOOR_IMPL_CONST_ARG(a0) && BACKDOOR_IMPL_CONST_ARG(a1) &&
        BACKDOOR_IMPL_CONST_ARG(a2)) {
        __asm__ __volatile__(BACKDOOR_IMPL_LOAD_ARG(0, "edx")
                             BACKDOOR_IMPL_LOAD_ARG(1, "ebx")
                             BACKDOOR_IMPL_LOAD_ARG(2, "edi")
                             "movl %[sel], %%ecx\n\t"
                             "movl %[leaf], %%eax\n\t"
                             "cpuid"
                             : "+S"(result), "=a"(eax), "=c"(ecx), "=d"(edx),
                               "=b"(ebx)
                             : [a0] "i"(a0), [a1] "i"(a1), [a2] "i"(a2),
                               [sel] "i"(selector), [leaf] "i"(leaf),
                               [n] "i"(nargs)
                             : "edi", "memory", "cc");
    } else if (nargs < 4 && BACKDOOR_IMPL_CONST(leaf) &&
               BACKDOOR_IMPL_CONST(selector)) {
        __asm__ __volatile__("movl %[sel], %%ecx\n\t"
                             "movl %[leaf], %%eax\n\t"
                             "cpuid"
                             : "+S"(result), "=a"(eax), "=c"(ecx), "+d"(edx),
                               "+b"(ebx)
                             : "D"(a2), [sel] "i"(selector), [leaf] "i"(leaf)
                             : "memory", "cc");
    } else if (nargs < 4) {
        eax = leaf;
        ecx = selector;
        __asm__ __volatile__("cpuid"
                             : "+S"(result), "+a"(eax), "+c"(ecx), "+d"(edx),
                               "+b"(ebx)
                             : "D"(a2)
                             : "memory", "cc");
    } else if (BACKDOOR_IMPL_CONST(leaf) && BACKDOOR_IMPL_CONST(selector)) {
        __asm__ __volatile__(
            BACKDOOR_IMPL_I386_WITH_EBP("movl %[sel], %%ecx\n\t"
                                        "movl %[leaf], %%eax\n\tcpuid")
            : "+S"(result), "=a"(eax), "=c"(ecx), "+d"(edx), "+b"(ebx)
            : "D"(a2), [a3] "g"(a3), [sel] "i"(selector), [leaf] "i"(leaf)
            : "memory", "cc");
    } else {
        eax = leaf;
        ecx = selector;
        __asm__ __volatile__(BACKDOOR_IMPL_I386_WITH_EBP("cpuid")
                             : "+S"(result), "+a"(eax), "+c"(ecx), "+d"(edx),
                               "+b"(ebx)
                             : "D"(a2), [a3] "g"(a3)
                             : "memory", "cc");
    }
    (void)eax, (void)ecx, (void)edx, (void)ebx;
    return result;
}
#endif

#elif defined(__aarch64__) || (defined(__riscv) && __riscv_xlen == 64)

/*
 * aarch64 and riscv64: the magic instruction does nothing on hardware and
 * no compiler emits it (docs/abi.md, "Magic instructions"):
 *   aarch64  orr xzr, x17, x16, ror #42    (0xaad0aa3f: writes the zero register)
 *   riscv64  sltiu zero, zero, 0x5a5       (0x5a503013: a HINT for custom use)
 * Register map, the C calling convention of f(dflt, leaf, selector, a0..a3):
 *   aarch64  result/default x0, leaf x1, selector x2, args x3 x4 x5 x6
 *   riscv64  result/default a0, leaf a1, selector a2, args a3 a4 a5 a6
 * The instruction writes none of them, so a result the host writes before
 * it executes reaches the guest.
 */
#if defined(__aarch64__)
#define BACKDOOR_IMPL_MAGIC "orr xzr, x17, x16, ror #42"
#define BACKDOOR_IMPL_R(n) "x" #n
#else
#define BACKDOOR_IMPL_MAGIC "sltiu zero, zero, 0x5a5"
#define BACKDOOR_IMPL_R(n) "a" #n
#endif

BACKDOOR_IMPL_INLINE backdoor_word_t backdoor_impl_request(
    uint32_t leaf, uint32_t selector, unsigned nargs, backdoor_word_t a0,
    backdoor_word_t a1, backdoor_word_t a2, backdoor_word_t a3,
    backdoor_word_t dflt)
{
    register backdoor_word_t r_result __asm__(BACKDOOR_IMPL_R(0)) = dflt;
    register backdoor_word_t r_leaf __asm__(BACKDOOR_IMPL_R(1)) = leaf;
    register backdoor_word_t r_selector __asm__(BACKDOOR_IMPL_R(2)) = selector;
    register backdoor_word_t r_a0 __asm__(BACKDOOR_IMPL_R(3)) = a0;
    register backdoor_word_t r_a1 __asm__(BACKDOOR_IMPL_R(4)) = a1;
    register backdoor_word_t r_a2 __asm__(BACKDOOR_IMPL_R(5)) = a2;
    register backdoor_word_t r_a3 __asm__(BACKDOOR_IMPL_R(6)) = a3;
    (void)nargs;
    __asm__ __volatile__(BACKDOOR_IMPL_MAGIC
                         : "+r"(r_result)
                         : "r"(r_leaf), "r"(r_selector), "r"(r_a0), "r"(r_a1),
                           "r"(r_a2), "r"(r_a3)
                         : "memory");
    return r_result;
}

BACKDOOR_IMPL_INLINE uint32_t backdoor_impl_seed(uint32_t leaf, uint32_t v32)
{
    return (uint32_t)backdoor_impl_request(leaf, v32, 0, 0, 0, 0, 0, 0);
}

#else
#error "backdoor/guest.h: unsupported architecture (supported: x86-64, i386, aarch64, riscv64); define BACKDOOR_DISABLE to compile requests to nothing"
#endif

#ifndef BACKDOOR_IMPL_ABI32
#define BACKDOOR_IMPL_ABI32 0u
#endif

/* The seed's interface, unchanged in meaning: i8 = 0 is reserved. */
#define BACKDOOR_i8(i) backdoor_impl_seed(BACKDOOR_LEAF(0, (i)), 0)
#define BACKDOOR_i8_v32(i, v) \
    backdoor_impl_seed(BACKDOOR_LEAF(1, (i)), (uint32_t)(v))

#define BACKDOOR_IMPL_EXT_LEAF(type, nargs) \
    BACKDOOR_LEAF((type), BACKDOOR_EXT_MAGIC | BACKDOOR_IMPL_ABI32 | (nargs))

/*
 * The host reads and writes guest buffers through the page tables as they
 * stand when the call is made. Under an operating system that maps pages on
 * first use, a buffer the program never touched (a string constant not yet
 * read, fresh .bss or heap) is not mapped yet, and the raw backdoor_send
 * and backdoor_recv below answer BACKDOOR_EFAULT for it. The wrappers made
 * for valid buffers (backdoor_write, backdoor_print, backdoor_name_thread,
 * backdoor_checkpoint, backdoor_readfile, backdoor_writefile,
 * backdoor_host_info) touch each page first, as the kernel's own
 * copy_from_user would fault it in: a read of what the host reads, a write
 * of the same byte to what it writes (which also breaks copy-on-write). A
 * wild pointer then faults in the guest, as it would in memcpy.
 */
#define BACKDOOR_IMPL_PAGE ((backdoor_word_t)4096)

BACKDOOR_IMPL_INLINE void backdoor_impl_touch_read(const void *buf, backdoor_word_t len)
{
#if !defined(BACKDOOR_DISABLE)
    const volatile unsigned char *p = (const volatile unsigned char *)buf;
    backdoor_word_t i = 0;
    while (i < len) {
        (void)p[i];
        i += BACKDOOR_IMPL_PAGE - ((backdoor_word_t)(p + i) & (BACKDOOR_IMPL_PAGE - 1));
    }
#else
    (void)buf, (void)len;
#endif
}

BACKDOOR_IMPL_INLINE void backdoor_impl_touch_write(void *buf, backdoor_word_t len)
{
#if !defined(BACKDOOR_DISABLE)
    volatile unsigned char *p = (volatile unsigned char *)buf;
    backdoor_word_t i = 0;
    while (i < len) {
        p[i] = p[i];
        i += BACKDOOR_IMPL_PAGE - ((backdoor_word_t)(p + i) & (BACKDOOR_IMPL_PAGE - 1));
    }
#else
    (void)buf, (void)len;
#endif
}

/* The length of a NUL-terminated string, reading (so mapping) each byte. */
BACKDOOR_IMPL_INLINE backdoor_word_t backdoor_impl_strlen(const char *text)
{
    const volatile char *p = text;
    backdoor_word_t len = 0;
    while (p[len] != '\0')
        len++;
    return len;
}

/* Extended calls to handler commands (0x0800..0xffff) or built-ins. */
BACKDOOR_IMPL_INLINE backdoor_word_t backdoor_call0(uint16_t cmd, backdoor_word_t dflt)
{
    return backdoor_impl_request(BACKDOOR_IMPL_EXT_LEAF(BACKDOOR_TYPE_CALL, 0),
                                 BACKDOOR_SELECTOR(cmd), 0, 0, 0, 0, 0, dflt);
}

BACKDOOR_IMPL_INLINE backdoor_word_t backdoor_call1(uint16_t cmd, backdoor_word_t a0,
                                                    backdoor_word_t dflt)
{
    return backdoor_impl_request(BACKDOOR_IMPL_EXT_LEAF(BACKDOOR_TYPE_CALL, 1),
                                 BACKDOOR_SELECTOR(cmd), 1, a0, 0, 0, 0, dflt);
}

BACKDOOR_IMPL_INLINE backdoor_word_t backdoor_call2(uint16_t cmd, backdoor_word_t a0,
                                                    backdoor_word_t a1,
                                                    backdoor_word_t dflt)
{
    return backdoor_impl_request(BACKDOOR_IMPL_EXT_LEAF(BACKDOOR_TYPE_CALL, 2),
                                 BACKDOOR_SELECTOR(cmd), 2, a0, a1, 0, 0, dflt);
}

BACKDOOR_IMPL_INLINE backdoor_word_t backdoor_call3(uint16_t cmd, backdoor_word_t a0,
                                                    backdoor_word_t a1,
                                                    backdoor_word_t a2,
                                                    backdoor_word_t dflt)
{
    return backdoor_impl_request(BACKDOOR_IMPL_EXT_LEAF(BACKDOOR_TYPE_CALL, 3),
                                 BACKDOOR_SELECTOR(cmd), 3, a0, a1, a2, 0, dflt);
}

BACKDOOR_IMPL_INLINE backdoor_word_t backdoor_call4(uint16_t cmd, backdoor_word_t a0,
                                                    backdoor_word_t a1,
                                                    backdoor_word_t a2,
                                                    backdoor_word_t a3,
                                                    backdoor_word_t dflt)
{
    return backdoor_impl_request(BACKDOOR_IMPL_EXT_LEAF(BACKDOOR_TYPE_CALL, 4),
                                 BACKDOOR_SELECTOR(cmd), 4, a0, a1, a2, a3, dflt);
}

/*
 * Bulk data. send: the host reads len bytes at buf and returns the handler's
 * result. receive: the host writes at most cap bytes at buf and returns how
 * many. Both return BACKDOOR_EFAULT for a buffer that is not mapped (also
 * one the guest's kernel has not mapped yet: see backdoor_impl_touch_read)
 * and BACKDOOR_E2BIG above the host's size cap; no byte is copied then.
 */
BACKDOOR_IMPL_INLINE backdoor_word_t backdoor_send(uint16_t cmd, const void *buf,
                                                   backdoor_word_t len,
                                                   backdoor_word_t dflt)
{
    return backdoor_impl_request(BACKDOOR_IMPL_EXT_LEAF(BACKDOOR_TYPE_SEND, 2),
                                 BACKDOOR_SELECTOR(cmd), 2, (backdoor_word_t)buf,
                                 len, 0, 0, dflt);
}

BACKDOOR_IMPL_INLINE backdoor_word_t backdoor_recv(uint16_t cmd, void *buf,
                                                   backdoor_word_t cap,
                                                   backdoor_word_t dflt)
{
    return backdoor_impl_request(BACKDOOR_IMPL_EXT_LEAF(BACKDOOR_TYPE_RECV, 2),
                                 BACKDOOR_SELECTOR(cmd), 2, (backdoor_word_t)buf,
                                 cap, 0, 0, dflt);
}

/* The same with two more word arguments for the handler (an offset, ...). */
BACKDOOR_IMPL_INLINE backdoor_word_t backdoor_send4(uint16_t cmd, const void *buf,
                                                    backdoor_word_t len, backdoor_word_t a2,
                                                    backdoor_word_t a3, backdoor_word_t dflt)
{
    return backdoor_impl_request(BACKDOOR_IMPL_EXT_LEAF(BACKDOOR_TYPE_SEND, 4),
                                 BACKDOOR_SELECTOR(cmd), 4, (backdoor_word_t)buf,
                                 len, a2, a3, dflt);
}

BACKDOOR_IMPL_INLINE backdoor_word_t backdoor_recv4(uint16_t cmd, void *buf,
                                                    backdoor_word_t cap, backdoor_word_t a2,
                                                    backdoor_word_t a3, backdoor_word_t dflt)
{
    return backdoor_impl_request(BACKDOOR_IMPL_EXT_LEAF(BACKDOOR_TYPE_RECV, 4),
                                 BACKDOOR_SELECTOR(cmd), 4, (backdoor_word_t)buf,
                                 cap, a2, a3, dflt);
}

/* Built-in commands. */
BACKDOOR_IMPL_INLINE backdoor_word_t backdoor_present(void)
{
    return backdoor_call0(BACKDOOR_OP_PRESENT, 0);
}

BACKDOOR_IMPL_INLINE backdoor_word_t backdoor_features(void)
{
    return backdoor_call0(BACKDOOR_OP_FEATURES, 0);
}

BACKDOOR_IMPL_INLINE void backdoor_exit(int status)
{
    backdoor_call1(BACKDOOR_OP_EXIT, (backdoor_word_t)(unsigned)status, 0);
}

BACKDOOR_IMPL_INLINE void backdoor_roi_begin(backdoor_word_t id)
{
    backdoor_call1(BACKDOOR_OP_ROI_BEGIN, id, 0);
}

BACKDOOR_IMPL_INLINE void backdoor_roi_end(backdoor_word_t id)
{
    backdoor_call1(BACKDOOR_OP_ROI_END, id, 0);
}

BACKDOOR_IMPL_INLINE void backdoor_mark(backdoor_word_t id, backdoor_word_t value)
{
    backdoor_call2(BACKDOOR_OP_MARK, id, value, 0);
}

BACKDOOR_IMPL_INLINE void backdoor_stats_reset(void)
{
    backdoor_call0(BACKDOOR_OP_STATS_RESET, 0);
}

BACKDOOR_IMPL_INLINE void backdoor_stats_dump(void)
{
    backdoor_call0(BACKDOOR_OP_STATS_DUMP, 0);
}

/*
 * Nanoseconds since the Unix epoch on the host, 0 when no host answers.
 * Received through memory so that 32-bit guests get all 64 bits.
 */
BACKDOOR_IMPL_INLINE uint64_t backdoor_host_time_ns(void)
{
    uint64_t ns = 0;
    backdoor_recv(BACKDOOR_OP_HOST_TIME_NS, &ns, sizeof ns, 0);
    return ns;
}

BACKDOOR_IMPL_INLINE backdoor_word_t backdoor_sum(backdoor_word_t a0,
                                                  backdoor_word_t a1,
                                                  backdoor_word_t a2,
                                                  backdoor_word_t a3)
{
    return backdoor_call4(BACKDOOR_OP_SUM, a0, a1, a2, a3, BACKDOOR_ENOSYS);
}

BACKDOOR_IMPL_INLINE backdoor_word_t backdoor_host_info(char *buf,
                                                        backdoor_word_t cap)
{
    backdoor_impl_touch_write(buf, cap);
    return backdoor_recv(BACKDOOR_OP_HOST_INFO, buf, cap, BACKDOOR_ENOSYS);
}

BACKDOOR_IMPL_INLINE backdoor_word_t backdoor_write(const char *text,
                                                    backdoor_word_t len)
{
    backdoor_impl_touch_read(text, len);
    return backdoor_send(BACKDOOR_OP_PRINT, text, len, BACKDOOR_ENOSYS);
}

static inline backdoor_word_t backdoor_print(const char *text)
{
    backdoor_word_t len = 0;
    while (text[len] != '\0')
        len++;
    return backdoor_write(text, len);
}

/* Names the calling thread (or, where regions are per vCPU, the vCPU) in
 * the plugin's outputs: its regions' rows and the summary. */
static inline backdoor_word_t backdoor_name_thread(const char *name)
{
    backdoor_word_t len = backdoor_impl_strlen(name);
    return backdoor_send(BACKDOOR_OP_NAME_THREAD, name, len, BACKDOOR_ENOSYS);
}

/*
 * Files in and out, as gem5's m5 readfile and writefile. backdoor_readfile
 * fills buf with up to len bytes of the host file given by the plugin's
 * readfile= option, from offset on: returns how many (0 at or past its
 * end; read in chunks until 0 for the whole file), or BACKDOOR_ENOSYS
 * without readfile=. backdoor_writefile writes len bytes at offset of the
 * file NAME in the plugin's outdir=: offset 0 starts the file afresh
 * (creates or empties it), any other writes there; returns len, or
 * BACKDOOR_EINVAL for a name that is no plain file name (empty, ".", "..",
 * with '/', over 255 bytes before its NUL), BACKDOOR_EFBIG past the
 * plugin's bounds, BACKDOOR_ENOSPC for a full host disk, BACKDOOR_ENOSYS
 * without outdir=. A 32-bit guest's offsets reach the first 4 GiB.
 */
BACKDOOR_IMPL_INLINE backdoor_word_t backdoor_readfile(void *buf, backdoor_word_t len,
                                                       backdoor_word_t offset)
{
    backdoor_impl_touch_write(buf, len);
    return backdoor_impl_request(BACKDOOR_IMPL_EXT_LEAF(BACKDOOR_TYPE_RECV, 3),
                                 BACKDOOR_SELECTOR(BACKDOOR_OP_READFILE), 3,
                                 (backdoor_word_t)buf, len, offset, 0, BACKDOOR_ENOSYS);
}

BACKDOOR_IMPL_INLINE backdoor_word_t backdoor_writefile(const char *name, const void *buf,
                                                        backdoor_word_t len,
                                                        backdoor_word_t offset)
{
    backdoor_impl_strlen(name);
    backdoor_impl_touch_read(buf, len);
    return backdoor_send4(BACKDOOR_OP_WRITEFILE, buf, len, (backdoor_word_t)name, offset,
                          BACKDOOR_ENOSYS);
}

/*
 * Checkpoints, as gem5's m5 checkpoint (docs/checkpoints.md): the host saves
 * the whole machine as NAME (a plain file name) and this returns 0 in the
 * run that saved it and 1 in every run restored from it, as fork() tells
 * parent from child; or BACKDOOR_EINVAL for a name that is no plain file
 * name, BACKDOOR_ENOSYS where there are no checkpoints (user mode, no
 * checkpoint-dir=, no host), BACKDOOR_ENOSPC or BACKDOOR_EIO when the host
 * could not save it (the machine then goes on, the previous NAME kept). It
 * calls again while the host saves: QEMU stops the machine only between
 * instructions, so the call cannot wait inside.
 */
static inline backdoor_word_t backdoor_checkpoint(const char *name)
{
    backdoor_word_t len = backdoor_impl_strlen(name), r;
    do
        r = backdoor_send(BACKDOOR_OP_CHECKPOINT, name, len, BACKDOOR_ENOSYS);
    while (r == (backdoor_word_t)BACKDOOR_EAGAIN);
    return r;
}

/*
 * printf without a C library: %d %i %u %x %X %o %c %s %p %%, the length
 * modifiers l, ll, z, and a field width with optional 0 flag. Output longer
 * than BACKDOOR_PRINTF_MAX bytes is cut there.
 */
#ifndef BACKDOOR_PRINTF_MAX
#define BACKDOOR_PRINTF_MAX 256
#endif

struct backdoor_impl_text {
    char bytes[BACKDOOR_PRINTF_MAX];
    unsigned len;
};

static inline void backdoor_impl_put(struct backdoor_impl_text *out, char c)
{
    if (out->len < BACKDOOR_PRINTF_MAX)
        out->bytes[out->len++] = c;
}

/*
 * value /= base, returning the remainder, in 16-bit steps: a 32-bit guest
 * would otherwise need libgcc's 64-bit division, which bare metal lacks.
 */
static inline unsigned backdoor_impl_divide(unsigned long long *value, unsigned base)
{
    unsigned long long quotient = 0;
    unsigned remainder = 0;
    for (int shift = 48; shift >= 0; shift -= 16) {
        unsigned part = remainder << 16 | (unsigned)(*value >> shift & 0xffff);
        quotient |= (unsigned long long)(part / base) << shift;
        remainder = part % base;
    }
    *value = quotient;
    return remainder;
}

static inline void backdoor_impl_put_number(struct backdoor_impl_text *out,
                                            unsigned long long value,
                                            unsigned base, int upper, int negative,
                                            unsigned width, char pad)
{
    char digits[24];
    unsigned n = 0;
    const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    do {
        digits[n++] = set[backdoor_impl_divide(&value, base)];
    } while (value != 0);
    if (negative && pad == '0')
        backdoor_impl_put(out, '-');
    while (width > n + (unsigned)negative) {
        backdoor_impl_put(out, pad);
        width--;
    }
    if (negative && pad != '0')
        backdoor_impl_put(out, '-');
    while (n > 0)
        backdoor_impl_put(out, digits[--n]);
}

static inline backdoor_word_t backdoor_vprintf(const char *format,
                                               va_list args)
{
    struct backdoor_impl_text out;
    out.len = 0;
    for (const char *p = format; *p != '\0'; p++) {
        if (*p != '%') {
            backdoor_impl_put(&out, *p);
            continue;
        }
        char pad = ' ';
        unsigned width = 0, longs = 0;
        p++;
        if (*p == '0') {
            pad = '0';
            p++;
        }
        while (*p >= '0' && *p <= '9')
            width = width * 10 + (unsigned)(*p++ - '0');
        /* size_t is as wide as long on every supported target. */
        for (; *p == 'l' || *p == 'z'; p++)
            longs += *p == 'z' ? (longs == 0) : 1;
        unsigned long long u;
        long long s;
        switch (*p) {
        case 'd':
        case 'i':
            s = longs >= 2 ? va_arg(args, long long)
                : longs == 1 ? va_arg(args, long) : va_arg(args, int);
            u = s < 0 ? 0ull - (unsigned long long)s : (unsigned long long)s;
            backdoor_impl_put_number(&out, u, 10, 0, s < 0, width, pad);
            break;
        case 'u':
        case 'x':
        case 'X':
        case 'o':
            u = longs >= 2 ? va_arg(args, unsigned long long)
                : longs == 1 ? va_arg(args, unsigned long)
                             : va_arg(args, unsigned);
            backdoor_impl_put_number(&out, u,
                                     *p == 'u' ? 10u : *p == 'o' ? 8u : 16u,
                                     *p == 'X', 0, width, pad);
            break;
        case 'p':
            backdoor_impl_put(&out, '0');
            backdoor_impl_put(&out, 'x');
            backdoor_impl_put_number(&out, (uintptr_t)va_arg(args, void *), 16, 0,
                                     0, width, pad);
            break;
        case 'c':
            backdoor_impl_put(&out, (char)va_arg(args, int));
            break;
        case 's': {
            const char *text = va_arg(args, const char *);
            if (text == 0)
                text = "(null)";
            while (*text != '\0')
                backdoor_impl_put(&out, *text++);
            break;
        }
        case '%':
            backdoor_impl_put(&out, '%');
            break;
        case '\0':
            p--;
            break;
        default:
            backdoor_impl_put(&out, '%');
            backdoor_impl_put(&out, *p);
            break;
        }
    }
    return backdoor_write(out.bytes, out.len);
}

#if defined(__GNUC__)
__attribute__((__format__(__printf__, 1, 2)))
#endif
static inline backdoor_word_t backdoor_printf(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    backdoor_word_t result = backdoor_vprintf(format, args);
    va_end(args);
    return result;
}

#ifdef __cplusplus
}
#endif

#endif /* BACKDOOR_GUEST_H */

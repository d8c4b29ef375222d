/* SPDX-License-Identifier: MIT */
/*
 * backdoor/ops.h - the backdoor ABI in one place: request types, built-in
 * commands, feature bits, error codes and call statuses, each an X-macro
 * list. guest.h and host.h include it; the plugin's dispatch table, the
 * guest command line, the tables of docs/abi.md and docs/outputs.md and the
 * tests' constants (scripts/gen-abi.py) all come from these lists, so they
 * cannot drift apart. Freestanding: no architecture code, only <stdint.h>.
 *
 * Never renumber anything here: guests and handlers compiled against older
 * copies must keep working. Add at the end of a list.
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
#ifndef BACKDOOR_OPS_H
#define BACKDOOR_OPS_H

#if defined(__KERNEL__)
#include <linux/types.h>
#else
#include <stdint.h>
#endif

/* Bumped when a request is added; a guest can compare backdoor_present(). */
#define BACKDOOR_PROTOCOL_VERSION 1

/*
 * Request encoding, shared by every architecture (docs/abi.md, "Encoding").
 * A request is two 32-bit words, LEAF and SELECTOR, plus up to four
 * word-sized arguments. On x86 LEAF is the CPUID leaf (EAX) and SELECTOR the
 * CPUID subleaf (ECX), exactly as in the 2010 patch this project continues.
 *
 *   LEAF = 0x40001000 + (type << 8) + i8
 *   type 0: seed BACKDOOR_i8(i8)           SELECTOR ignored
 *   type 1: seed BACKDOOR_i8_v32(i8, v32)  SELECTOR = v32
 *   type 2: call    i8 = 0xB0 | abi32 << 3 | nargs,  SELECTOR = TAG << 16 | cmd
 *   type 3: send    as call; arg0/arg1 are a buffer the host reads
 *   type 4: receive as call; arg0/arg1 are a buffer the host writes
 */
#define BACKDOOR_LEAF_BASE 0x40001000u
#define BACKDOOR_LEAF_LAST 0x40001FFFu
#define BACKDOOR_EXT_MAGIC 0xB0u
#define BACKDOOR_EXT_ABI32 0x08u
#define BACKDOOR_EXT_MAX_ARGS 4u
#define BACKDOOR_TAG 0xBDCAu

#define BACKDOOR_LEAF(type, i8) \
    (BACKDOOR_LEAF_BASE + ((uint32_t)(type) << 8) + (uint32_t)(uint8_t)(i8))
#define BACKDOOR_SELECTOR(cmd) \
    (((uint32_t)BACKDOOR_TAG << 16) | (uint32_t)(uint16_t)(cmd))

/* Request types. Fields: NAME, name (in outputs), number, description. */
#define BACKDOOR_TYPES(X)                                                      \
    X(I8, i8, 0, "seed BACKDOOR_i8(i8): one byte, no result")                  \
    X(I8_V32, i8_v32, 1, "seed BACKDOOR_i8_v32(i8, v32): a byte and a 32-bit value, no result") \
    X(CALL, call, 2, "extended call: a command, up to four word arguments, a result") \
    X(SEND, send, 3, "as call; arg0/arg1 are a buffer the host reads")          \
    X(RECV, recv, 4, "as call; arg0/arg1 are a buffer the host writes")

#define BACKDOOR_TYPE_DEFINE_(NAME, name, number, doc) BACKDOOR_TYPE_##NAME = number,
enum backdoor_type { BACKDOOR_TYPES(BACKDOOR_TYPE_DEFINE_) BACKDOOR_TYPE_COUNT };
#undef BACKDOOR_TYPE_DEFINE_

/*
 * Built-in commands, answered by the plugin itself. Fields: NAME, name,
 * number, request type, argument count, whether it returns a value,
 * description. Commands 0x0001-0x07ff belong to the plugin; 0x0800-0xffff
 * are for handler libraries (BACKDOOR_USER_COMMAND_FIRST); 0 is never valid.
 */
#define BACKDOOR_OPS(X)                                                        \
    X(PRESENT, present, 0x001, CALL, 0, 1, "protocol version; the default 0 means no host") \
    X(FEATURES, features, 0x002, CALL, 0, 1, "bit set of BACKDOOR_FEATURE_*")            \
    X(EXIT, exit, 0x003, CALL, 1, 0, "end the emulation with exit status arg0")      \
    X(ROI_BEGIN, roi_begin, 0x004, CALL, 1, 0, "enter region of interest arg0")           \
    X(ROI_END, roi_end, 0x005, CALL, 1, 0, "leave region of interest arg0")             \
    X(MARK, mark, 0x006, CALL, 2, 0, "timestamped event: id arg0, value arg1")       \
    X(PRINT, print, 0x007, SEND, 2, 1, "print text arg0[0..arg1); returns bytes taken") \
    X(STATS_RESET, stats_reset, 0x008, CALL, 0, 0, "zero the statistics of every region")   \
    X(STATS_DUMP, stats_dump, 0x009, CALL, 0, 0, "write a statistics snapshot to the outputs") \
    X(HOST_TIME_NS, host_time_ns, 0x00a, RECV, 2, 1, "host CLOCK_REALTIME ns, 8 bytes into arg0") \
    X(SUM, sum, 0x00b, CALL, 4, 1, "arg0+arg1+arg2+arg3; checks that arguments arrive") \
    X(HOST_INFO, host_info, 0x00c, RECV, 2, 1, "host description string into arg0[0..arg1)") \
    X(NAME_THREAD, name_thread, 0x00d, SEND, 2, 1, "name the calling thread (per vCPU: the vCPU) arg0[0..arg1), 63 bytes kept") \
    X(READFILE, readfile, 0x00e, RECV, 3, 1, "read the readfile= host file from offset arg2 into arg0[0..arg1); returns bytes read, 0 at or past its end") \
    X(WRITEFILE, writefile, 0x00f, SEND, 4, 1, "write arg0[0..arg1) at offset arg3 of outdir=/NAME, NAME the NUL-terminated plain file name at arg2 (offset 0 empties the file first); returns bytes written") \
    X(ROI_BEGIN_MACHINE, roi_begin_machine, 0x010, CALL, 1, 0, "enter region arg0 of the whole machine: every vCPU and thread counts (the guest command's roi begin)") \
    X(ROI_END_MACHINE, roi_end_machine, 0x011, CALL, 1, 0, "leave machine region arg0") \
    X(CHECKPOINT, checkpoint, 0x012, SEND, 2, 1, "save the machine as checkpoint arg0[0..arg1) (system mode, checkpoint-dir=): 0 in the run that saved it, 1 in a run restored from it; BACKDOOR_EAGAIN while the host saves (guest.h's backdoor_checkpoint calls again)")

#define BACKDOOR_OP_DEFINE_(NAME, name, number, type, nargs, result, doc) \
    BACKDOOR_OP_##NAME = number,
enum backdoor_op { BACKDOOR_OPS(BACKDOOR_OP_DEFINE_) BACKDOOR_USER_COMMAND_FIRST = 0x800 };
#undef BACKDOOR_OP_DEFINE_

/* The built-in's name as the ABI spells it, or 0 for a number that is none. */
#define BACKDOOR_OP_NAME_CASE_(NAME, name, number, type, nargs, result, doc) \
    case number:                                                           \
        return #name;
static inline const char *backdoor_op_name(unsigned number)
{
    switch (number) {
        BACKDOOR_OPS(BACKDOOR_OP_NAME_CASE_)
    }
    return 0;
}
#undef BACKDOOR_OP_NAME_CASE_

/* What backdoor_features() reports. Fields: NAME, name, bit, description. */
#define BACKDOOR_FEATURES(X)                                                   \
    X(RESULTS, results, 0x01, "results reach the guest (plugin API 5, QEMU 10.1)") \
    X(MEM_READ, mem_read, 0x02, "send: the host reads guest buffers (plugin API 4)") \
    X(MEM_WRITE, mem_write, 0x04, "receive: the host fills guest buffers (plugin API 5)") \
    X(HANDLER, handler, 0x08, "a handler library is loaded")                   \
    X(SYSTEM, system, 0x10, "full-system emulation")

#define BACKDOOR_FEATURE_DEFINE_(NAME, name, bit, doc) BACKDOOR_FEATURE_##NAME = bit,
enum backdoor_feature { BACKDOOR_FEATURES(BACKDOOR_FEATURE_DEFINE_) };
#undef BACKDOOR_FEATURE_DEFINE_

/* Errors come back as small negative results, as from Linux system calls.
 * Fields: NAME, value, description. */
#define BACKDOOR_ERRORS(X)                                                     \
    X(EPERM, -1, "refused by the plugin's policy (allow-from=, deny=)")        \
    X(E2BIG, -7, "buffer longer than max-buffer")                             \
    X(EFAULT, -14, "buffer not accessible to the caller")                      \
    X(EINVAL, -22, "a built-in issued with the wrong request type or argument count, a writefile or checkpoint name that is no plain file name") \
    X(ENOSYS, -38, "nobody answers this command, or the QEMU in use cannot move the data") \
    X(EIO, -5, "the handler failed: it returned BACKDOOR_FAILED (a Python handler raised) or neither HANDLED nor UNHANDLED; readfile/writefile: the host's read or write failed") \
    X(EFBIG, -27, "writefile: the files written would pass max-output, or more files than the plugin creates") \
    X(ENOSPC, -28, "writefile, checkpoint: the host's disk is full") \
    X(EAGAIN, -11, "checkpoint: the host is saving the machine (or another checkpoint); call again")

#define BACKDOOR_ERROR_DEFINE_(NAME, value, doc) BACKDOOR_##NAME = value,
enum backdoor_error { BACKDOOR_ERRORS(BACKDOOR_ERROR_DEFINE_) };
#undef BACKDOOR_ERROR_DEFINE_

/*
 * How a call ended, as the event log ("status") and the summary report it.
 * Fields: NAME, name, the error the guest receives (0: the call's own
 * result), description.
 */
#define BACKDOOR_STATUSES(X)                                                   \
    X(OK, ok, 0, "done; the guest got the result")                            \
    X(DENIED, denied, BACKDOOR_EPERM, "refused by policy")                    \
    X(UNHANDLED, unhandled, BACKDOOR_ENOSYS, "no built-in or handler took it") \
    X(FAULT, fault, BACKDOOR_EFAULT, "bad buffer address")                     \
    X(TOO_BIG, too_big, BACKDOOR_E2BIG, "buffer over max-buffer")              \
    X(NO_WRITE, no_write, BACKDOOR_ENOSYS, "receive without guest memory writes (plugin API < 5)") \
    X(INVALID, invalid, BACKDOOR_EINVAL, "a built-in issued with the wrong request type or argument count") \
    X(NO_READ, no_read, BACKDOOR_ENOSYS, "send without guest memory reads (plugin API < 4)") \
    X(HANDLER_ERROR, handler_error, BACKDOOR_EIO, "the handler failed: BACKDOOR_FAILED (a Python exception), or neither HANDLED nor UNHANDLED") \
    X(FILE_ERROR, file_error, BACKDOOR_EIO, "readfile/writefile: the host's read or write failed") \
    X(FILE_LIMIT, file_limit, BACKDOOR_EFBIG, "writefile: over max-output, or over the number of files") \
    X(DISK_FULL, disk_full, BACKDOOR_ENOSPC, "writefile, checkpoint: the host's disk is full") \
    X(PENDING, pending, BACKDOOR_EAGAIN, "checkpoint: the host is saving the machine; the guest calls again") \
    X(NO_CHECKPOINT, no_checkpoint, BACKDOOR_ENOSYS, "checkpoint: not possible in this run (user mode, or no checkpoint-dir=)") \
    X(CHECKPOINT_FAILED, checkpoint_failed, BACKDOOR_EIO, "checkpoint: QEMU could not save the machine (the summary says why)")

#define BACKDOOR_STATUS_DEFINE_(NAME, name, error, doc) BACKDOOR_STATUS_##NAME,
enum backdoor_status { BACKDOOR_STATUSES(BACKDOOR_STATUS_DEFINE_) BACKDOOR_STATUS_COUNT };
#undef BACKDOOR_STATUS_DEFINE_

#endif /* BACKDOOR_OPS_H */

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The "empty plugin" floor of bench/run.py: what any plugin must pay to see
 * a CPUID and read its registers. It registers an execution callback on
 * every CPUID (0F A2) and, in it, reads only the registers named by
 * read=REG[:REG...] and writes 0 to the one named by write=REG (as a call
 * returns a result), nothing else: no decoding, no dispatch, no counters, no
 * output. only=START-END (hex guest addresses) limits it to the CPUIDs in
 * [START, END): a write would corrupt the CPUIDs of a C library's start-up
 * or of the firmware, so bench/run.py passes the range of the call loops.
 *
 *   -plugin build/bench/libfloor.so                   callback without registers
 *   -plugin build/bench/libfloor.so,read=rcx           one read (a seed i8_v32)
 *   -plugin build/bench/libfloor.so,read=rdx:rbx:rdi:r8,write=rsi,only=401a30-401ab0
 *
 * Register handles are resolved once, in the first vCPU's init callback,
 * as plugin/qemu/registers.c does. It speaks every QEMU plugin API level through
 * the plugin's own plugin/qemu/qemu_compat.c, so both pay the same for that.
 */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu/qemu_compat.h"

#define MAX_REGS 8

static char *read_names[MAX_REGS], *write_name;
static int n_read;
static struct qemu_plugin_register *read_handles[MAX_REGS], *write_handle;
static bool resolved;
static uint64_t only_start, only_end = UINT64_MAX;
static GMutex resolve_lock;
/* Per thread, so that vCPUs share no written cache line. */
static __thread GByteArray *buf;
static __thread uint64_t total; /* keeps the reads from being optimised away */

static struct qemu_plugin_register *find(GArray *regs, const char *name)
{
    guint stride = g_array_get_element_size(regs);
    for (guint i = 0; i < regs->len; i++) {
        const qemu_plugin_reg_descriptor *d =
            (const qemu_plugin_reg_descriptor *)(regs->data + (gsize)i * stride);
        if (strcmp(d->name, name) == 0) {
            return d->handle;
        }
    }
    fprintf(stderr, "floor: no register named %s\n", name);
    exit(1);
}

static void vcpu_init(unsigned int vcpu)
{
    (void)vcpu;
    g_mutex_lock(&resolve_lock);
    if (!resolved) {
        GArray *regs = qemu_plugin_get_registers();
        for (int i = 0; i < n_read; i++) {
            read_handles[i] = find(regs, read_names[i]);
        }
        if (write_name != NULL) {
            write_handle = find(regs, write_name);
        }
        g_array_free(regs, TRUE);
        resolved = true;
    }
    g_mutex_unlock(&resolve_lock);
}

static void on_cpuid(unsigned int vcpu, void *udata)
{
    (void)vcpu, (void)udata;
    if (buf == NULL) {
        buf = g_byte_array_sized_new(64);
    }
    uint64_t sum = 0;
    for (int i = 0; i < n_read; i++) {
        g_byte_array_set_size(buf, 0);
        qemu_read_register(read_handles[i], buf);
        sum += buf->data[0];
    }
    if (write_handle != NULL) {
        g_byte_array_set_size(buf, 8);
        memset(buf->data, 0, 8);
        qemu_write_register(write_handle, buf);
    }
    total += sum;
}

static void tb_trans(struct qemu_plugin_tb *tb)
{
    enum qemu_plugin_cb_flags flags = write_name != NULL ? QEMU_PLUGIN_CB_RW_REGS
                                      : n_read > 0        ? QEMU_PLUGIN_CB_R_REGS
                                                          : QEMU_PLUGIN_CB_NO_REGS;
    size_t n = qemu_plugin_tb_n_insns(tb);
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint8_t bytes[2];
        uint64_t pc = qemu_plugin_insn_vaddr(insn);
        if (pc >= only_start && pc < only_end && qemu_insn_bytes(insn, bytes, 2) == 2 &&
            bytes[0] == 0x0f && bytes[1] == 0xa2) {
            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_cpuid, flags, NULL);
        }
    }
}

QEMU_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc,
                                    char **argv)
{
    char err[256];
    if (!qemu_compat_init(info, err, sizeof err)) {
        fprintf(stderr, "floor: %s\n", err);
        return -1;
    }
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], "read=", 5) == 0) {
            gchar **names = g_strsplit(argv[i] + 5, ":", -1);
            for (gchar **name = names; *name != NULL; name++) {
                if (**name != '\0' && n_read < MAX_REGS) {
                    read_names[n_read++] = g_strdup(*name);
                }
            }
            g_strfreev(names);
        } else if (strncmp(argv[i], "write=", 6) == 0) {
            write_name = g_strdup(argv[i] + 6);
        } else if (strncmp(argv[i], "only=", 5) == 0) {
            char *end;
            only_start = g_ascii_strtoull(argv[i] + 5, &end, 16);
            only_end = *end == '-' ? g_ascii_strtoull(end + 1, &end, 16) : 0;
            if (*end != '\0' || only_end <= only_start) {
                fprintf(stderr, "floor: bad range %s (only=START-END, hex)\n", argv[i]);
                return -1;
            }
        } else {
            fprintf(stderr, "floor: unknown option %s (read=REG[:REG...], write=REG, "
                    "only=START-END)\n",
                    argv[i]);
            return -1;
        }
    }
    qemu_register_vcpu_init(id, vcpu_init);
    qemu_register_tb_trans(id, tb_trans);
    return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The table of per-vCPU state and the scoreboard of inline counters. */
#include "qemu/vcpu.h"

#include <pthread.h>

struct vcpu **vcpu_table[VCPU_TABLE_CHUNKS];
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static struct qemu_plugin_scoreboard *counters;
static unsigned int published_limit; /* one past the highest published index */

void vcpus_init(void)
{
    counters = qemu_plugin_scoreboard_new(sizeof(struct vcpu_counters));
}

struct vcpu *vcpu_create(unsigned int index)
{
    if (index >= VCPU_TABLE_CHUNK * VCPU_TABLE_CHUNKS) {
        return NULL;
    }
    pthread_mutex_lock(&table_lock);
    struct vcpu **chunk = vcpu_table[index / VCPU_TABLE_CHUNK];
    if (chunk == NULL) {
        chunk = g_new0(struct vcpu *, VCPU_TABLE_CHUNK);
        __atomic_store_n(&vcpu_table[index / VCPU_TABLE_CHUNK], chunk, __ATOMIC_RELEASE);
    }
    struct vcpu *vcpu = chunk[index % VCPU_TABLE_CHUNK];
    if (vcpu == NULL) {
        vcpu = g_new0(struct vcpu, 1);
        vcpu->index = index;
        vcpu->reg_buf = g_byte_array_sized_new(64);
        vcpu->mem_buf = g_byte_array_sized_new(4096);
        vcpu->out_buf = g_byte_array_sized_new(64);
    }
    pthread_mutex_unlock(&table_lock);
    return vcpu;
}

void vcpu_publish(struct vcpu *vcpu)
{
    pthread_mutex_lock(&table_lock);
    struct vcpu **slot = &vcpu_table[vcpu->index / VCPU_TABLE_CHUNK][vcpu->index % VCPU_TABLE_CHUNK];
    __atomic_store_n(slot, vcpu, __ATOMIC_RELEASE);
    if (vcpu->index + 1 > published_limit) {
        __atomic_store_n(&published_limit, vcpu->index + 1, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&table_lock);
}

struct vcpu_counters *vcpu_counters(unsigned int index)
{
    return qemu_plugin_scoreboard_find(counters, index);
}

qemu_plugin_u64 vcpu_counter(size_t offset)
{
    return (qemu_plugin_u64){counters, offset};
}

void vcpu_for_each(void (*visit)(struct vcpu *vcpu, void *data), void *data)
{
    unsigned int limit = __atomic_load_n(&published_limit, __ATOMIC_ACQUIRE);
    for (unsigned int i = 0; i < limit; i++) {
        struct vcpu *vcpu = vcpu_get(i);
        if (vcpu != NULL) {
            visit(vcpu, data);
        }
    }
}

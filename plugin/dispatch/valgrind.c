/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The execution path of Valgrind's client requests (valgrind=on). The
 * marker's callback reads the request block whose address the guest put in
 * a register (six words: the request number and five arguments), hands it
 * to commands/valgrind.c, and writes a result only when there is one: the
 * default the guest preloaded into the result register is otherwise what
 * it gets, as natively.
 */
#include "dispatch/dispatch.h"

#include <string.h>

#include "commands/call.h"
#include "commands/valgrind.h"
#include "dispatch/policy.h"
#include "translate/valgrind.h"
#include "qemu/memory.h"
#include "qemu/registers.h"

/* Register handles per code width, found on first use (registers are
 * listed only once a vCPU exists). */
static struct qemu_plugin_register *handles[2][2]; /* [abi32][block, result] */

static struct qemu_plugin_register *handle(const struct valgrind_flavor *f, int which)
{
    struct qemu_plugin_register **slot = &handles[f->abi32][which];
    struct qemu_plugin_register *h = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (h == NULL) {
        h = reg_find(which == 0 ? f->block_reg : f->result_reg);
        __atomic_store_n(slot, h, __ATOMIC_RELEASE);
    }
    return h;
}

/* A request passes the policy as the built-ins it acts as: VALGRIND_PRINTF
 * is a print, CALLGRIND_ZERO_STATS a stats_reset, ... (docs/valgrind.md). */
static bool allowed(struct vcpu *vcpu, uint64_t request)
{
    uint32_t builtins[2];
    unsigned n = valgrind_request_builtins(request, builtins);
    for (unsigned i = 0; i < n; i++) {
        if (!policy_allows(vcpu, BACKDOOR_TYPE_CALL, builtins[i])) {
            return false;
        }
    }
    return true;
}

static void run_request(struct vcpu *vcpu, const struct valgrind_site *site)
{
    const struct valgrind_flavor *f = site->flavor;
    struct qemu_plugin_register *block_reg = handle(f, 0), *result_reg = handle(f, 1);
    if (block_reg == NULL || result_reg == NULL) {
        return;
    }
    struct call_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.vcpu_index = vcpu->index;
    ctx.vcpu = vcpu;
    ctx.abi32 = f->abi32;
    ctx.block_insns = site->tb_insns;
    ctx.block_index = site->tb_index;
    ctx.op_name = "valgrind";
    ctx.call.vcpu = vcpu->index;
    ctx.call.pc = site->pc;

    struct valgrind_request rq;
    rq.word_size = f->abi32 ? 4 : 8;
    rq.va_list = f->va_list;
    rq.since_request = site->since_request;
    rq.whole_sequence = site->resumes == 0;
    rq.fn_slot = site->fn_slot;
    rq.fn_tail = site->fn_tail;
    uint64_t block = reg_read(vcpu, block_reg);
    const uint8_t *words = guest_copy_in(vcpu, block, 6 * rq.word_size);
    if (words == NULL) {
        valgrind_unreadable(&ctx);
        return;
    }
    for (int i = 0; i < 6; i++) {
        uint64_t w = 0;
        for (int b = (int)rq.word_size - 1; b >= 0; b--) {
            w = w << 8 | words[i * rq.word_size + (unsigned)b];
        }
        rq.words[i] = w;
    }
    if (policy_active() && !allowed(vcpu, rq.words[0])) {
        valgrind_refused(&ctx, &rq);
        return;
    }
    uint64_t result = 0;
    call_set_current(&ctx);
    bool answered = valgrind_request(&ctx, &rq, &result);
    call_set_current(NULL);
    if (answered) {
        reg_write(vcpu, result_reg, f->abi32 ? (uint32_t)result : result);
    }
}

void dispatch_on_valgrind(unsigned int vcpu_index, void *udata)
{
    const struct valgrind_site *site = udata;
    struct vcpu *vcpu = vcpu_get(vcpu_index);
    if (vcpu == NULL || !valgrind_site_armed(vcpu_index, site) || !dispatch_enter(vcpu)) {
        return;
    }
    run_request(vcpu, site);
    dispatch_exit(vcpu);
}

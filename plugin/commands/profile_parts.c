/* SPDX-License-Identifier: GPL-2.0-or-later */
/* commands/profile_parts.h */
#include "commands/profile_parts.h"

#include "commands/callgraph.h"
#include "qemu/functions.h"
#include "output/profile.h"

static struct profile_output *output;
static bool with_calls;
static GMutex lock;
static unsigned parts_written;
/* The dumping vCPU's clock, for the active calls of its part. */
static const struct vcpu *dumping_vcpu;
static uint64_t dumping_clock;

void profile_parts_init(struct profile_output *profile, bool call_graph)
{
    output = profile;
    with_calls = call_graph;
}

static uint64_t clock_of(struct vcpu *vcpu)
{
    return vcpu == dumping_vcpu ? dumping_clock : valgrind_clock(vcpu);
}

/* Rows and calls of the part now; restart: the edges start again. */
static void collect(const struct vcpu *dumping, const struct valgrind_request *rq,
                    bool restart, GArray **rows, GArray **calls)
{
    uint32_t n;
    uint64_t *insns = valgrind_profile(&n, dumping, rq);
    uint64_t *recursive = g_new0(uint64_t, n);
    *calls = with_calls ? callgraph_part(clock_of, recursive, n, restart)
                        : g_array_new(FALSE, FALSE, sizeof(struct profile_call));
    *rows = g_array_new(FALSE, FALSE, sizeof(struct profile_row));
    for (uint32_t i = 0; i < n; i++) {
        const struct code_place *place = function_place(i);
        uint64_t second = MIN(recursive[i], insns[i]);
        if (insns[i] - second != 0) {
            struct profile_row row = {place->function, insns[i] - second, place->object,
                                      place->fn_file,  place->file,       place->line};
            g_array_append_val(*rows, row);
        }
        if (second != 0) {
            /* The line of the function's second recursion level. */
            struct profile_row row = {callgraph_recursive_name(function_of(i)), second,
                                      place->object, place->fn_file, place->file,
                                      place->line};
            g_array_append_val(*rows, row);
        }
    }
    g_free(recursive);
    g_free(insns);
}

void profile_parts_dump(struct vcpu *dumping, const struct valgrind_request *rq,
                        uint64_t clock, const char *trigger)
{
    if (output == NULL) {
        return;
    }
    g_mutex_lock(&lock);
    dumping_vcpu = dumping;
    dumping_clock = clock;
    GArray *rows, *calls;
    collect(dumping, rq, true, &rows, &calls);
    profile_write_part(output, ++parts_written, trigger, rows, calls);
    dumping_vcpu = NULL;
    g_array_free(rows, TRUE);
    g_array_free(calls, TRUE);
    g_mutex_unlock(&lock);
}

void profile_parts_final(const char *trigger)
{
    if (output == NULL) {
        return;
    }
    g_mutex_lock(&lock);
    GArray *rows, *calls;
    collect(NULL, NULL, false, &rows, &calls);
    profile_write(output, parts_written + 1, trigger, rows, calls);
    g_array_free(rows, TRUE);
    g_array_free(calls, TRUE);
    output = NULL;
    g_mutex_unlock(&lock);
}

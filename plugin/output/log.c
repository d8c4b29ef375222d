/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Messages and the clock (output/log.h). */
#include "output/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static uint64_t start_ns;

static uint64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void clock_start(void)
{
    start_ns = monotonic_ns();
}

void clock_continue_from(uint64_t ns)
{
    start_ns = monotonic_ns() - ns;
}

uint64_t now_ns(void)
{
    return monotonic_ns() - start_ns;
}

void plugin_log(const char *format, ...)
{
    char line[1200];
    va_list args;
    va_start(args, format);
    vsnprintf(line, sizeof line, format, args);
    va_end(args);
    /* One write, so that lines of concurrent vCPUs do not interleave. */
    fprintf(stderr, "backdoor: %s\n", line);
}

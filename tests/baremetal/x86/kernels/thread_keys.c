/* SPDX-License-Identifier: MIT */
/*
 * Guest threads by the hundred thousand (issue 21): the kernel writes N
 * distinct values to IA32_FS_BASE, each a new thread to a plugin that
 * follows them (address space, thread pointer), the cheapest way a guest
 * has to make threads. The first thread opens region 7 and names itself
 * before, and closes it after: a thread with an open region must survive
 * however many others come and go.
 *
 * The command line (-append) is "MODE N [named]": MODE "distinct" writes
 * ordinary values; "collide" writes values that all hash alike under djb2
 * over the
 * key's bytes (GLib's g_bytes_hash, which the plugin once used): each
 * value's eight bytes b0..b7 (little-endian, as signed chars) have
 * sum b_i * 33^(7-i) = 0, so with a fixed address space every key gets one
 * hash value and an unkeyed table one chain. A plugin makes a thread of a
 * key only when a call asks which thread runs: with "named", each new key
 * names itself ("t"), so that every one is a thread (and all but
 * max-threads of them are refused regions of their own).
 */
#include <backdoor/guest.h>

#include "console.h"
#include "kernel.h"

#define MSR_FS_BASE 0xc0000100u

static int named;

static void write_fs_base(uint64_t value)
{
    __asm__ volatile("wrmsr" : : "c"(MSR_FS_BASE), "a"((uint32_t)value),
                     "d"((uint32_t)(value >> 32)) : "memory");
}

static void new_thread(uint64_t value)
{
    write_fs_base(value);
    if (named) {
        backdoor_name_thread("t");
    }
}

/* The multiboot command line, or "" (flags bit 2: cmdline valid). */
static const char *command_line(const void *multiboot_info)
{
    const uint32_t *mbi = multiboot_info;
    return mbi != 0 && (mbi[0] & 4u) ? (const char *)(uintptr_t)mbi[4] : "";
}

static uint32_t parse_number(const char *s)
{
    uint32_t n = 0;
    while (*s >= '0' && *s <= '9') {
        n = n * 10u + (uint32_t)(*s++ - '0');
    }
    return n;
}

static int starts_with(const char *s, const char *prefix)
{
    while (*prefix != '\0') {
        if (*s++ != *prefix++) {
            return 0;
        }
    }
    return 1;
}

/* The word after the next space (QEMU's multiboot command line begins
 * with the kernel's file name). */
static const char *next_word(const char *s)
{
    while (*s != '\0' && *s != ' ') {
        s++;
    }
    while (*s == ' ') {
        s++;
    }
    return s;
}

/* Colliding values, depth first: at byte i with the rest of the weighted
 * sum still to make, every signed byte value that leaves a reachable rest. */
static int64_t power33[9];
static int64_t reach[9]; /* the largest |sum| bytes i..7 can make */
static uint32_t wanted, made;

static void collide(int i, int64_t rest, uint64_t value)
{
    if (made == wanted) {
        return;
    }
    if (i == 8) {
        if (rest == 0) {
            new_thread(value);
            made++;
        }
        return;
    }
    for (int b = -128; b <= 127 && made < wanted; b++) {
        int64_t left = rest - (int64_t)b * power33[7 - i];
        if (left <= reach[i + 1] && left >= -reach[i + 1]) {
            collide(i + 1, left, value | (uint64_t)(uint8_t)(int8_t)b << (8 * i));
        }
    }
}

int kernel_main(uint32_t magic, const void *multiboot_info)
{
    const char *mode = next_word(command_line(multiboot_info));
    int colliding = starts_with(mode, "collide");
    const char *count = next_word(mode);
    uint32_t n = parse_number(count);
    named = starts_with(next_word(count), "named");
    backdoor_name_thread("keeper");
    backdoor_roi_begin(7);
    if (colliding) {
        power33[0] = 1;
        for (int k = 1; k < 9; k++) {
            power33[k] = power33[k - 1] * 33;
        }
        reach[8] = 0;
        for (int i = 7; i >= 0; i--) {
            reach[i] = reach[i + 1] + 128 * power33[7 - i];
        }
        wanted = n;
        collide(0, 0, 0);
    } else {
        for (made = 0; made < n; made++) {
            new_thread(0x10000000u + (uint64_t)made * 64u);
        }
    }
    write_fs_base(0); /* the first thread again */
    backdoor_roi_end(7);
    kprintf("thread_keys: %s %u keys\n", colliding ? "colliding" : "distinct", made);
    return magic == MULTIBOOT_BOOTLOADER_MAGIC && made == n ? 0 : 1;
}

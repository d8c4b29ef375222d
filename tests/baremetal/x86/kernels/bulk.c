/* SPDX-License-Identifier: MIT */
/*
 * Send and receive buffers under paging: the host must reach guest memory
 * through the guest's page tables, never assume virtual equals physical or
 * that consecutive virtual pages are consecutive frames, refuse a buffer
 * with an unmapped page before touching any byte, and refuse one over its
 * max-buffer cap (the test runs the plugin with max-buffer=4096).
 *
 * Every buffer is checked through the identity alias of its frames, so what
 * the host read or wrote is judged from physical memory, independently of
 * the mapping it had to follow. The addresses are fixed, because
 * tests/test_system_x86.py expects them in the handler's log. Under a QEMU
 * that cannot write results or memory (backdoor_present() == 0) the results
 * are not checked, but receive buffers must stay untouched.
 */
#include <backdoor/guest.h>

#include "console.h"
#include "idt.h"
#include "kernel.h"
#include "paging.h"
#include "test_commands.h"

/* Identity-mapped scratch: 8 KiB plus a guard page for the size cases. */
#define BIG 0x00400000u
#define BIG_LEN 8192u
#define CAP 4096u /* the max-buffer the test passes */
/* Frames of the remapped window: B below A, and A's physical neighbour
 * (A + 1 page) filled differently, so a host that read or wrote physically
 * contiguous memory gets different bytes. */
#define FRAME_A 0x00507000u
#define FRAME_A_NEXT 0x00508000u
#define FRAME_B 0x00502000u
#define FRAME_C 0x00504000u
/* Virtual window above the 16 MiB identity map:
 *   +0x0000 -> A, +0x1000 -> B, +0x3000 -> C, +0x4000 and +0x6000 unmapped */
#define WINDOW 0x01000000u
#define CROSS (WINDOW + 0x1000u - 100u)
#define CROSS_LEN 300u
#define HOLE (WINDOW + 0x4000u - 64u)
#define HOLE_LEN 128u
#define UNMAPPED (WINDOW + 0x6000u)
#define UNMAPPED_LEN 16u

#define SENTINEL 0xa5u
#define NO_ANSWER 0x5eed5eedu

static unsigned failures;
static int results; /* nonzero when the host can return results */

static uint8_t *phys(uint32_t addr)
{
    return (uint8_t *)addr; /* the identity map below 16 MiB */
}

static void fill(uint32_t addr, uint32_t len, uint8_t value)
{
    for (uint32_t i = 0; i < len; i++)
        phys(addr)[i] = value;
}

static void check(const char *what, int ok)
{
    kprintf("%s: %s\n", what, ok ? "ok" : "FAILED");
    if (!ok)
        failures++;
}

static void check_result(const char *what, uint32_t got, uint32_t want)
{
    if (!results) {
        kprintf("%s: result %x (not checked: no results)\n", what, got);
        return;
    }
    kprintf("%s: result %x want %x\n", what, got, want);
    check(what, got == want);
}

/* True if len bytes at physical addr all hold value. */
static int all_equal(uint32_t addr, uint32_t len, uint8_t value)
{
    for (uint32_t i = 0; i < len; i++) {
        if (phys(addr)[i] != value)
            return 0;
    }
    return 1;
}

/* True if len bytes at physical addr are CMD_FILL's bytes from index first
 * on (byte i = i * 7 with arg2 = 0, which backdoor_recv leaves it). */
static int is_fill(uint32_t addr, uint32_t len, uint32_t first)
{
    for (uint32_t i = 0; i < len; i++) {
        if (phys(addr)[i] != (uint8_t)((first + i) * 7))
            return 0;
    }
    return 1;
}

static void pattern(uint32_t addr, uint32_t len, uint32_t first)
{
    for (uint32_t i = 0; i < len; i++)
        phys(addr)[i] = (uint8_t)((first + i) * 13 + 5);
}

/* test_checksum over two physical pieces, as the host should see them. */
static uint32_t checksum2(uint32_t a, uint32_t a_len, uint32_t b, uint32_t b_len)
{
    uint64_t sum = 0;
    for (uint32_t i = 0; i < a_len; i++)
        sum += phys(a)[i];
    for (uint32_t i = 0; i < b_len; i++)
        sum += phys(b)[i];
    return (uint32_t)(sum * 31 + a_len + b_len);
}

static uint32_t send_at(uint32_t addr, uint32_t len)
{
    return backdoor_send(CMD_CHECKSUM, (const void *)addr, len, NO_ANSWER);
}

static uint32_t recv_at(uint32_t addr, uint32_t len)
{
    return backdoor_recv(CMD_FILL, (void *)addr, len, NO_ANSWER);
}

static void map_window(void)
{
    paging_enable();
    int ok = paging_map(WINDOW, FRAME_A) && paging_map(WINDOW + 0x1000u, FRAME_B) &&
             paging_map(WINDOW + 0x3000u, FRAME_C);
    paging_unmap(WINDOW + 0x2000u);
    paging_unmap(WINDOW + 0x4000u);
    paging_unmap(WINDOW + 0x6000u);
    check("window mapped", ok);
}

/* (a) A buffer inside one identity-mapped page. */
static void one_page(void)
{
    const uint32_t send_buf = BIG + 0x100u, recv_buf = BIG + 0x900u;
    pattern(send_buf, 256, 0);
    check_result("one page: send", send_at(send_buf, 256), checksum2(send_buf, 256, 0, 0));
    /* 256 sentinel bytes on either side of the receive buffer. */
    fill(recv_buf - 0x100u, 0x300u, SENTINEL);
    check_result("one page: recv", recv_at(recv_buf, 256), 256);
    int around = all_equal(recv_buf - 0x100u, 0x100u, SENTINEL) &&
                 all_equal(recv_buf + 0x100u, 0x100u, SENTINEL);
    if (results)
        check("one page: recv bytes", is_fill(recv_buf, 256, 0) && around);
    else
        check("one page: recv left the buffer alone",
              around && all_equal(recv_buf, 256, SENTINEL));
}

/* (b) A buffer across two virtual pages on non-contiguous frames. */
static void crossing(void)
{
    const uint32_t in_a = 0x1000u - (CROSS & 0xfffu), in_b = CROSS_LEN - in_a;
    const uint32_t a_part = FRAME_A + 0x1000u - in_a;
    pattern(a_part, in_a, 0);
    pattern(FRAME_B, in_b, in_a);
    fill(FRAME_A_NEXT, 0x1000u, 0xee);
    uint32_t want = checksum2(a_part, in_a, FRAME_B, in_b);
    /* The test means nothing unless a contiguous read would differ. */
    check("crossing: layouts differ",
          want != checksum2(a_part, in_a, FRAME_A_NEXT, in_b));
    check_result("crossing: send", send_at(CROSS, CROSS_LEN), want);

    fill(FRAME_A, 0x1000u, SENTINEL);
    fill(FRAME_A_NEXT, 0x1000u, SENTINEL);
    fill(FRAME_B, 0x1000u, SENTINEL);
    check_result("crossing: recv", recv_at(CROSS, CROSS_LEN), CROSS_LEN);
    int around = all_equal(FRAME_A, 0x1000u - in_a, SENTINEL) &&
                 all_equal(FRAME_B + in_b, 0x1000u - in_b, SENTINEL) &&
                 all_equal(FRAME_A_NEXT, 0x1000u, SENTINEL);
    if (results)
        check("crossing: recv bytes in A, then B, nothing else",
              is_fill(a_part, in_a, 0) && is_fill(FRAME_B, in_b, in_a) && around);
    else
        check("crossing: recv left the buffer alone",
              around && all_equal(a_part, in_a, SENTINEL) &&
                  all_equal(FRAME_B, in_b, SENTINEL));
}

/* (c) A buffer whose second page is unmapped, and one with no mapped page. */
static void unmapped(void)
{
    const uint32_t efault = (uint32_t)BACKDOOR_EFAULT;
    pattern(FRAME_C, 0x1000u, 0);
    check_result("hole: send", send_at(HOLE, HOLE_LEN), efault);
    fill(FRAME_C, 0x1000u, SENTINEL);
    check_result("hole: recv", recv_at(HOLE, HOLE_LEN), efault);
    check("hole: recv wrote no byte of the mapped page",
          all_equal(FRAME_C, 0x1000u, SENTINEL));
    check_result("unmapped: send", send_at(UNMAPPED, UNMAPPED_LEN), efault);
    check_result("unmapped: recv", recv_at(UNMAPPED, UNMAPPED_LEN), efault);
}

/* (d) Exactly max-buffer is accepted, twice that refused untouched. */
static void sizes(void)
{
    const uint32_t e2big = (uint32_t)BACKDOOR_E2BIG, span = BIG_LEN + 0x1000u;
    pattern(BIG, CAP, 0);
    check_result("cap: send", send_at(BIG, CAP), checksum2(BIG, CAP, 0, 0));
    fill(BIG, span, SENTINEL);
    check_result("cap: recv", recv_at(BIG, CAP), CAP);
    if (results)
        check("cap: recv bytes",
              is_fill(BIG, CAP, 0) && all_equal(BIG + CAP, span - CAP, SENTINEL));
    else
        check("cap: recv left the buffer alone", all_equal(BIG, span, SENTINEL));

    pattern(BIG, BIG_LEN, 0);
    check_result("over cap: send", send_at(BIG, BIG_LEN), e2big);
    fill(BIG, span, SENTINEL);
    check_result("over cap: recv", recv_at(BIG, BIG_LEN), e2big);
    check("over cap: recv wrote nothing", all_equal(BIG, span, SENTINEL));
}

int kernel_main(uint32_t magic, const void *multiboot_info)
{
    (void)magic, (void)multiboot_info;
    idt_init();
    map_window();
    results = backdoor_present() != 0;
    kprintf("bulk: results from the host: %s\n", results ? "yes" : "no");
    one_page();
    crossing();
    unmapped();
    sizes();
    kprintf("bulk: %u failures\n", failures);
    return failures == 0 ? 0 : 1;
}

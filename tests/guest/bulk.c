/* SPDX-License-Identifier: MIT */
/*
 * Bulk data both ways in user mode: good buffers, a buffer across a page
 * boundary, buffers running into an unmapped page, wild pointers, and a
 * length over the host's cap (run with max-buffer=65536). One line per case,
 * "name: ok" or "name: FAIL ...", compared by tests/test_twoway.py.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <backdoor/guest.h>

#include "test_commands.h"

static int failures;

static void expect(const char *name, long got, long want)
{
    if (got == want) {
        printf("%s: ok\n", name);
    } else {
        printf("%s: FAIL got %ld want %ld\n", name, got, want);
        failures++;
    }
}

static long checksum(const uint8_t *bytes, size_t len)
{
    return (long)test_checksum(bytes, len);
}

int main(void)
{
    long page = sysconf(_SC_PAGESIZE);
    /* Three pages; the third is unmapped so buffers can run into it. */
    uint8_t *area = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(area + 2 * page, page);
    for (long i = 0; i < 2 * page; i++) {
        area[i] = (uint8_t)(i * 13 + 1);
    }

    expect("send-good", (long)backdoor_send(CMD_CHECKSUM, area + 100, 1000, 0),
           checksum(area + 100, 1000));
    expect("send-cross-page", (long)backdoor_send(CMD_CHECKSUM, area + page - 10, 20, 0),
           checksum(area + page - 10, 20));
    expect("send-empty", (long)backdoor_send(CMD_CHECKSUM, area, 0, 0), 0);
    expect("send-into-unmapped",
           (long)backdoor_send(CMD_CHECKSUM, area + 2 * page - 8, 16, 0), BACKDOOR_EFAULT);
    expect("send-null", (long)backdoor_send(CMD_CHECKSUM, NULL, 16, 0), BACKDOOR_EFAULT);
    expect("send-wild", (long)backdoor_send(CMD_CHECKSUM, (void *)(uintptr_t)0xdead0000u, 64, 0),
           BACKDOOR_EFAULT);
    expect("send-wraps", (long)backdoor_send(CMD_CHECKSUM, (void *)(uintptr_t)-16, 64, 0),
           BACKDOOR_EFAULT);
    expect("send-over-cap", (long)backdoor_send(CMD_CHECKSUM, area, 65537, 0), BACKDOOR_E2BIG);

    uint8_t *out = area + page - 50;
    memset(area, 0xee, 2 * page);
    long got = (long)backdoor_recv(CMD_FILL, out, 100, 0);
    int pattern_ok = 1;
    for (int i = 0; i < 100; i++) {
        pattern_ok &= out[i] == (uint8_t)(i * 7);
    }
    expect("recv-cross-page", got, 100);
    expect("recv-cross-page-bytes", pattern_ok && out[-1] == 0xee && out[100] == 0xee, 1);

    memset(area, 0xee, 2 * page);
    got = (long)backdoor_recv(CMD_FILL, area + 2 * page - 8, 16, 0);
    int untouched = 1;
    for (long i = 0; i < 2 * page; i++) {
        untouched &= area[i] == 0xee;
    }
    expect("recv-into-unmapped", got, BACKDOOR_EFAULT);
    expect("recv-into-unmapped-nothing-written", untouched, 1);
    expect("recv-over-cap", (long)backdoor_recv(CMD_FILL, area, 65537, 0), BACKDOOR_E2BIG);
    expect("recv-null", (long)backdoor_recv(CMD_FILL, NULL, 8, 0), BACKDOOR_EFAULT);

    char info[128] = "";
    got = (long)backdoor_host_info(info, sizeof info);
    expect("host-info", got > 0 && (size_t)got == strlen(info) + 1, 1);
    got = (long)backdoor_host_info(info, 5);
    expect("host-info-truncated", got == 5 && strlen(info) == 4, 1);

    printf("%d failures\n", failures);
    return failures != 0;
}

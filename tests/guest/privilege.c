/* SPDX-License-Identifier: MIT */
/*
 * An unprivileged process tries to cross its privilege line through the
 * channel (issue 12): it hands the kernel's text to print (a send, which
 * would show kernel bytes on the host) and to host_info (a receive, which
 * would overwrite them), and a receive into its own read-only text. Each
 * must fail with BACKDOOR_EFAULT and touch nothing; its own buffers still
 * work. Usage: privilege [KERNEL_ADDRESS] (default: Linux's text without
 * KASLR). Prints one line per check; exits 0 when all hold.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <backdoor/guest.h>

static int failures;

static void expect(const char *what, long got, long want)
{
    printf("%s: %ld%s\n", what, got, got == want ? "" : " MISMATCH");
    failures += got != want;
}

int main(int argc, char **argv)
{
    uintptr_t kernel = argc > 1 ? (uintptr_t)strtoull(argv[1], NULL, 0)
                                : (uintptr_t)0xffffffff81000000ull;
    char own[64];
    static const char text[] = "privilege: own buffer\n";
    expect("send kernel text", (long)backdoor_send(BACKDOOR_OP_PRINT, (const void *)kernel, 16, 0),
           BACKDOOR_EFAULT);
    expect("receive into kernel text",
           (long)backdoor_recv(BACKDOOR_OP_HOST_INFO, (void *)kernel, 16, 0), BACKDOOR_EFAULT);
    uint8_t before[16];
    memcpy(before, (const void *)(uintptr_t)main, sizeof before);
    expect("receive into own text",
           (long)backdoor_recv(BACKDOOR_OP_HOST_INFO, (void *)(uintptr_t)main, 16, 0),
           BACKDOOR_EFAULT);
    expect("own text unchanged", memcmp(before, (const void *)(uintptr_t)main, 16), 0);
    expect("send own buffer", (long)backdoor_send(BACKDOOR_OP_PRINT, text, sizeof text - 1, 0),
           (long)sizeof text - 1);
    long got = (long)backdoor_recv(BACKDOOR_OP_HOST_INFO, own, sizeof own, 0);
    expect("receive into own buffer", got > 0 && own[0] == 'b' ? 1 : got, 1);
    printf("privilege: %s\n", failures == 0 ? "ok" : "FAILED");
    return failures != 0;
}

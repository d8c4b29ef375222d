/* SPDX-License-Identifier: MIT */
/*
 * Copies a host file to standard output through the backdoor, in 4 KiB
 * receives: the file never needs to be in the guest's disk image. Pair with
 * examples/readfile/handler.c. Exits 2 when no host answers.
 */
#include <stdio.h>

#include <backdoor/guest.h>

enum { CMD_READ_FILE = 0x800 };

int main(void)
{
    static char chunk[4096];
    backdoor_word_t offset = 0;
    if (backdoor_present() == 0) {
        fprintf(stderr, "readfile: no backdoor host answers\n");
        return 2;
    }
    for (;;) {
        backdoor_word_t n = backdoor_recv4(CMD_READ_FILE, chunk, sizeof chunk, offset, 0,
                                           BACKDOOR_ENOSYS);
        if (BACKDOOR_IS_ERROR(n)) {
            fprintf(stderr, "readfile: host error %ld\n", (long)n);
            return 1;
        }
        if (n == 0) {
            return 0;
        }
        fwrite(chunk, 1, n, stdout);
        offset += n;
    }
}

/* SPDX-License-Identifier: MIT */
/*
 * Files in and out of a bare-metal guest (readfile and writefile): the
 * kernel reads the host's readfile= file whole, in chunks, and writes it
 * back to outdir as "copy.bin" in chunks of another size, so the test can
 * compare the two byte for byte. Then the edges: reads at and past the end
 * and from an odd offset, offset 0 emptying a file, and names that are no
 * plain file name. With "nofiles" on the kernel command line (-append) the
 * plugin has neither option and both calls must answer BACKDOOR_ENOSYS.
 * Returns the number of failed checks (0: isa-debug-exit status 1).
 */
#include <backdoor/guest.h>

#include "console.h"
#include "kernel.h"

struct multiboot_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
};

/* Identity-mapped RAM above the kernel: room for a 16 MiB file. */
#define FILE_AREA ((uint8_t *)0x01000000u)
#define FILE_AREA_SIZE (16u << 20)
#define READ_CHUNK 65536u
#define WRITE_CHUNK 40000u /* not a divisor of READ_CHUNK: other boundaries */

static unsigned failures;

static void check(const char *what, int ok)
{
    kprintf("%s: %s\n", what, ok ? "ok" : "FAILED");
    if (!ok)
        failures++;
}

static void check_result(const char *what, backdoor_word_t got, backdoor_word_t want)
{
    kprintf("%s: result %d want %d\n", what, (int)got, (int)want);
    check(what, got == want);
}

static int contains(const char *text, const char *word)
{
    for (; *text != '\0'; text++) {
        const char *a = text, *b = word;
        while (*b != '\0' && *a == *b)
            a++, b++;
        if (*b == '\0')
            return 1;
    }
    return 0;
}

static int same(const uint8_t *a, const uint8_t *b, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++) {
        if (a[i] != b[i])
            return 0;
    }
    return 1;
}

/* The whole file into FILE_AREA; returns its size. */
static uint32_t read_whole(void)
{
    uint32_t size = 0, calls = 0;
    for (;;) {
        backdoor_word_t n = backdoor_readfile(FILE_AREA + size, READ_CHUNK, size);
        calls++;
        if (BACKDOOR_IS_ERROR(n) || n > READ_CHUNK || size + n > FILE_AREA_SIZE) {
            check_result("readfile chunk", n, READ_CHUNK);
            return size;
        }
        if (n == 0)
            break;
        size += n;
    }
    uint32_t sum = 0;
    for (uint32_t i = 0; i < size; i++)
        sum = sum * 31 + FILE_AREA[i];
    kprintf("readfile: %u bytes in %u calls, hash %x\n", size, calls, sum);
    return size;
}

static void write_copy(uint32_t size)
{
    uint32_t done = 0;
    do {
        uint32_t n = size - done < WRITE_CHUNK ? size - done : WRITE_CHUNK;
        backdoor_word_t r = backdoor_writefile("copy.bin", FILE_AREA + done, n, done);
        if (r != n) {
            check_result("writefile chunk", r, n);
            return;
        }
        done += n;
    } while (done < size);
    check("writefile copy.bin", 1);
}

static void edges(uint32_t size)
{
    static uint8_t small[64];
    for (unsigned i = 0; i < sizeof small; i++)
        small[i] = 0xa5;
    check_result("readfile at the end", backdoor_readfile(small, sizeof small, size), 0);
    check_result("readfile past the end", backdoor_readfile(small, sizeof small, size + 4096),
                 0);
    check_result("readfile far past the end",
                 backdoor_readfile(small, sizeof small, 0xfffffff0u), 0);
    check("nothing written past the end", small[0] == 0xa5);
    if (size > 10) {
        uint32_t want = size - 3 < sizeof small ? size - 3 : sizeof small;
        check_result("readfile from offset 3", backdoor_readfile(small, sizeof small, 3), want);
        check("offset 3: the file's bytes", same(small, FILE_AREA + 3, want));
    }

    check_result("writefile trunc.txt", backdoor_writefile("trunc.txt", "abcdef", 6, 0), 6);
    check_result("writefile trunc.txt at 8", backdoor_writefile("trunc.txt", "gh", 2, 8), 2);
    check_result("writefile trunc.txt afresh", backdoor_writefile("trunc.txt", "xy", 2, 0), 2);
    check_result("writefile empty.txt", backdoor_writefile("empty.txt", "", 0, 0), 0);

    /* The test gives max-output=64M: a file may not grow past it, even
     * sparsely. */
    check_result("writefile far past max-output",
                 backdoor_writefile("far.bin", "x", 1, 0x7fff0000u),
                 (backdoor_word_t)BACKDOOR_EFBIG);

    static char long_name[300];
    for (unsigned i = 0; i < 255; i++)
        long_name[i] = 'n';
    long_name[255] = '\0';
    check_result("writefile 255-byte name", backdoor_writefile(long_name, "1", 1, 0), 1);
    long_name[255] = 'n';
    long_name[256] = '\0';
    check_result("writefile 256-byte name",
                 backdoor_writefile(long_name, "1", 1, 0), (backdoor_word_t)BACKDOOR_EINVAL);
    for (unsigned i = 0; i < sizeof long_name; i++)
        long_name[i] = 'x'; /* no NUL at all in what the host may read */
    check_result("writefile unterminated name",
                 backdoor_writefile(long_name, "1", 1, 0), (backdoor_word_t)BACKDOOR_EINVAL);
    static const char *const bad[] = {"", ".", "..", "a/b", "../escaped", "/tmp/escaped",
                                      "sub/", "./x"};
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        kprintf("bad name '%s': ", bad[i]);
        check_result("writefile", backdoor_writefile(bad[i], "bad", 3, 0),
                     (backdoor_word_t)BACKDOOR_EINVAL);
    }
}

int kernel_main(uint32_t magic, const void *multiboot_info)
{
    const struct multiboot_info *info = multiboot_info;
    const char *cmdline = magic == MULTIBOOT_BOOTLOADER_MAGIC && (info->flags & 4)
                              ? (const char *)(uintptr_t)info->cmdline : "";
    if (contains(cmdline, "nofiles")) {
        uint8_t buf[16];
        check_result("readfile without readfile=", backdoor_readfile(buf, sizeof buf, 0),
                     (backdoor_word_t)BACKDOOR_ENOSYS);
        check_result("writefile without outdir=", backdoor_writefile("x", "x", 1, 0),
                     (backdoor_word_t)BACKDOOR_ENOSYS);
    } else {
        uint32_t size = read_whole();
        write_copy(size);
        edges(size);
    }
    kprintf("files: %u failures\n", failures);
    return failures == 0 ? 0 : 1;
}

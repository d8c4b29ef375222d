/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The guest architectures qemu-backdoor runs, and which of them an ELF file
 * was built for: e_ident and e_machine are all it reads, so any program,
 * static or dynamic, and any multiboot or bare-metal kernel is recognised.
 * Kernels need not be ELF files: a Linux bzImage, an arm64 or a RISC-V
 * Image is told by its boot header instead (image_arch).
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "qemu-backdoor.h"

const struct arch arches[] = {
    {"x86_64", EM_X86_64, ELFCLASS64, "qemu-system-x86_64", "x86_64-linux-gnu", "lib64",
     "", "libc6"},
    /* qemu-system-x86_64 boots 32-bit kernels too. */
    {"i386", EM_386, ELFCLASS32, "qemu-system-x86_64", "i386-linux-gnu", "lib32",
     "/usr/i686-linux-gnu", "libc6-i386-cross"},
    {"aarch64", EM_AARCH64, ELFCLASS64, "qemu-system-aarch64", "aarch64-linux-gnu", "lib64",
     "/usr/aarch64-linux-gnu", "libc6-arm64-cross"},
    {"riscv64", EM_RISCV, ELFCLASS64, "qemu-system-riscv64", "riscv64-linux-gnu", "lib64",
     "/usr/riscv64-linux-gnu", "libc6-riscv64-cross"},
};
const size_t arch_count = sizeof arches / sizeof arches[0];
const char arch_list[] = "x86_64, i386, aarch64 or riscv64";

/*
 * A program must be an executable or a position-independent executable
 * with execute permission: QEMU fails on an object file (.o), a shared
 * library or a core file with no word of its own, and exec refuses a file
 * without the permission. Kernels are loaded, not executed: not checked.
 */
static void check_runnable(const char *path, const char *what, bool program,
                           const unsigned char *h)
{
    if (!program) {
        return;
    }
    /* e_type is the 16-bit word right after e_ident (little-endian here). */
    unsigned type = (unsigned)h[EI_NIDENT + 1] << 8 | h[EI_NIDENT];
    if (type == ET_REL) {
        die("%s is an object file (ELF relocatable, .o), not a %s: link it first "
            "(cc -static -o prog %s)", path, what, path);
    }
    if (type != ET_EXEC && type != ET_DYN) {
        die("%s is an ELF %s file, not an executable %s: give a program", path,
            type == ET_CORE ? "core" : "non-executable", what);
    }
    if (access(path, X_OK) != 0) {
        die("%s is not executable (%s): chmod +x %s", path, strerror(errno), path);
    }
}

const struct arch *elf_arch(const char *path, const char *what, bool only_elf)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        die("cannot open %s %s: %s", what, path, strerror(errno));
    }
    unsigned char h[EI_NIDENT + 4];
    size_t n = fread(h, 1, sizeof h, file);
    fclose(file);
    if (n >= 2 && h[0] == '#' && h[1] == '!') {
        die("%s is a script, not an ELF program: name its interpreter, as in "
            "'%s -- /bin/sh %s'", path, program_name, path);
    }
    if ((n < sizeof h || memcmp(h, ELFMAG, SELFMAG) != 0) && !only_elf) {
        return NULL;
    }
    if (n < sizeof h || memcmp(h, ELFMAG, SELFMAG) != 0) {
        die("%s is not an ELF %s: give one compiled for %s", path, what, arch_list);
    }
    /* e_machine follows e_ident and the 16-bit e_type in either class. */
    unsigned machine = h[EI_DATA] == ELFDATA2MSB
                           ? (unsigned)h[EI_NIDENT + 2] << 8 | h[EI_NIDENT + 3]
                           : (unsigned)h[EI_NIDENT + 3] << 8 | h[EI_NIDENT + 2];
    for (size_t i = 0; i < arch_count; i++) {
        if (arches[i].machine == machine && arches[i].elf_class == h[EI_CLASS] &&
            h[EI_DATA] == ELFDATA2LSB) {
            check_runnable(path, what, only_elf, h);
            return &arches[i];
        }
    }
    die("%s is an ELF %s for machine %u (%d-bit, %s-endian), which qemu-backdoor "
        "does not run: rebuild it for %s", path, what, machine,
        h[EI_CLASS] == ELFCLASS64 ? 64 : 32, h[EI_DATA] == ELFDATA2MSB ? "big" : "little",
        arch_list);
}

const struct arch *arch_by_name(const char *name)
{
    for (size_t i = 0; i < arch_count; i++) {
        if (strcmp(arches[i].name, name) == 0) {
            return &arches[i];
        }
    }
    die("--arch=%s: expected %s", name, arch_list);
}

/* Linux's boot headers (Documentation/arch/{x86/boot,arm64/booting,
 * riscv/boot-image-header}.rst): "HdrS" at 0x202 of a bzImage, "ARM\x64"
 * at 56 of an arm64 Image, "RSC\x05" at 56 of a RISC-V one. */
const struct arch *image_arch(const char *path)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        die("cannot open kernel %s: %s", path, strerror(errno));
    }
    unsigned char h[0x210];
    size_t n = fread(h, 1, sizeof h, file);
    fclose(file);
    if (n >= 0x206 && memcmp(h + 0x202, "HdrS", 4) == 0) {
        return arch_by_name("x86_64");
    }
    if (n >= 60 && memcmp(h + 56, "ARM\x64", 4) == 0) {
        return arch_by_name("aarch64");
    }
    if (n >= 60 && memcmp(h + 56, "RSC\x05", 4) == 0) {
        return arch_by_name("riscv64");
    }
    return NULL;
}

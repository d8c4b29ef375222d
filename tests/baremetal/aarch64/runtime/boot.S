/* SPDX-License-Identifier: MIT */
/*
 * Entry of the aarch64 test kernels. QEMU's -kernel loads the ELF and
 * starts the CPU at _start (the first byte of .text, 0x80000000) at EL1
 * (-M virt without virtualization=on or secure=on has no EL2 or EL3), MMU
 * and caches off. This sets a stack, installs the exception vectors, clears
 * .bss, calls kernel_main() and exits QEMU with its return value.
 */
    .section .text.boot, "ax"
    .global _start
_start:
    adrp    x1, __stack_top
    add     x1, x1, :lo12:__stack_top
    mov     sp, x1
    adrp    x1, vectors
    add     x1, x1, :lo12:vectors
    msr     vbar_el1, x1
    isb
    adrp    x1, __bss_start
    add     x1, x1, :lo12:__bss_start
    adrp    x2, __bss_end
    add     x2, x2, :lo12:__bss_end
1:  cmp     x1, x2
    b.hs    2f
    str     xzr, [x1], #8
    b       1b
2:  bl      kernel_main
    bl      qemu_exit               /* w0: kernel_main's result */
3:  wfi
    b       3b

/*
 * Every exception is unexpected here: report it (the vector's number, ESR,
 * ELR, FAR) and exit with TRAP_EXIT_STATUS instead of looping until the
 * harness's timeout.
 */
    .macro vector number
    .balign 0x80
    mov     x0, #\number
    b       exception_entry
    .endm

    .text
    .balign 0x800
vectors:
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    vector \n
    .endr

exception_entry:
    mrs     x1, esr_el1
    mrs     x2, elr_el1
    mrs     x3, far_el1
    bl      exception_report        /* does not return */
4:  wfi
    b       4b

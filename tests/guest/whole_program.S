/* SPDX-License-Identifier: MIT */
/*
 * A whole program inside one region of interest, for comparing the plugin's
 * instruction count with QEMU's insn plugin (x86-64 user mode, no libc).
 * The region calls are the exact bytes guest.h emits for roi_begin(1) and
 * roi_end(1). Loop iterations: 1000 x argc.
 *
 * Instructions outside the region: the 4 of roi_begin (up to and including
 * its CPUID), roi_end's CPUID, and the 3 that exit: 8 in all. Inside: 2 to
 * set up the loop, 3 per iteration, roi_end's 3 loads.
 */
    .text
    .globl _start
_start:
    movl $1, %edx              /* roi_begin(1) */
    movl $0xbdca0004, %ecx
    movl $0x400012b1, %eax
    cpuid
    mov (%rsp), %rcx           /* region: argc ... */
    imul $1000, %rcx, %rcx
1:  add %rcx, %rax             /* ... 3 instructions per iteration */
    dec %rcx
    jnz 1b
    movl $1, %edx              /* roi_end(1): its three loads are in the region */
    movl $0xbdca0005, %ecx
    movl $0x400012b1, %eax
    cpuid
    mov $60, %eax              /* exit(0) */
    xor %edi, %edi
    syscall
    .section .note.GNU-stack,"",@progbits

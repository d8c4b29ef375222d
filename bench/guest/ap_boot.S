/* SPDX-License-Identifier: MIT */
/*
 * Application-processor start-up of the benchmark kernel (kernel.c). The
 * bootstrap processor copies ap_trampoline..ap_trampoline_end to
 * AP_TRAMPOLINE_ADDR (a page below 1 MiB) and sends INIT, SIPI, SIPI with
 * vector AP_TRAMPOLINE_ADDR >> 12. Each AP wakes there in real mode, loads
 * the GDT below, enters 32-bit protected mode, takes the next CPU index and
 * a stack of its own, and calls ap_main(index), which never returns.
 */
#define AP_TRAMPOLINE_ADDR 0x8000
#define AP_STACK_SIZE 16384
#define AP_MAX_CPUS 16
/* Where a symbol of the trampoline lands once copied. */
#define RELOC(sym) (AP_TRAMPOLINE_ADDR + (sym) - ap_trampoline)

    .section .text
    .code16
    .globl ap_trampoline
ap_trampoline:
    cli
    cld
    xorw %ax, %ax
    movw %ax, %ds
    lgdtl RELOC(ap_gdt_pointer)
    movl %cr0, %eax
    orl $1, %eax
    movl %eax, %cr0
    ljmpl $0x08, $ap_protected

    .balign 8
ap_gdt:
    .quad 0                     /* null */
    .quad 0x00cf9a000000ffff    /* 0x08: flat 32-bit code, ring 0 */
    .quad 0x00cf92000000ffff    /* 0x10: flat data, ring 0 */
ap_gdt_end:
ap_gdt_pointer:
    .word ap_gdt_end - ap_gdt - 1
    .long RELOC(ap_gdt)
    .globl ap_trampoline_end
ap_trampoline_end:

    .code32
ap_protected:
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %fs
    movw %ax, %gs
    movw %ax, %ss
    /* index = ++ap_next_index: 1, 2, ... (the BSP is 0) */
    movl $1, %eax
    lock xaddl %eax, ap_next_index
    incl %eax
    cmpl $AP_MAX_CPUS, %eax
    jae 2f
    movl %eax, %ecx
    incl %ecx
    imull $AP_STACK_SIZE, %ecx
    leal ap_stacks(%ecx), %esp
    xorl %ebp, %ebp
    pushl %eax
    call ap_main
2:  cli
    hlt
    jmp 2b

    .section .data
    .balign 4
    .globl ap_next_index
ap_next_index:
    .long 0

    .section .bss
    .balign 16
ap_stacks:
    .skip AP_STACK_SIZE * AP_MAX_CPUS

    .section .note.GNU-stack, "", @progbits

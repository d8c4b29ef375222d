/* SPDX-License-Identifier: MIT */
/*
 * Entry of every bare-metal test kernel: the multiboot v1 header QEMU's
 * -kernel looks for, our own GDT (the multiboot specification leaves GDTR
 * undefined, and every interrupt return reloads CS from it), a stack, and
 * the call into kernel_main(). A kernel that returns exits with its return
 * value through isa-debug-exit, so no path can leave QEMU running.
 */
#define MULTIBOOT_MAGIC 0x1BADB002
/* Bit 1: ask for the memory map. No bit 16: QEMU loads us as an ELF. */
#define MULTIBOOT_FLAGS 0x00000002

    .section .multiboot, "a"
    .balign 4
    .long MULTIBOOT_MAGIC
    .long MULTIBOOT_FLAGS
    .long -(MULTIBOOT_MAGIC + MULTIBOOT_FLAGS)

    .section .rodata
    .balign 8
gdt:
    .quad 0                     /* null */
    .quad 0x00cf9a000000ffff    /* 0x08: flat 32-bit code, ring 0 */
    .quad 0x00cf92000000ffff    /* 0x10: flat data, ring 0 */
gdt_end:
gdt_pointer:
    .word gdt_end - gdt - 1
    .long gdt

    .section .bss
    .balign 16
stack_bottom:
    .skip 65536
stack_top:

    .section .text
    .globl _start
    .type _start, @function
_start:
    cli
    lgdt gdt_pointer
    ljmp $0x08, $1f
1:  movw $0x10, %cx
    movw %cx, %ds
    movw %cx, %es
    movw %cx, %fs
    movw %cx, %gs
    movw %cx, %ss
    movl $stack_top, %esp
    xorl %ebp, %ebp
    cld
    /* kernel_main(multiboot magic, multiboot info) */
    pushl %ebx
    pushl %eax
    call kernel_main
    pushl %eax
    call qemu_exit
    .size _start, . - _start

    .section .note.GNU-stack, "", @progbits

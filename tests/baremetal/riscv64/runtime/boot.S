/* SPDX-License-Identifier: MIT */
/*
 * Entry of the riscv64 test kernels. With -bios none, QEMU's -M virt reset
 * code jumps to the start of RAM, 0x80000000, where -kernel loaded the ELF
 * (_start is the first byte of .text), in M-mode, with a0 = hart id and
 * a1 = the device tree. This parks any other hart, sets a stack and the
 * trap vector, clears .bss, calls kernel_main() and exits QEMU with its
 * return value.
 */
    .section .text.boot, "ax"
    .global _start
_start:
    csrr    t0, mhartid
    bnez    t0, 3f
    lla     sp, __stack_top
    lla     t0, trap_entry
    csrw    mtvec, t0
    lla     t0, __bss_start
    lla     t1, __bss_end
1:  bgeu    t0, t1, 2f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       1b
2:  call    kernel_main
    call    qemu_exit               /* a0: kernel_main's result */
3:  wfi
    j       3b

/*
 * Every trap is unexpected here (interrupts stay disabled): report it
 * (mcause, mepc, mtval) and exit with TRAP_EXIT_STATUS instead of looping
 * until the harness's timeout. mtvec in direct mode needs 4-byte alignment.
 */
    .text
    .balign 4
trap_entry:
    csrr    a0, mcause
    csrr    a1, mepc
    csrr    a2, mtval
    call    trap_report             /* does not return */
4:  wfi
    j       4b

/* SPDX-License-Identifier: MIT */
/*
 * Entry stubs of the 32 CPU exceptions. The CPU pushes an error code for
 * some vectors only; the others push a zero so that exception_report()
 * sees one frame layout. Exceptions are fatal in the test kernels, so the
 * path never returns.
 */
    .section .text

.macro EXCEPTION_NO_ERROR vector
exception_\vector:
    pushl $0
    pushl $\vector
    jmp exception_common
.endm

.macro EXCEPTION_WITH_ERROR vector
exception_\vector:
    pushl $\vector
    jmp exception_common
.endm

EXCEPTION_NO_ERROR 0
EXCEPTION_NO_ERROR 1
EXCEPTION_NO_ERROR 2
EXCEPTION_NO_ERROR 3
EXCEPTION_NO_ERROR 4
EXCEPTION_NO_ERROR 5
EXCEPTION_NO_ERROR 6
EXCEPTION_NO_ERROR 7
EXCEPTION_WITH_ERROR 8
EXCEPTION_NO_ERROR 9
EXCEPTION_WITH_ERROR 10
EXCEPTION_WITH_ERROR 11
EXCEPTION_WITH_ERROR 12
EXCEPTION_WITH_ERROR 13
EXCEPTION_WITH_ERROR 14
EXCEPTION_NO_ERROR 15
EXCEPTION_NO_ERROR 16
EXCEPTION_WITH_ERROR 17
EXCEPTION_NO_ERROR 18
EXCEPTION_NO_ERROR 19
EXCEPTION_NO_ERROR 20
EXCEPTION_WITH_ERROR 21
EXCEPTION_NO_ERROR 22
EXCEPTION_NO_ERROR 23
EXCEPTION_NO_ERROR 24
EXCEPTION_NO_ERROR 25
EXCEPTION_NO_ERROR 26
EXCEPTION_NO_ERROR 27
EXCEPTION_NO_ERROR 28
EXCEPTION_WITH_ERROR 29
EXCEPTION_WITH_ERROR 30
EXCEPTION_NO_ERROR 31

exception_common:
    cld
    pushl %esp              /* the frame: vector, error, eip, cs, eflags */
    call exception_report   /* does not return */

    .section .rodata
    .balign 4
    .globl exception_stubs
exception_stubs:
    .irp vector, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    .long exception_\vector
    .endr
    .irp vector, 16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .long exception_\vector
    .endr

    .section .note.GNU-stack, "", @progbits

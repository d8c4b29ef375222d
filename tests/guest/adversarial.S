/* SPDX-License-Identifier: MIT */
/*
 * Attempts to fool translation-time decoding (x86-64 only). Each case issues
 * seed i8_v32 calls whose true values differ from what the instructions just
 * before the CPUID would suggest; tests/test_decode_paths.py checks that the
 * handler sees the true values.
 *
 * jump_into:   mov $i8_v32(1), %eax; mov $100, %ecx; cpuid, and a second path
 *              that loads i8_v32(2)/200 and jumps straight to that cpuid.
 * smc_target:  a copy of "mov $LEAF,%eax; mov $V,%ecx; cpuid; ret" that C
 *              code copies into executable memory and patches between runs.
 */
    .text
    .globl jump_into
jump_into:
    push %rbx
    mov $0x40001102, %eax      /* second path: i8_v32(2, 200) ... */
    mov $200, %ecx
    jmp 1f
    .globl jump_into_fallthrough
jump_into_fallthrough:
    push %rbx
    mov $0x40001101, %eax      /* first path: i8_v32(1, 100) */
    mov $100, %ecx
1:  cpuid                      /* ... reaches the same CPUID by a jump */
    pop %rbx
    ret

    .globl smc_template, smc_template_end
smc_template:
    push %rbx
    mov $0x40001103, %eax      /* i8_v32(3, V): V patched at offset 7 */
    mov $0, %ecx
    cpuid
    pop %rbx
    ret
smc_template_end:
    .section .note.GNU-stack,"",@progbits

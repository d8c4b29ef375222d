/* SPDX-License-Identifier: MIT */
/*
 * Driver of adversarial.S: the jump-into case, then self-modifying code that
 * rewrites the CPUID's ECX immediate between executions.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

void jump_into(void);
void jump_into_fallthrough(void);
extern const uint8_t smc_template[], smc_template_end[];

/* Offset of the imm32 of "mov $0, %ecx" in smc_template: push(1) + mov eax(5) + b9. */
#define SMC_IMM_OFFSET 7

int main(void)
{
    jump_into_fallthrough(); /* i8_v32(1, 100) */
    jump_into();             /* i8_v32(2, 200): the CPUID is reached by a jump */
    jump_into_fallthrough(); /* i8_v32(1, 100) again, translated block reused */

    size_t len = (size_t)(smc_template_end - smc_template);
    uint8_t *code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code == MAP_FAILED) {
        return 1;
    }
    memcpy(code, smc_template, len);
    void (*call)(void) = (void (*)(void))(uintptr_t)code;
    for (uint32_t v = 1; v <= 3; v++) {
        memcpy(code + SMC_IMM_OFFSET, &v, sizeof v); /* i8_v32(3, v) */
        __builtin___clear_cache((char *)code, (char *)code + len);
        call();
        call();
    }
    return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * Page directory and tables live in .bss: a small fixed pool is enough for
 * the identity map plus a few test windows, and needs no frame allocator.
 */
#include "paging.h"

#define PTE_PRESENT 0x001u
#define PTE_WRITABLE 0x002u
#define ENTRIES 1024u
#define IDENTITY_TABLES (PAGING_IDENTITY_LIMIT / (ENTRIES * PAGE_SIZE))
#define SPARE_TABLES 4u
#define CR0_PG 0x80000000u

static uint32_t directory[ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static uint32_t tables[IDENTITY_TABLES + SPARE_TABLES][ENTRIES]
    __attribute__((aligned(PAGE_SIZE)));
static unsigned tables_used;
static bool enabled;

/* The page table covering virt, taken from the pool when absent. */
static uint32_t *table_for(uint32_t virt, bool create)
{
    uint32_t *pde = &directory[virt >> 22];
    if (*pde & PTE_PRESENT)
        return (uint32_t *)(*pde & ~(PAGE_SIZE - 1));
    if (!create || tables_used == sizeof tables / sizeof tables[0])
        return 0;
    uint32_t *table = tables[tables_used++];
    for (unsigned i = 0; i < ENTRIES; i++)
        table[i] = 0;
    /* The tables are identity-mapped, so their address is their frame. */
    *pde = (uint32_t)table | PTE_PRESENT | PTE_WRITABLE;
    return table;
}

/* Only needed once paging is on; a stale TLB entry would hide the change. */
static void flush(uint32_t virt)
{
    if (enabled)
        __asm__ __volatile__("invlpg (%0)" : : "r"(virt) : "memory");
}

bool paging_map(uint32_t virt, uint32_t phys)
{
    uint32_t *table = table_for(virt, true);
    if (table == 0)
        return false;
    table[(virt >> 12) & (ENTRIES - 1)] =
        (phys & ~(PAGE_SIZE - 1)) | PTE_PRESENT | PTE_WRITABLE;
    flush(virt);
    return true;
}

void paging_unmap(uint32_t virt)
{
    uint32_t *table = table_for(virt, false);
    if (table != 0)
        table[(virt >> 12) & (ENTRIES - 1)] = 0;
    flush(virt);
}

void paging_enable(void)
{
    for (uint32_t addr = 0; addr < PAGING_IDENTITY_LIMIT; addr += PAGE_SIZE)
        paging_map(addr, addr);
    uint32_t cr0;
    __asm__ __volatile__("movl %0, %%cr3" : : "r"(directory) : "memory");
    __asm__ __volatile__("movl %%cr0, %0" : "=r"(cr0));
    cr0 |= CR0_PG;
    __asm__ __volatile__("movl %0, %%cr0" : : "r"(cr0) : "memory");
    enabled = true;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Guest code names (qemu/symbols.h), with elfutils' libdwfl: it opens each
 * ELF, finds its separate debug file (Debian's /usr/lib/debug/.build-id
 * layout among others), and reads its line tables and unwind tables.
 *
 * User mode: QEMU maps the guest's files into its own address space at the
 * guest address plus a fixed offset (the instruction's host address tells
 * it), so QEMU's /proc/self/maps lists every object the guest mapped, its
 * loader, main program and dlopen'ed libraries included, without following
 * system calls. It is read again when code turns up outside every known
 * mapping, or when the bytes of a known one no longer match its file (a
 * library unmapped and another mapped at its address).
 *
 * Function names follow Valgrind's symbol reader (coregrind/m_debuginfo):
 * text symbols of .symtab, .dynsym and the debug file's .symtab, of types
 * function or IFUNC, named and of non-zero size; symbols with the same
 * address and size are one function named by Valgrind's preference (the
 * shortest name without its @version, then the versioned one, then the
 * alphabetically first); overlapping ones are cut where the next begins.
 * Code no symbol covers is named as Callgrind names it, "0x" and the
 * function's entry relative to the object's load address, the entry taken
 * from the unwind table (.eh_frame) that even stripped objects keep.
 */
#include "qemu/symbols.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qemu/elfutils.h"
#include "qemu/qemu_compat.h"

/* One function: [start, end) in the object's own addresses (unbiased). */
struct fn_symbol {
    uint64_t start, end;
    const char *name;
};

struct object {
    const char *path; /* interned */
    uint64_t bias;    /* guest address minus the ELF's own address */
    Dwfl *dwfl;
    Dwfl_Module *module;
    struct fn_symbol *symbols;
    size_t n_symbols;
    GArray *plt;  /* uint64_t pairs [start, end), ELF addresses */
    GArray *text; /* struct segment: executable PT_LOADs, for the byte check */
    const uint8_t *raw;
    size_t raw_size;
    int machine; /* e_machine */
    /* .eh_frame_hdr: its address, file offset and entries; 0 if none. */
    uint64_t eh_index, eh_index_offset, eh_entries;
};

struct segment {
    uint64_t vaddr, offset, size;
};

/* A guest range of one file, from /proc/self/maps; its object is opened
 * at the first lookup, so QEMU's own libraries (in the same maps when the
 * guest's addresses are the host's) cost nothing. */
struct mapping {
    uint64_t start, end;
    const char *path; /* interned; NULL: anonymous or not an ELF */
    uint64_t bias;
    struct object *object; /* once opened */
    bool opened;
};

static struct symbols_config config;
static GMutex lock;
static GHashTable *strings;  /* interned names */
static GHashTable *objects;  /* "path@bias" -> struct object */
static GArray *mappings;     /* struct mapping, sorted, from the last read */
static bool base_known;
static uint64_t guest_base;  /* host address minus guest address (user mode) */
static struct object *kernel; /* system mode */
static GHashTable *load_vaddrs;  /* "path inode" -> first PT_LOAD page + 1 */
static GHashTable *stale_pages;  /* guest pages a fresh read did not explain */

/* elfutils' own functions, known once it is loaded (symbols_init). */
static Dwfl_Callbacks dwfl_callbacks;

static const char *intern(const char *s)
{
    if (s == NULL) {
        return NULL;
    }
    char *have = g_hash_table_lookup(strings, s);
    if (have == NULL) {
        have = g_strdup(s);
        g_hash_table_add(strings, have);
    }
    return have;
}

/* Valgrind's preferName (m_debuginfo/storage.c): true if a is preferred. */
static bool prefer_name(const char *a, const char *b)
{
    const char *va = strchr(a, '@'), *vb = strchr(b, '@');
    size_t la = va != NULL ? (size_t)(va - a) : strlen(a);
    size_t lb = vb != NULL ? (size_t)(vb - b) : strlen(b);
    if (la != lb) {
        return la < lb;
    }
    if ((va != NULL) != (vb != NULL)) {
        return va != NULL;
    }
    return strcmp(a, b) <= 0;
}

static gint by_start_then_size(gconstpointer pa, gconstpointer pb)
{
    const struct fn_symbol *a = pa, *b = pb;
    if (a->start != b->start) {
        return a->start < b->start ? -1 : 1;
    }
    if (a->end != b->end) {
        return a->end < b->end ? -1 : 1;
    }
    return 0;
}

/* Merges aliases and cuts overlaps as Valgrind's canonicaliseSymtab. */
static void canonicalise(GArray *syms)
{
    for (bool changed = true; changed;) {
        changed = false;
        g_array_sort(syms, by_start_then_size);
        guint w = 0;
        for (guint r = 0; r < syms->len; r++) {
            struct fn_symbol *s = &g_array_index(syms, struct fn_symbol, r);
            if (s->start >= s->end) {
                continue;
            }
            if (w > 0) {
                struct fn_symbol *last = &g_array_index(syms, struct fn_symbol, w - 1);
                if (last->start == s->start && last->end == s->end) {
                    if (!prefer_name(last->name, s->name)) {
                        last->name = s->name;
                    }
                    continue;
                }
            }
            g_array_index(syms, struct fn_symbol, w++) = *s;
        }
        g_array_set_size(syms, w);
        for (guint i = 0; i + 1 < syms->len; i++) {
            struct fn_symbol *a = &g_array_index(syms, struct fn_symbol, i);
            struct fn_symbol *b = a + 1;
            if (a->end <= b->start) {
                continue;
            }
            if (a->start < b->start) {
                a->end = b->start;
            } else {
                /* Same start, a shorter: the longer keeps what follows. */
                b->start = a->end;
                changed = true;
            }
        }
    }
}

static void add_symbol(GArray *syms, const GElf_Sym *sym, const char *name, uint64_t addr)
{
    int type = GELF_ST_TYPE(sym->st_info), bind = GELF_ST_BIND(sym->st_info);
    if ((type != STT_FUNC && type != STT_GNU_IFUNC) ||
        (bind != STB_GLOBAL && bind != STB_LOCAL && bind != STB_WEAK) || name == NULL ||
        name[0] == '\0' || sym->st_size == 0 || sym->st_shndx == SHN_UNDEF) {
        return;
    }
    uint64_t size = sym->st_size > INT32_MAX ? INT32_MAX : sym->st_size;
    struct fn_symbol s = {addr, addr + size, intern(name)};
    g_array_append_val(syms, s);
}

/* The main file's .dynsym, which libdwfl skips once it has a .symtab
 * (Valgrind reads both: .dynsym's unversioned names are aliases too). */
static void add_dynsym(GArray *syms, Elf *elf)
{
    Elf_Scn *scn = NULL;
    while ((scn = elfutils.elf_nextscn(elf, scn)) != NULL) {
        GElf_Shdr shdr;
        if (elfutils.gelf_getshdr(scn, &shdr) == NULL || shdr.sh_type != SHT_DYNSYM ||
            shdr.sh_entsize == 0) {
            continue;
        }
        Elf_Data *data = elfutils.elf_getdata(scn, NULL);
        size_t n = data != NULL ? shdr.sh_size / shdr.sh_entsize : 0;
        for (size_t i = 0; i < n; i++) {
            GElf_Sym sym;
            if (elfutils.gelf_getsym(data, (int)i, &sym) != NULL) {
                add_symbol(syms, &sym, elfutils.elf_strptr(elf, shdr.sh_link, sym.st_name),
                           sym.st_value);
            }
        }
    }
}

/* Version 1, the table as datarel sdata4 (0x3b), the count as udata4 (3)
 * or sdata4 (0xb): else the index is not used. */
static void read_eh_index(struct object *o)
{
    uint64_t size = o->eh_entries;
    o->eh_entries = 0;
    const uint8_t *h = o->raw != NULL && o->eh_index_offset + 12 <= o->raw_size
                           ? o->raw + o->eh_index_offset
                           : NULL;
    if (h == NULL || size < 12 || h[0] != 1 || h[3] != 0x3b || (h[2] != 0x03 && h[2] != 0x0b) ||
        (h[1] & 0x0f) == 0x0f || ((h[1] & 0x0f) != 0x0b && (h[1] & 0x0f) != 0x03)) {
        o->eh_index = 0;
        return;
    }
    uint32_t count;
    memcpy(&count, h + 8, sizeof count);
    if (12 + (uint64_t)count * 8 > size || o->eh_index_offset + size > o->raw_size) {
        o->eh_index = 0;
        return;
    }
    o->eh_entries = count;
}

/* PLT sections and executable segments of the main file. */
static void read_layout(struct object *o, Elf *elf)
{
    size_t shstrndx;
    if (elfutils.elf_getshdrstrndx(elf, &shstrndx) == 0) {
        Elf_Scn *scn = NULL;
        while ((scn = elfutils.elf_nextscn(elf, scn)) != NULL) {
            GElf_Shdr shdr;
            const char *name;
            if (elfutils.gelf_getshdr(scn, &shdr) == NULL ||
                (name = elfutils.elf_strptr(elf, shstrndx, shdr.sh_name)) == NULL) {
                continue;
            }
            if (strcmp(name, ".plt") == 0 || strcmp(name, ".plt.sec") == 0 ||
                strcmp(name, ".plt.got") == 0 || strcmp(name, ".iplt") == 0) {
                uint64_t range[2] = {shdr.sh_addr, shdr.sh_addr + shdr.sh_size};
                g_array_append_vals(o->plt, range, 2);
            }
        }
    }
    size_t n;
    if (elfutils.elf_getphdrnum(elf, &n) != 0) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        GElf_Phdr ph;
        if (elfutils.gelf_getphdr(elf, (int)i, &ph) == NULL) {
            continue;
        }
        if (ph.p_type == PT_LOAD && (ph.p_flags & PF_X)) {
            struct segment s = {ph.p_vaddr, ph.p_offset, ph.p_filesz};
            g_array_append_val(o->text, s);
        } else if (ph.p_type == PT_GNU_EH_FRAME) {
            o->eh_index = ph.p_vaddr;
            o->eh_index_offset = ph.p_offset;
            o->eh_entries = ph.p_filesz; /* checked below */
        }
    }
    o->raw = (const uint8_t *)elfutils.elf_rawfile(elf, &o->raw_size);
    read_eh_index(o);
    GElf_Ehdr ehdr;
    if (elfutils.gelf_getehdr(elf, &ehdr) != NULL) {
        o->machine = ehdr.e_machine;
    }
}

static void read_symbols(struct object *o)
{
    GArray *syms = g_array_new(FALSE, FALSE, sizeof(struct fn_symbol));
    int n = elfutils.dwfl_module_getsymtab(o->module);
    for (int i = 0; i < n; i++) {
        GElf_Sym sym;
        GElf_Addr addr;
        GElf_Word shndx;
        Elf *elf;
        Dwarf_Addr bias;
        const char *name = elfutils.dwfl_module_getsym_info(o->module, i, &sym, &addr,
                                                            &shndx, &elf, &bias);
        add_symbol(syms, &sym, name, addr - o->bias);
    }
    GElf_Addr main_bias;
    Elf *elf = elfutils.dwfl_module_getelf(o->module, &main_bias);
    if (elf != NULL) {
        add_dynsym(syms, elf);
        read_layout(o, elf);
    }
    canonicalise(syms);
    o->n_symbols = syms->len;
    o->symbols = (struct fn_symbol *)g_array_free(syms, FALSE);
}

/* Opens path as loaded at bias; NULL if it is not a readable ELF. */
static struct object *open_object(const char *path, uint64_t bias)
{
    char *key = g_strdup_printf("%s@%" PRIx64, path, bias);
    struct object *o = g_hash_table_lookup(objects, key);
    if (o != NULL || g_hash_table_contains(objects, key)) {
        g_free(key);
        return o;
    }
    Dwfl *dwfl = elfutils.dwfl_begin(&dwfl_callbacks);
    Dwfl_Module *module = NULL;
    if (dwfl != NULL) {
        elfutils.dwfl_report_begin(dwfl);
        module = elfutils.dwfl_report_elf(dwfl, path, path, -1, bias, false);
        elfutils.dwfl_report_end(dwfl, NULL, NULL);
    }
    if (module == NULL) {
        if (dwfl != NULL) {
            elfutils.dwfl_end(dwfl);
        }
        g_hash_table_insert(objects, key, NULL);
        return NULL;
    }
    o = g_new0(struct object, 1);
    o->path = intern(path);
    o->dwfl = dwfl;
    o->module = module;
    o->plt = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    o->text = g_array_new(FALSE, FALSE, sizeof(struct segment));
    /* ET_EXEC: libdwfl ignores the bias, and so do the addresses. */
    GElf_Addr module_bias = 0;
    elfutils.dwfl_module_getelf(module, &module_bias);
    o->bias = module_bias;
    read_symbols(o);
    g_hash_table_insert(objects, key, o);
    return o;
}

/* The first loadable segment's page, which the mapping at offset 0 holds;
 * cached per file and inode. */
static bool first_load_vaddr(const char *path, uint64_t inode, uint64_t *vaddr)
{
    char *key = g_strdup_printf("%s %" PRIu64, path, inode);
    gpointer known = g_hash_table_lookup(load_vaddrs, key);
    if (known != NULL) {
        g_free(key);
        *vaddr = *(uint64_t *)known;
        return true;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    bool found = false;
    Elf *elf = fd >= 0 ? elfutils.elf_begin(fd, ELF_C_READ_MMAP, NULL) : NULL;
    size_t n;
    if (elf != NULL && elfutils.elf_kind(elf) == ELF_K_ELF &&
        elfutils.elf_getphdrnum(elf, &n) == 0) {
        for (size_t i = 0; i < n && !found; i++) {
            GElf_Phdr ph;
            if (elfutils.gelf_getphdr(elf, (int)i, &ph) != NULL && ph.p_type == PT_LOAD) {
                uint64_t align = ph.p_align > 1 ? ph.p_align : 1;
                *vaddr = (ph.p_vaddr - ph.p_offset) & ~(align - 1);
                found = true;
            }
        }
    }
    if (elf != NULL) {
        elfutils.elf_end(elf);
    }
    if (fd >= 0) {
        close(fd);
    }
    if (found) {
        g_hash_table_insert(load_vaddrs, key, g_memdup2(vaddr, sizeof *vaddr));
    } else {
        g_free(key);
    }
    return found;
}

struct maps_line {
    uint64_t start, end, offset, inode;
    char path[512];
};

static gint by_mapping_start(gconstpointer pa, gconstpointer pb)
{
    const struct mapping *a = pa, *b = pb;
    return a->start < b->start ? -1 : a->start > b->start;
}

/* Reads QEMU's /proc/self/maps again: every file mapping in the guest's
 * part of the address space, with its object's path and load bias. */
static void read_maps(void)
{
    FILE *f = fopen("/proc/self/maps", "re");
    if (f == NULL) {
        return;
    }
    g_array_set_size(mappings, 0);
    g_hash_table_remove_all(stale_pages);
    GArray *lines = g_array_new(FALSE, FALSE, sizeof(struct maps_line));
    char buf[1024];
    while (fgets(buf, sizeof buf, f) != NULL) {
        struct maps_line l = {0};
        char perms[8], dev[16];
        int path_at = 0;
        if (sscanf(buf, "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64 " %15s %" SCNu64 " %n", &l.start,
                   &l.end, perms, &l.offset, dev, &l.inode, &path_at) < 6) {
            continue;
        }
        const char *p = buf + path_at;
        size_t len = strcspn(p, "\n");
        if (p[0] == '/' && len < sizeof l.path) {
            memcpy(l.path, p, len);
        }
        g_array_append_val(lines, l);
    }
    fclose(f);
    for (guint i = 0; i < lines->len; i++) {
        struct maps_line *l = &g_array_index(lines, struct maps_line, i);
        if (l->start < guest_base) {
            continue;
        }
        struct mapping m = {l->start - guest_base, l->end - guest_base, NULL, 0, NULL, false};
        /* The object's first page: the nearest line before of the same
         * file at offset 0. */
        for (guint j = i + 1; l->path[0] != '\0' && j-- > 0;) {
            struct maps_line *first = &g_array_index(lines, struct maps_line, j);
            if (first->inode != l->inode || strcmp(first->path, l->path) != 0) {
                break;
            }
            uint64_t vaddr;
            if (first->offset == 0 && first->start >= guest_base &&
                first_load_vaddr(l->path, l->inode, &vaddr)) {
                m.path = intern(l->path);
                m.bias = first->start - guest_base - vaddr;
                break;
            }
        }
        g_array_append_val(mappings, m);
    }
    g_array_sort(mappings, by_mapping_start);
    g_array_free(lines, TRUE);
}

static struct mapping *find_mapping(uint64_t addr)
{
    guint lo = 0, hi = mappings->len;
    while (lo < hi) {
        guint mid = (lo + hi) / 2;
        struct mapping *m = &g_array_index(mappings, struct mapping, mid);
        if (addr < m->start) {
            hi = mid;
        } else if (addr >= m->end) {
            lo = mid + 1;
        } else {
            return m;
        }
    }
    return NULL;
}

/* Whether the guest's bytes at addr are still the object's file's. */
static bool bytes_match(const struct object *o, uint64_t addr, const uint8_t *bytes,
                        size_t len)
{
    uint64_t own = addr - o->bias;
    for (guint i = 0; i < o->text->len; i++) {
        const struct segment *s = &g_array_index(o->text, struct segment, i);
        if (own >= s->vaddr && own + len <= s->vaddr + s->size) {
            uint64_t at = s->offset + (own - s->vaddr);
            /* Without the file's bytes there is nothing to compare. */
            return o->raw == NULL ||
                   (at + len <= o->raw_size && memcmp(o->raw + at, bytes, len) == 0);
        }
    }
    return false;
}

static struct object *mapping_object(struct mapping *m)
{
    if (m != NULL && m->path != NULL && !m->opened) {
        m->object = open_object(m->path, m->bias);
        m->opened = true;
    }
    return m != NULL ? m->object : NULL;
}

/*
 * The object holding addr. A miss, or bytes that are no longer the file's,
 * reads the maps again, once per page until the maps next change: code in
 * anonymous memory (a JIT) or rewritten in place stays unnamed without a
 * read per instruction.
 */
static struct object *object_at(const struct qemu_plugin_insn *insn, uint64_t addr)
{
    if (config.system_mode) {
        return kernel;
    }
    if (!base_known) {
        if (insn == NULL || !qemu_caps.host_addresses) {
            return NULL;
        }
        guest_base = (uint64_t)(uintptr_t)qemu_plugin_insn_haddr(insn) - addr;
        base_known = true;
        read_maps();
    }
    gpointer page = GSIZE_TO_POINTER((gsize)(addr >> 12) + 1);
    if (g_hash_table_contains(stale_pages, page)) {
        return NULL;
    }
    uint8_t bytes[16];
    size_t len = insn != NULL ? qemu_insn_bytes(insn, bytes, sizeof bytes) : 0;
    for (int attempt = 0; attempt < 2; attempt++) {
        struct mapping *m = find_mapping(addr);
        struct object *o = mapping_object(m);
        if (m != NULL && (o == NULL || len == 0 || bytes_match(o, addr, bytes, len))) {
            return o;
        }
        if (attempt == 0) {
            read_maps();
        }
    }
    g_hash_table_add(stale_pages, page);
    return NULL;
}

static const struct fn_symbol *symbol_at(const struct object *o, uint64_t own)
{
    size_t lo = 0, hi = o->n_symbols;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (own < o->symbols[mid].start) {
            hi = mid;
        } else if (own >= o->symbols[mid].end) {
            lo = mid + 1;
        } else {
            return &o->symbols[mid];
        }
    }
    return NULL;
}

static bool in_plt(const struct object *o, uint64_t own)
{
    for (guint i = 0; i + 1 < o->plt->len; i += 2) {
        if (own >= g_array_index(o->plt, uint64_t, i) &&
            own < g_array_index(o->plt, uint64_t, i + 1)) {
            return true;
        }
    }
    return false;
}

/*
 * The entry of the function around an address from the unwind tables'
 * index, .eh_frame_hdr (PT_GNU_EH_FRAME, kept by strip): its table of
 * function starts, sorted, in the encoding every linker writes (32-bit,
 * relative to the index itself).
 */
static bool cfi_entry(const struct object *o, uint64_t own, uint64_t *entry)
{
    if (o->eh_index == 0 || o->raw == NULL) {
        return false;
    }
    const uint8_t *hdr = o->raw + o->eh_index_offset;
    size_t n = o->eh_entries;
    /* The last entry whose start is at or before own. */
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int32_t rel;
        memcpy(&rel, hdr + 12 + mid * 8, sizeof rel);
        if (o->eh_index + (uint64_t)(int64_t)rel <= own) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo == 0) {
        return false;
    }
    int32_t rel;
    memcpy(&rel, hdr + 12 + (lo - 1) * 8, sizeof rel);
    *entry = o->eh_index + (uint64_t)(int64_t)rel;
    return true;
}

static const char *address_name(uint64_t own)
{
    char name[32];
    snprintf(name, sizeof name, "0x%016" PRIx64, own);
    return intern(name);
}

static void source_line(const struct object *o, uint64_t addr, const char **file,
                        uint32_t *line)
{
    Dwfl_Line *l = o->module != NULL ? elfutils.dwfl_module_getsrc(o->module, addr) : NULL;
    int lineno = 0;
    const char *name =
        l != NULL ? elfutils.dwfl_lineinfo(l, NULL, &lineno, NULL, NULL, NULL) : NULL;
    if (name == NULL || lineno <= 0) {
        return;
    }
    /* A relative name under its compilation directory, as Valgrind's
     * reader joins them ("./string/../sysdeps/..."). */
    const char *dir = name[0] != '/' ? elfutils.dwfl_line_comp_dir(l) : NULL;
    if (dir != NULL && dir[0] != '\0') {
        char *joined = g_strconcat(dir, "/", name, NULL);
        *file = intern(joined);
        g_free(joined);
    } else {
        *file = intern(name);
    }
    *line = (uint32_t)lineno;
}

void symbols_lookup(const struct qemu_plugin_insn *insn, uint64_t addr, uint64_t block_start,
                    struct code_place *place)
{
    memset(place, 0, sizeof *place);
    g_mutex_lock(&lock);
    struct object *o = object_at(insn, addr);
    if (o == NULL) {
        place->function = address_name(block_start);
        g_mutex_unlock(&lock);
        return;
    }
    place->object = o->path;
    uint64_t own = addr - o->bias;
    const struct fn_symbol *sym = symbol_at(o, own);
    uint64_t entry;
    if (sym == NULL && config.system_mode) {
        /* The kernel's symbols only: code of the upper half by address,
         * everything else (user processes, firmware) as one. */
        place->object = NULL;
        place->function = addr >> 63 ? address_name(block_start) : intern("(no symbol)");
        g_mutex_unlock(&lock);
        return;
    }
    if (sym != NULL) {
        place->function = sym->name;
        entry = sym->start;
    } else if (in_plt(o, own)) {
        place->plt = true;
        place->function = address_name(own & ~(uint64_t)15);
        entry = own;
    } else if (cfi_entry(o, own, &entry)) {
        place->function = address_name(entry);
    } else {
        entry = block_start - o->bias;
        place->function = address_name(entry);
    }
    uint32_t entry_line = 0;
    source_line(o, addr, &place->file, &place->line);
    source_line(o, entry + o->bias, &place->fn_file, &entry_line);
    if (place->fn_file == NULL) {
        place->fn_file = place->file;
    }
    g_mutex_unlock(&lock);
}

/* The file's bytes at an address of the object, up to len; NULL outside. */
static const uint8_t *file_bytes(const struct object *o, uint64_t own, size_t *len)
{
    for (guint i = 0; i < o->text->len; i++) {
        const struct segment *s = &g_array_index(o->text, struct segment, i);
        if (own >= s->vaddr && own < s->vaddr + s->size) {
            uint64_t at = s->offset + (own - s->vaddr);
            if (o->raw == NULL || at >= o->raw_size) {
                return NULL;
            }
            uint64_t left = s->vaddr + s->size - own;
            *len = MIN(MIN(*len, o->raw_size - at), left);
            return o->raw + at;
        }
    }
    return NULL;
}

/*
 * Instructions of a PLT stub up to its indirect jump, in the layouts the
 * linkers write: x86 "[endbr] [bnd] jmp *GOT", AArch64 "adrp; ldr; add;
 * br". 0 for anything else (lazy binding's push-and-jump takes the other
 * path once per symbol and stays the stub's).
 */
static uint32_t stub_length(const struct object *o, uint64_t own)
{
    size_t len = 32;
    const uint8_t *b = file_bytes(o, own, &len);
    if (b == NULL) {
        return 0;
    }
    uint32_t n = 0;
    if (o->machine == EM_X86_64 || o->machine == EM_386) {
        for (size_t at = 0; at < len && n < 4;) {
            if (at + 4 <= len && b[at] == 0xf3 && b[at + 1] == 0x0f && b[at + 2] == 0x1e &&
                (b[at + 3] == 0xfa || b[at + 3] == 0xfb)) {
                n++;
                at += 4;
                continue;
            }
            size_t j = at + (b[at] == 0xf2);
            if (j + 1 < len && b[j] == 0xff && (b[j + 1] == 0x25 || b[j + 1] == 0xa3)) {
                return n + 1;
            }
            return 0;
        }
    } else if (o->machine == EM_AARCH64) {
        for (size_t at = 0; at + 4 <= len && n < 8; at += 4) {
            uint32_t word = (uint32_t)b[at] | (uint32_t)b[at + 1] << 8 |
                            (uint32_t)b[at + 2] << 16 | (uint32_t)b[at + 3] << 24;
            n++;
            if ((word & 0xfffffc1fu) == 0xd61f0000u) {
                return n;
            }
        }
    }
    return 0;
}

bool symbols_plt_stub(uint64_t addr, uint32_t *insns)
{
    g_mutex_lock(&lock);
    struct object *o = config.system_mode ? NULL : object_at(NULL, addr);
    uint64_t own = o != NULL ? addr - o->bias : 0;
    *insns = o != NULL && in_plt(o, own) && symbol_at(o, own) == NULL ? stub_length(o, own) : 0;
    g_mutex_unlock(&lock);
    return *insns != 0;
}

/* A System.map ("address type name" per line): text symbols become
 * functions, each ending where the next begins. */
static bool read_system_map(const char *path, struct object *o)
{
    FILE *f = fopen(path, "re");
    if (f == NULL) {
        return false;
    }
    GArray *syms = g_array_new(FALSE, FALSE, sizeof(struct fn_symbol));
    char buf[1024];
    bool any = false;
    while (fgets(buf, sizeof buf, f) != NULL) {
        uint64_t addr;
        char type;
        char name[512];
        if (sscanf(buf, "%" SCNx64 " %c %511s", &addr, &type, name) != 3) {
            continue;
        }
        any = true;
        if (type == 't' || type == 'T' || type == 'w' || type == 'W') {
            struct fn_symbol s = {addr, UINT64_MAX, intern(name)};
            g_array_append_val(syms, s);
        }
    }
    fclose(f);
    g_array_sort(syms, by_start_then_size);
    for (guint i = 0; i + 1 < syms->len; i++) {
        struct fn_symbol *s = &g_array_index(syms, struct fn_symbol, i);
        uint64_t next = s[1].start;
        s->end = next > s->start ? next : s->start + 1;
    }
    if (syms->len > 0) {
        /* The last one: a page at most, not the rest of memory. */
        struct fn_symbol *s = &g_array_index(syms, struct fn_symbol, syms->len - 1);
        s->end = s->start + 4096;
    }
    canonicalise(syms);
    o->n_symbols = syms->len;
    o->symbols = (struct fn_symbol *)g_array_free(syms, FALSE);
    return any;
}

/* QEMU's -kernel, from its own command line, when no symbols= was given. */
static char *kernel_from_command_line(void)
{
    gchar *cmdline = NULL;
    gsize len = 0;
    char *kernel_path = NULL;
    if (!g_file_get_contents("/proc/self/cmdline", &cmdline, &len, NULL)) {
        return NULL;
    }
    for (gsize at = 0; at < len;) {
        const char *arg = cmdline + at;
        at += strlen(arg) + 1;
        if ((strcmp(arg, "-kernel") == 0 || strcmp(arg, "--kernel") == 0) && at < len) {
            kernel_path = g_strdup(cmdline + at);
            break;
        }
    }
    g_free(cmdline);
    return kernel_path;
}

static bool is_elf(const char *path)
{
    char magic[4];
    FILE *f = fopen(path, "rb");
    bool elf = f != NULL && fread(magic, 1, 4, f) == 4 && memcmp(magic, ELFMAG, 4) == 0;
    if (f != NULL) {
        fclose(f);
    }
    return elf;
}

static bool open_kernel(const char *path, bool given, char *err, size_t err_size)
{
    if (given && access(path, R_OK) != 0) {
        snprintf(err, err_size, "option 'symbols=%s': %s", path, strerror(errno));
        return false;
    }
    if (is_elf(path)) {
        kernel = open_object(path, 0);
        if (kernel == NULL && given) {
            snprintf(err, err_size, "option 'symbols=%s': not an ELF that elfutils can read",
                     path);
            return false;
        }
        return true;
    }
    if (!given) {
        return true; /* a bzImage or Image: no symbols, addresses name the code */
    }
    struct object *o = g_new0(struct object, 1);
    o->path = intern(path);
    o->plt = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    o->text = g_array_new(FALSE, FALSE, sizeof(struct segment));
    if (!read_system_map(path, o)) {
        snprintf(err, err_size, "option 'symbols=%s': neither an ELF nor a System.map "
                 "(\"address type name\" lines)", path);
        return false;
    }
    kernel = o;
    return true;
}

bool symbols_init(const struct symbols_config *symbols_config, char *err, size_t err_size)
{
    config = *symbols_config;
    if (!elfutils_load(err, err_size)) {
        return false;
    }
    dwfl_callbacks = (Dwfl_Callbacks){
        .find_elf = elfutils.dwfl_build_id_find_elf,
        .find_debuginfo = elfutils.dwfl_standard_find_debuginfo,
        .section_address = elfutils.dwfl_offline_section_address,
    };
    elfutils.elf_version(EV_CURRENT);
    strings = g_hash_table_new(g_str_hash, g_str_equal);
    objects = g_hash_table_new(g_str_hash, g_str_equal);
    mappings = g_array_new(FALSE, FALSE, sizeof(struct mapping));
    load_vaddrs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    stale_pages = g_hash_table_new(NULL, NULL);
    if (!config.system_mode) {
        return true;
    }
    if (config.symbols_path != NULL) {
        return open_kernel(config.symbols_path, true, err, err_size);
    }
    char *path = kernel_from_command_line();
    bool ok = path == NULL || open_kernel(path, false, err, err_size);
    g_free(path);
    return ok;
}

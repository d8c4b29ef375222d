/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Speaking the plugin API level of the QEMU that opened the plugin.
 *
 * QEMU reads qemu_plugin_version right after dlopen, before any of the
 * plugin's functions run, and refuses levels outside its range; QEMU 10.x
 * stops at 5 while 11.1 starts at 7. So the level is chosen by a
 * constructor, which runs inside dlopen: the level qemu-backdoor passed
 * (qemu-api=), else the QEMU functions the executable exports and, where
 * those cannot tell (API 6 and 7 export the same names), the executable's
 * version text (qemu_version.c). From
 * qemu_plugin_install on, QEMU's own report of its level decides which
 * shape each changed function is called with.
 */
#include "qemu/qemu_compat.h"

#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "qemu/qemu_version.h"

QEMU_EXPORT int qemu_plugin_version = QEMU_API_NEWEST;

static int running_api;
static struct qemu_release release;

/* The shapes of the functions that changed (qemu_api.h). */
typedef void (*any_fn)(void);
typedef void (*reg_v2_fn)(qemu_plugin_id_t, any_fn);
typedef void (*reg_v7_fn)(qemu_plugin_id_t, any_fn, void *);
typedef const void *(*insn_data_v2_fn)(const struct qemu_plugin_insn *);
typedef size_t (*insn_data_v3_fn)(const struct qemu_plugin_insn *, void *, size_t);

/* The executable's readable segments, one of which holds QEMU's version
 * text: read-only data first, where compilers put it, then the others;
 * the last first, as linkers put read-only data after the code and the
 * symbol tables before it (a distribution's QEMU: 4 MB of .rodata after
 * 5 MB of symbols and relocations). */
static int scan_executable(struct dl_phdr_info *info, size_t size, void *found)
{
    (void)size;
    for (unsigned pass = 0; pass < 2 && !*(bool *)found; pass++) {
        for (int i = info->dlpi_phnum - 1; i >= 0; i--) {
            const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
            if (ph->p_type == PT_LOAD && (ph->p_flags & PF_R) &&
                ((ph->p_flags & (PF_W | PF_X)) != 0) == pass &&
                qemu_release_find((const char *)(info->dlpi_addr + ph->p_vaddr),
                                  ph->p_memsz, &release)) {
                *(bool *)found = true;
                break;
            }
        }
    }
    return 1; /* the executable comes first: stop after it */
}

static bool exported(const char *name, void *unused)
{
    (void)unused;
    return dlsym(RTLD_DEFAULT, name) != NULL;
}

/* qemu-api= in QEMU's command line: qemu-backdoor found the level from the
 * QEMU binary it starts. Read here because QEMU hands the plugin its
 * options only after it has read the level. */
static int level_given(void)
{
    static char words[65536];
    int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return 0;
    }
    ssize_t n = read(fd, words, sizeof words);
    close(fd);
    return n > 0 ? qemu_api_from_command_line(words, (size_t)n) : 0;
}

__attribute__((constructor)) static void declare_api_level(void)
{
    int level = level_given();
    if (level != 0) {
        qemu_plugin_version = level;
        return;
    }
    unsigned markers = qemu_api_markers_exported(exported, NULL);
    /* Reading QEMU's segments for its release costs milliseconds at every
     * start: only where the exports leave the level open or name none. */
    bool found = false;
    if (qemu_api_needs_release(markers)) {
        dl_iterate_phdr(scan_executable, &found);
    }
    level = qemu_api_to_declare(markers, &release);
    if (level == 0) {
        /* QEMU refuses the level and says which it has; say what we need. */
        char name[48] = "this QEMU";
        if (found) {
            snprintf(name, sizeof name, "QEMU %d.%d.%d", release.major, release.minor,
                     release.micro);
        }
        fprintf(stderr, "backdoor: %s is too old: backdoor needs plugin API %d or later "
                "(QEMU %s or later; tested with 10.0 to %s)\n", name, QEMU_API_OLDEST,
                QEMU_OLDEST_RELEASE, QEMU_NEWEST_RELEASE);
        level = QEMU_API_OLDEST;
    } else if (found && qemu_release_is_newer_than_known(&release)) {
        fprintf(stderr, "backdoor: QEMU %d.%d.%d is newer than this backdoor build knows "
                "(up to QEMU %s, plugin API %d); declaring API %d\n", release.major,
                release.minor, release.micro, QEMU_NEWEST_RELEASE, QEMU_API_NEWEST, level);
    }
    qemu_plugin_version = level;
}

struct qemu_register_access qemu_registers;
struct qemu_caps qemu_caps;

bool qemu_compat_init(const qemu_info_t *info, char *err, size_t err_size)
{
    running_api = info->version.cur;
    if (running_api < QEMU_API_OLDEST || qemu_plugin_scoreboard_new == NULL) {
        snprintf(err, err_size, "QEMU's plugin API %d is too old: backdoor needs %d or later "
                 "(QEMU %s or later)", running_api, QEMU_API_OLDEST, QEMU_OLDEST_RELEASE);
        return false;
    }
    /* QEMU accepted the declared level, so it lies within QEMU's range; a
     * mismatch with the shapes QEMU calls (7 against anything lower) would
     * mean the constructor misjudged this QEMU. */
    if ((running_api >= 7) != (qemu_plugin_version >= 7)) {
        snprintf(err, err_size, "QEMU reports plugin API %d but backdoor declared %d to it "
                 "(QEMU release %d.%d.%d); please report this", running_api,
                 qemu_plugin_version, release.major, release.minor, release.micro);
        return false;
    }
    if (running_api > QEMU_API_NEWEST) {
        fprintf(stderr, "backdoor: QEMU offers plugin API %d, newer than this build knows "
                "(%d to %d); using API %d\n", running_api, QEMU_API_OLDEST, QEMU_API_NEWEST,
                qemu_plugin_version);
    }
    qemu_caps.read_memory = running_api >= 4 && qemu_plugin_read_memory_vaddr != NULL;
    qemu_caps.write_registers = running_api >= 5 && qemu_plugin_write_register != NULL;
    qemu_caps.write_memory = running_api >= 5 && qemu_plugin_write_memory_vaddr != NULL;
    qemu_caps.physical_memory = running_api >= 5 && qemu_plugin_translate_vaddr != NULL &&
                                qemu_plugin_read_memory_hwaddr != NULL &&
                                qemu_plugin_write_memory_hwaddr != NULL;
    qemu_caps.conditional_callbacks = qemu_plugin_register_vcpu_tb_exec_cond_cb != NULL;
    qemu_caps.host_addresses = qemu_plugin_insn_haddr != NULL;
    qemu_caps.inline_store = running_api >= 3;
    any_fn read_fn = qemu_plugin_read_register, write_fn = qemu_plugin_write_register;
    if (running_api >= 6) {
        qemu_registers.read_bool = (qemu_reg_bool_fn)read_fn;
        qemu_registers.write_bool = (qemu_reg_bool_fn)write_fn;
    } else {
        qemu_registers.read_int = (qemu_reg_int_fn)read_fn;
        qemu_registers.write_int = running_api == 5 ? (qemu_reg_int_fn)write_fn : NULL;
    }
    return true;
}

int qemu_api_level(void)
{
    return running_api;
}

/* API 2 to 6 callbacks get the plugin id first; API 7 ones get userdata
 * last and no id. One trampoline of each shape per event. */
static void (*on_vcpu_init)(unsigned int);
static void (*on_tb_trans)(struct qemu_plugin_tb *);
static void (*on_atexit)(void);
static void (*on_reset)(void);

static void vcpu_init_v2(qemu_plugin_id_t id, unsigned int vcpu)
{
    (void)id;
    on_vcpu_init(vcpu);
}

static void vcpu_init_v7(unsigned int vcpu, void *userdata)
{
    (void)userdata;
    on_vcpu_init(vcpu);
}

static void tb_trans_v2(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    on_tb_trans(tb);
}

static void tb_trans_v7(struct qemu_plugin_tb *tb, void *userdata)
{
    (void)userdata;
    on_tb_trans(tb);
}

static void atexit_v2(qemu_plugin_id_t id, void *userdata)
{
    (void)id, (void)userdata;
    on_atexit();
}

static void atexit_v7(void *userdata)
{
    (void)userdata;
    on_atexit();
}

static void reset_v2(qemu_plugin_id_t id)
{
    (void)id;
    on_reset();
}

static void reset_v7(void *userdata)
{
    (void)userdata;
    on_reset();
}

/* Registers the callback of the running level's shape: (id, cb) before
 * API 7, (id, cb, userdata) from it on. The QEMU function comes in as a
 * pointer, cast to its real shape here (a cast of the function's own name
 * would be one GCC rightly questions). */
static void register_shaped(any_fn qemu_fn, qemu_plugin_id_t id, any_fn cb_v2, any_fn cb_v7)
{
    if (running_api >= 7) {
        ((reg_v7_fn)qemu_fn)(id, cb_v7, NULL);
    } else {
        ((reg_v2_fn)qemu_fn)(id, cb_v2);
    }
}

void qemu_register_vcpu_init(qemu_plugin_id_t id, void (*cb)(unsigned int))
{
    on_vcpu_init = cb;
    register_shaped(qemu_plugin_register_vcpu_init_cb, id, (any_fn)vcpu_init_v2,
                    (any_fn)vcpu_init_v7);
}

void qemu_register_tb_trans(qemu_plugin_id_t id, void (*cb)(struct qemu_plugin_tb *))
{
    on_tb_trans = cb;
    register_shaped(qemu_plugin_register_vcpu_tb_trans_cb, id, (any_fn)tb_trans_v2,
                    (any_fn)tb_trans_v7);
}

void qemu_register_atexit(qemu_plugin_id_t id, void (*cb)(void))
{
    on_atexit = cb;
    /* Its registration took userdata before API 7 too; the callback's
     * shape is what changed. */
    any_fn shaped = running_api >= 7 ? (any_fn)atexit_v7 : (any_fn)atexit_v2;
    any_fn qemu_fn = qemu_plugin_register_atexit_cb;
    ((reg_v7_fn)qemu_fn)(id, shaped, NULL);
}

void qemu_reset(qemu_plugin_id_t id, void (*done)(void))
{
    on_reset = done;
    register_shaped(qemu_plugin_reset, id, (any_fn)reset_v2, (any_fn)reset_v7);
}

size_t qemu_insn_bytes(const struct qemu_plugin_insn *insn, uint8_t *buf, size_t cap)
{
    size_t len = qemu_plugin_insn_size(insn);
    if (len > cap) {
        return 0;
    }
    any_fn qemu_fn = qemu_plugin_insn_data;
    if (running_api >= 3) {
        return ((insn_data_v3_fn)qemu_fn)(insn, buf, len) == len ? len : 0;
    }
    memcpy(buf, ((insn_data_v2_fn)qemu_fn)(insn), len);
    return len;
}

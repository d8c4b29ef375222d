/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Loading handler libraries. A library states the ABI version it was built
 * for; seed-era libraries predate that and are recognised by their symbols.
 * A Python script (handler=PATH.py) is run by the companion library
 * libbackdoor-python.so beside the plugin, itself a handler library, given
 * the script as its first argument: only then is Python loaded.
 */
#include "commands/handler.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PYTHON_COMPANION "libbackdoor-python.so"

typedef void (*seed_i8_fn)(uint8_t i8);
typedef void (*seed_i8_v32_fn)(uint8_t i8, uint32_t v32);

static struct {
    void *library;
    const char *path;
    backdoor_handler_call_fn call;
    backdoor_handler_fini_fn fini;
    backdoor_handler_save_fn save;
    backdoor_handler_restore_fn restore;
    seed_i8_fn seed_i8;
    seed_i8_v32_fn seed_i8_v32;
} handler;

/* The seed's helpers ran under QEMU's global lock; they may not be
 * reentrant, so they still run one at a time. */
static pthread_mutex_t seed_lock = PTHREAD_MUTEX_INITIALIZER;

static void *symbol(void *library, const char *name)
{
    return dlsym(library, name);
}

static void find_checkpoint_hooks(void *library)
{
    handler.save = (backdoor_handler_save_fn)symbol(library, "backdoor_handler_save");
    handler.restore = (backdoor_handler_restore_fn)symbol(library, "backdoor_handler_restore");
}

static bool is_python_script(const char *path)
{
    size_t len = strlen(path);
    return len > 3 && strcmp(path + len - 3, ".py") == 0;
}

/* The companion lives in the plugin's own directory (build/ or PREFIX/lib),
 * wherever that was installed. */
static char *python_companion_path(void)
{
    Dl_info self;
    if (dladdr((void *)python_companion_path, &self) == 0 || self.dli_fname == NULL) {
        return NULL;
    }
    const char *slash = strrchr(self.dli_fname, '/');
    size_t dir_len = slash != NULL ? (size_t)(slash - self.dli_fname) + 1 : 0;
    char *path = malloc(dir_len + sizeof PYTHON_COMPANION);
    if (path != NULL) {
        memcpy(path, self.dli_fname, dir_len);
        memcpy(path + dir_len, PYTHON_COMPANION, sizeof PYTHON_COMPANION);
    }
    return path;
}

typedef const char *(*python_failure_fn)(void);

static bool load_python(const char *script, int argc, char **argv,
                        const struct backdoor_host *host, char *err, size_t err_size)
{
    char *companion = python_companion_path();
    char **companion_argv = calloc((size_t)argc + 2, sizeof *companion_argv);
    if (companion == NULL || companion_argv == NULL) {
        snprintf(err, err_size, "handler=%s: cannot locate %s beside the plugin", script,
                 PYTHON_COMPANION);
        free(companion);
        free(companion_argv);
        return false;
    }
    void *library = dlopen(companion, RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        snprintf(err, err_size, "handler=%s: Python handlers need %s: %s (make builds it "
                 "with Debian's python3-dev)", script, companion, dlerror());
        free(companion);
        free(companion_argv);
        return false;
    }
    backdoor_handler_init_fn init =
        (backdoor_handler_init_fn)symbol(library, "backdoor_handler_init");
    backdoor_handler_call_fn call =
        (backdoor_handler_call_fn)symbol(library, "backdoor_handler_call");
    python_failure_fn failure = (python_failure_fn)symbol(library, "backdoor_python_failure");
    if (init == NULL || call == NULL || failure == NULL) {
        snprintf(err, err_size, "handler=%s: %s is not the Python companion of this plugin",
                 script, companion);
        goto refuse;
    }
    companion_argv[0] = (char *)script;
    memcpy(companion_argv + 1, argv, (size_t)argc * sizeof *argv);
    if (init(host, argc + 1, companion_argv) != 0) {
        snprintf(err, err_size, "handler=%s: %s", script, failure());
        goto refuse;
    }
    handler.call = call;
    handler.fini = (backdoor_handler_fini_fn)symbol(library, "backdoor_handler_fini");
    find_checkpoint_hooks(library);
    handler.library = library;
    handler.path = script;
    free(companion);
    free(companion_argv);
    return true;

refuse:
    /* Not closed: an interpreter, once started, cannot be unloaded. */
    free(companion);
    free(companion_argv);
    return false;
}

bool handler_load(const char *path, int argc, char **argv,
                  const struct backdoor_host *host, char *err, size_t err_size)
{
    if (is_python_script(path)) {
        return load_python(path, argc, argv, host, err, err_size);
    }
    void *library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        snprintf(err, err_size, "handler=%s: cannot load: %s", path, dlerror());
        return false;
    }
    const uint32_t *abi = symbol(library, "backdoor_handler_abi_version");
    backdoor_handler_call_fn call =
        (backdoor_handler_call_fn)symbol(library, "backdoor_handler_call");
    seed_i8_fn seed_i8 = (seed_i8_fn)symbol(library, "helper_backdoor_i8");
    seed_i8_v32_fn seed_i8_v32 =
        (seed_i8_v32_fn)symbol(library, "helper_backdoor_i8_v32");

    if (abi == NULL && call != NULL) {
        snprintf(err, err_size,
                 "handler=%s: exports backdoor_handler_call but no "
                 "backdoor_handler_abi_version; add BACKDOOR_HANDLER_ABI; "
                 "from backdoor/host.h", path);
        goto refuse;
    }
    if (abi != NULL && *abi != BACKDOOR_HOST_ABI_VERSION) {
        snprintf(err, err_size,
                 "handler=%s: built for handler ABI version %u, this plugin "
                 "implements version %u; rebuild it against this backdoor/host.h",
                 path, *abi, BACKDOOR_HOST_ABI_VERSION);
        goto refuse;
    }
    if (abi != NULL && call == NULL) {
        snprintf(err, err_size,
                 "handler=%s: declares handler ABI version %u but exports no "
                 "backdoor_handler_call", path, *abi);
        goto refuse;
    }
    if (call == NULL && seed_i8 == NULL && seed_i8_v32 == NULL) {
        snprintf(err, err_size,
                 "handler=%s: not a backdoor handler: exports neither "
                 "backdoor_handler_call (backdoor/host.h) nor the seed's "
                 "helper_backdoor_i8/helper_backdoor_i8_v32", path);
        goto refuse;
    }

    if (call != NULL) {
        backdoor_handler_init_fn init =
            (backdoor_handler_init_fn)symbol(library, "backdoor_handler_init");
        if (init != NULL) {
            int rc = init(host, argc, argv);
            if (rc != 0) {
                snprintf(err, err_size,
                         "handler=%s: backdoor_handler_init failed (returned %d)",
                         path, rc);
                goto refuse;
            }
        }
        handler.call = call;
        handler.fini =
            (backdoor_handler_fini_fn)symbol(library, "backdoor_handler_fini");
        find_checkpoint_hooks(library);
    } else {
        if (argc > 0) {
            snprintf(err, err_size,
                     "handler=%s: a seed-era library takes no handler-arg options",
                     path);
            goto refuse;
        }
        handler.seed_i8 = seed_i8;
        handler.seed_i8_v32 = seed_i8_v32;
    }
    handler.library = library;
    handler.path = path;
    return true;

refuse:
    dlclose(library);
    return false;
}

bool handler_loaded(void)
{
    return handler.library != NULL;
}

static int call_seed(const struct backdoor_call *call)
{
    if (call->type == BACKDOOR_CALL_I8 && handler.seed_i8 != NULL) {
        pthread_mutex_lock(&seed_lock);
        handler.seed_i8((uint8_t)call->command);
        pthread_mutex_unlock(&seed_lock);
        return BACKDOOR_HANDLED;
    }
    if (call->type == BACKDOOR_CALL_I8_V32 && handler.seed_i8_v32 != NULL) {
        pthread_mutex_lock(&seed_lock);
        handler.seed_i8_v32((uint8_t)call->command, (uint32_t)call->args[0]);
        pthread_mutex_unlock(&seed_lock);
        return BACKDOOR_HANDLED;
    }
    return BACKDOOR_UNHANDLED;
}

int handler_call(struct backdoor_call *call)
{
    if (handler.call != NULL) {
        return handler.call(call);
    }
    if (handler.library != NULL) {
        return call_seed(call);
    }
    return BACKDOOR_UNHANDLED;
}

void handler_fini(void)
{
    if (handler.fini != NULL) {
        handler.fini();
    }
    /* The library stays mapped: QEMU may still be unwinding through it on
     * other threads while the process exits. */
    handler.call = NULL;
    handler.fini = NULL;
}

void *handler_save(size_t *len)
{
    *len = 0;
    return handler.save != NULL ? handler.save(len) : NULL;
}

bool handler_restore(const void *data, size_t len, char *err, size_t err_size)
{
    if (handler.path == NULL) {
        snprintf(err, err_size, "the checkpoint holds its handler's state: give the handler= "
                 "that saved it");
        return false;
    }
    if (handler.restore == NULL) {
        snprintf(err, err_size, "the checkpoint holds its handler's state, and handler=%s has "
                 "no backdoor_handler_restore (Python: restore(data)) to take it",
                 handler.path);
        return false;
    }
    int rc = handler.restore(data, len);
    if (rc != 0) {
        snprintf(err, err_size, "handler=%s: backdoor_handler_restore refused the "
                 "checkpoint's state (returned %d)", handler.path, rc);
        return false;
    }
    return true;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The embedded CPython and the threads that call into it. vCPU threads
 * (MTTCG system mode, guest threads in user mode) call handlers
 * concurrently; each gets its own Python thread state once, and holds the
 * GIL only while its handler function runs, so the emulation never waits
 * on Python between calls. The interpreter is never finalized: vCPU threads
 * may still be unwinding through it while the process exits.
 */
#include "companion.h"

#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

struct python_thread {
    PyThreadState *state;
    PyObject *call_cache;
};

static _Thread_local struct python_thread this_thread;
static _Thread_local bool forking;
static PyInterpreterState *interpreter;
static pthread_key_t thread_end;
static bool running;

struct python_thread *interpreter_enter(void)
{
    struct python_thread *thread = &this_thread;
    if (thread->state == NULL) {
        thread->state = PyThreadState_New(interpreter);
        pthread_setspecific(thread_end, thread);
    }
    PyEval_RestoreThread(thread->state);
    return thread;
}

void interpreter_leave(struct python_thread *thread)
{
    (void)thread;
    PyEval_SaveThread();
}

PyObject **interpreter_call_cache(struct python_thread *thread)
{
    return &thread->call_cache;
}

/* A guest thread that ends (user mode) gives its thread state back. */
static void on_thread_end(void *data)
{
    struct python_thread *thread = data;
    if (!running || thread->state == NULL) {
        return;
    }
    PyEval_RestoreThread(thread->state);
    Py_CLEAR(thread->call_cache);
    PyThreadState_Clear(thread->state);
    PyThreadState_DeleteCurrent();
    thread->state = NULL;
}

/* A guest fork() in user mode forks QEMU: as os.fork() does, the forking
 * thread holds the GIL across it, so the child does not inherit a GIL held
 * by a thread that it does not have. A fork from Python itself (os.fork,
 * subprocess) already holds it and does the same. */
static void before_fork(void)
{
    if (running && !PyGILState_Check()) {
        interpreter_enter();
        PyOS_BeforeFork();
        forking = true;
    }
}

static void after_fork_parent(void)
{
    if (forking) {
        forking = false;
        PyOS_AfterFork_Parent();
        PyEval_SaveThread();
    }
}

static void after_fork_child(void)
{
    if (forking) {
        forking = false;
        PyOS_AfterFork_Child();
        PyEval_SaveThread();
    }
}

/* Extension modules of Debian's Python (lib-dynload) take CPython's
 * symbols from the global scope, where the plugin's RTLD_LOCAL loading
 * did not put libpython. */
static void make_libpython_global(void)
{
    Dl_info info;
    if (dladdr((void *)Py_InitializeFromConfig, &info) != 0 && info.dli_fname != NULL) {
        dlopen(info.dli_fname, RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD);
    }
}

static PyObject *module_init(void)
{
    return module_create();
}

static bool configure(int argc, char **argv)
{
    PyConfig config;
    PyConfig_InitPythonConfig(&config);
    /* QEMU and the plugin own the signals (SIGINT ends the run cleanly). */
    config.install_signal_handlers = 0;
    config.parse_argv = 0;
    /* Debian's Python, whose headers this was built with, whatever python3
     * comes first on PATH (pyenv, a venv). */
    PyStatus status = PyConfig_SetBytesString(&config, &config.home, BACKDOOR_PYTHON_PREFIX);
    if (!PyStatus_Exception(status)) {
        status = PyConfig_SetBytesArgv(&config, argc, argv);
    }
    if (!PyStatus_Exception(status)) {
        status = Py_InitializeFromConfig(&config);
    }
    PyConfig_Clear(&config);
    if (PyStatus_Exception(status)) {
        snprintf(companion_failure, sizeof companion_failure, "cannot start Python: %s%s%s",
                 status.func != NULL ? status.func : "", status.func != NULL ? ": " : "",
                 status.err_msg != NULL ? status.err_msg : "unknown error");
        return false;
    }
    return true;
}

/* sys.path[0] is the script's directory, as for `python3 script.py`. */
static bool add_script_directory(const char *script)
{
    const char *slash = strrchr(script, '/');
    PyObject *directory = slash != NULL
                              ? PyUnicode_DecodeFSDefaultAndSize(script, slash - script + (slash == script))
                              : PyUnicode_FromString("");
    PyObject *path = PySys_GetObject("path");
    bool ok = directory != NULL && path != NULL && PyList_Insert(path, 0, directory) == 0;
    Py_XDECREF(directory);
    return ok;
}

/* Runs the script as __main__, as `python3 script.py` would. */
static bool run_script(const char *script)
{
    FILE *file = fopen(script, "rb");
    if (file == NULL) {
        PyErr_SetFromErrnoWithFilename(PyExc_OSError, script);
        return false;
    }
    PyObject *main_module = PyImport_AddModule("__main__");
    PyObject *globals = main_module != NULL ? PyModule_GetDict(main_module) : NULL;
    PyObject *file_name = PyUnicode_DecodeFSDefault(script);
    if (globals == NULL || file_name == NULL ||
        PyDict_SetItemString(globals, "__file__", file_name) != 0) {
        Py_XDECREF(file_name);
        fclose(file);
        return false;
    }
    Py_DECREF(file_name);
    PyObject *done = PyRun_FileExFlags(file, script, Py_file_input, globals, globals, 1, NULL);
    Py_XDECREF(done);
    return done != NULL;
}

/* init(args), if the script defines it. */
static bool run_init(PyObject *module)
{
    PyObject *main_module = PyImport_AddModule("__main__");
    PyObject *init = main_module != NULL ? PyObject_GetAttrString(main_module, "init") : NULL;
    if (init == NULL) {
        PyErr_Clear();
        return true;
    }
    bool ok = true;
    if (PyCallable_Check(init)) {
        PyObject *args = PyObject_GetAttrString(module, "args");
        PyObject *done = args != NULL ? PyObject_CallOneArg(init, args) : NULL;
        ok = done != NULL;
        Py_XDECREF(done);
        Py_XDECREF(args);
    }
    Py_DECREF(init);
    return ok;
}

static bool load(const char *script, int argc, char **argv)
{
    PyObject *module = PyImport_ImportModule("backdoor");
    if (module == NULL || module_set_args(module, argc - 1, argv + 1) != 0 ||
        !add_script_directory(script)) {
        Py_XDECREF(module);
        failure_refuse("cannot set up the backdoor module");
        return false;
    }
    if (!run_script(script)) {
        Py_DECREF(module);
        failure_refuse(PyErr_ExceptionMatches(PyExc_SystemExit)
                           ? "the script exited while loading" : NULL);
        return false;
    }
    if (registry_count() == 0) {
        Py_DECREF(module);
        snprintf(companion_failure, sizeof companion_failure,
                 "%s registers no handler: decorate a function with @backdoor.command(N) "
                 "(N in 0x0800..0xffff), @backdoor.seed_i8 or @backdoor.seed_i8_v32 "
                 "(docs/python.md)", script);
        companion_host->log("%s", companion_failure);
        return false;
    }
    bool ok = run_init(module);
    Py_DECREF(module);
    if (!ok) {
        failure_refuse("init() refused the start");
    }
    return ok;
}

bool interpreter_start(const char *script, int argc, char **argv)
{
    make_libpython_global();
    if (PyImport_AppendInittab("backdoor", module_init) != 0 || !configure(argc, argv)) {
        return false;
    }
    interpreter = PyInterpreterState_Get();
    this_thread.state = PyThreadState_Get();
    bool ok = load(script, argc, argv);
    registry_freeze();
    if (ok && (pthread_key_create(&thread_end, on_thread_end) != 0 ||
               pthread_atfork(before_fork, after_fork_parent, after_fork_child) != 0)) {
        snprintf(companion_failure, sizeof companion_failure, "cannot register the thread "
                 "and fork hooks of the interpreter");
        ok = false;
    }
    running = ok;
    PyEval_SaveThread();
    return ok;
}

void interpreter_stop(void)
{
    struct python_thread *thread = interpreter_enter();
    PyObject *main_module = PyImport_AddModule("__main__");
    PyObject *fini = main_module != NULL ? PyObject_GetAttrString(main_module, "fini") : NULL;
    if (fini == NULL) {
        PyErr_Clear();
    } else {
        PyObject *done = PyCallable_Check(fini) ? PyObject_CallNoArgs(fini) : Py_NewRef(Py_None);
        if (done == NULL) {
            failure_refuse("fini()");
        }
        Py_XDECREF(done);
        Py_DECREF(fini);
    }
    failure_summary();
    /* What Python's own finalization would do, which QEMU's exit skips:
     * atexit functions, then what the script printed. */
    PyObject *done = PyRun_String("import atexit, sys\natexit._run_exitfuncs()\n"
                                  "for s in (sys.stdout, sys.stderr):\n"
                                  "    s is not None and s.flush()\n", Py_file_input,
                                  PyModule_GetDict(main_module), PyModule_GetDict(main_module));
    if (done == NULL) {
        PyErr_Clear();
    }
    Py_XDECREF(done);
    running = false;
    interpreter_leave(thread);
}

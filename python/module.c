/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The backdoor module a handler script imports: the decorators that register
 * its functions, log() and exit(), the handler arguments, and the ABI's
 * constants, taken from the X-macro lists of backdoor/ops.h so that they
 * cannot drift from the C headers (docs/python.md).
 */
#include "companion.h"

#include <stdint.h>

/* Indexed by key (companion.h). Filled while the script loads, with the
 * GIL; frozen before any call, after which vCPU threads read it without
 * the GIL. */
static PyObject *registry[KEY_COUNT];
static unsigned registered;
static bool frozen;

PyObject *registry_lookup(unsigned key)
{
    return key < KEY_COUNT ? registry[key] : NULL;
}

unsigned registry_count(void)
{
    return registered;
}

void registry_freeze(void)
{
    frozen = true;
}

void registry_describe(unsigned key, char *out, size_t size)
{
    if (key < KEY_SEED_I8) {
        snprintf(out, size, "command 0x%04x", key);
    } else if (key < KEY_SEED_I8_ANY) {
        snprintf(out, size, "seed_i8(%u)", key - KEY_SEED_I8);
    } else if (key == KEY_SEED_I8_ANY) {
        snprintf(out, size, "seed_i8");
    } else if (key < KEY_SEED_I8_V32_ANY) {
        snprintf(out, size, "seed_i8_v32(%u)", key - KEY_SEED_I8_V32);
    } else {
        snprintf(out, size, "seed_i8_v32");
    }
}

/* The decorator's work: keep function under key, hand it back unchanged. */
static PyObject *register_function(unsigned key, PyObject *function)
{
    char what[48];
    registry_describe(key, what, sizeof what);
    if (frozen) {
        PyErr_Format(PyExc_RuntimeError, "%s: handlers are registered while the script "
                     "loads (or in init()), not once calls have begun", what);
        return NULL;
    }
    if (!PyCallable_Check(function)) {
        PyErr_Format(PyExc_TypeError, "%s: @backdoor decorators take a function, not %s",
                     what, Py_TYPE(function)->tp_name);
        return NULL;
    }
    if (registry[key] != NULL) {
        PyErr_Format(PyExc_ValueError, "%s is already handled by %R", what, registry[key]);
        return NULL;
    }
    Py_INCREF(function);
    registry[key] = function;
    registered++;
    Py_INCREF(function);
    return function;
}

/* The decorator returned by command(N) and friends: its self is the key. */
static PyObject *decorate(PyObject *key, PyObject *function)
{
    return register_function((unsigned)PyLong_AsUnsignedLong(key), function);
}

static PyMethodDef decorator_def = {"register", decorate, METH_O,
                                    "Registers the decorated function."};

static PyObject *decorator_for(unsigned key)
{
    PyObject *self = PyLong_FromUnsignedLong(key);
    if (self == NULL) {
        return NULL;
    }
    PyObject *decorator = PyCFunction_New(&decorator_def, self);
    Py_DECREF(self);
    return decorator;
}

static PyObject *command(PyObject *module, PyObject *number)
{
    (void)module;
    if (!PyLong_Check(number)) {
        PyErr_Format(PyExc_TypeError, "@backdoor.command(N) takes the command number, "
                     "an int in 0x0800..0xffff, not %s", Py_TYPE(number)->tp_name);
        return NULL;
    }
    int overflow;
    long n = PyLong_AsLongAndOverflow(number, &overflow);
    char message[160];
    if (overflow == 0 && n >= 1 && n < BACKDOOR_USER_COMMAND_FIRST) {
        const char *builtin = backdoor_op_name((unsigned)n);
        if (builtin != NULL) {
            snprintf(message, sizeof message, "command 0x%04lx is the built-in '%s': handler "
                     "commands are 0x0800..0xffff", n, builtin);
        } else {
            snprintf(message, sizeof message, "command 0x%04lx is reserved for the plugin's "
                     "built-ins: handler commands are 0x0800..0xffff", n);
        }
        PyErr_SetString(PyExc_ValueError, message);
        return NULL;
    }
    if (overflow != 0 || n < BACKDOOR_USER_COMMAND_FIRST || n > 0xffff) {
        PyErr_Format(PyExc_ValueError, "command %R is outside 0x0800..0xffff, the commands "
                     "of handlers", number);
        return NULL;
    }
    return decorator_for((unsigned)n);
}

/* @seed_i8 (every i8) or @seed_i8(N) (that one). */
static PyObject *seed(PyObject *arg, unsigned first, unsigned any, const char *name)
{
    if (!PyLong_Check(arg)) {
        return register_function(any, arg);
    }
    int overflow;
    long i8 = PyLong_AsLongAndOverflow(arg, &overflow);
    if (overflow != 0 || i8 < 0 || i8 > 255) {
        PyErr_Format(PyExc_ValueError, "@backdoor.%s(%R): the seed's i8 is 0..255", name,
                     arg);
        return NULL;
    }
    return decorator_for(first + (unsigned)i8);
}

static PyObject *seed_i8(PyObject *module, PyObject *arg)
{
    (void)module;
    return seed(arg, KEY_SEED_I8, KEY_SEED_I8_ANY, "seed_i8");
}

static PyObject *seed_i8_v32(PyObject *module, PyObject *arg)
{
    (void)module;
    return seed(arg, KEY_SEED_I8_V32, KEY_SEED_I8_V32_ANY, "seed_i8_v32");
}

static PyObject *log_message(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *space = PyUnicode_FromString(" ");
    PyObject *strings = space != NULL ? PyTuple_New(PyTuple_GET_SIZE(args)) : NULL;
    PyObject *text = NULL;
    if (strings != NULL) {
        Py_ssize_t i;
        for (i = 0; i < PyTuple_GET_SIZE(args); i++) {
            PyObject *s = PyObject_Str(PyTuple_GET_ITEM(args, i));
            if (s == NULL) {
                break;
            }
            PyTuple_SET_ITEM(strings, i, s);
        }
        if (i == PyTuple_GET_SIZE(args)) {
            text = PyUnicode_Join(space, strings);
        }
    }
    Py_XDECREF(space);
    Py_XDECREF(strings);
    if (text == NULL) {
        return NULL;
    }
    const char *utf8 = PyUnicode_AsUTF8(text);
    if (utf8 != NULL) {
        log_lines(utf8);
    }
    Py_DECREF(text);
    if (utf8 == NULL) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *request_exit(PyObject *module, PyObject *args)
{
    (void)module;
    int status = 0;
    if (!PyArg_ParseTuple(args, "|i:exit", &status)) {
        return NULL;
    }
    companion_host->request_exit(status);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"command", command, METH_O,
     "command(N): decorator; the function answers extended command N (0x0800..0xffff)."},
    {"seed_i8", seed_i8, METH_O,
     "seed_i8: decorator; the function receives the seed's BACKDOOR_i8(i8) calls "
     "(seed_i8(N): only i8 N)."},
    {"seed_i8_v32", seed_i8_v32, METH_O,
     "seed_i8_v32: decorator; the function receives the seed's BACKDOOR_i8_v32(i8, v32) "
     "calls (seed_i8_v32(N): only i8 N)."},
    {"log", log_message, METH_VARARGS, "log(*objects): one message on the plugin's log."},
    {"exit", request_exit, METH_VARARGS,
     "exit(status=0): end the emulation with this status once the current call returns."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef definition = {
    PyModuleDef_HEAD_INIT,
    .m_name = "backdoor",
    .m_doc = "Handlers for the backdoor QEMU plugin (docs/python.md).",
    .m_size = -1,
    .m_methods = methods,
};

static int add_constants(PyObject *module)
{
    int failed = 0;
#define ADD_ERROR(NAME, value, doc) failed |= PyModule_AddIntConstant(module, #NAME, value);
    BACKDOOR_ERRORS(ADD_ERROR)
#undef ADD_ERROR
#define ADD_TYPE(NAME, name, number, doc) \
    failed |= PyModule_AddIntConstant(module, "TYPE_" #NAME, number);
    BACKDOOR_TYPES(ADD_TYPE)
#undef ADD_TYPE
#define ADD_FEATURE(NAME, name, bit, doc) \
    failed |= PyModule_AddIntConstant(module, "FEATURE_" #NAME, bit);
    BACKDOOR_FEATURES(ADD_FEATURE)
#undef ADD_FEATURE
    failed |= PyModule_AddIntConstant(module, "USER_COMMAND_FIRST", BACKDOOR_USER_COMMAND_FIRST);
    failed |= PyModule_AddIntConstant(module, "PROTOCOL_VERSION", BACKDOOR_PROTOCOL_VERSION);
    failed |= PyModule_AddIntConstant(module, "HOST_ABI_VERSION", BACKDOOR_HOST_ABI_VERSION);
    failed |= PyModule_AddStringConstant(module, "target", companion_host->target);
    failed |= PyModule_AddObject(module, "system_mode",
                                 PyBool_FromLong(companion_host->system_mode));
    failed |= PyModule_AddIntConstant(module, "plugin_api", companion_host->plugin_api);
    failed |= PyModule_AddIntConstant(module, "features", (long)companion_host->features);
    failed |= PyModule_AddObject(module, "max_buffer",
                                 PyLong_FromUnsignedLongLong(companion_host->max_buffer));
    return failed ? -1 : 0;
}

PyObject *module_create(void)
{
    PyObject *module = PyModule_Create(&definition);
    if (module == NULL) {
        return NULL;
    }
    if (add_constants(module) != 0 || PyType_Ready(&CallType) != 0 ||
        PyModule_AddObjectRef(module, "Call", (PyObject *)&CallType) != 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}

int module_set_args(PyObject *module, int argc, char **argv)
{
    PyObject *args = PyList_New(0);
    if (args == NULL) {
        return -1;
    }
    for (int i = 0; i < argc; i++) {
        PyObject *arg = PyUnicode_DecodeFSDefault(argv[i]);
        if (arg == NULL || PyList_Append(args, arg) != 0) {
            Py_XDECREF(arg);
            Py_DECREF(args);
            return -1;
        }
        Py_DECREF(arg);
    }
    int rc = PyModule_AddObjectRef(module, "args", args);
    Py_DECREF(args);
    return rc;
}

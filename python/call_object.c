/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * backdoor.Call, the first argument of every handler function: the request
 * (vcpu, pc, command, type, args, asid, priv) and the services of
 * backdoor/host.h, which act on the vCPU of the call in progress. A call
 * object is valid during its call only: afterwards, or from another
 * thread, its services raise RuntimeError. One object per thread is reused
 * from call to call unless the script kept a reference to it.
 */
#include "companion.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

typedef struct {
    PyObject_HEAD
    struct backdoor_call *call; /* NULL once the call returned */
    pthread_t thread;
    PyObject *args;             /* call.args, made when first asked */
} CallObject;

static const char *type_name(enum backdoor_call_type type)
{
    switch ((int)type) {
#define TYPE_NAME(NAME, name, number, doc) \
    case number:                           \
        return #name;
        BACKDOOR_TYPES(TYPE_NAME)
#undef TYPE_NAME
    }
    return "unknown";
}

/* The request, or NULL with RuntimeError when the call is over or the
 * caller is another thread (the services act on this thread's call). */
static struct backdoor_call *live(CallObject *self)
{
    if (self->call == NULL || !pthread_equal(self->thread, pthread_self())) {
        PyErr_SetString(PyExc_RuntimeError, "this backdoor.Call belongs to a call that has "
                        "returned, or to another thread: use a call object inside its own "
                        "call only");
        return NULL;
    }
    return self->call;
}

PyObject *call_object_for(PyObject **cached, struct backdoor_call *call)
{
    CallObject *self = (CallObject *)*cached;
    if (self == NULL) {
        self = PyObject_New(CallObject, &CallType);
        if (self == NULL) {
            return NULL;
        }
        self->args = NULL;
        self->thread = pthread_self();
        *cached = (PyObject *)self;
    }
    self->call = call;
    return (PyObject *)self;
}

void call_object_done(PyObject **cached, PyObject *object)
{
    CallObject *self = (CallObject *)object;
    self->call = NULL;
    Py_CLEAR(self->args);
    /* Kept by the script (a global, a closure): it gets its own object,
     * dead from now on, and the thread makes a new one next time. */
    if (Py_REFCNT(object) > 1) {
        Py_DECREF(object);
        *cached = NULL;
    }
}

static void call_dealloc(PyObject *object)
{
    Py_CLEAR(((CallObject *)object)->args);
    PyObject_Free(object);
}

static PyObject *call_repr(PyObject *object)
{
    CallObject *self = (CallObject *)object;
    if (self->call == NULL) {
        return PyUnicode_FromString("<backdoor.Call, returned>");
    }
    return PyUnicode_FromFormat("<backdoor.Call %s 0x%04x vcpu %u pc 0x%llx>",
                                type_name(self->call->type), (unsigned)self->call->command,
                                self->call->vcpu, (unsigned long long)self->call->pc);
}

static PyObject *get_vcpu(PyObject *object, void *unused)
{
    (void)unused;
    struct backdoor_call *call = live((CallObject *)object);
    return call != NULL ? PyLong_FromUnsignedLong(call->vcpu) : NULL;
}

static PyObject *get_pc(PyObject *object, void *unused)
{
    (void)unused;
    struct backdoor_call *call = live((CallObject *)object);
    return call != NULL ? PyLong_FromUnsignedLongLong(call->pc) : NULL;
}

static PyObject *get_command(PyObject *object, void *unused)
{
    (void)unused;
    struct backdoor_call *call = live((CallObject *)object);
    return call != NULL ? PyLong_FromUnsignedLong(call->command) : NULL;
}

static PyObject *get_type(PyObject *object, void *unused)
{
    (void)unused;
    struct backdoor_call *call = live((CallObject *)object);
    return call != NULL ? PyUnicode_FromString(type_name(call->type)) : NULL;
}

static PyObject *get_args(PyObject *object, void *unused)
{
    (void)unused;
    CallObject *self = (CallObject *)object;
    struct backdoor_call *call = live(self);
    if (call == NULL) {
        return NULL;
    }
    if (self->args == NULL) {
        self->args = PyTuple_New(call->nargs);
        for (unsigned i = 0; self->args != NULL && i < call->nargs; i++) {
            PyObject *word = PyLong_FromUnsignedLongLong(call->args[i]);
            if (word == NULL) {
                Py_CLEAR(self->args);
                return NULL;
            }
            PyTuple_SET_ITEM(self->args, i, word);
        }
    }
    Py_XINCREF(self->args);
    return self->args;
}

static PyObject *get_asid(PyObject *object, void *unused)
{
    (void)unused;
    uint64_t asid;
    if (live((CallObject *)object) == NULL) {
        return NULL;
    }
    if (!companion_host->address_space(&asid)) {
        Py_RETURN_NONE;
    }
    return PyLong_FromUnsignedLongLong(asid);
}

static PyObject *get_priv(PyObject *object, void *unused)
{
    (void)unused;
    return live((CallObject *)object) != NULL
               ? PyLong_FromLong(companion_host->privilege_level())
               : NULL;
}

/* OSError with errno EFAULT, so that "except OSError as e: return -e.errno"
 * gives the guest BACKDOOR_EFAULT. */
static PyObject *fault(const char *what, unsigned long long address, Py_ssize_t length)
{
    bool writing = strcmp(what, "write") == 0 && companion_host->plugin_api < 5;
    PyObject *message = PyUnicode_FromFormat("%s: guest memory 0x%llx..+%zd is not mapped "
                                             "(or longer than max-buffer)%s", what, address,
                                             length, writing ? ", or this QEMU cannot write "
                                             "guest memory (plugin API < 5)" : "");
    if (message != NULL) {
        PyObject *error = PyObject_CallFunction(PyExc_OSError, "iO", EFAULT, message);
        if (error != NULL) {
            PyErr_SetObject(PyExc_OSError, error);
            Py_DECREF(error);
        }
        Py_DECREF(message);
    }
    return NULL;
}

static PyObject *call_read(PyObject *object, PyObject *args)
{
    unsigned long long address;
    Py_ssize_t length;
    if (live((CallObject *)object) == NULL ||
        !PyArg_ParseTuple(args, "Kn:read", &address, &length)) {
        return NULL;
    }
    if (length < 0) {
        PyErr_SetString(PyExc_ValueError, "read: a negative length");
        return NULL;
    }
    /* Refused before anything is allocated: the length may be the guest's. */
    if ((uint64_t)length > companion_host->max_buffer) {
        return fault("read", address, length);
    }
    PyObject *bytes = PyBytes_FromStringAndSize(NULL, length);
    if (bytes == NULL) {
        return NULL;
    }
    if (!companion_host->read_memory(address, PyBytes_AS_STRING(bytes), (size_t)length)) {
        Py_DECREF(bytes);
        return fault("read", address, length);
    }
    return bytes;
}

static PyObject *call_write(PyObject *object, PyObject *args)
{
    unsigned long long address;
    Py_buffer data;
    if (live((CallObject *)object) == NULL ||
        !PyArg_ParseTuple(args, "Ky*:write", &address, &data)) {
        return NULL;
    }
    bool ok = companion_host->write_memory(address, data.buf, (size_t)data.len);
    Py_ssize_t length = data.len;
    PyBuffer_Release(&data);
    if (!ok) {
        return fault("write", address, length);
    }
    Py_RETURN_NONE;
}

static PyObject *call_register(PyObject *object, PyObject *args)
{
    const char *name;
    uint64_t value;
    if (live((CallObject *)object) == NULL || !PyArg_ParseTuple(args, "s:register", &name)) {
        return NULL;
    }
    if (!companion_host->read_register(name, &value)) {
        PyErr_Format(PyExc_ValueError, "register: %s has no register '%s' that QEMU reads",
                     companion_host->target, name);
        return NULL;
    }
    return PyLong_FromUnsignedLongLong(value);
}

static PyObject *call_set_register(PyObject *object, PyObject *args)
{
    const char *name;
    PyObject *number;
    if (live((CallObject *)object) == NULL ||
        !PyArg_ParseTuple(args, "sO!:set_register", &name, &PyLong_Type, &number)) {
        return NULL;
    }
    uint64_t value = PyLong_AsUnsignedLongLongMask(number);
    if (PyErr_Occurred()) {
        return NULL;
    }
    if (!companion_host->write_register(name, value)) {
        PyErr_Format(PyExc_ValueError, "set_register: %s has no register '%s' that QEMU "
                     "writes (plugin API 5 writes registers)", companion_host->target, name);
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *call_emit(PyObject *object, PyObject *args)
{
    const char *name;
    PyObject *number;
    if (live((CallObject *)object) == NULL ||
        !PyArg_ParseTuple(args, "sO!:emit", &name, &PyLong_Type, &number)) {
        return NULL;
    }
    uint64_t value = PyLong_AsUnsignedLongLongMask(number);
    if (PyErr_Occurred()) {
        return NULL;
    }
    companion_host->emit_event(name, value);
    Py_RETURN_NONE;
}

static PyGetSetDef getters[] = {
    {"vcpu", get_vcpu, NULL, "vCPU index (user mode: guest thread)", NULL},
    {"pc", get_pc, NULL, "guest virtual address of the request", NULL},
    {"command", get_command, NULL, "the command (0x0800..0xffff), or the seed's i8", NULL},
    {"type", get_type, NULL, "'call', 'send', 'recv', 'i8' or 'i8_v32'", NULL},
    {"args", get_args, NULL, "the guest's argument words, unsigned, as a tuple", NULL},
    {"asid", get_asid, NULL, "the caller's address space (system mode), else None", NULL},
    {"priv", get_priv, NULL, "privilege level of the caller (x86 CPL, Arm EL), -1 unknown",
     NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMethodDef call_methods[] = {
    {"read", call_read, METH_VARARGS, "read(addr, n) -> bytes of guest virtual memory"},
    {"write", call_write, METH_VARARGS, "write(addr, data): into guest virtual memory"},
    {"register", call_register, METH_VARARGS, "register(name) -> int, by QEMU/gdb name"},
    {"set_register", call_set_register, METH_VARARGS, "set_register(name, value)"},
    {"emit", call_emit, METH_VARARGS,
     "emit(name, value): a 'handler' record in the event log and the trace"},
    {NULL, NULL, 0, NULL},
};

PyTypeObject CallType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "backdoor.Call",
    .tp_doc = "One request from the guest, valid during its call.",
    .tp_basicsize = sizeof(CallObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_dealloc = call_dealloc,
    .tp_repr = call_repr,
    .tp_getset = getters,
    .tp_methods = call_methods,
};

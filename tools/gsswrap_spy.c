// SPDX-License-Identifier: MIT
/*
 * gsswrap_spy.c - LD_PRELOAD shim that logs every gss_wrap / gss_unwrap call
 * of a process (input, output, conf state) so a capture can pair each wire
 * token with the plaintext libzmq put inside it.  Test tooling only.
 *
 *   gcc -shared -fPIC -O2 -o gsswrap_spy.so gsswrap_spy.c -ldl
 *   ZGSS_GSS_SPY=/path/log LD_PRELOAD=./gsswrap_spy.so program ...
 *
 * One line per call, fields separated by single spaces:
 *   W <conf_req> <maj> <conf_state> <input-hex> <token-hex>
 *   U <maj> <conf_state> <token-hex> <output-hex>
 * An empty buffer is written as "-".
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <gssapi/gssapi.h>

typedef OM_uint32 (*wrap_fn) (OM_uint32 *, gss_ctx_id_t, int, gss_qop_t,
                              gss_buffer_t, int *, gss_buffer_t);
typedef OM_uint32 (*unwrap_fn) (OM_uint32 *, gss_ctx_id_t, gss_buffer_t,
                                gss_buffer_t, int *, gss_qop_t *);

static pthread_mutex_t spy_lock = PTHREAD_MUTEX_INITIALIZER;

/* The real function.  RTLD_NEXT finds nothing when libgssapi_krb5 was
 * dlopen'ed RTLD_LOCAL (as Python extension modules are), so fall back to
 * the already-loaded library's own handle. */
static void *real_symbol (const char *name)
{
    void *sym = dlsym (RTLD_NEXT, name);
    if (!sym) {
        void *lib = dlopen ("libgssapi_krb5.so.2", RTLD_NOW | RTLD_NOLOAD);
        if (!lib)
            lib = dlopen ("libgssapi_krb5.so.2", RTLD_NOW);
        if (lib)
            sym = dlsym (lib, name);
    }
    if (!sym)
        abort ();
    return sym;
}

static void append_hex (char **p, const void *data, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    const unsigned char *b = data;
    if (len == 0 || data == NULL) {
        *(*p)++ = '-';
        return;
    }
    for (size_t i = 0; i < len; i++) {
        *(*p)++ = digits[b[i] >> 4];
        *(*p)++ = digits[b[i] & 15];
    }
}

static void append_num (char **p, unsigned long v)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char) ('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *(*p)++ = tmp[--n];
}

static void emit (char kind, long a, unsigned long maj, int conf,
                  gss_buffer_t x, gss_buffer_t y)
{
    const char *path = getenv ("ZGSS_GSS_SPY");
    if (!path || !*path)
        return;
    size_t xl = x ? x->length : 0, yl = y ? y->length : 0;
    char *line = malloc (64 + 2 * (xl + yl));
    if (!line)
        return;
    char *p = line;
    *p++ = kind;
    *p++ = ' ';
    if (a >= 0) {
        append_num (&p, (unsigned long) a);
        *p++ = ' ';
    }
    append_num (&p, maj);
    *p++ = ' ';
    append_num (&p, (unsigned long) (conf != 0));
    *p++ = ' ';
    append_hex (&p, x ? x->value : NULL, xl);
    *p++ = ' ';
    append_hex (&p, y ? y->value : NULL, yl);
    *p++ = '\n';
    pthread_mutex_lock (&spy_lock);
    int fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0) {
        size_t off = 0, len = (size_t) (p - line);
        while (off < len) {
            ssize_t n = write (fd, line + off, len - off);
            if (n <= 0)
                break;
            off += (size_t) n;
        }
        close (fd);
    }
    pthread_mutex_unlock (&spy_lock);
    free (line);
}

OM_uint32 gss_wrap (OM_uint32 *minor, gss_ctx_id_t ctx, int conf_req,
                    gss_qop_t qop, gss_buffer_t in, int *conf_state,
                    gss_buffer_t out)
{
    static wrap_fn real;
    if (!real)
        real = (wrap_fn) real_symbol ("gss_wrap");
    int state = 0;
    OM_uint32 maj = real (minor, ctx, conf_req, qop, in, &state, out);
    if (conf_state)
        *conf_state = state;
    emit ('W', conf_req ? 1 : 0, maj, state, in,
          maj == GSS_S_COMPLETE ? out : NULL);
    return maj;
}

OM_uint32 gss_unwrap (OM_uint32 *minor, gss_ctx_id_t ctx, gss_buffer_t in,
                      gss_buffer_t out, int *conf_state, gss_qop_t *qop)
{
    static unwrap_fn real;
    if (!real)
        real = (unwrap_fn) real_symbol ("gss_unwrap");
    int state = 0;
    OM_uint32 maj = real (minor, ctx, in, out, &state, qop);
    if (conf_state)
        *conf_state = state;
    emit ('U', -1, maj, state, in, maj == GSS_S_COMPLETE ? out : NULL);
    return maj;
}

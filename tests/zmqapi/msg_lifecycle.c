// SPDX-License-Identifier: MIT
// zmq_msg_t without sockets: its size and alignment, init / init_size /
// init_data (with and without a free function: when it runs, how often),
// copy (large contents shared, small ones duplicated; the free function
// runs once, after the last copy is closed), move, ZMQ_SHARED, ZMQ_MORE,
// the errors of get/set/gets, and what a closed message answers.
#include <zmq.h>
#include <errno.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

_Static_assert(sizeof(zmq_msg_t) == 64, "zmq_msg_t is 64 bytes");
_Static_assert(alignof(zmq_msg_t) == alignof(void *), "zmq_msg_t is pointer-aligned");

static int freed;
static void *freed_data;
static void *freed_hint;

static void count_free(void *data, void *hint)
{
    freed++;
    freed_data = data;
    freed_hint = hint;
    free(data);
}

static const char *errname(int e)
{
    switch (e) {
    case EINVAL: return "EINVAL";
    case EFAULT: return "EFAULT";
    case ENOMEM: return "ENOMEM";
    default: return "other";
    }
}

int main(void)
{
    printf("sizeof %zu, alignof %zu\n", sizeof(zmq_msg_t), (size_t)alignof(zmq_msg_t));

    zmq_msg_t empty;
    CHECK(zmq_msg_init(&empty) == 0);
    printf("init: size %zu, more %d, shared %d, data %s\n", zmq_msg_size(&empty), zmq_msg_more(&empty),
           zmq_msg_get(&empty, ZMQ_SHARED), zmq_msg_data(&empty) ? "non-NULL" : "NULL");

    // init_size, small and large, written through zmq_msg_data.
    size_t sizes[] = { 5, 33, 34, 100000 };
    for (int i = 0; i < 4; i++) {
        zmq_msg_t m;
        CHECK(zmq_msg_init_size(&m, sizes[i]) == 0);
        memset(zmq_msg_data(&m), 'a' + i, sizes[i]);
        const unsigned char *d = zmq_msg_data(&m);
        printf("init_size %zu: size %zu, first '%c', last '%c', shared %d\n", sizes[i], zmq_msg_size(&m), d[0],
               d[sizes[i] - 1], zmq_msg_get(&m, ZMQ_SHARED));
        CHECK(zmq_msg_close(&m) == 0);
    }

    // init_data with a free function: the buffer is used in place and
    // handed back once, with the hint, when the message is closed.
    char *buffer = malloc(12);
    CHECK(buffer);
    memcpy(buffer, "hello world", 12);
    zmq_msg_t owned;
    CHECK(zmq_msg_init_data(&owned, buffer, 11, count_free, &freed) == 0);
    printf("init_data: size %zu, in place %s, shared %d, freed %d\n", zmq_msg_size(&owned),
           zmq_msg_data(&owned) == buffer ? "yes" : "no", zmq_msg_get(&owned, ZMQ_SHARED), freed);
    CHECK(zmq_msg_close(&owned) == 0);
    printf("after close: freed %d, with data %s, hint %s\n", freed, freed_data == buffer ? "yes" : "no",
           freed_hint == &freed ? "yes" : "no");

    // init_data without a free function: the caller's constant bytes.
    static char constant[] = "constant bytes";
    zmq_msg_t fixed;
    CHECK(zmq_msg_init_data(&fixed, constant, sizeof constant - 1, NULL, NULL) == 0);
    printf("init_data without ffn: size %zu, in place %s, shared %d\n", zmq_msg_size(&fixed),
           zmq_msg_data(&fixed) == constant ? "yes" : "no", zmq_msg_get(&fixed, ZMQ_SHARED));
    CHECK(zmq_msg_close(&fixed) == 0);

    // copy of a message with a free function: one buffer, one free.
    freed = 0;
    buffer = malloc(200);
    CHECK(buffer);
    memset(buffer, 'x', 200);
    zmq_msg_t original, copy;
    CHECK(zmq_msg_init_data(&original, buffer, 200, count_free, NULL) == 0);
    CHECK(zmq_msg_init(&copy) == 0);
    CHECK(zmq_msg_copy(&copy, &original) == 0);
    printf("copy: sizes %zu %zu, same bytes %s, shared %d %d\n", zmq_msg_size(&original), zmq_msg_size(&copy),
           zmq_msg_data(&original) == zmq_msg_data(&copy) ? "yes" : "no", zmq_msg_get(&original, ZMQ_SHARED),
           zmq_msg_get(&copy, ZMQ_SHARED));
    ((char *)zmq_msg_data(&copy))[0] = 'y';
    printf("write through the copy seen by the original: %c\n", ((char *)zmq_msg_data(&original))[0]);
    CHECK(zmq_msg_close(&original) == 0);
    printf("original closed: freed %d, copy still reads '%c'\n", freed, ((char *)zmq_msg_data(&copy))[1]);
    CHECK(zmq_msg_close(&copy) == 0);
    printf("copy closed: freed %d\n", freed);

    // copy of a large init_size message, three ways; copy of a small one.
    zmq_msg_t big, big2, big3;
    CHECK(zmq_msg_init_size(&big, 1000) == 0);
    memset(zmq_msg_data(&big), 'b', 1000);
    CHECK(zmq_msg_init(&big2) == 0 && zmq_msg_init(&big3) == 0);
    CHECK(zmq_msg_copy(&big2, &big) == 0 && zmq_msg_copy(&big3, &big2) == 0);
    printf("large copies: shared %d %d %d, same bytes %s\n", zmq_msg_get(&big, ZMQ_SHARED),
           zmq_msg_get(&big2, ZMQ_SHARED), zmq_msg_get(&big3, ZMQ_SHARED),
           zmq_msg_data(&big) == zmq_msg_data(&big3) ? "yes" : "no");
    CHECK(zmq_msg_close(&big) == 0 && zmq_msg_close(&big3) == 0);
    printf("last copy reads '%c', size %zu\n", ((char *)zmq_msg_data(&big2))[999], zmq_msg_size(&big2));
    CHECK(zmq_msg_close(&big2) == 0);

    zmq_msg_t small, small2;
    CHECK(zmq_msg_init_size(&small, 4) == 0);
    memcpy(zmq_msg_data(&small), "tiny", 4);
    CHECK(zmq_msg_init(&small2) == 0);
    CHECK(zmq_msg_copy(&small2, &small) == 0);
    printf("small copy: \"%.4s\", shared %d %d\n", (char *)zmq_msg_data(&small2), zmq_msg_get(&small, ZMQ_SHARED),
           zmq_msg_get(&small2, ZMQ_SHARED));
    CHECK(zmq_msg_close(&small) == 0 && zmq_msg_close(&small2) == 0);

    // move: the source is left empty; the destination's old content goes.
    freed = 0;
    buffer = malloc(50);
    CHECK(buffer);
    memset(buffer, 'm', 50);
    zmq_msg_t from, to;
    CHECK(zmq_msg_init_data(&from, buffer, 50, count_free, NULL) == 0);
    CHECK(zmq_msg_init_size(&to, 3) == 0);
    CHECK(zmq_msg_move(&to, &from) == 0);
    printf("move: source size %zu, target size %zu, in place %s, freed %d\n", zmq_msg_size(&from),
           zmq_msg_size(&to), zmq_msg_data(&to) == buffer ? "yes" : "no", freed);
    CHECK(zmq_msg_close(&from) == 0);
    CHECK(zmq_msg_close(&to) == 0);
    printf("target closed: freed %d\n", freed);

    // Properties and errors.
    zmq_msg_t m;
    CHECK(zmq_msg_init_size(&m, 3) == 0);
    printf("more %d, ZMQ_MORE %d\n", zmq_msg_more(&m), zmq_msg_get(&m, ZMQ_MORE));
    int rc = zmq_msg_get(&m, 12345);
    printf("get(12345): %d %s\n", rc, errname(zmq_errno()));
    rc = zmq_msg_set(&m, ZMQ_MORE, 1);
    printf("set(ZMQ_MORE): %d %s\n", rc, errname(zmq_errno()));
    rc = zmq_msg_get(&m, ZMQ_SRCFD);
    printf("ZMQ_SRCFD of a message not received: %d %s\n", rc, errname(zmq_errno()));
    const char *value = zmq_msg_gets(&m, "Socket-Type");
    printf("gets(Socket-Type) of a message not received: %s %s\n", value ? value : "NULL", errname(zmq_errno()));
    CHECK(zmq_msg_close(&m) == 0);
    printf("closed: more %d, ZMQ_SHARED %d\n", zmq_msg_more(&m), zmq_msg_get(&m, ZMQ_SHARED));
    rc = zmq_msg_close(&m);
    printf("second close: %d %s\n", rc, errname(zmq_errno()));
    zmq_msg_t fresh;
    CHECK(zmq_msg_init(&fresh) == 0);
    rc = zmq_msg_copy(&fresh, &m);
    printf("copy from a closed message: %d %s\n", rc, errname(zmq_errno()));
    rc = zmq_msg_move(&fresh, &m);
    printf("move from a closed message: %d %s\n", rc, errname(zmq_errno()));
    CHECK(zmq_msg_close(&fresh) == 0);
    CHECK(zmq_msg_close(&empty) == 0);
    printf("done\n");
    return 0;
}

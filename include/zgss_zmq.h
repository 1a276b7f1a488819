// SPDX-License-Identifier: MIT
/*
 * zgss_zmq.h — compile a libzmq program against zgss's sockets.
 *
 * Maps the zmq_* socket API that zgss implements onto zgss_* (see the
 * "Sockets" section of zgss.h for semantics). Two ways to use it:
 *   - without touching the source: cc -include zgss_zmq.h prog.c
 *     $(pkg-config --cflags --libs zgss). This header marks zmq.h as
 *     already included, so the program's own `#include <zmq.h>` becomes a
 *     no-op and every zmq_* call below goes to libzgss;
 *   - or replace `#include <zmq.h>` with `#include <zgss_zmq.h>`.
 *
 * Covered: zmq_ctx_new, zmq_ctx_term, zmq_ctx_destroy, zmq_term,
 * zmq_socket, zmq_close, zmq_setsockopt, zmq_getsockopt, zmq_bind,
 * zmq_connect, zmq_send, zmq_send_const, zmq_recv, zmq_errno,
 * zmq_strerror, zmq_has, zmq_version, zmq_msg_t, zmq_free_fn,
 * zmq_msg_init, zmq_msg_init_size, zmq_msg_init_data, zmq_msg_send,
 * zmq_msg_recv, zmq_msg_close, zmq_msg_move, zmq_msg_copy, zmq_msg_data,
 * zmq_msg_size, zmq_msg_more, zmq_msg_get, zmq_msg_set, zmq_msg_gets,
 * zmq_sendmsg, zmq_recvmsg, zmq_poll with zmq_pollitem_t and zmq_fd_t
 * (ZMQ_POLLIN/OUT/ERR/PRI, ZMQ_POLLITEMS_DFLT, and the socket options
 * ZMQ_FD and ZMQ_EVENTS), and the constants zgss.h defines plus the
 * aliases ZMQ_IDENTITY and ZMQ_NOBLOCK, XPUB/XSUB sockets with
 * ZMQ_XPUB_VERBOSE/VERBOSER/NODROP/WELCOME_MSG, zmq_proxy,
 * zmq_proxy_steerable, zmq_unbind, zmq_disconnect, zmq_socket_monitor
 * (ZMQ_EVENT_*, ZMQ_PROTOCOL_ERROR_*), zmq_ctx_set,
 * zmq_ctx_get, zmq_sleep, zmq_stopwatch_start/intermediate/stop. Not covered (a program using them
 * fails to compile or link, never silently misbehaves): the draft
 * zmq_msg_init_buffer / routing_id / group calls, zmq_poller_* (draft
 * API), zmq_socket_monitor, ZMQ_XPUB_MANUAL (refused),
 * transports other than tcp://, ipc:// and inproc:// (bind/connect fail
 * with EPROTONOSUPPORT), CURVE and PLAIN options.
 */
#ifndef ZGSS_ZMQ_H_INCLUDED
#define ZGSS_ZMQ_H_INCLUDED

/* What zmq.h brings in: programs written for libzmq use printf and
 * uint8_t without including <stdio.h> or <stdint.h> themselves. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "zgss.h"

/* Keep the real zmq.h out: its declarations would name libzmq. */
#define __ZMQ_H_INCLUDED__

#ifndef ZMQ_VERSION_MAJOR
/* The libzmq API level zgss follows. */
#define ZMQ_VERSION_MAJOR 4
#define ZMQ_VERSION_MINOR 3
#define ZMQ_VERSION_PATCH 4
#endif
#ifndef ZMQ_MAKE_VERSION
#define ZMQ_MAKE_VERSION(major, minor, patch) ((major) * 10000 + (minor) * 100 + (patch))
#endif
#ifndef ZMQ_VERSION
#define ZMQ_VERSION ZMQ_MAKE_VERSION(ZMQ_VERSION_MAJOR, ZMQ_VERSION_MINOR, ZMQ_VERSION_PATCH)
#endif
#ifndef ZMQ_IDENTITY
#define ZMQ_IDENTITY ZMQ_ROUTING_ID
#endif
#ifndef ZMQ_NOBLOCK
#define ZMQ_NOBLOCK ZMQ_DONTWAIT
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* zmq_version reports the libzmq API level above (not zgss's version,
 * which zgss_version() gives). NULL pointers are skipped. */
static inline void zgss_zmq_version(int *major, int *minor, int *patch)
{
    if (major) *major = ZMQ_VERSION_MAJOR;
    if (minor) *minor = ZMQ_VERSION_MINOR;
    if (patch) *patch = ZMQ_VERSION_PATCH;
}

#ifdef __cplusplus
}
#endif

#define zmq_ctx_new zgss_ctx_new
#define zmq_ctx_term zgss_ctx_term
#define zmq_ctx_destroy zgss_ctx_term
#define zmq_term zgss_ctx_term
#define zmq_socket zgss_socket
#define zmq_close zgss_close
#define zmq_setsockopt zgss_setsockopt
#define zmq_getsockopt zgss_getsockopt
#define zmq_bind zgss_bind
#define zmq_connect zgss_connect
#define zmq_send zgss_send
#define zmq_send_const zgss_send
#define zmq_recv zgss_recv
#define zmq_errno zgss_errno
#define zmq_strerror zgss_strerror
#define zmq_has zgss_has
#define zmq_version zgss_zmq_version
#define zmq_poll zgss_poll
#define zmq_pollitem_t zgss_pollitem_t
#define zmq_fd_t zgss_fd_t

/* Proxy, endpoints, context options, utilities */
#define zmq_proxy zgss_proxy
#define zmq_proxy_steerable zgss_proxy_steerable
#define zmq_unbind zgss_unbind
#define zmq_disconnect zgss_disconnect
#define zmq_socket_monitor zgss_socket_monitor
#define zmq_ctx_set zgss_ctx_set
#define zmq_ctx_get zgss_ctx_get
#define zmq_sleep zgss_sleep
#define zmq_stopwatch_start zgss_stopwatch_start
#define zmq_stopwatch_intermediate zgss_stopwatch_intermediate
#define zmq_stopwatch_stop zgss_stopwatch_stop

/* Messages */
#define zmq_msg_t zgss_msg_t
#define zmq_free_fn zgss_free_fn
#define zmq_msg_init zgss_msg_init
#define zmq_msg_init_size zgss_msg_init_size
#define zmq_msg_init_data zgss_msg_init_data
#define zmq_msg_send zgss_msg_send
#define zmq_msg_recv zgss_msg_recv
#define zmq_msg_close zgss_msg_close
#define zmq_msg_move zgss_msg_move
#define zmq_msg_copy zgss_msg_copy
#define zmq_msg_data zgss_msg_data
#define zmq_msg_size zgss_msg_size
#define zmq_msg_more zgss_msg_more
#define zmq_msg_get zgss_msg_get
#define zmq_msg_set zgss_msg_set
#define zmq_msg_gets zgss_msg_gets
#define zmq_sendmsg zgss_sendmsg
#define zmq_recvmsg zgss_recvmsg

#endif /* ZGSS_ZMQ_H_INCLUDED */

// SPDX-License-Identifier: MIT
/*
 * zgss.h — Kerberos (GSS-API) security for ZeroMQ's wire protocol, with a
 * C ABI shaped like libzmq's.
 *
 * Four parts are exposed here:
 *   1. The sans-I/O mechanism: zgss_config_* and zgss_mech_*. A ZMTP stack
 *      (libzmq, a Python or Rust ZMTP implementation) feeds it command and
 *      message bodies and sends what it returns. It never touches a socket.
 *   2. Sans-I/O SASL GSSAPI (RFC 4752) and MQTT 5 "GSSAPI-KERBEROS"
 *      enhanced authentication: zgss_sasl_* and zgss_mqtt_* (a section of
 *      its own below).
 *   3. Sockets: zgss_ctx_* / zgss_socket / zgss_send / zgss_recv ..., the
 *      zmq_* API over TCP with zgss's own ZMTP 3.1 stack (section
 *      "Sockets" at the end; it has its own conventions).
 *   4. Library-wide helpers: version, errno-style errors, feature tests.
 *
 * Conventions (read once, they hold for every function below):
 *   - Handles are opaque and typed. A handle is a number that zgss issued
 *     (slot, generation and kind in one value), not an address: zgss never
 *     dereferences it. It is never NULL and never below 2^32, so no small
 *     integer or NULL names one. NULL, a destroyed handle (so a second
 *     destroy too), a value zgss never issued (any pointer, 1, -1,
 *     0xdeadbeef) and a handle of another kind are all refused with the
 *     function's documented result (ZGSS_E_INVAL, NULL, "",
 *     ZGSS_STATUS_FAILED; the socket API: -1 with ENOTSOCK or EFAULT); a
 *     destroy function does nothing. None of them crashes or reads freed
 *     memory. A destroyed handle's value never names a later object.
 *     At most 4194304 handles exist at once; past that, functions that
 *     make one return NULL as when out of memory.
 *   - Mechanism functions return 0 (or a documented positive value) on
 *     success and a negative ZGSS_E_* code on failure. zgss_mech_last_error
 *     then gives a sentence for a human, with the Kerberos reason.
 *   - Output pointers (`const uint8_t **out`) point into storage owned by
 *     the handle. They stay valid until the next call on the same handle or
 *     its destruction; copy what you keep. Never free them. Storage that
 *     held decrypted data is zeroed before it is reused or released.
 *   - Input buffers are only read during the call; zgss keeps no pointer.
 *   - Threads: one handle must not be used by two threads at once.
 *     Different handles may be used in parallel. A config may be shared by
 *     mechanisms on several threads once its options are set. Destroying
 *     a handle while another thread is inside a call on it is a bug, but a
 *     safe one: the running call finishes on the intact object (freed when
 *     the call returns), calls that start after the destroy are refused as
 *     above, and of two racing destroys one does the work. Pointers the
 *     handle gave out are invalid once it is destroyed.
 *   - Blocking: only the calls marked "may block" can wait, and only on
 *     the Kerberos KDC (ticket requests), bounded by krb5.conf timeouts.
 *   - A mechanism that failed stays failed: every later call returns the
 *     same code; only the accessors and zgss_mech_destroy still work.
 *     The same holds for a SASL session (zgss_sasl_t).
 *
 * The header needs no Kerberos headers and coexists with zmq.h: each zmq.h
 * constant is defined only when zmq.h has not defined it, with zmq.h's value.
 */
#ifndef ZGSS_H_INCLUDED
#define ZGSS_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ZGSS_VERSION_MAJOR 0
#define ZGSS_VERSION_MINOR 1
#define ZGSS_VERSION_PATCH 0

/* ---- Constants shared with zmq.h (identical values) -------------------- */

/* Socket types */
#ifndef ZMQ_PAIR
#define ZMQ_PAIR 0
#endif
#ifndef ZMQ_PUB
#define ZMQ_PUB 1
#endif
#ifndef ZMQ_SUB
#define ZMQ_SUB 2
#endif
#ifndef ZMQ_REQ
#define ZMQ_REQ 3
#endif
#ifndef ZMQ_REP
#define ZMQ_REP 4
#endif
#ifndef ZMQ_DEALER
#define ZMQ_DEALER 5
#endif
#ifndef ZMQ_ROUTER
#define ZMQ_ROUTER 6
#endif
#ifndef ZMQ_PULL
#define ZMQ_PULL 7
#endif
#ifndef ZMQ_PUSH
#define ZMQ_PUSH 8
#endif
#ifndef ZMQ_XPUB
#define ZMQ_XPUB 9
#endif
#ifndef ZMQ_XSUB
#define ZMQ_XSUB 10
#endif

/* Send/recv flags */
#ifndef ZMQ_DONTWAIT
#define ZMQ_DONTWAIT 1
#endif
#ifndef ZMQ_SNDMORE
#define ZMQ_SNDMORE 2
#endif

/* Message properties (zgss_msg_get) */
#ifndef ZMQ_MORE
#define ZMQ_MORE 1
#endif
#ifndef ZMQ_SRCFD
#define ZMQ_SRCFD 2
#endif
#ifndef ZMQ_SHARED
#define ZMQ_SHARED 3
#endif

/* Socket options */
#ifndef ZMQ_ROUTING_ID
#define ZMQ_ROUTING_ID 5
#endif
#ifndef ZMQ_SUBSCRIBE
#define ZMQ_SUBSCRIBE 6
#endif
#ifndef ZMQ_UNSUBSCRIBE
#define ZMQ_UNSUBSCRIBE 7
#endif
#ifndef ZMQ_RCVMORE
#define ZMQ_RCVMORE 13
#endif
#ifndef ZMQ_LINGER
#define ZMQ_LINGER 17
#endif
#ifndef ZMQ_RCVTIMEO
#define ZMQ_RCVTIMEO 27
#endif
#ifndef ZMQ_SNDTIMEO
#define ZMQ_SNDTIMEO 28
#endif
#ifndef ZMQ_LAST_ENDPOINT
#define ZMQ_LAST_ENDPOINT 32
#endif
#ifndef ZMQ_MECHANISM
#define ZMQ_MECHANISM 43
#endif
/* ZMQ_MECHANISM values. zgss sockets report ZMQ_NULL or ZMQ_GSSAPI; the
 * other two are here for programs that compare against them. */
#ifndef ZMQ_NULL
#define ZMQ_NULL 0
#endif
#ifndef ZMQ_PLAIN
#define ZMQ_PLAIN 1
#endif
#ifndef ZMQ_CURVE
#define ZMQ_CURVE 2
#endif
#ifndef ZMQ_GSSAPI
#define ZMQ_GSSAPI 3
#endif
#ifndef ZMQ_TYPE
#define ZMQ_TYPE 16
#endif
#ifndef ZMQ_RECONNECT_IVL
#define ZMQ_RECONNECT_IVL 18
#endif
#ifndef ZMQ_FD
#define ZMQ_FD 14
#endif
#ifndef ZMQ_EVENTS
#define ZMQ_EVENTS 15
#endif
#ifndef ZMQ_MAXMSGSIZE
#define ZMQ_MAXMSGSIZE 22
#endif
#ifndef ZMQ_SNDHWM
#define ZMQ_SNDHWM 23
#endif
#ifndef ZMQ_RCVHWM
#define ZMQ_RCVHWM 24
#endif
#ifndef ZMQ_BACKLOG
#define ZMQ_BACKLOG 19
#endif
#ifndef ZMQ_IPV6
#define ZMQ_IPV6 42
#endif
#ifndef ZMQ_HANDSHAKE_IVL
#define ZMQ_HANDSHAKE_IVL 66
#endif
#ifndef ZMQ_GSSAPI_SERVER
#define ZMQ_GSSAPI_SERVER 62
#endif
#ifndef ZMQ_GSSAPI_PRINCIPAL
#define ZMQ_GSSAPI_PRINCIPAL 63
#endif
#ifndef ZMQ_GSSAPI_SERVICE_PRINCIPAL
#define ZMQ_GSSAPI_SERVICE_PRINCIPAL 64
#endif
#ifndef ZMQ_GSSAPI_PLAINTEXT
#define ZMQ_GSSAPI_PLAINTEXT 65
#endif
#ifndef ZMQ_HEARTBEAT_IVL
#define ZMQ_HEARTBEAT_IVL 75
#endif
#ifndef ZMQ_HEARTBEAT_TTL
#define ZMQ_HEARTBEAT_TTL 76
#endif
#ifndef ZMQ_HEARTBEAT_TIMEOUT
#define ZMQ_HEARTBEAT_TIMEOUT 77
#endif
#ifndef ZMQ_GSSAPI_PRINCIPAL_NAMETYPE
#define ZMQ_GSSAPI_PRINCIPAL_NAMETYPE 90
#endif
#ifndef ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE
#define ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE 91
#endif

/* XPUB socket options, and ZMQ_BLOCKY (context option) (identical to zmq.h) */
#ifndef ZMQ_XPUB_VERBOSE
#define ZMQ_XPUB_VERBOSE 40
#endif
#ifndef ZMQ_XPUB_NODROP
#define ZMQ_XPUB_NODROP 69
#endif
#ifndef ZMQ_XPUB_MANUAL
#define ZMQ_XPUB_MANUAL 71
#endif
#ifndef ZMQ_XPUB_WELCOME_MSG
#define ZMQ_XPUB_WELCOME_MSG 72
#endif
#ifndef ZMQ_XPUB_VERBOSER
#define ZMQ_XPUB_VERBOSER 78
#endif
#ifndef ZMQ_BLOCKY
#define ZMQ_BLOCKY 70
#endif

/* zgss_ctx_set / zgss_ctx_get options and defaults (identical to zmq.h) */
#ifndef ZMQ_IO_THREADS
#define ZMQ_IO_THREADS 1
#endif
#ifndef ZMQ_MAX_SOCKETS
#define ZMQ_MAX_SOCKETS 2
#endif
#ifndef ZMQ_SOCKET_LIMIT
#define ZMQ_SOCKET_LIMIT 3
#endif
#ifndef ZMQ_THREAD_PRIORITY
#define ZMQ_THREAD_PRIORITY 3
#endif
#ifndef ZMQ_THREAD_SCHED_POLICY
#define ZMQ_THREAD_SCHED_POLICY 4
#endif
#ifndef ZMQ_MAX_MSGSZ
#define ZMQ_MAX_MSGSZ 5
#endif
#ifndef ZMQ_MSG_T_SIZE
#define ZMQ_MSG_T_SIZE 6
#endif
#ifndef ZMQ_THREAD_AFFINITY_CPU_ADD
#define ZMQ_THREAD_AFFINITY_CPU_ADD 7
#endif
#ifndef ZMQ_THREAD_AFFINITY_CPU_REMOVE
#define ZMQ_THREAD_AFFINITY_CPU_REMOVE 8
#endif
#ifndef ZMQ_THREAD_NAME_PREFIX
#define ZMQ_THREAD_NAME_PREFIX 9
#endif
#ifndef ZMQ_IO_THREADS_DFLT
#define ZMQ_IO_THREADS_DFLT 1
#endif
#ifndef ZMQ_MAX_SOCKETS_DFLT
#define ZMQ_MAX_SOCKETS_DFLT 1023
#endif
#ifndef ZMQ_THREAD_PRIORITY_DFLT
#define ZMQ_THREAD_PRIORITY_DFLT -1
#endif
#ifndef ZMQ_THREAD_SCHED_POLICY_DFLT
#define ZMQ_THREAD_SCHED_POLICY_DFLT -1
#endif

/* zgss_poll events and ZMQ_EVENTS bits (identical to zmq.h) */
#ifndef ZMQ_POLLIN
#define ZMQ_POLLIN 1
#endif
#ifndef ZMQ_POLLOUT
#define ZMQ_POLLOUT 2
#endif
#ifndef ZMQ_POLLERR
#define ZMQ_POLLERR 4
#endif
#ifndef ZMQ_POLLPRI
#define ZMQ_POLLPRI 8
#endif
#ifndef ZMQ_POLLITEMS_DFLT
#define ZMQ_POLLITEMS_DFLT 16
#endif

/* libzmq's errno values, for the socket API (identical to zmq.h) */
#ifndef ZMQ_HAUSNUMERO
#define ZMQ_HAUSNUMERO 156384712
#endif
#ifndef EFSM
#define EFSM (ZMQ_HAUSNUMERO + 51)
#endif
#ifndef ENOCOMPATPROTO
#define ENOCOMPATPROTO (ZMQ_HAUSNUMERO + 52)
#endif
#ifndef ETERM
#define ETERM (ZMQ_HAUSNUMERO + 53)
#endif
#ifndef EMTHREAD
#define EMTHREAD (ZMQ_HAUSNUMERO + 54)
#endif

/* Name types for the two NAMETYPE options */
#ifndef ZMQ_GSSAPI_NT_HOSTBASED
#define ZMQ_GSSAPI_NT_HOSTBASED 0
#endif
#ifndef ZMQ_GSSAPI_NT_USER_NAME
#define ZMQ_GSSAPI_NT_USER_NAME 1
#endif
#ifndef ZMQ_GSSAPI_NT_KRB5_PRINCIPAL
#define ZMQ_GSSAPI_NT_KRB5_PRINCIPAL 2
#endif

/* ---- zgss options (1000 and up; never renumbered) ---------------------- */

/* Acceptor keytab for this config/socket (string path, e.g.
 * "/etc/zmq.keytab"; "" unsets). Overrides KRB5_KTNAME for it alone. */
#define ZGSS_KEYTAB 1000
/* Initiator keytab: a client gets tickets from it, no kinit needed
 * (string path). Overrides KRB5_CLIENT_KTNAME for it alone. */
#define ZGSS_CLIENT_KEYTAB 1001
/* Credential cache name, e.g. "FILE:/tmp/cc" or "MEMORY:app" (string).
 * Overrides KRB5CCNAME for it alone. */
#define ZGSS_CCACHE 1002
/* Server: add one client principal to the allowed list (string, full
 * name such as "alice@EXAMPLE.TEST"). A zero-length value is refused with
 * EINVAL (it would admit everyone; the list only grows: start a new socket
 * or config for another list). No list at all allows every authenticated
 * client. getsockopt returns the
 * list joined by '\n'. Entries are compared byte for byte with the
 * client's display name (no Unicode normalization: an NFC "jos\xC3\xA9"
 * does not admit the NFD principal "jose\xCC\x81"); a value that is not
 * UTF-8 is refused with EINVAL, and so is a client whose name is not. */
#define ZGSS_ALLOW_PRINCIPAL 1003
/* Read-only string: why the last security failure happened, with the
 * Kerberos reason; "" when none. */
#define ZGSS_LAST_ERROR 1004
/* Read-only string: the authenticated peer principal of the last
 * handshake ("" before one). On a server, the client's principal (what
 * libzmq passes to ZAP as User-Id). */
#define ZGSS_PEER_PRINCIPAL 1005
/* Server, int 0/1: pause each handshake after authentication until the
 * host calls zgss_mech_authorize (for hosts that run ZAP). Default 0. */
#define ZGSS_EXTERNAL_AUTHZ 1006
/* Sockets only, int64_t bytes (like ZMQ_MAXMSGSIZE): the largest frame a
 * peer may send before its handshake completes (its greeting-time
 * commands: INITIATE with the Kerberos token, READY, ERROR). Default
 * 131072 (128 KiB; a Kerberos AP-REQ is at most tens of KiB, Windows caps
 * its tokens at 65535 bytes); 0 to 268435456, anything else EINVAL. A peer
 * declaring a larger frame is disconnected as soon as the frame's header
 * arrives, and ZGSS_LAST_ERROR names this option; after READY,
 * ZMQ_MAXMSGSIZE applies. zgss_config_set refuses it (ZGSS_E_INVAL): a
 * host that frames ZMTP itself limits what it reads before READY. */
#define ZGSS_HANDSHAKE_MAXMSGSIZE 1007

/* ---- Error codes of the mechanism and SASL APIs (never renumbered) ----- */

/* Functions return them as int; zgss_mech_strerror names each and
 * zgss_is_fatal tells which end a session (zgss_mech_t, zgss_sasl_t).
 * "Usable": the call changed nothing and the session goes on. "Fatal": the
 * session failed; every later call on it returns the same code, and only
 * its accessors (status, last error) and destroy still work. A config
 * (zgss_config_t, zgss_sasl_config_t) is never failed by an error. */
typedef enum zgss_error {
    ZGSS_E_INVAL = -1,  /* bad argument or option value (usable) */
    ZGSS_E_AGAIN = -2,  /* nothing to do now (usable) */
    ZGSS_E_PROTO = -3,  /* the peer broke the ZMTP/GSSAPI protocol (fatal) */
    ZGSS_E_GSS = -4,    /* Kerberos/GSS-API failure (fatal) */
    ZGSS_E_DENIED = -5, /* peer authenticated but is not authorized (fatal) */
    ZGSS_E_STATE = -6,  /* call not valid in the current state (usable) */
    ZGSS_E_NOMEM = -7   /* out of memory (fatal) */
} zgss_error;

/* Mechanism status (zgss_mech_status) */
#define ZGSS_STATUS_HANDSHAKING 0
#define ZGSS_STATUS_AWAITING_AUTHZ 1 /* server: call zgss_mech_authorize */
#define ZGSS_STATUS_READY 2
#define ZGSS_STATUS_FAILED 3

/* Message flags for zgss_mech_encode / zgss_mech_decode */
#define ZGSS_MSG_MORE 0x01
#define ZGSS_MSG_COMMAND 0x02
#define ZGSS_MSG_SUBSCRIBE 0x04 /* decode: a subscription (see zgss_mech_decode) */
#define ZGSS_MSG_CANCEL 0x08    /* decode: a cancel, from libzmq master peers only */

typedef struct zgss_config zgss_config_t;
typedef struct zgss_mech zgss_mech_t;

/* ---- Library ----------------------------------------------------------- */

/* "MAJOR.MINOR.PATCH". Static storage; never free. Never fails. */
const char *zgss_version(void);

/* 1 if the capability is built in ("gssapi", "mechanism", "sasl", "mqtt",
 * "ipc"; "curve", "tipc", "pgm", "norm" -> 0, ...), else 0. "inproc" is 0
 * although inproc:// works: libzmq 4.3.4's zmq_has does not list it either.
 * NULL returns 0. */
int zgss_has(const char *capability);

/* The errno of the last failed zgss socket call on the calling thread
 * (like zmq_errno). Never fails. */
int zgss_errno(void);

/* Text for an errno value, including libzmq's own (EFSM, ETERM, ...).
 * Static storage; never free. Never fails. */
const char *zgss_strerror(int errnum);

/* Text for a negative ZGSS_E_* code. Static storage; unknown codes give
 * "unknown zgss error". Never fails. */
const char *zgss_mech_strerror(int code);

/* 1 when `code`, returned by a call on a session (zgss_mech_t,
 * zgss_sasl_t), means the session has failed for good: ZGSS_E_PROTO,
 * ZGSS_E_GSS, ZGSS_E_DENIED, ZGSS_E_NOMEM, and any negative code this
 * version does not know. 0 when the session is still usable: ZGSS_E_INVAL,
 * ZGSS_E_AGAIN, ZGSS_E_STATE, and 0 or any positive result. As
 * nghttp2_is_fatal. Never fails. */
int zgss_is_fatal(int code);

/* ---- Configuration ----------------------------------------------------- */

/* A new, empty configuration (client, encrypted, defaults from the
 * environment). Returns NULL only when out of memory. Free with
 * zgss_config_destroy. Does not block. */
zgss_config_t *zgss_config_new(void);

/* Frees the configuration. Mechanisms created from it stay valid (they
 * hold their own reference). The credentials it acquired (tickets in a
 * private memory cache, a copy of the keytab) are kept by the library for
 * a later config with equal options, for the 16 most recently used sets
 * of options in the process. NULL is a no-op. */
void zgss_config_destroy(zgss_config_t *config);

/* Sets an option, with zmq_setsockopt's rules: ZMQ_GSSAPI_* and ZGSS_*
 * options above; ints are `int` with value_len == sizeof(int); strings are
 * bytes (a trailing NUL is tolerated), 1..255 bytes for principals.
 * Returns 0, or ZGSS_E_INVAL for an unknown option, a bad size or value
 * (zgss_config_last_error says which). Takes effect for mechanisms created
 * afterwards. Does not block. */
int zgss_config_set(zgss_config_t *config, int option, const void *value, size_t value_len);

/* Reads an option back, like zmq_getsockopt: ints need *value_len ==
 * sizeof(int); strings are copied with a NUL and *value_len set to the
 * length including it ("" when unset). Returns 0, or ZGSS_E_INVAL for an
 * unknown option, NULL arguments or a buffer too small. */
int zgss_config_get(const zgss_config_t *config, int option, void *value, size_t *value_len);

/* The reason for the last failed zgss_config_set/get, or the last
 * credential failure; "" when none. Owned by the config, valid until the
 * next call on it. NULL config gives "". */
const char *zgss_config_last_error(const zgss_config_t *config);

/* ---- Mechanism (one per connection) ----------------------------------- */

/* Creates the mechanism for one connection, client or server as the
 * config says (ZMQ_GSSAPI_SERVER). socket_type is the local ZMQ_* socket
 * type, ZMQ_PAIR..ZMQ_XSUB (it goes into READY's Socket-Type and is
 * checked against the peer's); routing_id (may be NULL when routing_id_len is 0, at most 255
 * bytes) goes into READY's Identity for REQ, DEALER and ROUTER.
 * Credentials named by the config are acquired on the first mechanism and
 * reused by later ones (a client's are acquired again once half of their
 * tickets' lifetime has passed); a credential failure does not fail this
 * call: the mechanism starts failed and the first handshake call reports
 * it. After a failure to get tickets with a client keytab (KDC down, say)
 * the KDC is asked again only after 1 s, then 2, 4, up to 8 s; mechanisms
 * made meanwhile start failed with that failure's reason. Returns NULL
 * for a NULL config, an unknown socket type or a client config without
 * ZMQ_GSSAPI_SERVICE_PRINCIPAL. May block (client keytab: first ticket
 * request, and renewal). Free with zgss_mech_destroy. */
zgss_mech_t *zgss_mech_new(zgss_config_t *config, int socket_type,
                           const void *routing_id, size_t routing_id_len);

/* Frees the mechanism and wipes its keys and buffers. NULL is a no-op. */
void zgss_mech_destroy(zgss_mech_t *mech);

/* The next handshake command to send. On 1, *body and *body_len hold a command
 * body to send in a ZMTP command frame (flags 0x04); *body_len may be 0:
 * the GSSAPI client's empty command is a real frame and must be sent.
 * Returns 0 when it is the peer's turn (nothing to send), or a negative
 * code (ZGSS_E_GSS, ZGSS_E_PROTO, ZGSS_E_INVAL for NULL arguments).
 * May block (the client's first call may ask the KDC for a ticket). */
int zgss_mech_next_command(zgss_mech_t *mech, const uint8_t **body, size_t *body_len);

/* Feeds the body of a command frame received from the peer during the
 * handshake. Returns 0, or ZGSS_E_PROTO (malformed or unexpected command,
 * plaintext mismatch, incompatible socket type), ZGSS_E_GSS (token
 * refused), ZGSS_E_DENIED (client not in ZGSS_ALLOW_PRINCIPAL). body may
 * be NULL when body_len is 0. Does not block. */
int zgss_mech_process_command(zgss_mech_t *mech, const uint8_t *body, size_t body_len);

/* Server with ZGSS_EXTERNAL_AUTHZ: the host's decision about the client
 * in zgss_mech_peer_principal, e.g. from a ZAP reply. allowed != 0 lets
 * the handshake continue; 0 fails it with ZGSS_E_DENIED and `reason`
 * (may be NULL) in the last error. Returns 0, the failure code, or
 * ZGSS_E_STATE when the status is not ZGSS_STATUS_AWAITING_AUTHZ. */
int zgss_mech_authorize(zgss_mech_t *mech, int allowed, const char *reason);

/* After this side refused the handshake: a ZMTP ERROR command body
 * ("\x05ERROR", a length byte, the reason) to send the peer in a command
 * frame before closing, so that a refused client stops instead of
 * reconnecting at once (a libzmq 4.3.4 client gives up on the endpoint
 * after any unexpected command; its CURVE/PLAIN/NULL clients and zgss
 * report a ZAP status code as HANDSHAKE_FAILED_AUTH / "refused").
 * reason: NULL for the mechanism's own, which is "400" after a server
 * refused an authenticated client (ZGSS_ALLOW_PRINCIPAL, or
 * zgss_mech_authorize with allowed 0), as libzmq's CURVE and PLAIN
 * servers send on a ZAP denial; or the host's text, 1..255 bytes without
 * NUL (e.g. its ZAP reply's status code "500"), for any handshake failure.
 * Returns 1 and sets *body, *body_len (owned by the mechanism, valid until
 * the next call on it); 0 when there is nothing to send (the mechanism has
 * not failed, failed after READY, failed because the peer sent ERROR, or
 * failed otherwise and reason is NULL); ZGSS_E_INVAL for NULL mech, body
 * or body_len, or an empty or longer reason. A peer's ERROR given to
 * zgss_mech_process_command fails the mechanism: ZGSS_E_DENIED when its
 * reason is a ZAP status code (300, 400, 500), else ZGSS_E_PROTO; the last
 * error quotes it. Does not block. */
int zgss_mech_error_command(zgss_mech_t *mech, const char *reason,
                            const uint8_t **body, size_t *body_len);

/* Protects one outgoing message once the status is READY. flags:
 * ZGSS_MSG_MORE, ZGSS_MSG_COMMAND. Encrypted mode: *out is a MESSAGE
 * command body to send in an ordinary frame with *out_flags 0 (MORE
 * travels inside the wrap). Plaintext mode: *out is the data unchanged and
 * *out_flags the flags. Returns 0, ZGSS_E_STATE before READY, ZGSS_E_GSS
 * when wrapping fails (e.g. the context expired, or all 2^64 sequence
 * numbers are used: fatal, never an abort),
 * ZGSS_E_INVAL for NULL out pointers or, in encrypted mode, a message
 * longer than 4 GiB - 4097 bytes (its token would not fit the MESSAGE
 * length field; the session goes on). Does not block.
 * Once READY, an AES session key (enctypes 17-20) is taken over from MIT
 * by zgss's own RFC 4121 code (docs/crypto.md): the same tokens, less CPU.
 * ZGSS_MESSAGE_CRYPTO=mit in the environment keeps gss_wrap/gss_unwrap. */
int zgss_mech_encode(zgss_mech_t *mech, const uint8_t *data, size_t len, int flags,
                     const uint8_t **out, size_t *out_len, int *out_flags);

/* Opens one incoming frame body once the status is READY. Encrypted mode:
 * data must be a MESSAGE command; *out is the plaintext, *out_flags its
 * ZGSS_MSG_* flags from inside the wrap. On a PUB or XPUB whose peer's
 * Socket-Type is SUB, a message of one frame (not the last frame of a
 * longer message) that does not start with byte 0 or 1 also gets
 * ZGSS_MSG_SUBSCRIBE (*out is then the topic): stock libzmq
 * 4.3.4 encrypts a subscription without its 1 byte. An XSUB peer's
 * messages keep their flags. Returns 0, ZGSS_E_STATE before
 * READY, ZGSS_E_PROTO for anything malformed, tampered, replayed or sent
 * without confidentiality (fatal). Does not block. */
int zgss_mech_decode(zgss_mech_t *mech, const uint8_t *data, size_t len, int flags,
                     const uint8_t **out, size_t *out_len, int *out_flags);

/* Tells the mechanism its connection closed (EOF or reset). libzmq's
 * GSSAPI peers send no ERROR command: a refusing peer just hangs up, so before READY
 * this records the likeliest reason for the state the handshake was in
 * ("peer closed the connection right after our READY: ZMQ_GSSAPI_PLAINTEXT
 * probably differs ...") and fails the mechanism. Returns ZGSS_E_PROTO
 * (or the earlier failure's code) when it failed, 0 when the handshake had
 * completed (an ordinary disconnect), ZGSS_E_INVAL for NULL. Does not
 * block. */
int zgss_mech_peer_closed(zgss_mech_t *mech);

/* ZGSS_STATUS_*; ZGSS_STATUS_FAILED for NULL. */
int zgss_mech_status(const zgss_mech_t *mech);

/* 1 if this is the server side, 0 if the client, ZGSS_E_INVAL for NULL. */
int zgss_mech_is_server(const zgss_mech_t *mech);

/* The authenticated peer principal once the GSS context is established:
 * on a server the client's ("alice@EXAMPLE.TEST"), on a client the
 * service's. NULL before that. Owned by the mechanism; valid until it is
 * destroyed. */
const char *zgss_mech_peer_principal(const zgss_mech_t *mech);

/* A property of the peer's READY metadata ("Socket-Type", "Identity",
 * case-insensitive). Returns 1 and sets *value and *value_len (owned by the
 * mechanism, valid until it is destroyed) when present, 0 when absent or
 * before READY, ZGSS_E_INVAL for NULL arguments. */
int zgss_mech_peer_property(const zgss_mech_t *mech, const char *name,
                            const uint8_t **value, size_t *value_len);

/* Why the mechanism failed, in one sentence with the Kerberos reason
 * ("cannot authenticate to zmq@localhost: Server zmq/localhost@EX... not
 * found in Kerberos database"); "" when it has not failed. Owned by the
 * mechanism; valid until it is destroyed. NULL gives "". */
const char *zgss_mech_last_error(const zgss_mech_t *mech);

/* ---- SASL GSSAPI (RFC 4752) and MQTT 5 GSSAPI-KERBEROS ------------------
 *
 * A zgss_sasl_t is one authentication exchange, client or server, sans I/O:
 * the host moves the tokens (in MQTT 5: CONNECT's and AUTH's
 * Authentication-Data). A zgss_sasl_config_t holds settings shared by many
 * exchanges; a server config checks its principal and keytab once and
 * shares the acceptor credential.
 *
 * The exchange (mutual authentication, the default):
 *   client: zgss_sasl_client_start      -> initial response (AP-REQ)
 *   server: zgss_sasl_step(AP-REQ)      -> 1, challenge (AP-REP)
 *   client: zgss_sasl_step(AP-REP)      -> 1, empty response (send it)
 *   server: zgss_sasl_step(empty)       -> 1, challenge (wrapped offer:
 *                                          layers + max buffer)
 *   client: zgss_sasl_step(offer)       -> 1, response (wrapped reply: layer,
 *                                          max buffer, authzid); client is
 *                                          now ZGSS_SASL_STATUS_COMPLETE
 *   server: zgss_sasl_step(reply)       -> 0, authenticated: read
 *                                          zgss_sasl_username
 * Without mutual authentication (ZGSS_SASL_MUTUAL 0) the AP-REP round trip
 * is skipped: the server's first challenge is the offer.
 *
 * Return codes: negative ZGSS_E_* as above. ZGSS_E_GSS: Kerberos refused
 * (bad token, no ticket, KDC unreachable); ZGSS_E_PROTO: the peer broke RFC
 * 4752 (truncated offer/reply, bad layer bits, token that does not
 * unwrap); ZGSS_E_DENIED: authenticated but refused by policy (authzid,
 * mapping rules, allowlist, no common layer); ZGSS_E_STATE: call not valid
 * now (local, the session is unchanged); ZGSS_E_INVAL: NULL or bad
 * arguments (local). zgss_sasl_last_error gives the sentence, with the
 * Kerberos reason ("Cannot contact any KDC for realm 'EXAMPLE.TEST'").
 * Output buffers (*out) are owned by the session and valid until the next
 * call on it or its destruction; plaintext is wiped before reuse. */

typedef struct zgss_sasl_config zgss_sasl_config_t;
typedef struct zgss_sasl zgss_sasl_t;

/* Security layers (bit values of RFC 4752's offer octet) */
#define ZGSS_SASL_LAYER_NONE 1
#define ZGSS_SASL_LAYER_INTEGRITY 2
#define ZGSS_SASL_LAYER_CONFIDENTIALITY 4

/* String options (zgss_sasl_config_set_string; NULL or "" unsets) */
/* Server: its principal, "service/host@REALM" (e.g.
 * "mqtt/broker.example.com@EXAMPLE.COM"); unset accepts for any key in the
 * keytab. Client: its own principal (unset: the default one). */
#define ZGSS_SASL_PRINCIPAL 1
/* Server: acceptor keytab path ("/etc/mqtt.keytab" or "FILE:..."); unset
 * uses KRB5_KTNAME, else krb5.conf's default_keytab_name. */
#define ZGSS_SASL_KEYTAB 2
/* Client: the service, "mqtt@broker.example.com" (host-based) or
 * "mqtt/broker.example.com@EXAMPLE.COM" (a '/' selects this form).
 * Required for clients. */
#define ZGSS_SASL_SERVICE 3
/* Client: keytab to get tickets from without kinit (KRB5_CLIENT_KTNAME
 * for this config alone). */
#define ZGSS_SASL_CLIENT_KEYTAB 4
/* Client: credential cache, e.g. "MEMORY:app" (KRB5CCNAME for it alone). */
#define ZGSS_SASL_CCACHE 5
/* Client: authorization identity to send; unset sends none (the usual). A
 * server accepts only none or the authentication identity: the principal
 * without realm in the default realm ("alice"), the full name otherwise
 * (Cyrus SASL's rule). */
#define ZGSS_SASL_AUTHZID 6
/* Server: principal -> username rules, Kafka's form, separated by commas
 * or newlines, first applying rule wins, none applying refuses:
 *   DEFAULT                                 first component, default realm
 *   RULE:[n:fmt](regex)s/pattern/repl/[g][/L|/U]
 * e.g. "RULE:[1:$1@$0](.+@EXAMPLE\\.TEST)s/@[A-Z.]+$//,DEFAULT". fmt uses $0 (the
 * realm), $1, $2 (components); the formatted name must match regex
 * wholly; in repl "$n" inserts group n of pattern's match and a backslash
 * escapes the next character ("\\/" for a slash). Parsed when set: a bad
 * rule returns ZGSS_E_INVAL naming it, as does a pattern repeating a group
 * that itself repeats ("(.*)*", "(a+)+": exponential time on a name that
 * does not match); so does text holding no rule at all (",", blanks).
 * Unset (NULL or ""): strip the default realm only. Components reach
 * the rules decoded as MIT's krb5_parse_name reads the principal ("a\\/b"
 * is one component "a/b", "bo\\b" ends in a backspace); a principal with a
 * control character in a component or its realm is refused
 * (ZGSS_E_DENIED), whatever the rules, and so is a username with one. */
#define ZGSS_SASL_MAPPING_RULES 7
/* Server: add one entry to the allowlist (mapped username or full
 * principal); NULL clears it; "" is refused with ZGSS_E_INVAL (a value
 * that came out empty must not switch the list off). Empty list: any
 * mapped user is allowed. Entries, usernames, the authzid and realms are compared byte
 * for byte (no Unicode normalization); an entry with a realm is read as
 * principal text and matches by component and realm, however quoted. */
#define ZGSS_SASL_ALLOW 8
/* Server: the realm stripped by the default mapping and by DEFAULT (unset:
 * krb5.conf's default_realm). */
#define ZGSS_SASL_DEFAULT_REALM 9
/* Int options (zgss_sasl_config_set_int) */
/* Client: 1 (default) asks the server to prove its identity; 0 skips the
 * AP-REP round trip. */
#define ZGSS_SASL_MUTUAL 20
/* Mask of ZGSS_SASL_LAYER_*: offered by a server, accepted by a client
 * (which picks the strongest in common). Default: all three. */
#define ZGSS_SASL_LAYERS 21
/* Largest protected buffer this side can receive, 1..16777215. Default
 * 65536. */
#define ZGSS_SASL_MAX_BUFFER 22

/* Session status (zgss_sasl_status) */
#define ZGSS_SASL_STATUS_IN_PROGRESS 0
#define ZGSS_SASL_STATUS_COMPLETE 1
#define ZGSS_SASL_STATUS_FAILED 2

/* A new config with defaults. NULL only when out of memory. Free with
 * zgss_sasl_config_destroy; sessions made from it stay valid after. */
zgss_sasl_config_t *zgss_sasl_config_new(void);

/* Frees the config. NULL is a no-op. */
void zgss_sasl_config_destroy(zgss_sasl_config_t *config);

/* Sets a string option (ZGSS_SASL_PRINCIPAL ... ZGSS_SASL_DEFAULT_REALM).
 * value is NUL-terminated UTF-8, copied; NULL or "" unsets. Returns 0, or
 * ZGSS_E_INVAL for an unknown option, an int option, a value that is not
 * valid UTF-8 (never repaired: two different names would become one), a
 * principal that does
 * not parse ("a@b@c", "svc//host@R", "x@") or rules that do not parse
 * (zgss_sasl_config_last_error says why). A change drops the cached
 * server credential. Does not block. */
int zgss_sasl_config_set_string(zgss_sasl_config_t *config, int option, const char *value);

/* Sets an int option (ZGSS_SASL_MUTUAL 0/1, ZGSS_SASL_LAYERS 1..7,
 * ZGSS_SASL_MAX_BUFFER 1..16777215). Returns 0 or ZGSS_E_INVAL. */
int zgss_sasl_config_set_int(zgss_sasl_config_t *config, int option, int value);

/* Server start-up check (call it before accepting clients): the principal
 * has the form service/host@REALM (else ZGSS_E_INVAL, "invalid server
 * principal ... expected service/host@REALM"); the keytab (explicit or
 * default) is readable and holds keys for it, or any key when no principal
 * is set (else ZGSS_E_GSS, "no
 * suitable keys in keytab FILE:/path for mqtt/host@REALM: <Kerberos
 * reason>", e.g. "Key table file '/path' not found", "Permission
 * denied"); then acquires and caches the acceptor credential, and proves
 * the replay cache can be written by storing one random record in it, as
 * accepting a client will (else ZGSS_E_GSS, "cannot write the replay
 * cache ...: Permission denied (filename: /var/tmp/krb5_108.rcache2)"):
 * run it as the user that will serve clients. Returns 0. Does not contact
 * the KDC. */
int zgss_sasl_config_check_server(zgss_sasl_config_t *config);

/* The reason for the last failed config call or server check; "" when
 * none. Owned by the config, valid until the next call on it. NULL gives
 * "". */
const char *zgss_sasl_config_last_error(const zgss_sasl_config_t *config);

/* A client session from the config's client settings. Returns NULL for a
 * NULL config or one without ZGSS_SASL_SERVICE (reason in
 * zgss_sasl_config_last_error). With ZGSS_SASL_PRINCIPAL or a client
 * keytab the credential is acquired here and may block on the KDC; a
 * failure is reported by zgss_sasl_client_start. */
zgss_sasl_t *zgss_sasl_client_new(zgss_sasl_config_t *config);

/* A server session (one per client connection). Runs the check of
 * zgss_sasl_config_check_server the first time; returns NULL when it fails
 * (reason in zgss_sasl_config_last_error). Does not block. */
zgss_sasl_t *zgss_sasl_server_new(zgss_sasl_config_t *config);

/* Frees the session, deleting its GSS context and wiping its buffers.
 * NULL is a no-op. */
void zgss_sasl_destroy(zgss_sasl_t *sasl);

/* Client: the initial response (the first GSS token) in *out and *out_len.
 * Returns 0, ZGSS_E_GSS (no ticket: "Cannot contact any KDC for realm
 * ...", "Server ... not found in Kerberos database", ...), ZGSS_E_STATE on
 * a server or a second call, ZGSS_E_INVAL for NULL arguments. May block
 * (ticket request to the KDC). */
int zgss_sasl_client_start(zgss_sasl_t *sasl, const uint8_t **out, size_t *out_len);

/* Feeds one token from the peer (a server challenge on a client, a client
 * response on a server; in may be NULL when in_len is 0). Returns 1 when
 * *out and *out_len must be sent to the peer (even when *out_len is 0: empty
 * tokens are real messages in RFC 4752), 0 on a server when the client is
 * authenticated (nothing to send: *out is NULL), or a negative code as
 * described at the top of this section. A client returns 1 for the reply
 * to the offer and is then ZGSS_SASL_STATUS_COMPLETE; the carrier's
 * success message ends the exchange. Does not block. */
int zgss_sasl_step(zgss_sasl_t *sasl, const uint8_t *in, size_t in_len,
                   const uint8_t **out, size_t *out_len);

/* ZGSS_SASL_STATUS_*; FAILED for NULL. */
int zgss_sasl_status(const zgss_sasl_t *sasl);

/* 1 for a server session, 0 for a client, ZGSS_E_INVAL for NULL. */
int zgss_sasl_is_server(const zgss_sasl_t *sasl);

/* The authenticated peer once the GSS context is established: on a server
 * the client's full principal ("alice@EXAMPLE.TEST"), on a client the
 * service's. NULL before. Owned by the session, valid until destroyed. */
const char *zgss_sasl_peer_principal(const zgss_sasl_t *sasl);

/* Server, once complete: the username the mapping gave ("alice"). NULL
 * before, and on a client. Owned by the session, valid until destroyed. */
const char *zgss_sasl_username(const zgss_sasl_t *sasl);

/* Server, once complete: the authorization identity in force (the
 * authentication identity when the client sent none). NULL before. */
const char *zgss_sasl_authzid(const zgss_sasl_t *sasl);

/* The negotiated ZGSS_SASL_LAYER_* once complete, 0 before, ZGSS_E_INVAL
 * for NULL. */
int zgss_sasl_layer(const zgss_sasl_t *sasl);

/* Once complete: protect one message with the negotiated layer
 * (integrity: signed; confidentiality: encrypted; none: unchanged).
 * zgss_sasl_wrap gives a bare GSS wrap token; zgss_sasl_encode an RFC 4422
 * buffer (4-octet big-endian length + token) as Cyrus's sasl_encode does.
 * Returns 0, ZGSS_E_STATE before completion, ZGSS_E_INVAL when the result
 * exceeds the peer's max buffer (the session goes on), ZGSS_E_GSS when
 * wrapping fails (expired context: the session fails). A failed session
 * returns its failure code again. Does not block. */
int zgss_sasl_wrap(zgss_sasl_t *sasl, const uint8_t *in, size_t in_len,
                   const uint8_t **out, size_t *out_len);
int zgss_sasl_encode(zgss_sasl_t *sasl, const uint8_t *in, size_t in_len,
                     const uint8_t **out, size_t *out_len);

/* Once complete: check and open one bare wrap token (zgss_sasl_unwrap) or
 * one or more whole RFC 4422 buffers (zgss_sasl_decode, as from Cyrus's
 * sasl_encode). Returns 0, ZGSS_E_STATE before completion, ZGSS_E_PROTO
 * for a tampered, replayed, truncated or oversized token, or one sent
 * unencrypted under the confidentiality layer; that ends the session (the
 * GSS sequence is broken), and later calls return the same code. Does not
 * block. */
int zgss_sasl_unwrap(zgss_sasl_t *sasl, const uint8_t *in, size_t in_len,
                     const uint8_t **out, size_t *out_len);
int zgss_sasl_decode(zgss_sasl_t *sasl, const uint8_t *in, size_t in_len,
                     const uint8_t **out, size_t *out_len);

/* Why the last call on the session failed, or why it was refused; "" when
 * nothing failed. Owned by the session, valid until the next call on it.
 * NULL gives "". */
const char *zgss_sasl_last_error(const zgss_sasl_t *sasl);

/* ---- MQTT 5 enhanced authentication over a zgss_sasl_t ----------------
 *
 * Decisions only; the host encodes the packets. The flow:
 *   C->S CONNECT  Authentication-Method "GSSAPI-KERBEROS",
 *                 Authentication-Data = zgss_sasl_client_start's token
 *   S->C AUTH 0x18 (AP-REP)     C->S AUTH 0x18 (empty data, present)
 *   S->C AUTH 0x18 (offer)      C->S AUTH 0x18 (reply)
 *   S->C CONNACK 0x00, or CONNACK 0x87 on any failure.
 * method: the Authentication-Method property as a C string, NULL when
 * absent. data: Authentication-Data, NULL with len 0 when absent. */

#define ZGSS_MQTT_AUTH_METHOD "GSSAPI-KERBEROS"

/* Actions */
#define ZGSS_MQTT_NOT_MINE 0  /* server: another method; let others decide */
#define ZGSS_MQTT_SEND_AUTH 1 /* send AUTH 0x18 with *out as data */
#define ZGSS_MQTT_ACCEPT 2    /* server: CONNACK 0x00; see zgss_sasl_username */
#define ZGSS_MQTT_REFUSE 3    /* CONNACK/DISCONNECT with *reason_code (0x87
                                 not authorized, 0x8C bad method, 0x82
                                 protocol error, 0x80 unspecified: a
                                 re-authentication on a used session);
                                 zgss_sasl_last_error says why */

/* "GSSAPI-KERBEROS". Static storage. */
const char *zgss_mqtt_auth_method(void);

/* Server, on CONNECT. Returns a ZGSS_MQTT_* action (sets *reason_code when
 * not NULL: 0x18 with SEND_AUTH, 0 with ACCEPT, the refusal code with
 * REFUSE; *out and *out_len: the AUTH data with SEND_AUTH, else NULL/0;
 * in all zgss_mqtt_* calls *out is owned by the session and valid until
 * the next call on it or its destruction), or
 * ZGSS_E_INVAL for a NULL/client session or NULL out pointers. Garbage data
 * gives REFUSE 0x87. Does not block. */
int zgss_mqtt_server_connect(zgss_sasl_t *sasl, const char *method,
                             const uint8_t *data, size_t data_len,
                             const uint8_t **out, size_t *out_len, int *reason_code);

/* Server, on AUTH 0x19 (re-authenticate) from a connected client whose
 * first exchange established `principal` (zgss_sasl_peer_principal of that
 * session, kept by the host). `sasl` is a fresh server session; later AUTH
 * packets go to zgss_mqtt_server_auth, and ACCEPT means AUTH 0x00. The
 * connection keeps its identity (Kafka's KIP-368 rule): the session
 * accepts `principal` again (compared byte for byte) and answers any other
 * principal with REFUSE 0x87 as soon as its AP-REQ is read; the host then
 * drops the connection and keeps the old username. A method other than
 * "GSSAPI-KERBEROS" gives REFUSE 0x8C, a session already used REFUSE 0x80.
 * Returns as zgss_mqtt_server_connect; ZGSS_E_INVAL also for a NULL
 * principal. Does not block. */
int zgss_mqtt_server_reauth(zgss_sasl_t *sasl, const char *principal, const char *method,
                            const uint8_t *data, size_t data_len,
                            const uint8_t **out, size_t *out_len, int *reason_code);

/* Server, on each AUTH from the client during the exchange. A reason code
 * other than 0x18 gives REFUSE 0x82; a method other than
 * "GSSAPI-KERBEROS" gives REFUSE 0x8C. Otherwise as above. */
int zgss_mqtt_server_auth(zgss_sasl_t *sasl, int auth_reason_code, const char *method,
                          const uint8_t *data, size_t data_len,
                          const uint8_t **out, size_t *out_len, int *reason_code);

/* Client, on each AUTH from the broker. Returns ZGSS_MQTT_SEND_AUTH (send
 * AUTH 0x18, method "GSSAPI-KERBEROS", data *out, present even when empty)
 * or ZGSS_MQTT_REFUSE (give up: *reason_code for a DISCONNECT; the
 * reason in zgss_sasl_last_error), or ZGSS_E_INVAL. */
int zgss_mqtt_client_auth(zgss_sasl_t *sasl, int auth_reason_code, const char *method,
                          const uint8_t *data, size_t data_len,
                          const uint8_t **out, size_t *out_len, int *reason_code);

/* Client, on CONNACK. Returns 0 when the connection may be used: reason
 * 0x00, method (NULL allowed) matching, and the client's side complete (a
 * 0x00 before the broker proved itself is refused). Otherwise
 * ZGSS_E_DENIED with the reason in zgss_sasl_last_error; ZGSS_E_INVAL for
 * a NULL or server session. */
int zgss_mqtt_client_connack(zgss_sasl_t *sasl, int connack_reason_code, const char *method);

/* ---- Sockets (zmq-shaped API over TCP) --------------------------------- */
/*
 * A small libzmq: contexts and sockets with the same shapes, constants and
 * errno conventions as zmq.h, speaking ZMTP 3.1 over TCP with the NULL
 * mechanism (no GSSAPI option set) or GSSAPI (any of ZMQ_GSSAPI_SERVER,
 * _PRINCIPAL, _SERVICE_PRINCIPAL set, as in libzmq). Byte-compatible with
 * libzmq 4.3.4 peers, encrypted or ZMQ_GSSAPI_PLAINTEXT.
 *
 * Conventions for this section:
 *   - Failure: -1 (or NULL) and errno set, read with zgss_errno() and
 *     described by zgss_strerror(). Values: EINVAL (bad argument, option,
 *     size or endpoint), EAGAIN (ZMQ_DONTWAIT or a timeout expired), EFSM
 *     (REQ/REP order broken), ETERM (the context was terminated), ENOTSOCK
 *     (NULL, closed or non-socket handle), EFAULT (NULL or invalid context,
 *     NULL buffer with a non-zero length), ENOTSUP (send on SUB/PULL, recv
 *     on PUB/PUSH), EPROTONOSUPPORT (a transport other than tcp://, ipc://
 *     and inproc://: tipc, vmci, pgm, epgm, norm, udp, ws, wss or any
 *     other name), ENAMETOOLONG (an ipc:// path of 108 bytes or more), and
 *     the system's errno from bind (EADDRINUSE, EACCES, ...).
 *   - Buffers: every buffer passed in (option values, endpoints, send and
 *     receive buffers) belongs to the caller; zgss reads or fills it during
 *     the call and keeps no pointer to it. Sent data is copied. (Messages,
 *     below, are the exception: zgss_msg_init_data takes the buffer over.)
 *   - Threads: a context may be used from any thread. A socket, like a
 *     libzmq socket, must be used by one thread at a time (it may migrate
 *     between threads with a full memory barrier, e.g. a mutex). The
 *     network work, handshakes included, runs on the context's I/O
 *     threads: at most one per CPU (at least two), each serving the
 *     sockets given to it; a new socket goes to a thread with no socket,
 *     to a new thread while there are fewer than that, else to the thread
 *     with the fewest. A thread left without sockets waits up to 2 s for
 *     the next one, then exits; zgss_ctx_term joins them all. As in
 *     libzmq, a handshake that waits for the KDC holds up the other
 *     sockets on its thread meanwhile. A send may write a message to a
 *     ready connection from the calling thread (non-blocking) when
 *     nothing is queued ahead of it. Application calls never block on the
 *     network or the KDC.
 *   - Buffers passed in are copied during the call; zgss keeps no pointer.
 *   - Handshake failures never fail a call or kill the socket: the
 *     connection is dropped (a connecting side retries after
 *     ZMQ_RECONNECT_IVL ms, default 100, doubled after each failed
 *     handshake in a row up to 3.2 s so a bad Kerberos setup does not
 *     flood the KDC; a success resets it), the reason goes into
 *     ZGSS_LAST_ERROR with the Kerberos text, and other peers are served.
 *     ZGSS_TRACE=1 in the environment traces every handshake to stderr.
 *   - Endpoints: "tcp://HOST:PORT". HOST is an IPv4 address, a name
 *     (resolved at bind/connect time, IPv4 first), "[IPv6]" (e.g.
 *     "tcp://[::1]:5555") or, for bind, "*" (IPv4 any address); PORT may be
 *     "*" or 0 for bind (ZMQ_LAST_ENDPOINT then gives the real port).
 *     "ipc://PATH": ZMTP over a Unix domain stream socket, security and
 *     reconnects exactly as over tcp:// (GSSAPI works; the service
 *     principal is whatever the client sets). PATH is a file path of at
 *     most 107 bytes, "@NAME" for Linux's abstract namespace (no file),
 *     or for bind "*" (a path starting with '*'): DIR/socket in a fresh
 *     0700 directory made in $TMPDIR, $TEMPDIR or $TMP, else /tmp (libzmq:
 *     the working directory); ZMQ_LAST_ENDPOINT reports it, and closing
 *     the socket removes that file and directory. A fixed path's stale
 *     socket file is replaced at bind and left in place at close, as
 *     libzmq 4.3.4 does; unlike libzmq, a file there that is not a socket
 *     is never deleted (bind fails with EADDRINUSE). No Peer-Address
 *     property on ipc (as libzmq).
 *     "inproc://NAME": another socket of the same context. One bind per
 *     name in a context (a second: EADDRINUSE, until the first socket is
 *     closed); connect may come before the bind (what is sent meanwhile
 *     waits and arrives once the name is bound). Each connection is a
 *     connected Unix socket pair carrying ZMTP with the NULL mechanism:
 *     GSSAPI options are ignored on inproc, as libzmq ignores them; there
 *     is no reconnect. ZMQ_SNDHWM/RCVHWM, zgss_poll, ZMQ_FD and ZMQ_EVENTS
 *     work as for other peers; the kernel's socket buffer adds to the
 *     queues (libzmq's inproc pipe holds exactly SNDHWM + peer's RCVHWM).
 *
 * Socket options (zgss_setsockopt / zgss_getsockopt; ints are `int` with
 * optvallen == sizeof(int); strings are bytes, a trailing NUL tolerated):
 *   ZMQ_GSSAPI_* and ZGSS_KEYTAB, ZGSS_CLIENT_KEYTAB, ZGSS_CCACHE,
 *     ZGSS_ALLOW_PRINCIPAL: as described above; they apply to connections
 *     made after the call. ZGSS_EXTERNAL_AUTHZ is refused (EINVAL): sockets
 *     have no ZAP hand-off; use ZGSS_ALLOW_PRINCIPAL.
 *   ZMQ_LINGER (int ms, default -1 = forever), ZMQ_RCVTIMEO, ZMQ_SNDTIMEO
 *     (int ms, -1 = block, 0 = never), ZMQ_SNDHWM, ZMQ_RCVHWM (int
 *     messages, default 1000, 0 = unlimited), ZMQ_HANDSHAKE_IVL (int ms,
 *     default 30000, 0 = none: a peer that never completes its handshake,
 *     authenticated or not, then keeps its connection), ZMQ_RECONNECT_IVL
 *     (int ms, default 100, -1 = never), ZMQ_MAXMSGSIZE (int64_t bytes,
 *     default -1: frames up to 256 MiB once the peer is ready; a peer
 *     declaring a larger frame is disconnected when its header arrives, and
 *     a frame is buffered as it arrives, not at its declared size),
 *     ZGSS_HANDSHAKE_MAXMSGSIZE (int64_t bytes, default 131072: the same
 *     before READY, see above), ZMQ_HEARTBEAT_IVL (int ms, default 0 = off: send
 *     a PING that often), ZMQ_HEARTBEAT_TIMEOUT (int ms, default -1 = the
 *     interval: drop a peer silent for interval + timeout),
 *     ZMQ_HEARTBEAT_TTL (int ms, rounded up to 100 ms, sent in our PINGs;
 *     a peer's TTL is honoured likewise), ZMQ_BACKLOG (int >= 0, default
 *     100: the listen(2) queue of later tcp:// and ipc:// binds; the kernel
 *     caps it at net.core.somaxconn), ZMQ_IPV6 (accepted, no effect:
 *     IPv6 literals always work), ZMQ_ROUTING_ID (1..255 bytes, sent as Identity by REQ, DEALER
 *     and ROUTER), ZMQ_SUBSCRIBE / ZMQ_UNSUBSCRIBE (SUB only, any bytes,
 *     counted like libzmq).
 *   Read-only: ZMQ_EVENTS and ZMQ_FD (int; see "Polling" below),
 *     ZMQ_RCVMORE (int), ZMQ_TYPE (int), ZMQ_MECHANISM (int:
 *     0 NULL, 3 GSSAPI), ZMQ_LAST_ENDPOINT (string), ZGSS_LAST_ERROR
 *     (string: last handshake or protocol failure on this socket, prefixed
 *     with the peer's address), ZGSS_PEER_PRINCIPAL (string: authenticated
 *     principal of the most recent GSSAPI peer to complete the handshake).
 *   getsockopt: an int needs *optvallen == sizeof(int) exactly (as in
 *   libzmq 4.3.4, whose exceptions are kept: ZMQ_RCVMORE, ZMQ_EVENTS and
 *   ZMQ_FD take any *optvallen >= sizeof(int)) and ZMQ_MAXMSGSIZE exactly 8; *optvallen
 *   is set to the size written; other sizes give EINVAL. A string is
 *   copied with its NUL and *optvallen set to its length + 1 (EINVAL if
 *   the buffer is smaller); ZMQ_ROUTING_ID is copied as raw bytes without
 *   a NUL.
 *
 * Socket types: PAIR (one peer; later ones are dropped), REQ/REP (strict
 * alternation, EFSM otherwise; REQ adds the empty delimiter, REP keeps the
 * envelope), DEALER (round robin out, fair queue in), ROUTER (each message
 * starts with the peer's routing id: its Identity if it sent one not in
 * use, else 5 bytes 0x00 + 32-bit counter; sending to an unknown id drops
 * the message silently), PUSH (round robin), PULL (fair queue), PUB
 * (prefix filtering per subscriber, drops at ZMQ_SNDHWM), SUB (sends
 * "\x01topic"/"\x00topic" to every PUB, filters again on receipt), XPUB
 * and XSUB (see their section below).
 *
 * PUB/SUB under GSSAPI encryption: a stock libzmq 4.3.4 SUB's subscription
 * reaches the PUB as the bare topic (libzmq's GSSAPI encoder drops the
 * subscribe marker), so a zgss PUB takes any other single-part data message
 * from an encrypted SUB peer as a subscription to its whole body. The cost:
 * such a peer's cancel arrives looking like a subscription, so a zgss PUB
 * cannot honour unsubscribes from a stock 4.3.4 SUB (that SUB still filters
 * locally), and a bare topic starting with byte 0x00 or 0x01 is misread as
 * a cancel/subscribe marker. A zgss SUB or a plaintext/NULL peer has none
 * of these limits.
 *
 * Limits of this first cut (calls for them fail with EINVAL or are simply
 * absent): no STREAM sockets, no ZAP
 * (authorization is ZGSS_ALLOW_PRINCIPAL), no ZMQ_ROUTER_MANDATORY.
 * PING/PONG heartbeats travel wrapped when encrypted, as libzmq's do.
 * A GSSAPI client's handshake may wait on the KDC inside the socket's I/O
 * thread (bounded by krb5.conf timeouts); other sockets are not affected.
 *
 * Queues: messages wait in a per-socket queue of ZMQ_SNDHWM messages until
 * a ready peer takes them; send blocks (REQ, DEALER, PUSH, PAIR, REP) or
 * drops (PUB, ROUTER) when it is full. Received messages wait in a queue of
 * ZMQ_RCVHWM messages; when it is full, zgss stops reading from peers.
 * A message for one peer (ROUTER, REP) that the peer cannot take yet (4 MiB
 * already waiting for its TCP connection) moves to that peer's own queue
 * of up to ZMQ_SNDHWM messages, beyond which it is dropped, so a slow peer
 * never holds up the others.
 */

/* A new context. Returns NULL only when out of memory. Free it with
 * zgss_ctx_term. Does not block. Thread-safe. */
void *zgss_ctx_new(void);

/* Terminates the context: every blocking call on its sockets returns -1
 * with ETERM, later calls on them (except zgss_close) fail with ETERM, and
 * this call blocks until every socket has been closed with zgss_close and
 * has finished lingering (ZMQ_LINGER), as zmq_ctx_term does, and until the
 * context's I/O threads have exited. Then the context handle ends (later
 * calls with it fail with EFAULT). Returns 0, or -1/EFAULT for an
 * invalid, terminated or non-context handle. Call it once, from one thread
 * (of two concurrent calls, both wait and one returns -1/EFAULT). */
int zgss_ctx_term(void *context);

/* A new socket of type ZMQ_PAIR..ZMQ_XSUB, served by one of the context's
 * I/O threads (a new one when it needs one: see "Threads"). Returns
 * NULL with errno EFAULT (invalid context), EINVAL (unknown type), ETERM
 * (context terminated), EMFILE (ZMQ_MAX_SOCKETS reached, or no descriptor
 * or handle) or EMTHREAD (no thread).
 * Does not block. */
void *zgss_socket(void *context, int type);

/* Closes the socket and ends the handle: later calls with it (a second
 * zgss_close too) fail with ENOTSOCK; a call already running on another
 * thread keeps the socket's memory alive until it returns. Queued
 * messages are still sent by the I/O thread for ZMQ_LINGER ms (0: dropped
 * at once; -1: until sent), to zgss_connect endpoints too when their peer
 * appears only then; this call does not wait (zgss_ctx_term does). Queued
 * messages that no peer can take any more (no zgss_connect endpoint, no
 * peer left; the listeners close here) are dropped, as in libzmq.
 * Returns 0, or -1/ENOTSOCK for an invalid, closed or non-socket handle. */
int zgss_close(void *socket);

/* Sets an option (see the list above). Returns 0 or -1 with EINVAL (unknown
 * or read-only option, bad size or value; SUBSCRIBE on a non-SUB), ETERM,
 * ENOTSOCK. optval may be NULL only when optvallen is 0. Does not block. */
int zgss_setsockopt(void *socket, int option, const void *optval, size_t optvallen);

/* Reads an option into optval (*optvallen bytes available; updated to the
 * size written). Returns 0 or -1 with EINVAL (unknown option, buffer too
 * small), EFAULT (NULL optval or optvallen), ENOTSOCK. Does not block. */
int zgss_getsockopt(void *socket, int option, void *optval, size_t *optvallen);

/* Listens on a tcp://, ipc:// or inproc:// endpoint (may be called several
 * times). Errors are reported here: -1 with EINVAL (malformed endpoint,
 * unresolvable host, "ipc://@"), EPROTONOSUPPORT (another transport),
 * ENAMETOOLONG (ipc path), EADDRINUSE (inproc name bound in this
 * context), EADDRINUSE, EACCES, ... from bind(2), ETERM, ENOTSOCK. Blocks
 * only to resolve a host name. */
int zgss_bind(void *socket, const char *endpoint);

/* Connects to a tcp://, ipc:// or inproc:// endpoint in the background:
 * returns 0 at once and the I/O thread connects, handshakes and (tcp, ipc)
 * reconnects after failures or disconnects; an inproc:// name need not be
 * bound yet. -1 with EINVAL (malformed or unresolvable endpoint, port 0),
 * EPROTONOSUPPORT, ENAMETOOLONG, ETERM, ENOTSOCK. Blocks only to resolve
 * a name. */
int zgss_connect(void *socket, const char *endpoint);

/* Queues one message part (len bytes, copied). flags: ZMQ_SNDMORE (more
 * parts follow; the message leaves when its last part is sent),
 * ZMQ_DONTWAIT. Returns len (clamped to INT_MAX), or -1 with EAGAIN (no
 * peer or queue full, with ZMQ_DONTWAIT or once ZMQ_SNDTIMEO expired; the
 * part was not taken), EFSM (REQ awaiting its reply, REP without a
 * request), ENOTSUP (SUB, PULL), ETERM, ENOTSOCK, EFAULT (NULL buf,
 * len > 0). As in libzmq, PUSH, DEALER, REQ and PAIR need somewhere to
 * queue: each zgss_connect endpoint is such a queue from the start (even
 * before its peer answers), and so is each peer that connected to a
 * zgss_bind endpoint once its handshake is done. (Messages queued before
 * any peer is ready go to the first that becomes ready; libzmq shares
 * them out round robin over its connect endpoints' queues beforehand.) With none, a send blocks; each queue holds
 * ZMQ_SNDHWM messages (PAIR: one queue). Blocks (ZMQ_SNDTIMEO) only then.
 * PUB never blocks: a message no peer subscribed to is dropped at once,
 * and at ZMQ_SNDHWM queued messages it drops, like ROUTER. */
int zgss_send(void *socket, const void *buf, size_t len, int flags);

/* Receives one message part into buf: copies at most len bytes and
 * returns the part's full size (so a result > len means truncation, as
 * with zmq_recv). ZMQ_RCVMORE tells whether more parts follow. flags:
 * ZMQ_DONTWAIT. Returns -1 with EAGAIN (nothing within ZMQ_RCVTIMEO, or
 * ZMQ_DONTWAIT), EFSM (REQ before sending, REP before replying),
 * ENOTSUP (PUB, PUSH), ETERM, ENOTSOCK, EFAULT (NULL buf, len > 0).
 * Blocks up to ZMQ_RCVTIMEO (default: forever). */
int zgss_recv(void *socket, void *buf, size_t len, int flags);

/* ---- Polling: zgss_poll, ZMQ_EVENTS, ZMQ_FD ------------------------------
 *
 * ZMQ_EVENTS (getsockopt, read-only int): what the socket can do right
 * now, ZMQ_POLLIN | ZMQ_POLLOUT, with libzmq 4.3.4's answers per type:
 *   ZMQ_POLLIN: a receive with ZMQ_DONTWAIT would return a message part
 *     (the rest of a multipart message counts). Never on PUB and PUSH;
 *     REQ only after its request was sent, and until the whole reply has
 *     been read; REP only while it owes no reply. Messages zgss_recv would
 *     drop anyway (a SUB's unsubscribed topics, a REQ's stray replies, a
 *     REP's requests without an envelope) are dropped here and do not count.
 *   ZMQ_POLLOUT: a send would not block. Always on PUB and ROUTER (they drop
 *     instead of blocking); never on SUB and PULL; REP only between
 *     receiving a whole request and sending its reply; REQ only when no
 *     reply is outstanding; PUSH, DEALER, REQ and PAIR only when they have a
 *     peer (a ready connection, or a zgss_connect endpoint, which queues
 *     messages until it connects, as a libzmq pipe does) and the send queue
 *     is below ZMQ_SNDHWM.
 * Reading ZMQ_EVENTS also resets the socket's ZMQ_FD (below). Does not
 * block. Fails with ETERM after zgss_ctx_term began, ENOTSOCK, and EINVAL
 * when *optvallen < sizeof(int) (as for ZMQ_RCVMORE and ZMQ_FD, any larger
 * buffer is accepted and *optvallen set to sizeof(int)).
 *
 * ZMQ_FD (getsockopt, read-only int, a zgss_fd_t): a file descriptor that
 * becomes readable when the socket's ZMQ_EVENTS MAY have changed: a
 * message arrived, room appeared in the send queue, a peer connected or
 * went away, the context is being terminated. It is edge-triggered, as in
 * libzmq: it stays readable until ZMQ_EVENTS is read, and then becomes
 * readable again only on the next change, even while messages remain. So
 * an event loop (epoll, select, asyncio's add_reader) that sees it readable
 * must read ZMQ_EVENTS and then receive with ZMQ_DONTWAIT until
 * ZMQ_EVENTS no longer shows ZMQ_POLLIN (or the receive fails with EAGAIN);
 * after its own sends and receives it must read ZMQ_EVENTS again before
 * waiting, since they change the answer without signalling the fd. A
 * readable fd with no new events is allowed (a spurious wake-up). The fd
 * is the read end of a pipe made on first use (so sockets never polled
 * cost no descriptor) and readable from then until the first ZMQ_EVENTS.
 * The socket owns it: never read, write or close it; it stays open until
 * zgss_close, after which it must no longer be used (remove it from your
 * epoll set first; it is closed once the socket has finished lingering).
 * Fails with ETERM, ENOTSOCK, EMFILE (no descriptor left), and EINVAL when
 * *optvallen < sizeof(int). Does not block.
 */

/* The file descriptor type of zgss_pollitem_t and ZMQ_FD (zmq.h's zmq_fd_t). */
typedef int zgss_fd_t;

/* One item for zgss_poll, laid out exactly like libzmq 4.3.4's
 * zmq_pollitem_t on POSIX systems. socket: a zgss socket, or NULL to poll
 * the file descriptor fd instead (fd is then ignored for a socket).
 * events: what to wait for (ZMQ_POLLIN, ZMQ_POLLOUT; for a file descriptor
 * also ZMQ_POLLPRI). revents: set by zgss_poll. */
typedef struct zgss_pollitem_t {
    void *socket;
    zgss_fd_t fd;
    short events;
    short revents;
} zgss_pollitem_t;

/* Waits until at least one item is ready, as zmq_poll does: timeout in
 * milliseconds, -1 = no limit, 0 = check once and return at once. On
 * return every item's revents holds what is ready of what it asked for:
 * for a socket ZMQ_POLLIN / ZMQ_POLLOUT as ZMQ_EVENTS defines them (never
 * ZMQ_POLLERR); for a file descriptor poll(2)'s answer mapped to
 * ZMQ_POLLIN / ZMQ_POLLOUT / ZMQ_POLLPRI, and ZMQ_POLLERR for anything
 * else poll(2) reports (POLLERR, POLLHUP, POLLNVAL: a closed or invalid fd
 * is reported, not an error). A negative fd is ignored. Returns the number
 * of items with revents set (0 when the timeout expired), or -1 with
 * errno: ETERM (a socket's context is being terminated: a waiting call
 * wakes up for it), ENOTSOCK (an item's socket is not a live zgss socket:
 * closed, foreign or garbage; nothing it points to is read), EFAULT (items
 * NULL with nitems > 0), EINVAL (nitems < 0), EINTR (a signal arrived;
 * like libzmq the call is not restarted), EMFILE (no descriptor for a
 * socket's ZMQ_FD), ENOMEM. nitems == 0 just sleeps for timeout ms
 * (-1: until a signal, then -1/EINTR) and returns 0. Blocks up to timeout
 * without spinning: it sleeps in poll(2) on the sockets' ZMQ_FD
 * descriptors and the raw fds, and re-reads ZMQ_EVENTS after each wake-up
 * (a spurious one does not end the wait early). items belongs to the
 * caller and is only used during the call. Each socket in items follows
 * the socket thread rule: no other thread may use it during the call. */
int zgss_poll(zgss_pollitem_t *items, int nitems, long timeout);

/* zgss_errno and zgss_strerror (declared with the library helpers above)
 * read and describe this section's errors. */

/* ---- Messages (zmq_msg_t) ---------------------------------------------- */
/*
 * zgss_msg_t is libzmq 4.3.4's zmq_msg_t: 64 bytes, pointer-aligned, kept
 * in the caller's memory (usually on the stack). A message must be
 * initialised (zgss_msg_init*) before any other call and closed
 * (zgss_msg_close) to release what it holds; never copy the struct itself
 * (use zgss_msg_copy / zgss_msg_move). Up to 33 bytes live inside the
 * struct; a larger message points to a reference-counted buffer that its
 * copies share. A NULL, closed or never-initialised message is refused
 * with -1/EFAULT (NULL for pointer results) where libzmq would crash or
 * abort; a closed message still answers zgss_msg_more and ZMQ_MORE /
 * ZMQ_SHARED with the flags it had, as libzmq's does (programs call
 * zmq_msg_more after zmq_msg_close). Initialising a message that holds
 * content leaks that content, as in libzmq. None of these calls blocks
 * except zgss_msg_send and zgss_msg_recv (as zgss_send / zgss_recv). A
 * message may move between threads; one thread uses it at a time.
 */
typedef struct zgss_msg_t {
#if defined(_MSC_VER) && (defined(_M_X64) || defined(_M_ARM64))
    __declspec(align(8)) unsigned char _[64];
#elif defined(_MSC_VER) && (defined(_M_IX86) || defined(_M_ARM_ARMV7VE) || defined(_M_ARM))
    __declspec(align(4)) unsigned char _[64];
#elif defined(__GNUC__) || defined(__INTEL_COMPILER) \
    || (defined(__SUNPRO_C) && __SUNPRO_C >= 0x590) || (defined(__SUNPRO_CC) && __SUNPRO_CC >= 0x590)
    unsigned char _[64] __attribute__((aligned(sizeof(void *))));
#else
    unsigned char _[64];
#endif
} zgss_msg_t;

/* How zgss hands back a buffer given to zgss_msg_init_data. */
typedef void(zgss_free_fn)(void *data, void *hint);

/* An empty message (size 0). Returns 0, or -1/EFAULT for NULL. */
int zgss_msg_init(zgss_msg_t *msg);

/* A message of size bytes with undefined content (write it through
 * zgss_msg_data). The buffer belongs to the message and is freed, after
 * being zeroed, when its last copy is closed. Returns 0, or -1 with
 * ENOMEM or EFAULT (NULL msg). */
int zgss_msg_init_size(zgss_msg_t *msg, size_t size);

/* A message over the caller's buffer, without copying it. With ffn, the
 * buffer passes to the message: ffn(data, hint) is called exactly once,
 * from whichever thread closes (or sends) the last copy, and the caller
 * must not touch the buffer after that. Without ffn (NULL) the buffer
 * stays the caller's and must outlive every copy of the message (ZMQ_SHARED
 * then reads 1). Returns 0, or -1 with EFAULT (NULL msg, or NULL data with
 * size > 0: libzmq aborts there; ffn is not called). */
int zgss_msg_init_data(zgss_msg_t *msg, void *data, size_t size, zgss_free_fn *ffn, void *hint);

/* Sends the message as one part (flags: ZMQ_SNDMORE, ZMQ_DONTWAIT, as
 * zgss_send; the bytes are copied into the socket's queue). On success
 * returns the size (clamped to INT_MAX) and the message is left empty and
 * initialised, its content released (so an init_data ffn runs now, not
 * when the bytes reach the network as in libzmq); the caller still closes
 * it. On failure -1 with zgss_send's errno values, or EFAULT (NULL, closed
 * or uninitialised msg); the message is untouched. ENOTSOCK is checked
 * before the message. Blocks like zgss_send. */
int zgss_msg_send(zgss_msg_t *msg, void *socket, int flags);

/* Receives one part into the message, releasing what it held first.
 * Returns the part's size (clamped to INT_MAX), or -1 with zgss_recv's
 * errno values (EAGAIN also empties the message, as in libzmq; other
 * errors leave it untouched), EFAULT (NULL, closed or uninitialised msg)
 * or ENOMEM. zgss_msg_more tells whether more parts follow. The bytes are
 * owned by the message (zeroed when released: they may be decrypted
 * data). Blocks like zgss_recv. */
int zgss_msg_recv(zgss_msg_t *msg, void *socket, int flags);

/* Releases the content (the buffer goes when its last copy is closed) and
 * the properties. Returns 0, or -1/EFAULT (NULL, already closed, never
 * initialised). */
int zgss_msg_close(zgss_msg_t *msg);

/* Moves src's content to dest (whose old content is released); src is left
 * empty. Copying the same message onto itself does nothing. Both must be
 * initialised: -1/EFAULT otherwise. */
int zgss_msg_move(zgss_msg_t *dest, zgss_msg_t *src);

/* Makes dest (whose old content is released) see src's bytes: large
 * contents are shared, not duplicated (both then read ZMQ_SHARED 1), so
 * writing through one changes the other. An init_data ffn runs once, after
 * the last of them is closed. Both must be initialised: -1/EFAULT
 * otherwise. */
int zgss_msg_copy(zgss_msg_t *dest, zgss_msg_t *src);

/* The message's bytes, valid until it is closed, moved from or received
 * into (inside the struct for up to 33 bytes: they move with it). NULL
 * with errno EFAULT for a NULL, closed or uninitialised message. */
void *zgss_msg_data(zgss_msg_t *msg);

/* The size in bytes; 0 with errno EFAULT for a NULL, closed or
 * uninitialised message. */
size_t zgss_msg_size(const zgss_msg_t *msg);

/* 1 when the part was received with more parts to follow, else 0 (also for
 * NULL or a non-message, with errno EFAULT, so that a loop on it ends). */
int zgss_msg_more(const zgss_msg_t *msg);

/* ZMQ_MORE (0/1), ZMQ_SHARED (1 when the bytes may be seen through another
 * message: a copy, or init_data without ffn), ZMQ_SRCFD (the descriptor of
 * the connection a received message came from; -1/EINVAL for a message
 * not received). -1 with EINVAL for other properties, EFAULT for NULL or a
 * non-message. */
int zgss_msg_get(const zgss_msg_t *msg, int property);

/* libzmq 4.3.4 has no settable property: always -1/EINVAL. */
int zgss_msg_set(zgss_msg_t *msg, int property, int optval);

/* A property of a received message, from the connection it came over
 * (case-sensitive names): "Socket-Type" (the peer's, e.g. "REQ"),
 * "Identity" (the peer's ZMQ_ROUTING_ID, maybe empty; sent by REQ, DEALER
 * and ROUTER peers only), "Peer-Address" (the peer's IP address), any
 * property the peer sent, and on a GSSAPI server "User-Id": the client's
 * authenticated principal ("alice@EXAMPLE.TEST"); libzmq reports it only
 * through a ZAP handler, which zgss has no need of. "User-Id",
 * "Peer-Address" and "__fd" are zgss's own: a peer sending properties of
 * those names is not believed (NULL when zgss has no value). The string belongs to
 * the message and stays valid until it is closed or received into. NULL
 * with errno EINVAL when absent (or property is NULL), EFAULT for NULL or
 * a non-message. */
const char *zgss_msg_gets(const zgss_msg_t *msg, const char *property);

/* libzmq's older names: zgss_msg_send / zgss_msg_recv with the arguments
 * swapped. */
int zgss_sendmsg(void *socket, zgss_msg_t *msg, int flags);
int zgss_recvmsg(void *socket, zgss_msg_t *msg, int flags);

/* ---- XPUB/XSUB, proxy, endpoints, context options, utilities ---------- */
/*
 * XPUB is a PUB whose application receives the subscriptions: "\x01topic"
 * when a peer subscribes to a topic no peer had yet, "\x00topic" when the
 * last peer holding a topic cancels it or goes away (a cancel for a topic
 * the peer never had is passed on too), as libzmq 4.3.4 does. Options
 * (XPUB only, int 0/1, write-only; EINVAL on other sockets):
 * ZMQ_XPUB_VERBOSE (every subscription is passed on), ZMQ_XPUB_VERBOSER
 * (every subscription and cancel), ZMQ_XPUB_NODROP (a send waits, or fails
 * with EAGAIN, at ZMQ_SNDHWM instead of dropping), ZMQ_XPUB_WELCOME_MSG
 * (bytes sent to each new peer first; empty: none; libzmq 4.3.4 was seen
 * not to deliver it over tcp://, zgss does). ZMQ_XPUB_MANUAL 1 is
 * refused (EINVAL): not supported. Messages that are not subscriptions
 * (an XSUB's data) reach the application as they are; in a multipart
 * message every part starting with 0x00 or 0x01 is taken as a
 * subscription or cancel, as libzmq does. Sending works as on a PUB.
 * A stock 4.3.4 SUB's encrypted bare topic counts as a subscription here
 * too (see PUB/SUB under GSSAPI encryption above).
 *
 * XSUB is a SUB whose subscriptions are sent as messages: "\x01topic"
 * subscribes (counted, always forwarded to every peer), "\x00topic"
 * removes one count (forwarded when the topic is gone); the topics are
 * sent again to peers that connect later; unlike a SUB it does not filter
 * what it receives (libzmq 4.3.4); any other message is sent to every
 * peer (an XPUB application receives it). A multipart message is judged
 * by its first part. ZMQ_SUBSCRIBE is refused (EINVAL), as in libzmq.
 * ZMQ_LINGER defaults to 0 on an XSUB, as in libzmq.
 */

/* Forwards messages between frontend and backend until the context is
 * terminated (or, steerable, TERMINATE arrives on control), in the calling
 * thread, like libzmq 4.3.4's zmq_proxy: every part of each message, in
 * both directions, only towards a socket that can take it (ZMQ_POLLOUT);
 * frontend may equal backend. capture (may be NULL) gets a copy of every
 * part (and of every command). Blocks. Returns -1 with ETERM when the
 * context is terminated, or another socket call's errno (EINTR on a
 * signal); EFAULT for a NULL frontend or backend, ENOTSOCK for an invalid
 * handle. The calling thread must be the only user of these sockets
 * meanwhile. */
int zgss_proxy(void *frontend, void *backend, void *capture);

/* zgss_proxy with a control socket (may be NULL) that takes single-part
 * commands: "PAUSE" (stop forwarding), "RESUME", "TERMINATE" (return 0),
 * "STATISTICS" (replies on control with 8 parts, each a native-endian
 * uint64_t: frontend messages in, bytes in, messages out, bytes out, then
 * the backend's four). A multipart or unknown command returns -1/EINVAL
 * (libzmq aborts the process on an unknown one). */
int zgss_proxy_steerable(void *frontend, void *backend, void *capture, void *control);

/* Removes an endpoint from the socket: one bound with zgss_bind (named as
 * given or as ZMQ_LAST_ENDPOINT spells it, e.g. "tcp://0.0.0.0:5555" for
 * a wildcard bind on port 5555; the listener and the connections accepted
 * through it are closed) or connected with zgss_connect (as given; the connection closes
 * and is not re-made). As in libzmq, zgss_unbind and zgss_disconnect both
 * accept either kind. Messages queued for the closed connections are
 * lost. Returns 0, or -1 with ENOENT (no such endpoint on this socket),
 * EINVAL (malformed or NULL endpoint), EPROTONOSUPPORT, ETERM, ENOTSOCK.
 * Does not block (except to resolve a host name). */
int zgss_unbind(void *socket, const char *endpoint);
int zgss_disconnect(void *socket, const char *endpoint);

/* zgss_socket_monitor: events and the HANDSHAKE_FAILED_PROTOCOL values
   (identical to zmq.h) */
#ifndef ZMQ_EVENT_CONNECTED
#define ZMQ_EVENT_CONNECTED 0x0001
#endif
#ifndef ZMQ_EVENT_CONNECT_DELAYED
#define ZMQ_EVENT_CONNECT_DELAYED 0x0002
#endif
#ifndef ZMQ_EVENT_CONNECT_RETRIED
#define ZMQ_EVENT_CONNECT_RETRIED 0x0004
#endif
#ifndef ZMQ_EVENT_LISTENING
#define ZMQ_EVENT_LISTENING 0x0008
#endif
#ifndef ZMQ_EVENT_BIND_FAILED
#define ZMQ_EVENT_BIND_FAILED 0x0010
#endif
#ifndef ZMQ_EVENT_ACCEPTED
#define ZMQ_EVENT_ACCEPTED 0x0020
#endif
#ifndef ZMQ_EVENT_ACCEPT_FAILED
#define ZMQ_EVENT_ACCEPT_FAILED 0x0040
#endif
#ifndef ZMQ_EVENT_CLOSED
#define ZMQ_EVENT_CLOSED 0x0080
#endif
#ifndef ZMQ_EVENT_CLOSE_FAILED
#define ZMQ_EVENT_CLOSE_FAILED 0x0100
#endif
#ifndef ZMQ_EVENT_DISCONNECTED
#define ZMQ_EVENT_DISCONNECTED 0x0200
#endif
#ifndef ZMQ_EVENT_MONITOR_STOPPED
#define ZMQ_EVENT_MONITOR_STOPPED 0x0400
#endif
#ifndef ZMQ_EVENT_ALL
#define ZMQ_EVENT_ALL 0xFFFF
#endif
#ifndef ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL
#define ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL 0x0800
#endif
#ifndef ZMQ_EVENT_HANDSHAKE_SUCCEEDED
#define ZMQ_EVENT_HANDSHAKE_SUCCEEDED 0x1000
#endif
#ifndef ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL
#define ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL 0x2000
#endif
#ifndef ZMQ_EVENT_HANDSHAKE_FAILED_AUTH
#define ZMQ_EVENT_HANDSHAKE_FAILED_AUTH 0x4000
#endif
#ifndef ZMQ_PROTOCOL_ERROR_ZMTP_UNSPECIFIED
#define ZMQ_PROTOCOL_ERROR_ZMTP_UNSPECIFIED 0x10000000
#endif
#ifndef ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND
#define ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND 0x10000001
#endif
#ifndef ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_SEQUENCE
#define ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_SEQUENCE 0x10000002
#endif
#ifndef ZMQ_PROTOCOL_ERROR_ZMTP_KEY_EXCHANGE
#define ZMQ_PROTOCOL_ERROR_ZMTP_KEY_EXCHANGE 0x10000003
#endif
#ifndef ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED
#define ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED 0x10000011
#endif
#ifndef ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_MESSAGE
#define ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_MESSAGE 0x10000012
#endif
#ifndef ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO
#define ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO 0x10000013
#endif
#ifndef ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_INITIATE
#define ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_INITIATE 0x10000014
#endif
#ifndef ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_ERROR
#define ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_ERROR 0x10000015
#endif
#ifndef ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_READY
#define ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_READY 0x10000016
#endif
#ifndef ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_WELCOME
#define ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_WELCOME 0x10000017
#endif
#ifndef ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_METADATA
#define ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_METADATA 0x10000018
#endif
#ifndef ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC
#define ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC 0x11000001
#endif
#ifndef ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH
#define ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH 0x11000002
#endif
#ifndef ZMQ_PROTOCOL_ERROR_ZAP_UNSPECIFIED
#define ZMQ_PROTOCOL_ERROR_ZAP_UNSPECIFIED 0x20000000
#endif
#ifndef ZMQ_PROTOCOL_ERROR_ZAP_MALFORMED_REPLY
#define ZMQ_PROTOCOL_ERROR_ZAP_MALFORMED_REPLY 0x20000001
#endif
#ifndef ZMQ_PROTOCOL_ERROR_ZAP_BAD_REQUEST_ID
#define ZMQ_PROTOCOL_ERROR_ZAP_BAD_REQUEST_ID 0x20000002
#endif
#ifndef ZMQ_PROTOCOL_ERROR_ZAP_BAD_VERSION
#define ZMQ_PROTOCOL_ERROR_ZAP_BAD_VERSION 0x20000003
#endif
#ifndef ZMQ_PROTOCOL_ERROR_ZAP_INVALID_STATUS_CODE
#define ZMQ_PROTOCOL_ERROR_ZAP_INVALID_STATUS_CODE 0x20000004
#endif
#ifndef ZMQ_PROTOCOL_ERROR_ZAP_INVALID_METADATA
#define ZMQ_PROTOCOL_ERROR_ZAP_INVALID_METADATA 0x20000005
#endif
#ifndef ZMQ_PROTOCOL_ERROR_WS_UNSPECIFIED
#define ZMQ_PROTOCOL_ERROR_WS_UNSPECIFIED 0x30000000
#endif

/* zgss_socket_monitor(socket, endpoint, events): libzmq 4.3.4's
 * zmq_socket_monitor with version 1 events. The socket then sends the
 * `events` (a mask of ZMQ_EVENT_*, ZMQ_EVENT_ALL for all) to a PAIR socket
 * that zgss creates and binds to `endpoint`, which must be inproc://; the
 * program connects its own PAIR socket to it, before the events it wants
 * to see happen (an event nobody is connected to take is dropped; the
 * monitored socket never waits for its monitor). Each event is two
 * message parts: 6 bytes, the event number as a native-endian uint16 and
 * its value as a native-endian uint32, then the endpoint text (not
 * NUL-terminated). Values: CONNECTED, LISTENING, ACCEPTED, CLOSED,
 * DISCONNECTED the fd; CONNECT_DELAYED the errno (EINPROGRESS);
 * CONNECT_RETRIED the interval in ms; BIND_FAILED the errno;
 * HANDSHAKE_SUCCEEDED and MONITOR_STOPPED 0; HANDSHAKE_FAILED_AUTH the
 * status code this side refused the peer with (400: principal not in
 * ZGSS_ALLOW_PRINCIPAL); HANDSHAKE_FAILED_PROTOCOL a ZMQ_PROTOCOL_ERROR_*
 * (ZMTP_UNEXPECTED_COMMAND when the peer refused this side with an ERROR,
 * as a libzmq GSSAPI peer reports it); HANDSHAKE_FAILED_NO_DETAIL 0 (any
 * other failure: Kerberos, timeout, the peer hung up).
 * The reason a user can act on: the numbers are libzmq's, the sentence is
 * in the monitored socket's ZGSS_LAST_ERROR, which is set BEFORE a failed
 * handshake's event (and DISCONNECTED) is sent. So on reading one, read
 * ZGSS_LAST_ERROR of the monitored socket (from the thread that owns it)
 * for e.g. "...: Server not found in Kerberos database" or "...:
 * alice@REALM is not in the allowed list".
 * endpoint NULL stops the monitor (MONITOR_STOPPED is sent first if it
 * was asked for); a new monitor replaces the old one the same way, and so
 * does zgss_close. inproc:// events are not reported (no connection
 * behind them, as in libzmq). zgss owns the PAIR socket; the endpoint
 * string is copied. Does not block.
 * Returns 0, or -1 with errno: EINVAL (events above 0xFFFF, a malformed
 * endpoint), EPROTONOSUPPORT (not inproc://, as libzmq), EADDRINUSE (the
 * inproc name is bound), ENOTSOCK, ETERM. */
int zgss_socket_monitor(void *socket, const char *endpoint, int events);

/* Context options, as zmq_ctx_set / zmq_ctx_get in libzmq 4.3.4 (values
 * are ints; -1/EINVAL for an unknown or read-only option or a value below
 * its minimum, EFAULT for an invalid context):
 *   ZMQ_MAX_SOCKETS (>= 1, default 1023): zgss_socket fails with EMFILE
 *     once that many sockets are open;
 *   ZMQ_BLOCKY (0/1, default 1): 0 gives sockets made afterwards
 *     ZMQ_LINGER 0, so zgss_ctx_term does not wait for their messages;
 *   ZMQ_IPV6 (>= 0, default 0): sockets made afterwards get ZMQ_IPV6;
 *   ZMQ_IO_THREADS (>= 0, default 1), ZMQ_MAX_MSGSZ (>= 0, default
 *     INT_MAX), ZMQ_THREAD_SCHED_POLICY, ZMQ_THREAD_PRIORITY (>= 0),
 *     ZMQ_THREAD_AFFINITY_CPU_ADD/REMOVE (>= 0; REMOVE of a CPU never
 *     added: EINVAL), ZMQ_THREAD_NAME_PREFIX: stored and read back only
 *     (zgss sizes its I/O threads itself, one per CPU and at least two,
 *     and does not tune them).
 * zgss_ctx_get also reads ZMQ_SOCKET_LIMIT (65535) and ZMQ_MSG_T_SIZE
 * (64); ZMQ_THREAD_PRIORITY and the affinity options are write-only (3 is
 * read as ZMQ_SOCKET_LIMIT). zgss_ctx_get returns the value or -1/EINVAL.
 * Neither blocks; both are thread-safe. */
int zgss_ctx_set(void *context, int option, int optval);
int zgss_ctx_get(void *context, int option);

/* Sleeps for seconds (a signal does not cut it short). */
void zgss_sleep(int seconds);

/* A stopwatch on the monotonic clock: start returns a new one (NULL when
 * out of memory), intermediate the microseconds since its start, stop the
 * same and frees it (the pointer is then invalid; NULL gives 0). */
void *zgss_stopwatch_start(void);
unsigned long zgss_stopwatch_intermediate(void *watch);
unsigned long zgss_stopwatch_stop(void *watch);

#ifdef __cplusplus
}
#endif

#endif /* ZGSS_H_INCLUDED */

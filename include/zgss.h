/*
 * zgss.h — Kerberos (GSS-API) security for ZeroMQ's wire protocol, with a
 * C ABI shaped like libzmq's.
 *
 * Two layers are exposed here:
 *   1. The sans-I/O mechanism: zgss_config_* and zgss_mech_*. A ZMTP stack
 *      (libzmq, a Python or Rust ZMTP implementation) feeds it command and
 *      message bodies and sends what it returns. It never touches a socket.
 *   2. Library-wide helpers: version, errno-style errors, feature tests.
 *
 * Conventions (read once, they hold for every function below):
 *   - Handles are opaque and typed. Passing NULL where a handle is expected
 *     returns ZGSS_E_INVAL (or NULL); it never crashes. Passing a handle of
 *     the wrong kind is detected and also returns ZGSS_E_INVAL.
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
 *     mechanisms on several threads once its options are set.
 *   - Blocking: only the calls marked "may block" can wait, and only on
 *     the Kerberos KDC (ticket requests), bounded by krb5.conf timeouts.
 *   - A mechanism that failed stays failed: every later call returns the
 *     same code; only the accessors and zgss_mech_destroy still work.
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
#ifndef ZMQ_GSSAPI_PRINCIPAL_NAMETYPE
#define ZMQ_GSSAPI_PRINCIPAL_NAMETYPE 90
#endif
#ifndef ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE
#define ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE 91
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
 * name such as "alice@EXAMPLE.TEST"); a zero-length value clears it.
 * An empty list allows every authenticated client. getsockopt returns the
 * list joined by '\n'. */
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

/* ---- Mechanism error codes (negative; never renumbered) ----------------- */

#define ZGSS_E_INVAL -1  /* bad argument or option value (local) */
#define ZGSS_E_AGAIN -2  /* nothing to do now (not an error of the session) */
#define ZGSS_E_PROTO -3  /* the peer broke the ZMTP/GSSAPI protocol (fatal) */
#define ZGSS_E_GSS -4    /* Kerberos/GSS-API failure (fatal) */
#define ZGSS_E_DENIED -5 /* peer authenticated but is not authorized (fatal) */
#define ZGSS_E_STATE -6  /* call not valid in the current state (local) */
#define ZGSS_E_NOMEM -7  /* out of memory */

/* Mechanism status (zgss_mech_status) */
#define ZGSS_STATUS_HANDSHAKING 0
#define ZGSS_STATUS_AWAITING_AUTHZ 1 /* server: call zgss_mech_authorize */
#define ZGSS_STATUS_READY 2
#define ZGSS_STATUS_FAILED 3

/* Message flags for zgss_mech_encode / zgss_mech_decode */
#define ZGSS_MSG_MORE 0x01
#define ZGSS_MSG_COMMAND 0x02
#define ZGSS_MSG_SUBSCRIBE 0x04 /* from libzmq master peers only */
#define ZGSS_MSG_CANCEL 0x08    /* from libzmq master peers only */

typedef struct zgss_config zgss_config_t;
typedef struct zgss_mech zgss_mech_t;

/* ---- Library ----------------------------------------------------------- */

/* "MAJOR.MINOR.PATCH". Static storage; never free. Never fails. */
const char *zgss_version(void);

/* 1 if the capability is built in ("gssapi", "curve" -> 0, ...), else 0.
 * NULL returns 0. */
int zgss_has(const char *capability);

/* Text for a negative ZGSS_E_* code. Static storage; unknown codes give
 * "unknown zgss error". Never fails. */
const char *zgss_mech_strerror(int code);

/* ---- Configuration ----------------------------------------------------- */

/* A new, empty configuration (client, encrypted, defaults from the
 * environment). Returns NULL only when out of memory. Free with
 * zgss_config_destroy. Does not block. */
zgss_config_t *zgss_config_new(void);

/* Frees the configuration. Mechanisms created from it stay valid (they
 * hold their own reference). NULL is a no-op. */
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
 * reused by later ones; a credential failure does not fail this call: the
 * mechanism starts failed and the first handshake call reports it.
 * Returns NULL for a NULL config, an unknown socket type or a client
 * config without ZMQ_GSSAPI_SERVICE_PRINCIPAL. May block (client keytab:
 * first ticket request). Free with zgss_mech_destroy. */
zgss_mech_t *zgss_mech_new(zgss_config_t *config, int socket_type,
                           const void *routing_id, size_t routing_id_len);

/* Frees the mechanism and wipes its keys and buffers. NULL is a no-op. */
void zgss_mech_destroy(zgss_mech_t *mech);

/* The next handshake command to send. On 1, *body/*body_len hold a command
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

/* Protects one outgoing message once the status is READY. flags:
 * ZGSS_MSG_MORE, ZGSS_MSG_COMMAND. Encrypted mode: *out is a MESSAGE
 * command body to send in an ordinary frame with *out_flags 0 (MORE
 * travels inside the wrap). Plaintext mode: *out is the data unchanged and
 * *out_flags the flags. Returns 0, ZGSS_E_STATE before READY, ZGSS_E_GSS
 * when wrapping fails (e.g. the context expired: fatal, never an abort),
 * ZGSS_E_INVAL for NULL out pointers. Does not block. */
int zgss_mech_encode(zgss_mech_t *mech, const uint8_t *data, size_t len, int flags,
                     const uint8_t **out, size_t *out_len, int *out_flags);

/* Opens one incoming frame body once the status is READY. Encrypted mode:
 * data must be a MESSAGE command; *out is the plaintext, *out_flags its
 * ZGSS_MSG_* flags from inside the wrap. Returns 0, ZGSS_E_STATE before
 * READY, ZGSS_E_PROTO for anything malformed, tampered, replayed or sent
 * without confidentiality (fatal). Does not block. */
int zgss_mech_decode(zgss_mech_t *mech, const uint8_t *data, size_t len, int flags,
                     const uint8_t **out, size_t *out_len, int *out_flags);

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
 * case-insensitive). Returns 1 and sets *value/*value_len (owned by the
 * mechanism, valid until it is destroyed) when present, 0 when absent or
 * before READY, ZGSS_E_INVAL for NULL arguments. */
int zgss_mech_peer_property(const zgss_mech_t *mech, const char *name,
                            const uint8_t **value, size_t *value_len);

/* Why the mechanism failed, in one sentence with the Kerberos reason
 * ("cannot authenticate to zmq@localhost: Server zmq/localhost@EX... not
 * found in Kerberos database"); "" when it has not failed. Owned by the
 * mechanism; valid until it is destroyed. NULL gives "". */
const char *zgss_mech_last_error(const zgss_mech_t *mech);

#ifdef __cplusplus
}
#endif

#endif /* ZGSS_H_INCLUDED */

// SPDX-License-Identifier: MIT
/*
 * zgss adapter for libzmq 4.3.4: libzmq's GSSAPI mechanism classes
 * implemented on zgss's sans-I/O mechanism (zgss.h). These three files
 * replace libzmq's src/gssapi_{mechanism_base,client,server}.{hpp,cpp};
 * class names and the interface libzmq's engine uses are unchanged.
 * They are compiled into libzmq and are offered under libzmq's licence
 * terms (LGPL-3.0 with its static-linking exception) as well as zgss's.
 */

#ifndef __ZMQ_GSSAPI_MECHANISM_BASE_HPP_INCLUDED__
#define __ZMQ_GSSAPI_MECHANISM_BASE_HPP_INCLUDED__

#ifdef HAVE_LIBGSSAPI_KRB5

#include <zgss.h>

#include "mechanism_base.hpp"
#include "options.hpp"

namespace zmq
{
class msg_t;

/// Both GSSAPI roles: one zgss mechanism per connection, made from a zgss
/// configuration shared by every connection with the same GSSAPI options
/// (so Kerberos credentials are acquired once, not per connection).
class gssapi_mechanism_base_t : public virtual mechanism_base_t
{
  public:
    gssapi_mechanism_base_t (session_base_t *session_,
                             const options_t &options_);
    ~gssapi_mechanism_base_t () ZMQ_OVERRIDE = 0;

  protected:
    //  Shared parts of mechanism_t's interface (client and server call them).
    int produce_handshake_command (msg_t *msg_);
    int consume_handshake_command (msg_t *msg_);
    int encode_message (msg_t *msg_);
    int decode_message (msg_t *msg_);
    mechanism_t::status_t mechanism_status () const;

    //  Monitor event + errno for a failed zgss call; returns -1.
    int fail (int zgss_code_, bool decoding_ = false);

    //  The failure's monitor event was already emitted (by ZAP code).
    void failure_reported ();

    //  A ZMTP ERROR command for the peer after a local failure (once):
    //  zgss's (the refusal's status code), else a generic reason.
    int produce_error (msg_t *msg_);

    //  The handshake was refused (a ZAP denial): the ERROR carrying
    //  `status_` ("400", "500") still has to go out, and the mechanism
    //  reports "handshaking" until produce_error has made it.
    void refuse_with_error (const std::string &status_);

    //  Once zgss reports READY: peer's READY metadata into libzmq's
    //  properties (Identity, Socket-Type), User-Id on a server.
    int finish_if_ready ();

    //  The authenticated peer principal, "" before authentication.
    const char *peer_principal () const;

    zgss_mech_t *_mech;

    //  If true, every message is wrapped (ZMQ_GSSAPI_PLAINTEXT unset).
    const bool do_encryption;

  private:
    zgss_config_t *_config;
    std::string _config_key;
    bool _finished;
    bool _failure_reported;
    bool _error_sent;
    bool _error_pending;
    std::string _error_reason;

    //  The peer's ERROR (in msg_) when its reason is a ZAP status code:
    //  reported as libzmq's CURVE and PLAIN clients do (monitor event
    //  HANDSHAKE_FAILED_AUTH with the code). False for anything else.
    bool peer_refused (msg_t *msg_);

    gssapi_mechanism_base_t (const gssapi_mechanism_base_t &);
    const gssapi_mechanism_base_t &operator= (const gssapi_mechanism_base_t &);
};
}

#endif

#endif

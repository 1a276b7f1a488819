// SPDX-License-Identifier: MIT
/*
 * zgss adapter for libzmq 4.3.4: the GSSAPI server, with ZAP (RFC 27)
 * authorization (see gssapi_mechanism_base.hpp).
 */

#ifndef __ZMQ_GSSAPI_SERVER_HPP_INCLUDED__
#define __ZMQ_GSSAPI_SERVER_HPP_INCLUDED__

#ifdef HAVE_LIBGSSAPI_KRB5

#include "gssapi_mechanism_base.hpp"
#include "zap_client.hpp"

namespace zmq
{
class msg_t;
class session_base_t;

class gssapi_server_t ZMQ_FINAL : public gssapi_mechanism_base_t,
                                  public zap_client_t
{
  public:
    gssapi_server_t (session_base_t *session_,
                     const std::string &peer_address,
                     const options_t &options_);
    ~gssapi_server_t () ZMQ_FINAL;

    // mechanism implementation
    int next_handshake_command (msg_t *msg_) ZMQ_FINAL;
    int process_handshake_command (msg_t *msg_) ZMQ_FINAL;
    int encode (msg_t *msg_) ZMQ_FINAL;
    int decode (msg_t *msg_) ZMQ_FINAL;
    int zap_msg_available () ZMQ_FINAL;
    status_t status () const ZMQ_FINAL;

  private:
    //  True while a ZAP request is out and its reply has not been read.
    bool _expecting_zap_reply;

    //  zgss paused for authorization: ask ZAP, or allow when no handler.
    int start_authorization ();
    //  Hands the ZAP reply's verdict to zgss; -1 when refused.
    int apply_zap_reply ();
};
}

#endif

#endif

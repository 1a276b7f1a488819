// SPDX-License-Identifier: MIT
/*
 * zgss adapter for libzmq 4.3.4: the GSSAPI client. The handshake is
 * zgss's: INITIATE (AP-REQ) -> INITIATE (AP-REP) -> empty command ->
 * READY <- READY, encrypted unless ZMQ_GSSAPI_PLAINTEXT is set.
 */

#include "precompiled.hpp"

#ifdef HAVE_LIBGSSAPI_KRB5

#include "msg.hpp"
#include "session_base.hpp"
#include "err.hpp"
#include "gssapi_client.hpp"

zmq::gssapi_client_t::gssapi_client_t (session_base_t *session_,
                                       const options_t &options_) :
    mechanism_base_t (session_, options_),
    gssapi_mechanism_base_t (session_, options_)
{
}

zmq::gssapi_client_t::~gssapi_client_t ()
{
}

int zmq::gssapi_client_t::next_handshake_command (msg_t *msg_)
{
    return produce_handshake_command (msg_);
}

int zmq::gssapi_client_t::process_handshake_command (msg_t *msg_)
{
    return consume_handshake_command (msg_);
}

int zmq::gssapi_client_t::encode (msg_t *msg_)
{
    return encode_message (msg_);
}

int zmq::gssapi_client_t::decode (msg_t *msg_)
{
    return decode_message (msg_);
}

zmq::mechanism_t::status_t zmq::gssapi_client_t::status () const
{
    return mechanism_status ();
}

#endif

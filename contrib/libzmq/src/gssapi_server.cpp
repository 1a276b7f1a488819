// SPDX-License-Identifier: MIT
/*
 * zgss adapter for libzmq 4.3.4: the GSSAPI server. zgss authenticates
 * the client, then pauses (ZGSS_EXTERNAL_AUTHZ); this class asks the ZAP
 * handler, when one is bound, with mechanism "GSSAPI" and the client's
 * principal as the credential, and tells zgss the verdict. Unlike libzmq
 * 4.3.4, a refusal (any status but 200) ends the handshake: for 400 and
 * 500 with a ZMTP ERROR carrying the status code, as libzmq's CURVE and
 * PLAIN servers send (the client then stops reconnecting), for 300
 * (temporary) by closing the connection.
 */

#include "precompiled.hpp"

#ifdef HAVE_LIBGSSAPI_KRB5

#include <string.h>
#include <string>

#include "msg.hpp"
#include "session_base.hpp"
#include "err.hpp"
#include "gssapi_server.hpp"

zmq::gssapi_server_t::gssapi_server_t (session_base_t *session_,
                                       const std::string &peer_address_,
                                       const options_t &options_) :
    mechanism_base_t (session_, options_),
    gssapi_mechanism_base_t (session_, options_),
    zap_client_t (session_, peer_address_, options_),
    _expecting_zap_reply (false)
{
}

zmq::gssapi_server_t::~gssapi_server_t ()
{
}

int zmq::gssapi_server_t::next_handshake_command (msg_t *msg_)
{
    //  zgss has nothing to send while it awaits the ZAP verdict: EAGAIN.
    return produce_handshake_command (msg_);
}

int zmq::gssapi_server_t::process_handshake_command (msg_t *msg_)
{
    const int rc = consume_handshake_command (msg_);
    if (rc != 0)
        return rc;
    if (zgss_mech_status (_mech) == ZGSS_STATUS_AWAITING_AUTHZ
        && !_expecting_zap_reply)
        return start_authorization ();
    return 0;
}

int zmq::gssapi_server_t::start_authorization ()
{
    //  No ZAP handler: zgss's own policy (ZGSS_ALLOW_PRINCIPAL, default
    //  any authenticated client) has already been applied.
    if (session->zap_connect () != 0) {
        const int rc = zgss_mech_authorize (_mech, 1, NULL);
        return rc < 0 ? fail (rc) : 0;
    }
    const char *principal = peer_principal ();
    send_zap_request ("GSSAPI", 6,
                      reinterpret_cast<const uint8_t *> (principal),
                      strlen (principal));
    const int rc = receive_and_process_zap_reply ();
    if (rc == 1) {
        _expecting_zap_reply = true;
        return 0;
    }
    if (rc == -1) {
        //  zap_client_t reported a malformed reply; stop zgss too.
        const int saved = errno;
        zgss_mech_authorize (_mech, 0, "malformed ZAP reply");
        failure_reported ();
        errno = saved;
        return -1;
    }
    return apply_zap_reply ();
}

int zmq::gssapi_server_t::zap_msg_available ()
{
    if (!_expecting_zap_reply) {
        errno = EFSM;
        return -1;
    }
    const int rc = receive_and_process_zap_reply ();
    if (rc == 1)
        return 0;
    _expecting_zap_reply = false;
    if (rc == -1) {
        zgss_mech_authorize (_mech, 0, "malformed ZAP reply");
        failure_reported ();
        errno = EPROTO;
        return -1;
    }
    return apply_zap_reply ();
}

int zmq::gssapi_server_t::apply_zap_reply ()
{
    if (status_code != "200") {
        //  handle_zap_status_code () emitted ZMQ_EVENT_HANDSHAKE_FAILED_AUTH.
        const std::string reason = "ZAP handler replied " + status_code;
        zgss_mech_authorize (_mech, 0, reason.c_str ());
        failure_reported ();
        if (status_code == "300") {
            errno = EPROTO;
            return -1;
        }
        //  next_handshake_command sends ERROR <status code>; the client
        //  then closes (or the handshake timer does).
        refuse_with_error (status_code);
        return 0;
    }
    const int rc = zgss_mech_authorize (_mech, 1, NULL);
    return rc < 0 ? fail (rc) : 0;
}

int zmq::gssapi_server_t::encode (msg_t *msg_)
{
    return encode_message (msg_);
}

int zmq::gssapi_server_t::decode (msg_t *msg_)
{
    return decode_message (msg_);
}

zmq::mechanism_t::status_t zmq::gssapi_server_t::status () const
{
    return mechanism_status ();
}

#endif

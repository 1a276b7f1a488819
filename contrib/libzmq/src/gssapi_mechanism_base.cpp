// SPDX-License-Identifier: MIT
/*
 * zgss adapter for libzmq 4.3.4: what the GSSAPI client and server share.
 * Everything GSS-API lives in libzgss; this file maps libzmq's msg_t,
 * options_t, monitor events and metadata onto zgss's sans-I/O calls.
 */

#include "precompiled.hpp"

#ifdef HAVE_LIBGSSAPI_KRB5

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <map>
#include <string>
#include <vector>

#include "msg.hpp"
#include "session_base.hpp"
#include "socket_base.hpp"
#include "err.hpp"
#include "mutex.hpp"
#include "wire.hpp"
#include "gssapi_mechanism_base.hpp"

namespace
{
//  One zgss configuration per distinct set of GSSAPI options, shared by
//  every connection made with it (zgss acquires its credentials once) and
//  released with the last connection that uses it.
struct shared_config_t
{
    zgss_config_t *config;
    int refs;
};

//  Allocated once and never destroyed: I/O threads of a context the
//  application did not terminate may still release configs during exit.
zmq::mutex_t &config_sync ()
{
    static zmq::mutex_t *const sync = new zmq::mutex_t;
    return *sync;
}

std::map<std::string, shared_config_t> &config_table ()
{
    static std::map<std::string, shared_config_t> *const table =
      new std::map<std::string, shared_config_t>;
    return *table;
}

int set_int (zgss_config_t *config_, int option_, int value_)
{
    return zgss_config_set (config_, option_, &value_, sizeof value_);
}

int set_string (zgss_config_t *config_, int option_, const std::string &value_)
{
    return zgss_config_set (config_, option_, value_.data (), value_.size ());
}

std::string config_key (const zmq::options_t &options_)
{
    std::string key;
    key += options_.as_server ? 'S' : 'C';
    key += options_.gss_plaintext ? 'P' : 'E';
    key += static_cast<char> ('0' + options_.gss_principal_nt);
    key += static_cast<char> ('0' + options_.gss_service_principal_nt);
    key += static_cast<char> (options_.gss_principal.size ());
    key += options_.gss_principal;
    key += options_.gss_service_principal;
    return key;
}

zgss_config_t *make_config (const zmq::options_t &options_)
{
    zgss_config_t *config = zgss_config_new ();
    if (!config)
        return NULL;
    const bool server = options_.as_server != 0;
    int rc = set_int (config, ZMQ_GSSAPI_SERVER, server ? 1 : 0);
    if (rc == 0 && !options_.gss_principal.empty ())
        rc = set_string (config, ZMQ_GSSAPI_PRINCIPAL, options_.gss_principal);
    if (rc == 0)
        rc = set_int (config, ZMQ_GSSAPI_PRINCIPAL_NAMETYPE,
                      options_.gss_principal_nt);
    if (rc == 0 && !server && !options_.gss_service_principal.empty ())
        rc = set_string (config, ZMQ_GSSAPI_SERVICE_PRINCIPAL,
                         options_.gss_service_principal);
    if (rc == 0)
        rc = set_int (config, ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE,
                      options_.gss_service_principal_nt);
    if (rc == 0)
        rc = set_int (config, ZMQ_GSSAPI_PLAINTEXT,
                      options_.gss_plaintext ? 1 : 0);
    //  A server always pauses for authorization; gssapi_server_t answers
    //  from ZAP, or allows at once when no ZAP handler is bound.
    if (rc == 0 && server)
        rc = set_int (config, ZGSS_EXTERNAL_AUTHZ, 1);
    if (rc != 0) {
        if (getenv ("ZGSS_LIBZMQ_DEBUG"))
            fprintf (stderr, "zgss: bad GSSAPI option: %s\n",
                     zgss_config_last_error (config));
        zgss_config_destroy (config);
        return NULL;
    }
    return config;
}

zgss_config_t *acquire_config (const zmq::options_t &options_,
                               const std::string &key_)
{
    zmq::scoped_lock_t lock (config_sync ());
    std::map<std::string, shared_config_t> &table = config_table ();
    const std::map<std::string, shared_config_t>::iterator it =
      table.find (key_);
    if (it != table.end ()) {
        it->second.refs++;
        return it->second.config;
    }
    zgss_config_t *config = make_config (options_);
    if (config) {
        const shared_config_t entry = {config, 1};
        table.insert (std::make_pair (key_, entry));
    }
    return config;
}

void release_config (const std::string &key_)
{
    zmq::scoped_lock_t lock (config_sync ());
    std::map<std::string, shared_config_t> &table = config_table ();
    const std::map<std::string, shared_config_t>::iterator it =
      table.find (key_);
    if (it != table.end () && --it->second.refs == 0) {
        zgss_config_destroy (it->second.config);
        table.erase (it);
    }
}

void append_property (std::vector<unsigned char> &out_,
                      const char *name_,
                      const uint8_t *value_,
                      size_t value_len_)
{
    const size_t name_len = strlen (name_);
    out_.push_back (static_cast<unsigned char> (name_len));
    out_.insert (out_.end (), name_, name_ + name_len);
    unsigned char len[4];
    zmq::put_uint32 (len, static_cast<uint32_t> (value_len_));
    out_.insert (out_.end (), len, len + 4);
    out_.insert (out_.end (), value_, value_ + value_len_);
}
}

zmq::gssapi_mechanism_base_t::gssapi_mechanism_base_t (
  session_base_t *session_, const options_t &options_) :
    mechanism_base_t (session_, options_),
    _mech (NULL),
    do_encryption (!options_.gss_plaintext),
    _config (NULL),
    _config_key (config_key (options_)),
    _finished (false),
    _failure_reported (false),
    _error_sent (false),
    _error_pending (false)
{
    _config = acquire_config (options_, _config_key);
    if (_config)
        _mech = zgss_mech_new (_config, options_.type, options_.routing_id,
                               options_.routing_id_size);
    if (!_mech && getenv ("ZGSS_LIBZMQ_DEBUG"))
        fprintf (stderr, "zgss: cannot start the GSSAPI mechanism: %s\n",
                 _config ? zgss_config_last_error (_config)
                         : "bad GSSAPI options");
}

zmq::gssapi_mechanism_base_t::~gssapi_mechanism_base_t ()
{
    zgss_mech_destroy (_mech);
    if (_config)
        release_config (_config_key);
}

int zmq::gssapi_mechanism_base_t::fail (int zgss_code_, bool decoding_)
{
    if (!_failure_reported) {
        _failure_reported = true;
        socket_base_t *const socket = session->get_socket ();
        if (zgss_code_ == ZGSS_E_DENIED)
            socket->event_handshake_failed_auth (session->get_endpoint (),
                                                 400);
        else
            socket->event_handshake_failed_protocol (
              session->get_endpoint (),
              decoding_ || zgss_code_ == ZGSS_E_GSS
                ? ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC
                : ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
        if (getenv ("ZGSS_LIBZMQ_DEBUG"))
            fprintf (stderr, "zgss: GSSAPI %s failed: %s\n",
                     zgss_mech_is_server (_mech) == 1 ? "server" : "client",
                     _mech ? zgss_mech_last_error (_mech)
                           : "mechanism could not start");
    }
    errno = EPROTO;
    return -1;
}

void zmq::gssapi_mechanism_base_t::failure_reported ()
{
    _failure_reported = true;
}

void zmq::gssapi_mechanism_base_t::refuse_with_error (
  const std::string &status_)
{
    _error_reason = status_;
    _error_pending = true;
}

int zmq::gssapi_mechanism_base_t::produce_error (msg_t *msg_)
{
    if (_error_sent) {
        errno = EPROTO;
        return -1;
    }
    _error_sent = true;
    static const char generic[] = "GSSAPI handshake failed";
    const uint8_t *body = NULL;
    size_t body_len = 0;
    //  zgss's own ERROR ("400" after a refusal, or the ZAP status code
    //  given here); other local failures carry the generic reason.
    if (_mech
        && zgss_mech_error_command (
             _mech, _error_reason.empty () ? NULL : _error_reason.c_str (),
             &body, &body_len)
             != 1)
        zgss_mech_error_command (_mech, generic, &body, &body_len);
    if (body) {
        const int rc = msg_->init_size (body_len);
        errno_assert (rc == 0);
        memcpy (msg_->data (), body, body_len);
        return 0;
    }
    //  No mechanism at all (bad options): build the generic ERROR here.
    const size_t reason_len = sizeof generic - 1;
    const int rc = msg_->init_size (6 + 1 + reason_len);
    errno_assert (rc == 0);
    uint8_t *ptr = static_cast<uint8_t *> (msg_->data ());
    memcpy (ptr, "\x05ERROR", 6);
    ptr[6] = static_cast<uint8_t> (reason_len);
    memcpy (ptr + 7, generic, reason_len);
    return 0;
}

bool zmq::gssapi_mechanism_base_t::peer_refused (msg_t *msg_)
{
    const char *data = static_cast<const char *> (msg_->data ());
    const size_t size = msg_->size ();
    if (size < 7 || memcmp (data, "\x05ERROR", 6) != 0)
        return false;
    const size_t reason_len = static_cast<uint8_t> (data[6]);
    const char *reason = data + 7;
    if (reason_len != 3 || size - 7 < reason_len || reason[0] < '3'
        || reason[0] > '5' || reason[1] != '0' || reason[2] != '0')
        return false;
    handle_error_reason (reason, reason_len);
    _failure_reported = true;
    if (getenv ("ZGSS_LIBZMQ_DEBUG"))
        fprintf (stderr, "zgss: GSSAPI %s failed: %s\n",
                 zgss_mech_is_server (_mech) == 1 ? "server" : "client",
                 zgss_mech_last_error (_mech));
    return true;
}

int zmq::gssapi_mechanism_base_t::produce_handshake_command (msg_t *msg_)
{
    if (!_mech) {
        fail (ZGSS_E_GSS);
        return produce_error (msg_);
    }
    const uint8_t *body = NULL;
    size_t body_len = 0;
    const int rc = zgss_mech_next_command (_mech, &body, &body_len);
    if (rc < 0) {
        //  Kerberos failed on this side (no credentials, unknown service,
        //  KDC unreachable): tell the peer with a ZMTP ERROR command so both
        //  ends drop the connection now (libzmq 4.3.4 sent nothing and both
        //  waited for ZMQ_HANDSHAKE_IVL); the reconnect tries again.
        fail (rc);
        return produce_error (msg_);
    }
    if (rc == 0) {
        errno = EAGAIN;
        return -1;
    }
    const int rc2 = msg_->init_size (body_len);
    errno_assert (rc2 == 0);
    if (body_len > 0)
        memcpy (msg_->data (), body, body_len);
    return finish_if_ready ();
}

int zmq::gssapi_mechanism_base_t::consume_handshake_command (msg_t *msg_)
{
    if (!_mech)
        return fail (ZGSS_E_GSS);
    const int rc = zgss_mech_process_command (
      _mech, static_cast<const uint8_t *> (msg_->data ()), msg_->size ());
    if (rc < 0) {
        //  A server that refused us with a ZAP status code: monitor event
        //  HANDSHAKE_FAILED_AUTH with it, and the protocol error that
        //  follows stops reconnection to that endpoint, as with CURVE.
        if (peer_refused (msg_)) {
            errno = EPROTO;
            return -1;
        }
        return fail (rc);
    }
    int rc2 = msg_->close ();
    errno_assert (rc2 == 0);
    rc2 = msg_->init ();
    errno_assert (rc2 == 0);
    return finish_if_ready ();
}

int zmq::gssapi_mechanism_base_t::finish_if_ready ()
{
    if (_finished || zgss_mech_status (_mech) != ZGSS_STATUS_READY)
        return 0;
    _finished = true;

    //  The peer's READY metadata, as libzmq's own mechanisms record it:
    //  Identity becomes the peer routing id, both become message properties.
    std::vector<unsigned char> metadata;
    static const char *const names[] = {"Socket-Type", "Identity"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const uint8_t *value = NULL;
        size_t value_len = 0;
        if (zgss_mech_peer_property (_mech, names[i], &value, &value_len) == 1)
            append_property (metadata, names[i], value, value_len);
    }
    if (!metadata.empty ()
        && parse_metadata (&metadata[0], metadata.size ()) != 0) {
        session->get_socket ()->event_handshake_failed_protocol (
          session->get_endpoint (), ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_METADATA);
        _failure_reported = true;
        errno = EPROTO;
        return -1;
    }

    //  On a server, User-Id is the client's principal unless a ZAP handler
    //  named another user id.
    if (zgss_mech_is_server (_mech) == 1 && get_user_id ().size () == 0) {
        const char *principal = peer_principal ();
        //  An empty ZAP user id left an empty User-Id property behind.
        const_cast<metadata_t::dict_t &> (get_zap_properties ())
          .erase (ZMQ_MSG_PROPERTY_USER_ID);
        set_user_id (principal, strlen (principal));
    }
    return 0;
}

const char *zmq::gssapi_mechanism_base_t::peer_principal () const
{
    const char *principal = zgss_mech_peer_principal (_mech);
    return principal ? principal : "";
}

int zmq::gssapi_mechanism_base_t::encode_message (msg_t *msg_)
{
    if (!do_encryption)
        return 0;

    int flags = 0;
    if (msg_->flags () & msg_t::more)
        flags |= ZGSS_MSG_MORE;
    if (msg_->flags () & msg_t::command)
        flags |= ZGSS_MSG_COMMAND;

    const uint8_t *data = static_cast<const uint8_t *> (msg_->data ());
    size_t size = msg_->size ();

    //  A subscription travels as the ZMTP 3.0 body "\1topic" ("\0topic"
    //  to cancel), which every libzmq PUB reads (4.3.4's own GSSAPI code
    //  sent the bare topic, and stock PUBs ignored it).
    std::vector<uint8_t> with_marker;
    if (msg_->is_subscribe () || msg_->is_cancel ()) {
        with_marker.reserve (size + 1);
        with_marker.push_back (msg_->is_subscribe () ? 1 : 0);
        with_marker.insert (with_marker.end (), data, data + size);
        data = &with_marker[0];
        size = with_marker.size ();
        flags &= ~ZGSS_MSG_COMMAND;
    }

    const uint8_t *out = NULL;
    size_t out_len = 0;
    int out_flags = 0;
    const int rc =
      zgss_mech_encode (_mech, data, size, flags, &out, &out_len, &out_flags);
    if (rc < 0)
        return fail (rc);

    int rc2 = msg_->close ();
    errno_assert (rc2 == 0);
    rc2 = msg_->init_size (out_len);
    errno_assert (rc2 == 0);
    if (out_len > 0)
        memcpy (msg_->data (), out, out_len);
    return 0;
}

int zmq::gssapi_mechanism_base_t::decode_message (msg_t *msg_)
{
    if (!do_encryption)
        return 0;

    int in_flags = 0;
    if (msg_->flags () & msg_t::more)
        in_flags |= ZGSS_MSG_MORE;
    if (msg_->flags () & msg_t::command)
        in_flags |= ZGSS_MSG_COMMAND;

    const uint8_t *out = NULL;
    size_t out_len = 0;
    int out_flags = 0;
    const int rc = zgss_mech_decode (
      _mech, static_cast<const uint8_t *> (msg_->data ()), msg_->size (),
      in_flags, &out, &out_len, &out_flags);
    if (rc < 0)
        return fail (rc, true);

    //  zgss flags a subscription: one a libzmq master peer flagged inside
    //  the wrap, or a stock 4.3.4 SUB's bare topic (zgss_mech_decode knows
    //  that rule and the peer's Socket-Type). 4.3.4's XPUB reads
    //  subscriptions in the ZMTP 3.0 form, so the 1/0 byte goes back on.
    const bool marker =
      (out_flags & (ZGSS_MSG_SUBSCRIBE | ZGSS_MSG_CANCEL)) != 0;
    const bool subscribe = (out_flags & ZGSS_MSG_SUBSCRIBE) != 0;
    int rc2 = msg_->close ();
    errno_assert (rc2 == 0);
    rc2 = msg_->init_size (out_len + (marker ? 1 : 0));
    errno_assert (rc2 == 0);
    uint8_t *ptr = static_cast<uint8_t *> (msg_->data ());
    if (marker)
        *ptr++ = subscribe ? 1 : 0;
    if (out_len > 0)
        memcpy (ptr, out, out_len);
    if (out_flags & ZGSS_MSG_MORE)
        msg_->set_flags (msg_t::more);
    if ((out_flags & ZGSS_MSG_COMMAND) && !marker)
        msg_->set_flags (msg_t::command);
    return 0;
}

zmq::mechanism_t::status_t
zmq::gssapi_mechanism_base_t::mechanism_status () const
{
    //  A failure counts once it has been reported (monitor event, ERROR
    //  command): libzmq's engine stops calling a mechanism in error state,
    //  so one that failed at creation must still get its first call, and
    //  one that refused the peer must still send its ERROR.
    if (_error_pending && !_error_sent)
        return mechanism_t::handshaking;
    if (!_mech)
        return _failure_reported ? mechanism_t::error
                                 : mechanism_t::handshaking;
    switch (zgss_mech_status (_mech)) {
        case ZGSS_STATUS_READY:
            return _finished ? mechanism_t::ready : mechanism_t::handshaking;
        case ZGSS_STATUS_FAILED:
            return _failure_reported ? mechanism_t::error
                                     : mechanism_t::handshaking;
        default:
            return mechanism_t::handshaking;
    }
}

#endif

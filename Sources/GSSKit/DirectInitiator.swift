// SPDX-License-Identifier: MIT
internal import CGSSAPI
import Glibc
public import KerberosCrypto

/// The client side of one Kerberos 5 GSS-API context (RFC 4121), made on
/// libkrb5 directly instead of through gss_init_sec_context, with what
/// MIT 1.20's initiator puts on the wire for the flags libzmq requests
/// (mutual authentication, replay detection):
///
/// - an AP-REQ made by krb5_mk_req_extended with a subkey, a sequence
///   number, mutual authentication and the RFC 4537 enctype list, whose
///   authenticator checksum is the 24-byte GSS checksum (type 0x8003:
///   length 16, no channel bindings, the context flags), framed as an
///   RFC 1964 token;
/// - the acceptor's AP-REP checked by krb5_rd_rep (which refuses any
///   reply not made with this ticket's session key for this
///   authenticator), and its subkey and sequence number taken as MIT
///   takes them.
///
/// The keys come out as SessionKeys, as MIT's lucid export gives them, so
/// KerberosCrypto protects the messages as it does for a GSS-API context.
///
/// The service ticket comes from the cache only (KRB5_GC_CACHED): the
/// direct route never talks to the KDC. A ticket not cached yet, or
/// expired, is fetched by MIT's path on that handshake (and found by the
/// next), so a slow or unreachable KDC is waited for once, as before.
///
/// `start` returns nil whenever MIT's path should run instead, before any
/// byte is sent: no unexpired ticket in the cache, an enctype
/// KerberosCrypto lacks, any libkrb5 failure. Once the AP-REQ is out
/// there is no way back: a bad reply fails the handshake.
public final class DirectInitiator {
    private let route: DirectInitiatorRoute
    private var authContext: krb5_auth_context?
    private let enctype: Enctype
    private let sendSequence: UInt64
    private var initiatorSubkey: [UInt8]
    private let endTime: UInt32

    /// The flags MIT puts in the checksum for libzmq's request
    /// (GSS_C_MUTUAL_FLAG | GSS_C_REPLAY_FLAG): those two, plus
    /// confidentiality and integrity, which MIT always offers, plus
    /// GSS_C_TRANS_FLAG.
    static let checksumFlags: UInt32 = 0x02 | 0x04 | 0x10 | 0x20 | 0x100

    /// Makes the first token. Nil: use gss_init_sec_context (see above).
    /// Does not block: no KDC, only the cache (a FILE cache is read).
    public static func start(route: DirectInitiatorRoute) -> (DirectInitiator, token: [UInt8])? {
        route.withContext { context, cache, client, server -> (DirectInitiator, token: [UInt8])? in
            var request = krb5_creds()
            request.client = client
            request.server = server
            var credsOut: UnsafeMutablePointer<krb5_creds>? = nil
            guard krb5_get_credentials(context, krb5_flags(KRB5_GC_CACHED), cache, &request, &credsOut) == 0,
                  let creds = credsOut else {
                return nil
            }
            defer { krb5_free_creds(context, creds) }
            var now: krb5_timestamp = 0
            guard krb5_timeofday(context, &now) == 0,
                  UInt32(bitPattern: now) <= UInt32(bitPattern: creds.pointee.times.endtime),
                  let enctype = Enctype(rawValue: creds.pointee.keyblock.enctype), WrapTokenCodec.isAvailable else {
                return nil
            }
            var auth: krb5_auth_context? = nil
            guard krb5_auth_con_init(context, &auth) == 0, let auth else { return nil }
            var keep = false
            defer { if !keep { krb5_auth_con_free(context, auth) } }
            krb5_auth_con_setflags(context, auth, KRB5_AUTH_CONTEXT_DO_SEQUENCE)
            krb5_auth_con_set_req_cksumtype(context, auth, 0x8003)
            var checksum = [UInt8](repeating: 0, count: 24)
            checksum[0] = 16
            writeLittleEndian(checksumFlags, into: &checksum, at: 20)
            var apReq = krb5_data()
            let made = checksum.withUnsafeMutableBytes { raw -> krb5_error_code in
                var input = krb5_data(magic: 0, length: 24, data: raw.baseAddress?.assumingMemoryBound(to: CChar.self))
                var authOut: krb5_auth_context? = auth
                let flags = krb5_flags(AP_OPTS_USE_SUBKEY | AP_OPTS_MUTUAL_REQUIRED | AP_OPTS_ETYPE_NEGOTIATION)
                return krb5_mk_req_extended(context, &authOut, flags, &input, creds, &apReq)
            }
            guard made == 0 else { return nil }
            defer { krb5_free_data_contents(context, &apReq) }
            var sequence: krb5_int32 = 0
            var subkeyOut: UnsafeMutablePointer<krb5_keyblock>? = nil
            guard krb5_auth_con_getlocalseqnumber(context, auth, &sequence) == 0,
                  krb5_auth_con_getsendsubkey(context, auth, &subkeyOut) == 0, let subkey = subkeyOut else {
                return nil
            }
            defer { krb5_free_keyblock(context, subkey) }
            guard subkey.pointee.enctype == creds.pointee.keyblock.enctype else { return nil }
            let token = KerberosTokenFraming.frame(.apRequest, UnsafeRawBufferPointer(start: apReq.data, count: Int(apReq.length)))
            keep = true
            let initiator = DirectInitiator(route: route, authContext: auth, enctype: enctype,
                                            sendSequence: UInt64(UInt32(bitPattern: sequence)),
                                            initiatorSubkey: Array(UnsafeRawBufferPointer(start: subkey.pointee.contents,
                                                                                          count: Int(subkey.pointee.length))),
                                            endTime: UInt32(bitPattern: creds.pointee.times.endtime))
            return (initiator, token)
        }
    }

    private init(route: DirectInitiatorRoute, authContext: krb5_auth_context, enctype: Enctype, sendSequence: UInt64,
                 initiatorSubkey: [UInt8], endTime: UInt32) {
        self.route = route
        self.authContext = authContext
        self.enctype = enctype
        self.sendSequence = sendSequence
        self.initiatorSubkey = initiatorSubkey
        self.endTime = endTime
    }

    deinit {
        initiatorSubkey.withUnsafeMutableBytes { raw in
            if let base = raw.baseAddress { explicit_bzero(base, raw.count) }
        }
        if let authContext { release(authContext) }
    }

    /// Frees an auth context of this route's libkrb5 context.
    private func release(_ auth: krb5_auth_context) {
        KerberosTeardown.run { route.withContext { context, _, _, _ in _ = krb5_auth_con_free(context, auth) } }
    }

    /// The service principal, as the GSS path reports it.
    public var peerName: String { route.serverName }

    /// Checks the acceptor's reply and returns the message keys. Throws
    /// (and the handshake fails) for anything but a valid AP-REP for this
    /// AP-REQ: a KRB-ERROR token with its reason, a malformed token, a
    /// reply made with another key or for another authenticator.
    public func finish(reply: ArraySlice<UInt8>) throws(GSSError) -> SessionKeys {
        guard let auth = authContext else {
            throw GSSError("krb5_rd_rep", reason: "the context was already established or failed")
        }
        let parsed: KerberosTokenFraming.Parsed
        do {
            parsed = try KerberosTokenFraming.parse(reply)
        } catch {
            throw GSSError("krb5_rd_rep", reason: "the service's reply is malformed: \(error.reason)")
        }
        // The peer's length, checked: a frame limit may allow more than
        // krb5_data's 32-bit length holds.
        guard let length = UInt32(exactly: parsed.message.count) else {
            throw GSSError("krb5_rd_rep", reason: "the service's reply of \(parsed.message.count) bytes is longer than any AP-REP")
        }
        let result: Result<SessionKeys, GSSError> = reply.withUnsafeBytes { raw in
            let start = parsed.message.lowerBound - reply.startIndex
            let message = UnsafeRawBufferPointer(rebasing: raw[start..<(start + parsed.message.count)])
            var data = krb5_data(magic: 0, length: length,
                                 data: UnsafeMutablePointer(mutating: message.baseAddress?.assumingMemoryBound(to: CChar.self)))
            return route.withContext { context, _, _, _ -> Result<SessionKeys, GSSError> in
                switch parsed.id {
                case .apRequest:
                    return .failure(GSSError("krb5_rd_rep", reason: "the service answered with an AP-REQ token"))
                case .error:
                    return .failure(GSSError("krb5_rd_rep", reason: refusalText(context, &data)))
                case .apReply:
                    return keys(context, auth, &data)
                }
            }
        }
        authContext = nil
        release(auth)
        return try result.get()
    }

    private func keys(_ context: krb5_context, _ auth: krb5_auth_context,
                      _ data: inout krb5_data) -> Result<SessionKeys, GSSError> {
        var replyOut: UnsafeMutablePointer<krb5_ap_rep_enc_part>? = nil
        let code = krb5_rd_rep(context, auth, &data, &replyOut)
        guard code == 0, let reply = replyOut else {
            return .failure(GSSError("krb5_rd_rep", reason: "the service's mutual-authentication token was refused: "
                           + KerberosContext.text(context, code)))
        }
        defer { krb5_free_ap_rep_enc_part(context, reply) }
        // RFC 4121 contexts keep the acceptor's subkey when it sends one,
        // of the enctype the acceptor chose from the client's RFC 4537
        // list (the route offers only enctypes KerberosCrypto implements).
        // Without one, the initiator's subkey moves into the keys (no copy
        // left behind unwiped; deinit wipes what stays here).
        let key: [UInt8]
        let keyEnctype: Enctype
        if let subkey = reply.pointee.subkey {
            guard let chosen = Enctype(rawValue: subkey.pointee.enctype) else {
                return .failure(GSSError("krb5_rd_rep", reason: "the service's subkey has enctype "
                                         + "\(subkey.pointee.enctype), which zgss's message protection does not "
                                         + "implement (ZGSS_HANDSHAKE=gssapi leaves such contexts to MIT)"))
            }
            key = Array(UnsafeRawBufferPointer(start: subkey.pointee.contents, count: Int(subkey.pointee.length)))
            keyEnctype = chosen
        } else {
            key = initiatorSubkey
            initiatorSubkey = []
            keyEnctype = enctype
        }
        return .success(SessionKeys(enctype: keyEnctype, key: key, isInitiator: true,
                                    acceptorSubkey: reply.pointee.subkey != nil,
                                    sendSequence: sendSequence, receiveSequence: UInt64(reply.pointee.seq_number),
                                    endTime: endTime))
    }

    /// The reason in a KRB-ERROR token from the service.
    private func refusalText(_ context: krb5_context, _ data: inout krb5_data) -> String {
        var errorOut: UnsafeMutablePointer<krb5_error>? = nil
        guard krb5_rd_error(context, &data, &errorOut) == 0, let error = errorOut else {
            return "the service refused this client with a malformed KRB-ERROR"
        }
        defer { krb5_free_error(context, error) }
        let code = krb5_error_code(truncatingIfNeeded: Int(error.pointee.error) + Int(ERROR_TABLE_BASE_krb5))
        return "the service refused this client: " + KerberosContext.text(context, code)
    }

    private static func writeLittleEndian(_ value: UInt32, into bytes: inout [UInt8], at offset: Int) {
        for i in 0..<4 { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(i))) }
    }
}

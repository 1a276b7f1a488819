// SPDX-License-Identifier: MIT
internal import CGSSAPI

/// GSS context request flags an initiator may ask for.
public struct GSSRequestFlags: OptionSet, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let mutual = GSSRequestFlags(rawValue: 1)
    public static let replay = GSSRequestFlags(rawValue: 2)
    public static let sequence = GSSRequestFlags(rawValue: 4)
    public static let integrity = GSSRequestFlags(rawValue: 8)
    public static let confidentiality = GSSRequestFlags(rawValue: 16)
}

/// One side of a GSS security context: an initiator (client) or an acceptor
/// (server). Owns its context handle; deleting it wipes the session keys.
///
/// Not thread-safe: one connection drives it at a time.
public final class GSSSecurityContext {
    public enum Role: Sendable { case initiator, acceptor }

    /// The result of one step of context establishment.
    public struct Step {
        /// The token to send to the peer; empty when there is nothing to send.
        public var token: [UInt8]
        /// True when the context is established on this side.
        public var isComplete: Bool

        public init(token: [UInt8], isComplete: Bool) {
            self.token = token
            self.isComplete = isComplete
        }
    }

    public let role: Role
    var handle: gss_ctx_id_t? = nil
    var contextHandle: gss_ctx_id_t? { handle }
    private let credential: GSSCredential?
    private let target: GSSName?
    private let requestFlags: OM_uint32
    private var peer: GSSName?
    public internal(set) var isEstablished = false
    private var returnedFlags: OM_uint32 = 0
    /// The sequence number of the newest RFC 4121 wrap token from the peer
    /// that MIT's unwrap accepted; nil before the first. Whoever takes the
    /// keys over must not accept it again (see exportSessionKeys).
    var newestUnwrappedSequence: UInt64?

    /// A client context towards `target`, with mutual authentication and
    /// replay detection (the flags libzmq requests).
    public init(initiatorWith credential: GSSCredential?, target: GSSName) {
        KerberosTeardown.install()
        self.role = .initiator
        self.credential = credential
        self.target = target
        self.requestFlags = cgss_c_mutual_flag() | cgss_c_replay_flag()
    }

    /// A client context towards `target` requesting exactly `flags`
    /// (SASL GSSAPI asks for mutual authentication only when it wants it,
    /// plus sequence checks and the protection services).
    public init(initiatorWith credential: GSSCredential?, target: GSSName, flags: GSSRequestFlags) {
        KerberosTeardown.install()
        self.role = .initiator
        self.credential = credential
        self.target = target
        var raw: OM_uint32 = 0
        if flags.contains(.mutual) { raw |= cgss_c_mutual_flag() }
        if flags.contains(.replay) { raw |= cgss_c_replay_flag() }
        if flags.contains(.sequence) { raw |= cgss_c_sequence_flag() }
        if flags.contains(.integrity) { raw |= cgss_c_integ_flag() }
        if flags.contains(.confidentiality) { raw |= cgss_c_conf_flag() }
        self.requestFlags = raw
    }

    /// A server context; `credential` nil accepts with the default keytab.
    public init(acceptorWith credential: GSSCredential?) {
        KerberosTeardown.install()
        self.role = .acceptor
        self.credential = credential
        self.target = nil
        self.requestFlags = 0
    }

    deinit {
        if handle != nil {
            var minor: OM_uint32 = 0
            KerberosTeardown.run { gss_delete_sec_context(&minor, &handle, cgss_no_buffer()) }
        }
    }

    /// Feeds the peer's token (none for the initiator's first step) and
    /// returns what to send back. May block: the initiator's first step asks
    /// the KDC for a service ticket unless one is cached.
    public func step(_ input: ArraySlice<UInt8>?) throws -> Step {
        switch role {
        case .initiator: return try initiate(input)
        case .acceptor: return try accept(input ?? [])
        }
    }

    private func initiate(_ input: ArraySlice<UInt8>?) throws -> Step {
        var minor: OM_uint32 = 0
        var output = gss_buffer_desc()
        var flags: OM_uint32 = 0
        let major: OM_uint32
        if let input {
            major = GSSBuffers.withInput(input) { buffer in
                gss_init_sec_context(&minor, credential?.handle ?? cgss_no_credential(), &handle, target?.handle,
                                     cgss_mech_krb5(), requestFlags, 0, cgss_no_channel_bindings(),
                                     &buffer, nil, &output, &flags, nil)
            }
        } else {
            major = gss_init_sec_context(&minor, credential?.handle ?? cgss_no_credential(), &handle, target?.handle,
                                         cgss_mech_krb5(), requestFlags, 0, cgss_no_channel_bindings(),
                                         cgss_no_buffer(), nil, &output, &flags, nil)
        }
        let token = GSSBuffers.take(&output)
        return try record(call: "gss_init_sec_context", major: major, minor: minor, flags: flags, token: token)
    }

    private func accept(_ input: ArraySlice<UInt8>) throws -> Step {
        var minor: OM_uint32 = 0
        var output = gss_buffer_desc()
        var flags: OM_uint32 = 0
        var source: gss_name_t? = nil
        let major = GSSBuffers.withInput(input) { buffer in
            gss_accept_sec_context(&minor, &handle, credential?.handle ?? cgss_no_credential(), &buffer,
                                   cgss_no_channel_bindings(), &source, nil, &output, &flags, nil, nil)
        }
        let token = GSSBuffers.take(&output)
        if let source { peer = GSSName(taking: source) }
        return try record(call: "gss_accept_sec_context", major: major, minor: minor, flags: flags, token: token)
    }

    /// The common end of one init or accept step: a GSS error is thrown;
    /// otherwise the flags and whether the context is now established are
    /// kept, and the token (possibly empty) goes back to the caller.
    private func record(call: String, major: OM_uint32, minor: OM_uint32, flags: OM_uint32,
                        token: [UInt8]) throws -> Step {
        guard cgss_is_error(major) == 0 else {
            throw GSSError(call, major: major, minor: minor)
        }
        returnedFlags = flags
        let complete = major & cgss_s_continue_needed() == 0
        isEstablished = complete
        return Step(token: token, isComplete: complete)
    }

    /// Whether the established context can encrypt (the confidentiality
    /// service was negotiated).
    public var offersConfidentiality: Bool { returnedFlags & cgss_c_conf_flag() != 0 }

    /// Whether the established context can sign messages (integrity).
    public var offersIntegrity: Bool { returnedFlags & cgss_c_integ_flag() != 0 }

    /// Whether mutual authentication took place (the acceptor proved its
    /// identity to the initiator).
    public var isMutual: Bool { returnedFlags & cgss_c_mutual_flag() != 0 }

    /// The authenticated peer: for an acceptor the client's principal, for an
    /// initiator the service's. Nil before establishment.
    public func peerName() throws -> String? {
        guard isEstablished else { return nil }
        if role == .acceptor { return try peer?.displayName() }
        var minor: OM_uint32 = 0
        var targetName: gss_name_t? = nil
        let major = gss_inquire_context(&minor, handle, nil, &targetName, nil, nil, nil, nil, nil)
        guard cgss_is_error(major) == 0, let targetName else {
            throw GSSError("gss_inquire_context", major: major, minor: minor)
        }
        return try GSSName(taking: targetName).displayName()
    }

    /// The local principal of this context.
    public func localName() throws -> String? {
        guard isEstablished else { return nil }
        var minor: OM_uint32 = 0
        var sourceName: gss_name_t? = nil
        let major = gss_inquire_context(&minor, handle, &sourceName, nil, nil, nil, nil, nil, nil)
        guard cgss_is_error(major) == 0, let sourceName else {
            throw GSSError("gss_inquire_context", major: major, minor: minor)
        }
        return try GSSName(taking: sourceName).displayName()
    }

    /// Seconds the context stays valid; 0 when expired.
    public func secondsRemaining() -> UInt32 {
        guard isEstablished else { return 0 }
        var minor: OM_uint32 = 0
        var seconds: OM_uint32 = 0
        let major = gss_context_time(&minor, handle, &seconds)
        return cgss_is_error(major) == 0 ? seconds : 0
    }

    /// The most bytes wrap accepts (header and message together), and the
    /// longest token unwrap accepts. MIT's krb5 crypto counts bytes in
    /// 32-bit unsigned ints and silently cuts a longer buffer (the rest of
    /// the message would be sent unencrypted), and every carrier of these
    /// tokens (ZMTP's MESSAGE, RFC 4752 framing) has a 32-bit length field:
    /// 4 KiB below 4 GiB leaves room for any token overhead.
    public static let largestMessage: UInt64 = UInt64(UInt32.max) - 4096

    static func checkWrapSize(_ count: Int, _ function: String) throws {
        guard UInt64(count) <= largestMessage else {
            throw GSSError(function, reason: "message of \(count) bytes is larger than the \(largestMessage)-byte limit")
        }
    }

    static func checkUnwrapSize(_ count: Int, _ function: String) throws {
        guard UInt64(count) <= UInt64(UInt32.max) else {
            throw GSSError(function, reason: "token of \(count) bytes is larger than any valid token (4 GiB)")
        }
    }

    /// Protects `message` (prefixed by `header`, so a flags byte costs no
    /// copy of its own) and returns the wrap token. `confidential` false
    /// gives integrity only. Throws on an expired context or a message
    /// above `largestMessage`; never traps.
    public func wrap(header: [UInt8] = [], _ message: some Collection<UInt8>, confidential: Bool) throws -> [UInt8] {
        guard isEstablished else { throw GSSError("gss_wrap", reason: "security context is not established") }
        try Self.checkWrapSize(header.count + message.count, "gss_wrap")
        var plain: [UInt8] = []
        plain.reserveCapacity(header.count + message.count)
        plain.append(contentsOf: header)
        plain.append(contentsOf: message)
        defer { wipe(&plain) }
        var minor: OM_uint32 = 0
        var output = gss_buffer_desc()
        var confState: Int32 = 0
        let major = GSSBuffers.withInput(plain) { buffer in
            gss_wrap(&minor, handle, confidential ? 1 : 0, cgss_c_qop_default(), &buffer, &confState, &output)
        }
        let token = GSSBuffers.take(&output)
        guard cgss_is_error(major) == 0 else {
            throw GSSError("gss_wrap", major: major, minor: minor)
        }
        if confidential && confState == 0 {
            throw GSSError("gss_wrap", reason: "the mechanism did not encrypt the message")
        }
        return token
    }

    /// The largest message whose wrap token fits in `tokenLimit` bytes
    /// (gss_wrap_size_limit). A caller with a size limit checks it before
    /// wrapping: every wrap uses up a sequence number, so a token made and
    /// then not sent leaves a gap that the peer's sequence check refuses.
    public func largestMessage(fittingIn tokenLimit: UInt32, confidential: Bool) throws -> Int {
        guard isEstablished else { throw GSSError("gss_wrap_size_limit", reason: "security context is not established") }
        var minor: OM_uint32 = 0
        var largest: OM_uint32 = 0
        let major = gss_wrap_size_limit(&minor, handle, confidential ? 1 : 0, cgss_c_qop_default(), tokenLimit, &largest)
        guard cgss_is_error(major) == 0 else {
            throw GSSError("gss_wrap_size_limit", major: major, minor: minor)
        }
        return Int(largest)
    }

    /// Checks and decrypts a wrap token. Returns the message and whether it
    /// was encrypted. A tampered, replayed or foreign token throws.
    public func unwrap(_ token: some Collection<UInt8>) throws -> (message: [UInt8], wasConfidential: Bool) {
        guard isEstablished else { throw GSSError("gss_unwrap", reason: "security context is not established") }
        try Self.checkUnwrapSize(token.count, "gss_unwrap")
        var minor: OM_uint32 = 0
        var output = gss_buffer_desc()
        var confState: Int32 = 0
        var qop: gss_qop_t = 0
        var sequence: UInt64? = nil
        let major = GSSBuffers.withInput(token) { buffer in
            sequence = Self.wrapTokenSequence(UnsafeRawBufferPointer(start: buffer.value, count: buffer.length))
            return gss_unwrap(&minor, handle, &buffer, &output, &confState, &qop)
        }
        let message = GSSBuffers.takeWiping(&output)
        // Supplementary bits (duplicate, old, out-of-sequence token) are
        // refused too: over a stream they only arise from a replay or an
        // injected token.
        guard major == cgss_s_complete() else {
            throw GSSError("gss_unwrap", major: major, minor: minor)
        }
        noteUnwrapped(sequence)
        return (message, confState != 0)
    }

    private func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { raw in
            for i in raw.indices { raw[i] = 0 }
        }
    }
}

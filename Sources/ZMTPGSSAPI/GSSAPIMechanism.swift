// SPDX-License-Identifier: MIT
public import ZMTPCodec
@_exported public import ZGSSBase
import GSSKit
import KerberosCrypto

/// The ZMTP GSSAPI security mechanism, client or server, as a sans-I/O state
/// machine: command bodies and messages in, command bodies and messages
/// out. It never touches a socket; the host moves the bytes.
///
/// # Theory of operation
///
/// The exchange is libzmq 4.3.4's, byte for byte: HandshakeTransitions
/// (HandshakeTable.swift) is its table, (phase, event) → (action, next
/// phase), which `nextHandshakeCommand()` and `processHandshakeCommand(_:)`
/// execute; anything the table does not accept is a protocol violation and
/// fails the session for good.
///
/// In encrypted mode (the default) READY travels as
/// MESSAGE(wrap(flags 0x00 + READY)) in a command frame and, once ready, every message as
/// MESSAGE(wrap(flags + body)) in an ordinary frame: `encode` and `decode`.
/// In plaintext mode READY is plain and messages pass unchanged.
///
/// Errors raised by the peer's bytes (protocol, GSS, authorization) are
/// fatal: the state becomes `failed` and every later call throws the same
/// error. Calls out of order (`encode` before ready) are local errors that
/// leave the state alone.
///
/// ERROR, in any handshake state: the peer refused the handshake (libzmq's
/// servers put a ZAP status code there) → failed. The other way round,
/// after this side refused the peer, `errorCommand()` gives the ERROR the
/// host sends before closing.
public final class GSSAPIMechanism: Mechanism {
    public typealias Status = MechanismStatus


    public let configuration: SecurityConfiguration
    public let socketType: SocketType
    public let routingId: [UInt8]
    /// Where the handshake stands (see HandshakeTransitions).
    private(set) var phase: HandshakePhase
    /// The output of the last GSS step, while a send-token phase waits to
    /// send it.
    private var pendingStep: GSSSecurityContext.Step?
    /// The error that failed the session (set with phase `.failed`).
    private var failure: ZGSSError?
    // Internal (not private) so tests can forge integrity-only tokens.
    private(set) var context: GSSSecurityContext?
    private var credential: SharedCredential?
    /// Message protection after the handshake when KerberosCrypto took the
    /// keys over (see MessageProtection); nil: `context` does it.
    private var tokens: WrapTokenCodec?
    /// Tests turn this off to keep the MIT context for forging tokens
    /// (which also keeps a client on MIT's gss_init_sec_context).
    var nativeMessageProtection = MessageProtection.nativeAllowed
    /// Tests turn this off to run a client's handshake through MIT's
    /// GSS-API even where the direct route could take it.
    var directHandshake = true
    /// A client's context in the making on the direct route, between its
    /// AP-REQ and the server's AP-REP.
    private var directInitiator: DirectInitiator?
    /// The client's context was made on the direct route.
    private(set) var tookDirectRoute = false

    /// The peer's READY metadata (Socket-Type, Identity, ...), once received.
    public private(set) var peerMetadata = Metadata()
    /// A SUB peer of this PUB or XPUB: stock libzmq 4.3.4 encrypts a SUB's
    /// subscription without its 0x01 marker (its encoder keeps only the
    /// MORE and COMMAND flags), so such a peer's single-frame message that
    /// does not start with 0x00 or 0x01 is a bare topic and `decode` flags
    /// it `.subscribe`. The rule lives here, once, for every host (zgss's
    /// sockets, libzmq built with zgss). Only a SUB: an XSUB's other
    /// messages are data (its subscriptions carry the marker). What it
    /// costs: a stock SUB's cancel reads as a subscription, and a bare
    /// topic that starts with 0x00 or 0x01 is read in the marked form.
    private var peerSendsBareTopics = false
    /// With `peerSendsBareTopics`: the last data frame had MORE, so the
    /// next one continues a message.
    private var peerMessageContinues = false
    /// The authenticated peer principal: on a server the client's (what
    /// libzmq hands ZAP as User-Id), on a client the service's.
    public private(set) var peerPrincipal: String?
    /// The last fatal error, for ZGSS_LAST_ERROR.
    public private(set) var lastError: ZGSSError?
    /// The failure came from the peer's ERROR (not answered with another)
    /// or came after READY (ERROR is a handshake command): see
    /// `errorCommand`.
    private var failureNeedsNoError = false

    var isServer: Bool { configuration.options.isServer }
    /// Encrypted mode (the default): READY and every message travel
    /// wrapped. False with ZMQ_GSSAPI_PLAINTEXT.
    /// (Stored: the per-message path reads it.)
    public let protectsMessages: Bool

    /// Creates one side of one connection. Acquires (or reuses) the
    /// configuration's credentials; a failure there is recorded and thrown
    /// on the first handshake call, so the host sees it where it expects
    /// errors. May block on the KDC (client keytab: on first use, and
    /// when half of the tickets' lifetime has passed).
    public init(configuration: SecurityConfiguration, socketType: SocketType, routingId: [UInt8] = []) {
        self.configuration = configuration
        self.socketType = socketType
        self.routingId = Array(routingId.prefix(255))
        self.protectsMessages = !configuration.options.plaintext
        self.phase = configuration.options.isServer ? .serverAwaitToken : .clientStart
        do {
            self.credential = try configuration.credential()
        } catch {
            self.phase = .failed
            self.failure = error
            self.lastError = error
        }
    }

    public var status: Status {
        switch phase {
        case .ready: .ready
        case .failed: .failed
        case .serverAwaitAuthorization: .awaitingAuthorization
        case .clientStart, .clientAwaitToken, .clientSendToken, .clientAwaitReady, .clientSendReady,
             .serverAwaitToken, .serverSendToken, .serverAwaitEmpty, .serverSendReady, .serverAwaitReady:
            .handshaking
        }
    }

    // MARK: handshake

    /// The next command body to send in a command frame, or nil when it is
    /// the peer's turn. An empty array is a real command frame with no body
    /// (the client sends one after the server's token).
    public func nextHandshakeCommand() throws(ZGSSError) -> [UInt8]? {
        switch HandshakeTransitions.of(phase).onNext {
        case .fail:
            throw failure ?? ZGSSError(.wrongState, "the session failed")
        case .wait:
            return nil
        case .firstStep(let then):
            pendingStep = try gssStep(nil)
            phase = then
            return try nextHandshakeCommand()
        case .sendToken(let whenComplete, let whenMore, let emptyFinalTokenIsBareCommand):
            guard let step = pendingStep else { throw fail(.wrongState, "no Kerberos token to send") }
            pendingStep = nil
            phase = step.isComplete ? whenComplete : whenMore
            if step.isComplete && emptyFinalTokenIsBareCommand && step.token.isEmpty { return [] }
            return GSSAPICommand.initiate(token: step.token)
        case .sendReady(let then):
            let ready = try readyCommand()
            phase = then
            return ready
        }
    }

    /// Feeds the body of a command frame from the peer.
    public func processHandshakeCommand(_ body: [UInt8]) throws(ZGSSError) {
        if Command.hasName(body, "ERROR"), status == .handshaking || status == .awaitingAuthorization {
            throw refused(by: body)
        }
        switch HandshakeTransitions.of(phase).onCommand {
        case .fail:
            throw failure ?? ZGSSError(.wrongState, "the session failed")
        case .token(let then):
            let token = try parse { try GSSAPICommand.parseInitiate(body) }
            pendingStep = try gssStep(token)
            phase = then
        case .emptyCommand(let then, let thenWithExternalAuthorization):
            guard body.isEmpty else {
                throw fail(.protocolViolation,
                           "expected the client's empty command after the server's token, got \(GSSAPICommand.describe(body))")
            }
            try authorizeLocally()
            phase = configuration.options.externalAuthorization ? thenWithExternalAuthorization : then
        case .ready(let then):
            try processReady(body)
            phase = then
        case .afterHandshake:
            throw fail(.protocolViolation, "unexpected \(GSSAPICommand.describe(body)) after the handshake completed")
        case .outOfTurn:
            throw fail(.protocolViolation, "unexpected \(GSSAPICommand.describe(body)) while it is this side's turn to send")
        }
    }

    /// The host's authorization decision (e.g. a ZAP reply) for the
    /// authenticated client in `peerPrincipal`. Only valid while
    /// `status == .awaitingAuthorization`.
    public func authorize(_ allowed: Bool, reason: String? = nil) throws(ZGSSError) {
        guard phase == .serverAwaitAuthorization else {
            if let failure { throw failure }
            throw ZGSSError(.wrongState, "authorize() is valid only while awaiting authorization")
        }
        if allowed {
            phase = .serverSendReady
        } else {
            let who = peerPrincipal ?? "the client"
            throw fail(.denied, "\(who) is not authorized" + (reason.map { ": \($0)" } ?? ""))
        }
    }

    /// After this side refused the handshake: the ERROR command body the
    /// host sends the peer (in a command frame) before it closes, so that
    /// a refused client stops instead of reconnecting at once. The reason
    /// is `reason` (the host's, e.g. its ZAP handler's status code; 1 to
    /// 255 bytes are sent) or, when nil, "400" after this server refused an
    /// authenticated client (allowlist, or `authorize(false)`), as libzmq's
    /// CURVE and PLAIN servers refuse. Nil when there is nothing to send:
    /// no failure, a failure after READY, one caused by the peer's own
    /// ERROR, or another failure and no `reason`.
    public func errorCommand(reason: [UInt8]? = nil) -> [UInt8]? {
        guard phase == .failed, let error = failure, !failureNeedsNoError else { return nil }
        if let reason { return ErrorCommand.encode(reason: reason) }
        guard error.code == .denied else { return nil }
        return ErrorCommand.encode(reason: Array("400".utf8))
    }

    /// The host tells the mechanism the connection closed. Before READY
    /// this fails the session with the likeliest reason for the state it
    /// was in (libzmq sends no ERROR command, so a refusing peer just
    /// hangs up); the error is returned for ZGSS_LAST_ERROR. After READY
    /// it is an ordinary disconnect and nothing is recorded (nil).
    @discardableResult
    public func connectionClosed() -> ZGSSError? {
        let reason: String
        switch phase {
        case .failed: return failure
        case .ready: return nil
        case .clientStart:
            reason = "server closed the connection before this client sent INITIATE"
        case .serverAwaitToken:
            reason = "client closed the connection after the greeting without sending INITIATE "
                + "(a GSSAPI client gives up there when its own Kerberos step fails, e.g. it has no "
                + "credentials or cannot reach its KDC: its error says which)"
        case .clientAwaitToken, .clientSendToken:
            reason = "server closed the connection instead of answering our Kerberos token (it may lack keys for \(configuration.options.servicePrincipal ?? "the service principal"))"
        case .serverSendToken, .serverAwaitEmpty:
            reason = "client closed the connection during the Kerberos exchange (it may have refused our mutual-authentication token)"
        case .clientAwaitReady:
            reason = "server closed the connection instead of sending READY: it refused this client (not authorized) or ZMQ_GSSAPI_PLAINTEXT differs between the peers"
        case .serverAwaitAuthorization, .serverSendReady:
            reason = "client closed the connection during authorization"
        case .serverAwaitReady, .clientSendReady:
            reason = "peer closed the connection right after our READY: ZMQ_GSSAPI_PLAINTEXT probably differs between the peers, or the socket types do not match"
        }
        return fail(.protocolViolation, reason)
    }

    // MARK: messages

    /// Protects an outgoing message. Encrypted: returns the MESSAGE command
    /// body to send in an ordinary frame (no MORE: it travels inside); a
    /// body above `GSSSecurityContext.largestMessage - 1` bytes is refused
    /// with `.invalidArgument` and the session stays ready.
    /// Plaintext: returns the message unchanged.
    public func encode(_ message: ZMTPMessage) throws(ZGSSError) -> ZMTPMessage {
        try requireReady("encode")
        guard protectsMessages else { return message }
        try requireEncodable(message)
        return ZMTPMessage(try wrapMessage(message))
    }

    /// Encrypted mode only: like `encode`, but the MESSAGE body replaces
    /// the contents of `body`, reusing its capacity, so a host that keeps
    /// one buffer per connection allocates nothing per message (with
    /// KerberosCrypto; MIT's path still allocates). Plaintext mode throws
    /// ZGSSError.wrongState: there is nothing to encode.
    public func encode(_ message: ZMTPMessage, into body: inout [UInt8]) throws(ZGSSError) {
        try requireReady("encode")
        guard protectsMessages else { throw ZGSSError(.wrongState, "encode(_:into:) is for encrypted mode") }
        try requireEncodable(message)
        guard let tokens else {
            body = try wrapMessage(message)
            return
        }
        let flags = message.flags.intersection([.more, .command]).rawValue
        try seal(message.body, flags: flags, with: tokens, headerCount: GSSAPICommand.messagePrefix.count + 4,
                 into: &body)
    }

    /// Opens an incoming message (the body of a frame received after the
    /// handshake). Encrypted: the body must be a MESSAGE command whose token
    /// was encrypted by the peer; flags come from inside the wrap.
    /// The message is consumed: when its body is not shared, the token is
    /// decrypted where it lies, without a copy.
    public func decode(_ message: consuming ZMTPMessage) throws(ZGSSError) -> ZMTPMessage {
        try requireReady("decode")
        guard protectsMessages else { return message }
        var opened = try unwrapMessage(&message.body)
        if peerSendsBareTopics {
            // Only a message of one part: not the last part of a longer one.
            let startsMessage = !peerMessageContinues
            if !opened.flags.contains(.command) { peerMessageContinues = opened.flags.contains(.more) }
            if startsMessage && opened.flags.isDisjoint(with: [.more, .command, .subscribe, .cancel])
                && (opened.body.first ?? 2) > 1 {
                opened.flags.insert(.subscribe)
            }
        }
        return opened
    }

    // MARK: internals

    /// The context is established on this side: hand its keys to
    /// KerberosCrypto when it can take them, before READY, so READY
    /// itself is sealed and opened without MIT's per-call set-up (each
    /// gss_wrap/gss_unwrap cost about 7 µs of a handshake). The peer's
    /// READY is its first wrap token, so the exported receive sequence
    /// number is the one it carries.
    private func takeOverKeys(_ context: GSSSecurityContext) throws(ZGSSError) {
        guard protectsMessages, nativeMessageProtection else { return }
        do {
            tokens = try MessageProtection.takeOver(context)
        } catch {
            throw fail(.gss, "cannot take over the session keys for message protection: \(error)")
        }
    }

    /// Throws what `encode` throws for a message of `byteCount` bytes that
    /// is too large to encrypt, so a host can refuse it before copying it.
    /// A token that would not fit the MESSAGE command's 32-bit length (nor
    /// MIT's 32-bit byte counts) is the caller's error: `.invalidArgument`,
    /// and the session goes on. Plaintext mode has no such limit.
    public func checkEncodable(byteCount: Int) throws(ZGSSError) {
        guard protectsMessages else { return }
        let limit = GSSSecurityContext.largestMessage - 1
        guard UInt64(clamping: byteCount) <= limit else {
            throw ZGSSError(.invalidArgument, "a message of \(byteCount) bytes is too large to encrypt (at most \(limit) bytes)")
        }
    }

    private func requireEncodable(_ message: ZMTPMessage) throws(ZGSSError) {
        try checkEncodable(byteCount: message.body.count)
    }

    private func requireReady(_ operation: String) throws(ZGSSError) {
        switch phase {
        case .ready: return
        case .failed: throw failure ?? ZGSSError(.wrongState, "the session failed")
        case .clientStart, .clientAwaitToken, .clientSendToken, .clientAwaitReady, .clientSendReady,
             .serverAwaitToken, .serverSendToken, .serverAwaitEmpty, .serverAwaitAuthorization,
             .serverSendReady, .serverAwaitReady:
            throw ZGSSError(.wrongState, "\(operation) is valid only after the handshake")
        }
    }

    @discardableResult
    private func fail(_ code: ZGSSErrorCode, _ message: String) -> ZGSSError {
        if phase == .ready { failureNeedsNoError = true }
        let error = ZGSSError(code, message)
        phase = .failed
        failure = error
        lastError = error
        return error
    }

    /// The peer's ERROR during the handshake. A ZAP status code means it
    /// refused this side's authorization (`.denied`).
    private func refused(by body: [UInt8]) -> ZGSSError {
        failureNeedsNoError = true
        let peer = isServer ? "client" : "server"
        guard let reason = try? ErrorCommand.parseReason(body) else {
            return fail(.protocolViolation, "\(peer) sent a malformed ERROR command")
        }
        let text = "\(peer) refused the handshake with ERROR \"\(ErrorCommand.displayText(reason))\""
        switch ErrorCommand.zapStatus(reason) {
        case 300?:
            return fail(.denied, text + ": its authorization service failed for now (ZAP status 300, try again later)")
        case 400?:
            return fail(.denied, text + ": this \(isServer ? "server" : "client") is not authorized (ZAP status 400)")
        case 500?:
            return fail(.denied, text + ": its authorization service failed (ZAP status 500)")
        default:
            return fail(.protocolViolation, text)
        }
    }

    private func parse<T>(_ body: () throws -> T) throws(ZGSSError) -> T {
        do {
            return try body()
        } catch let error as CodecError {
            throw fail(.protocolViolation, error.reason)
        } catch {
            throw fail(.protocolViolation, "\(error)")
        }
    }

    private func gssStep(_ token: ArraySlice<UInt8>?) throws(ZGSSError) -> GSSSecurityContext.Step {
        do {
            if !isServer, let step = try directStep(token) { return step }
            if context == nil {
                if isServer {
                    context = GSSSecurityContext(acceptorWith: credential?.credential)
                } else {
                    let target = try configuration.targetName()
                    context = GSSSecurityContext(initiatorWith: credential?.credential, target: target)
                }
            }
            guard let first = context else { throw fail(.gss, "no security context") }
            let step = try stepRetryingCredential(first, token)
            // The retry may have replaced the context.
            guard let context else { throw fail(.gss, "no security context") }
            if step.isComplete {
                peerPrincipal = try context.peerName()
                if protectsMessages && !context.offersConfidentiality {
                    throw fail(.gss, "the security context offers no confidentiality; encryption is required")
                }
                try takeOverKeys(context)
            }
            return step
        } catch let error as ZGSSError {
            if phase != .failed { fail(error.code, error.message) }
            throw error
        } catch let error as GSSError {
            throw fail(.gss, describeStepFailure(error))
        } catch {
            throw fail(.gss, "\(error)")
        }
    }

    /// A client's step on the direct route: its AP-REQ when the route
    /// can make one (nil otherwise, before anything is sent: MIT's
    /// gss_init_sec_context then makes the token), then the check of the
    /// server's reply, which has no way back to MIT's path.
    private func directStep(_ token: ArraySlice<UInt8>?) throws -> GSSSecurityContext.Step? {
        if let initiator = directInitiator {
            guard let token else { return nil }
            directInitiator = nil
            var keys = try initiator.finish(reply: token)
            peerPrincipal = initiator.peerName
            if protectsMessages {
                tokens = try WrapTokenCodec(keys: &keys)
            } else {
                keys.wipe()
            }
            return GSSSecurityContext.Step(token: [], isComplete: true)
        }
        guard token == nil, context == nil, directHandshake, nativeMessageProtection,
              let route = credential?.directRoute,
              let (initiator, request) = DirectInitiator.start(route: route) else { return nil }
        directInitiator = initiator
        tookDirectRoute = true
        return GSSSecurityContext.Step(token: request, isComplete: false)
    }

    /// One GSS step. A client whose first step fails because libkrb5
    /// refused the configuration's shared credential (a new kinit as
    /// another principal, or tickets that ended sooner than expected)
    /// drops it and tries once more with a fresh one, so a stale cached
    /// credential costs no connection.
    private func stepRetryingCredential(_ context: GSSSecurityContext,
                                        _ token: ArraySlice<UInt8>?) throws -> GSSSecurityContext.Step {
        do {
            return try context.step(token)
        } catch let error as GSSError where !isServer && token == nil && error.isCredentialProblem {
            guard let stale = credential else { throw error }
            configuration.credentialRefused(stale)
            credential = try configuration.credential()
            let fresh = GSSSecurityContext(initiatorWith: credential?.credential, target: try configuration.targetName())
            self.context = fresh
            return try fresh.step(nil)
        }
    }

    private func describeStepFailure(_ error: GSSError) -> String {
        if isServer {
            return "cannot accept the client's Kerberos token: \(error.reason)"
        }
        let service = configuration.options.servicePrincipal ?? "the service"
        return "cannot authenticate to \(service): \(error.reason)"
    }

    private func authorizeLocally() throws(ZGSSError) {
        let allowed = configuration.options.allowedPrincipals
        if !allowed.isEmpty {
            // Bytes, not String ==, which would admit an NFD name for an
            // NFC entry (peerPrincipal is the display name, UTF-8 checked).
            guard let principal = peerPrincipal, allowed.contains(PrincipalName(principal)) else {
                throw fail(.denied, "client principal \(peerPrincipal ?? "(unknown)") is not in the allowed list")
            }
        }
    }

    /// READY as this side sends it, before any wrapping.
    func readyBody() -> [UInt8] {
        GSSAPICommand.ready(readyMetadata(socketType: socketType, routingId: routingId))
    }

    private func readyCommand() throws(ZGSSError) -> [UInt8] {
        let ready = readyBody()
        guard protectsMessages else { return ready }
        // libzmq wraps READY with an inner flags byte of 0 (it marks the
        // frame as a command only after wrapping); do the same, byte for byte.
        return try wrapMessage(ZMTPMessage(ready))
    }

    private func processReady(_ body: [UInt8]) throws(ZGSSError) {
        var readyBody = body
        if protectsMessages {
            if Command.hasName(body, "READY") {
                throw fail(.protocolViolation,
                           "peer sent READY in plaintext but this side requires encryption (ZMQ_GSSAPI_PLAINTEXT differs between the peers)")
            }
            var wrapped = body
            let inner = try unwrapMessage(&wrapped)
            readyBody = inner.body
        } else if Command.hasName(body, "MESSAGE") {
            throw fail(.protocolViolation,
                       "peer sent an encrypted MESSAGE but ZMQ_GSSAPI_PLAINTEXT is set on this side (the setting differs between the peers)")
        }
        let metadata = try parse { try GSSAPICommand.parseReady(readyBody) }
        guard let typeName = metadata["Socket-Type"] else {
            throw fail(.protocolViolation, "peer's READY has no Socket-Type")
        }
        guard let peerType = SocketType(name: typeName) else {
            throw fail(.protocolViolation, "peer's Socket-Type \"\(String(decoding: typeName, as: UTF8.self))\" is unknown")
        }
        guard socketType.accepts(peerType) else {
            throw fail(.protocolViolation, "a \(peerType.name) peer cannot talk to a \(socketType.name) socket")
        }
        peerMetadata = metadata
        peerSendsBareTopics = peerType == .sub && (socketType == .pub || socketType == .xpub)
    }

    private func wrapMessage(_ message: ZMTPMessage) throws(ZGSSError) -> [UInt8] {
        let flags = message.flags.intersection([.more, .command]).rawValue
        let headerCount = GSSAPICommand.messagePrefix.count + 4
        if let tokens {
            var out: [UInt8] = []
            try seal(message.body, flags: flags, with: tokens, headerCount: headerCount, into: &out)
            return out
        }
        guard let context else { throw fail(.wrongState, "no security context") }
        do {
            var out = try message.body.withUnsafeBytes { payload in
                try context.wrap(prefixCount: headerCount, flags: flags, payload: payload)
            }
            let tokenCount = out.count - headerCount
            out.withUnsafeMutableBytes { raw in GSSAPICommand.writeMessageHeader(into: raw, tokenCount: tokenCount) }
            return out
        } catch let error as GSSError {
            let reason = error.isContextExpired ? "the security context has expired" : error.reason
            throw fail(.gss, "cannot encrypt a message: \(reason)")
        } catch {
            throw fail(.gss, "cannot encrypt a message: \(error)")
        }
    }

    /// Opens a MESSAGE body, decrypting its token in place (the token's
    /// bytes are zeroed afterwards).
    private func unwrapMessage(_ body: inout [UInt8]) throws(ZGSSError) -> ZMTPMessage {
        let token = try parse { [body] in try GSSAPICommand.parseMessage(body) }.indices
        if let tokens { return try open(&body, token: token, with: tokens) }
        guard let context else { throw fail(.wrongState, "no security context") }
        let opened: Result<ZMTPMessage, ZGSSError>
        do {
            opened = try context.unwrap(inPlace: &body, range: token) { data, wasConfidential -> Result<ZMTPMessage, ZGSSError> in
                guard wasConfidential else {
                    return .failure(ZGSSError(.protocolViolation,
                                              "peer sent a message without confidentiality in encrypted mode"))
                }
                guard let flagsByte = data.first else {
                    return .failure(ZGSSError(.protocolViolation, "peer sent an empty wrapped message (no flags byte)"))
                }
                return .success(ZMTPMessage(Array(data[1...]), flags: MessageFlags(rawValue: flagsByte & 0x0f)))
            }
        } catch let error as GSSError {
            let reason = error.isContextExpired ? "the security context has expired" : error.reason
            throw fail(.protocolViolation, "a message from the peer failed its integrity check: \(reason)")
        } catch {
            throw fail(.protocolViolation, "a message from the peer failed its integrity check: \(error)")
        }
        switch opened {
        case .success(let message): return message
        case .failure(let error): throw fail(error.code, error.message)
        }
    }

    // MARK: KerberosCrypto tokens

    /// MESSAGE command body `[prefix][length 4][token]` around
    /// `flags + body`, sealed where it lies in `out`, whose contents it
    /// replaces (its capacity is reused: a caller that keeps one buffer
    /// allocates nothing per message).
    private func seal(_ body: [UInt8], flags: UInt8, with tokens: WrapTokenCodec, headerCount: Int,
                      into out: inout [UInt8]) throws(ZGSSError) {
        let tokenCount = tokens.tokenCount(dataCount: 1 + body.count)
        out.removeAll(keepingCapacity: true)
        out.append(contentsOf: repeatElement(0, count: headerCount + tokenCount))
        let failure: KerberosCryptoError? = out.withUnsafeMutableBytes { raw in
            GSSAPICommand.writeMessageHeader(into: raw, tokenCount: tokenCount)
            let data = headerCount + WrapTokenCodec.dataOffset
            raw[data] = flags
            body.withUnsafeBytes { source in
                UnsafeMutableRawBufferPointer(rebasing: raw[(data + 1)...]).copyMemory(from: source)
            }
            do throws(KerberosCryptoError) {
                try tokens.seal(UnsafeMutableRawBufferPointer(rebasing: raw[headerCount...]))
                return nil
            } catch {
                raw.initializeMemory(as: UInt8.self, repeating: 0)
                return error
            }
        }
        if let failure {
            out.removeAll(keepingCapacity: true)
            throw fail(.gss, "cannot encrypt a message: \(failure.reason)")
        }
    }

    /// Opens the token at `token` in `body` and leaves `body` holding just
    /// the message (moved to its front): no allocation.
    private func open(_ body: inout [UInt8], token: Range<Int>, with tokens: WrapTokenCodec) throws(ZGSSError) -> ZMTPMessage {
        let opened: Result<(flags: UInt8, start: Int, count: Int), ZGSSError> = body.withUnsafeMutableBytes { raw in
            do throws(KerberosCryptoError) {
                let data = try tokens.open(UnsafeMutableRawBufferPointer(rebasing: raw[token]))
                guard !data.isEmpty else {
                    return .failure(ZGSSError(.protocolViolation, "peer sent an empty wrapped message (no flags byte)"))
                }
                return .success((raw[token.lowerBound + data.lowerBound], token.lowerBound + data.lowerBound + 1, data.count - 1))
            } catch {
                raw.initializeMemory(as: UInt8.self, repeating: 0)
                return .failure(ZGSSError(.protocolViolation, "a message from the peer failed its integrity check: \(error.reason)"))
            }
        }
        switch opened {
        case .failure(let error):
            throw fail(error.code, error.message)
        case .success(let data):
            body.withUnsafeMutableBytes { raw in
                guard let base = raw.baseAddress, data.count > 0 else { return }
                base.copyMemory(from: base + data.start, byteCount: data.count)
            }
            body.removeLast(body.count - data.count)
            return ZMTPMessage(body, flags: MessageFlags(rawValue: data.flags & 0x0f))
        }
    }
}

// SPDX-License-Identifier: MIT
public import ZMTPCodec

/// ZMTP's NULL security mechanism: each side sends READY with its
/// Socket-Type (and Identity) and checks the peer's; messages pass
/// unchanged. As libzmq's `null_mechanism_t`, sending and receiving READY
/// are independent: the handshake is done when both have happened.
///
///     sendReady / awaitReady   next        → READY            (sent)
///     awaitReady (any)         recv READY  → check Socket-Type (received)
///     any handshake state      recv ERROR  → failed (the peer refused)
///     any handshake state      recv other  → failed
///     ready                    recv any    → failed
public final class NullMechanism: Mechanism {
    public let socketType: SocketType
    public let routingId: [UInt8]
    private var sentReady = false
    private var receivedReady = false
    private var failure: ZGSSError?

    public private(set) var peerMetadata = Metadata()
    public var peerPrincipal: String? { nil }
    public var protectsMessages: Bool { false }

    public init(socketType: SocketType, routingId: [UInt8] = []) {
        self.socketType = socketType
        self.routingId = Array(routingId.prefix(255))
    }

    public var status: MechanismStatus {
        if failure != nil { return .failed }
        return sentReady && receivedReady ? .ready : .handshaking
    }

    public func nextHandshakeCommand() throws(ZGSSError) -> [UInt8]? {
        if let failure { throw failure }
        guard !sentReady else { return nil }
        sentReady = true
        var data: [UInt8] = []
        readyMetadata(socketType: socketType, routingId: routingId).encode(into: &data)
        return Command.encode(name: "READY", data: data)
    }

    public func processHandshakeCommand(_ body: [UInt8]) throws(ZGSSError) {
        if let failure { throw failure }
        guard !receivedReady else {
            throw fail(.protocolViolation, "unexpected \(GSSAPICommand.describe(body)) after the handshake completed")
        }
        if Command.hasName(body, "ERROR") {
            let reason = (try? ErrorCommand.parseReason(body)).map { ErrorCommand.displayText($0) }
            throw fail(.protocolViolation, "peer refused the handshake: ERROR \"\(reason ?? "(malformed)")\"")
        }
        guard Command.hasName(body, "READY") else {
            throw fail(.protocolViolation, "expected READY, got \(GSSAPICommand.describe(body))")
        }
        let metadata: Metadata
        do {
            metadata = try Metadata(parsing: body[6...])
        } catch {
            throw fail(.protocolViolation, "peer's READY is malformed: \(reasonText(error))")
        }
        guard let name = metadata["Socket-Type"], let type = SocketType(name: name) else {
            throw fail(.protocolViolation, "peer's READY has no known Socket-Type")
        }
        guard socketType.accepts(type) else {
            throw fail(.protocolViolation, "a \(type.name) peer cannot talk to a \(socketType.name) socket")
        }
        peerMetadata = metadata
        receivedReady = true
    }

    public func encode(_ message: ZMTPMessage) throws(ZGSSError) -> ZMTPMessage {
        try requireReady("encode")
        return message
    }

    public func encode(_ message: ZMTPMessage, into body: inout [UInt8]) throws(ZGSSError) {
        throw ZGSSError(.wrongState, "encode(_:into:) is for a mechanism that protects messages")
    }

    public func decode(_ message: consuming ZMTPMessage) throws(ZGSSError) -> ZMTPMessage {
        try requireReady("decode")
        return message
    }

    /// NULL refuses no one: there is never an ERROR to send.
    public func errorCommand(reason: [UInt8]? = nil) -> [UInt8]? { nil }

    @discardableResult
    public func connectionClosed() -> ZGSSError? {
        if let failure { return failure }
        if status == .ready { return nil }
        return fail(.protocolViolation, "peer closed the connection during the NULL handshake")
    }

    private func requireReady(_ operation: String) throws(ZGSSError) {
        if let failure { throw failure }
        guard status == .ready else { throw ZGSSError(.wrongState, "\(operation) is valid only after the handshake") }
    }

    private func reasonText(_ error: any Error) -> String {
        if let codec = error as? CodecError { return codec.reason }
        return "\(error)"
    }

    private func fail(_ code: ZGSSErrorCode, _ message: String) -> ZGSSError {
        let error = ZGSSError(code, message)
        failure = error
        return error
    }
}

// SPDX-License-Identifier: MIT
public import ZMTPCodec

/// Where a mechanism's handshake stands (libzmq's `mechanism_t::status_t`,
/// plus the pause for an external authorization decision).
public enum MechanismStatus: Sendable, Equatable {
    case handshaking
    /// The client authenticated; the host must call `authorize(_:)`
    /// (GSSAPI with external authorization, e.g. ZAP).
    case awaitingAuthorization
    case ready
    case failed
}

/// A ZMTP security mechanism as a sans-I/O state machine, what libzmq's
/// `mechanism_t` is to its engine: the host frames bytes and moves them,
/// the mechanism says what the handshake commands are and how messages
/// are protected. Errors are `ZGSSError`s; a failure is for good (every
/// later call throws it again).
public protocol Mechanism {
    /// The next command body to send in a command frame, or nil when it is
    /// the peer's turn (libzmq: `next_handshake_command`).
    func nextHandshakeCommand() throws(ZGSSError) -> [UInt8]?
    /// Feeds the body of a command frame from the peer during the
    /// handshake (libzmq: `process_handshake_command`).
    func processHandshakeCommand(_ body: [UInt8]) throws(ZGSSError)
    /// Whether `encode` and `decode` change messages. False: they pass
    /// them through and the host may skip them.
    var protectsMessages: Bool { get }
    /// An outgoing message as it goes on the wire (libzmq: `encode`).
    func encode(_ message: ZMTPMessage) throws(ZGSSError) -> ZMTPMessage
    /// For a mechanism that protects messages: the body of the one frame
    /// (no flags) that carries `message`, written into `body`, whose
    /// capacity is reused.
    func encode(_ message: ZMTPMessage, into body: inout [UInt8]) throws(ZGSSError)
    /// An incoming message (a frame received after the handshake) as the
    /// application sees it (libzmq: `decode`).
    func decode(_ message: consuming ZMTPMessage) throws(ZGSSError) -> ZMTPMessage
    /// libzmq: `status`.
    var status: MechanismStatus { get }
    /// The peer's READY metadata (Socket-Type, Identity, ...), once received.
    var peerMetadata: Metadata { get }
    /// The authenticated peer principal, when the mechanism has one
    /// (libzmq: `get_user_id`).
    var peerPrincipal: String? { get }
    /// After this side refused the handshake: the ERROR body to send before
    /// closing, or nil.
    func errorCommand(reason: [UInt8]?) -> [UInt8]?
    /// The connection closed: before READY the likeliest reason (also
    /// recorded as the failure), nil after READY.
    @discardableResult
    func connectionClosed() -> ZGSSError?
}

extension Mechanism {
    /// The peer's Identity property (libzmq: `peer_routing_id`), empty
    /// when it sent none.
    public var peerIdentity: [UInt8] { peerMetadata["Identity"] ?? [] }

    /// The peer's socket type from its READY.
    public var peerSocketType: SocketType? {
        peerMetadata["Socket-Type"].flatMap { SocketType(name: $0) }
    }
}

/// The metadata of the READY a `socketType` socket sends: its Socket-Type
/// and, for the types that send one, its routing id as Identity.
func readyMetadata(socketType: SocketType, routingId: [UInt8]) -> Metadata {
    var properties = [Metadata.Property(name: "Socket-Type", value: Array(socketType.name.utf8))]
    if socketType.sendsIdentity {
        properties.append(Metadata.Property(name: "Identity", value: routingId))
    }
    return Metadata(properties)
}

// SPDX-License-Identifier: MIT
public import ZMTPCodec

/// One connection's mechanism, NULL or GSSAPI, for a host that keeps
/// either: the calls dispatch with a switch, not through a protocol
/// existential, and the per-message calls are inlinable into the host,
/// so the per-message path stays direct.
public enum SecurityMechanism: Mechanism {
    case null(NullMechanism)
    case gssapi(GSSAPIMechanism)

    /// The mechanism as the one protocol, for what is not per message.
    public var mechanism: any Mechanism {
        switch self {
        case .null(let null): null
        case .gssapi(let gssapi): gssapi
        }
    }

    public func nextHandshakeCommand() throws(ZGSSError) -> [UInt8]? {
        switch self {
        case .null(let null): try null.nextHandshakeCommand()
        case .gssapi(let gssapi): try gssapi.nextHandshakeCommand()
        }
    }

    public func processHandshakeCommand(_ body: [UInt8]) throws(ZGSSError) {
        switch self {
        case .null(let null): try null.processHandshakeCommand(body)
        case .gssapi(let gssapi): try gssapi.processHandshakeCommand(body)
        }
    }

    @inlinable
    public var protectsMessages: Bool {
        switch self {
        case .null: false
        case .gssapi(let gssapi): gssapi.protectsMessages
        }
    }

    public func encode(_ message: ZMTPMessage) throws(ZGSSError) -> ZMTPMessage {
        switch self {
        case .null(let null): try null.encode(message)
        case .gssapi(let gssapi): try gssapi.encode(message)
        }
    }

    @inlinable
    public func encode(_ message: ZMTPMessage, into body: inout [UInt8]) throws(ZGSSError) {
        switch self {
        case .null(let null): try null.encode(message, into: &body)
        case .gssapi(let gssapi): try gssapi.encode(message, into: &body)
        }
    }

    @inlinable
    public func decode(_ message: consuming ZMTPMessage) throws(ZGSSError) -> ZMTPMessage {
        switch self {
        case .null(let null): try null.decode(message)
        case .gssapi(let gssapi): try gssapi.decode(message)
        }
    }

    public var status: MechanismStatus { mechanism.status }
    public var peerMetadata: Metadata { mechanism.peerMetadata }
    public var peerPrincipal: String? { mechanism.peerPrincipal }

    public func errorCommand(reason: [UInt8]?) -> [UInt8]? { mechanism.errorCommand(reason: reason) }

    @discardableResult
    public func connectionClosed() -> ZGSSError? { mechanism.connectionClosed() }
}

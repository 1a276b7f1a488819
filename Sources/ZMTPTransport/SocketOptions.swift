// SPDX-License-Identifier: MIT
import Glibc
internal import CZGSSHeader
import ZMTPCodec
import ZMTPGSSAPI

/// A value read back with getsockopt. `string` is copied with a NUL;
/// `bytes` (binary, e.g. ZMQ_ROUTING_ID) without one.
public enum SocketOptionValue: Equatable, Sendable {
    case int(Int32)
    /// ZMQ_MAXMSGSIZE is an int64_t in zmq.h.
    case int64(Int64)
    case string(String)
    case bytes([UInt8])
}

/// The settable options of one socket, validated as zmq_setsockopt does.
struct SocketOptions {
    var linger: Int32 = -1
    var receiveTimeout: Int32 = -1
    var sendTimeout: Int32 = -1
    var sendHWM: Int32 = 1000
    var receiveHWM: Int32 = 1000
    var handshakeInterval: Int32 = 30_000
    var reconnectInterval: Int32 = 100
    var ipv6: Int32 = 0
    /// ZMQ_BACKLOG: the listen(2) queue of binds made afterwards.
    var backlog: Int32 = 100
    var maxMessageSize: Int64 = -1
    /// The largest frame a peer may send before its handshake completes
    /// (ZGSS_HANDSHAKE_MAXMSGSIZE): greeting-time commands, INITIATE with
    /// its Kerberos token, READY, ERROR.
    var handshakeMaxMessageSize = SocketOptions.defaultHandshakeMaxMessageSize
    var heartbeatInterval: Int32 = 0
    var heartbeatTTL: Int32 = 0
    var heartbeatTimeout: Int32 = -1
    var routingId: [UInt8] = []
    /// XPUB sockets only (ZSocket.setOption checks the type).
    var xpub = XPubOptions()
    var gssapi = GSSAPIOptions()
    /// The context's pool: sockets with equal GSSAPI options share one
    /// configuration and its credentials (nil: this socket's own).
    var pool: ConfigurationPool?
    private var frozen: SecurityConfiguration?

    /// A Kerberos AP-REQ is at most tens of KiB (Windows caps its tokens at
    /// MaxTokenSize, 48000 bytes by default, 65535 at most); 128 KiB leaves
    /// room for that and the INITIATE framing around it.
    static let defaultHandshakeMaxMessageSize: Int64 = 128 << 10

    /// The mechanism new connections use. GSSAPI credentials are acquired
    /// once per set of options and shared by the connections, and by the
    /// other sockets of the context with the same options.
    mutating func security() -> SecurityMode {
        guard gssapi.selected else { return .null }
        if let frozen { return .gssapi(frozen) }
        let configuration = pool?.configuration(for: gssapi) ?? SecurityConfiguration(options: gssapi)
        frozen = configuration
        return .gssapi(configuration)
    }

    /// Sets a plain or GSSAPI option. SUBSCRIBE/UNSUBSCRIBE are the
    /// socket's business and never reach here.
    mutating func set(_ option: Int32, _ value: UnsafeRawBufferPointer?) throws(TransportError) {
        switch option {
        case ZMQ_LINGER: linger = try Self.int(value, option, minimum: -1)
        case ZMQ_RCVTIMEO: receiveTimeout = try Self.int(value, option, minimum: -1)
        case ZMQ_SNDTIMEO: sendTimeout = try Self.int(value, option, minimum: -1)
        case ZMQ_SNDHWM: sendHWM = try Self.int(value, option, minimum: 0)
        case ZMQ_RCVHWM: receiveHWM = try Self.int(value, option, minimum: 0)
        case ZMQ_HANDSHAKE_IVL: handshakeInterval = try Self.int(value, option, minimum: 0)
        case ZMQ_RECONNECT_IVL: reconnectInterval = try Self.int(value, option, minimum: -1)
        case ZMQ_HEARTBEAT_IVL: heartbeatInterval = try Self.int(value, option, minimum: 0)
        case ZMQ_HEARTBEAT_TIMEOUT: heartbeatTimeout = try Self.int(value, option, minimum: -1)
        case ZMQ_HEARTBEAT_TTL:
            let ttl = try Self.int(value, option, minimum: 0)
            // Sent in deciseconds in a 16-bit field, as libzmq does.
            guard ttl <= 6_553_599 else { throw .invalid("ZMQ_HEARTBEAT_TTL is at most 6553599 ms") }
            heartbeatTTL = ttl
        case ZMQ_BACKLOG: backlog = try Self.int(value, option, minimum: 0)
        case ZMQ_IPV6:
            let flag = try Self.int(value, option, minimum: 0)
            guard flag <= 1 else { throw .invalid("ZMQ_IPV6 takes 0 or 1") }
            ipv6 = flag
        case ZMQ_MAXMSGSIZE:
            guard let value, value.baseAddress != nil, value.count == OptionLength.int64 else {
                throw .invalid("ZMQ_MAXMSGSIZE takes an int64_t (exactly \(OptionLength.int64) bytes)")
            }
            let limit = value.loadUnaligned(as: Int64.self)
            guard limit >= -1 else { throw .invalid("ZMQ_MAXMSGSIZE must be -1 (no limit) or a size") }
            maxMessageSize = limit
        case ZGSS_HANDSHAKE_MAXMSGSIZE:
            guard let value, value.baseAddress != nil, value.count == MemoryLayout<Int64>.size else {
                throw .invalid("ZGSS_HANDSHAKE_MAXMSGSIZE takes an int64_t (8 bytes)")
            }
            let limit = value.loadUnaligned(as: Int64.self)
            let most = Int64(FrameDecoder.defaultMaxFrameSize)
            guard (0...most).contains(limit) else {
                throw .invalid("ZGSS_HANDSHAKE_MAXMSGSIZE must be 0 to \(most) bytes, got \(limit)")
            }
            handshakeMaxMessageSize = limit
        case ZMQ_ROUTING_ID:
            guard let value, value.baseAddress != nil, (1...255).contains(value.count) else {
                throw .invalid("ZMQ_ROUTING_ID takes 1 to 255 bytes")
            }
            routingId = Array(value)
        case ZGSS_EXTERNAL_AUTHZ:
            throw .invalid("ZGSS_EXTERNAL_AUTHZ is for the sans-I/O mechanism; sockets have no ZAP hand-off")
        default:
            guard GSSAPIOptions.handles(option) else { throw .invalid("unknown or read-only option \(option)") }
            do {
                try gssapi.set(option, value)
            } catch {
                throw .invalid(error.message)
            }
            frozen = nil
        }
    }

    func get(_ option: Int32) -> SocketOptionValue? {
        switch option {
        case ZMQ_LINGER: .int(linger)
        case ZMQ_RCVTIMEO: .int(receiveTimeout)
        case ZMQ_SNDTIMEO: .int(sendTimeout)
        case ZMQ_SNDHWM: .int(sendHWM)
        case ZMQ_RCVHWM: .int(receiveHWM)
        case ZMQ_HANDSHAKE_IVL: .int(handshakeInterval)
        case ZMQ_RECONNECT_IVL: .int(reconnectInterval)
        case ZMQ_HEARTBEAT_IVL: .int(heartbeatInterval)
        case ZMQ_HEARTBEAT_TTL: .int(heartbeatTTL)
        case ZMQ_HEARTBEAT_TIMEOUT: .int(heartbeatTimeout)
        case ZMQ_IPV6: .int(ipv6)
        case ZMQ_BACKLOG: .int(backlog)
        case ZMQ_MAXMSGSIZE: .int64(maxMessageSize)
        case ZGSS_HANDSHAKE_MAXMSGSIZE: .int64(handshakeMaxMessageSize)
        case ZMQ_ROUTING_ID: .bytes(routingId)
        case ZMQ_MECHANISM: .int(gssapi.selected ? ZMQ_GSSAPI : ZMQ_NULL)
        default:
            switch gssapi.get(option) {
            case .int(let number): .int(number)
            case .string(let text): .string(text)
            case nil: nil
            }
        }
    }

    static func int(_ value: UnsafeRawBufferPointer?, _ option: Int32, minimum: Int32) throws(TransportError) -> Int32 {
        guard let value, value.baseAddress != nil, value.count == OptionLength.int else {
            throw .invalid("option \(option) takes an int (exactly \(OptionLength.int) bytes)")
        }
        let number = value.loadUnaligned(as: Int32.self)
        guard number >= minimum else { throw .invalid("option \(option) must be at least \(minimum), got \(number)") }
        return number
    }
}

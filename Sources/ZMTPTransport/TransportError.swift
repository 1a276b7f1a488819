// SPDX-License-Identifier: MIT
import Glibc
internal import CZGSSHeader

/// Why a socket call failed: the errno value the C ABI sets (libzmq's
/// conventions) and a sentence for logs.
public struct TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    public let errno: Int32
    public let reason: String

    public init(_ errno: Int32, _ reason: String) {
        self.errno = errno
        self.reason = reason
    }

    public var description: String { reason }

    static func invalid(_ reason: String) -> TransportError { TransportError(EINVAL, reason) }
    static let again = TransportError(EAGAIN, "resource temporarily unavailable")
    static let terminated = TransportError(ZMQErrnoValue.eterm, "the context was terminated")
    static func fsm(_ reason: String) -> TransportError { TransportError(ZMQErrnoValue.efsm, reason) }
}

/// libzmq's own errno values, from include/zgss.h (which has zmq.h's).
public enum ZMQErrnoValue {
    public static let efsm: Int32 = EFSM
    public static let enocompatproto: Int32 = ENOCOMPATPROTO
    public static let eterm: Int32 = ETERM
    public static let emthread: Int32 = EMTHREAD
}

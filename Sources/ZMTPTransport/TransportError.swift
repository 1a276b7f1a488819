// SPDX-License-Identifier: MIT
import Glibc
internal import CZGSSHeader
public import ZGSSBase

/// Why a socket call failed: the errno value the C ABI sets (libzmq's
/// conventions) and a sentence for logs.
public typealias TransportError = CodedError<Int32>

extension CodedError where Code == Int32 {
    public var errno: Int32 { code }
    public var reason: String { message }

    static func invalid(_ reason: String) -> TransportError { TransportError(EINVAL, reason) }
    static var again: TransportError { TransportError(EAGAIN, "resource temporarily unavailable") }
    static var terminated: TransportError { TransportError(ZMQErrnoValue.eterm, "the context was terminated") }
    static func fsm(_ reason: String) -> TransportError { TransportError(ZMQErrnoValue.efsm, reason) }
}

/// libzmq's own errno values, from include/zgss.h (which has zmq.h's).
public enum ZMQErrnoValue {
    public static let efsm: Int32 = EFSM
    public static let enocompatproto: Int32 = ENOCOMPATPROTO
    public static let eterm: Int32 = ETERM
    public static let emthread: Int32 = EMTHREAD
}

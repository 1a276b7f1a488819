// SPDX-License-Identifier: MIT
internal import CZGSSHeader

/// The XPUB-only options, validated as libzmq 4.3.4's xpub_t does: an int
/// (exactly sizeof(int), not negative) for the flags, any bytes for the
/// welcome message. They are write-only in libzmq (getsockopt: EINVAL).
struct XPubOptions: Sendable, Equatable {
    /// ZMQ_XPUB_VERBOSE: every subscription reaches the application, not
    /// only the first one for a topic.
    var verboseSubscribe = false
    /// ZMQ_XPUB_VERBOSER: the same for cancels.
    var verboseCancel = false
    /// ZMQ_XPUB_NODROP: a send waits (or fails with EAGAIN) at ZMQ_SNDHWM
    /// instead of dropping.
    var noDrop = false
    /// ZMQ_XPUB_WELCOME_MSG: sent to each new peer once it is ready.
    var welcome: [UInt8] = []

    static func handles(_ option: Int32) -> Bool {
        switch option {
        case ZMQ_XPUB_VERBOSE, ZMQ_XPUB_VERBOSER, ZMQ_XPUB_NODROP, ZMQ_XPUB_WELCOME_MSG, ZMQ_XPUB_MANUAL: true
        default: false
        }
    }

    mutating func set(_ option: Int32, _ value: UnsafeRawBufferPointer?) throws(TransportError) {
        if option == ZMQ_XPUB_WELCOME_MSG {
            welcome = value.map { Array($0) } ?? []
            return
        }
        let flag = try SocketOptions.int(value, option, minimum: 0) != 0
        switch option {
        case ZMQ_XPUB_VERBOSE:
            verboseSubscribe = flag
            verboseCancel = false
        case ZMQ_XPUB_VERBOSER:
            verboseSubscribe = flag
            verboseCancel = flag
        case ZMQ_XPUB_NODROP:
            noDrop = flag
        default:
            // ZMQ_XPUB_MANUAL hands subscription control to the
            // application; accepting it without doing that would
            // silently change what subscribers receive.
            guard !flag else { throw .invalid("ZMQ_XPUB_MANUAL is not supported by zgss") }
        }
    }
}

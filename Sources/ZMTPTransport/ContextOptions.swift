// SPDX-License-Identifier: MIT
public import ZGSSBase
internal import CZGSSHeader
import Glibc
import ZMTPGSSAPI

/// zgss_ctx_set / zgss_ctx_get: the options libzmq 4.3.4's ctx_t accepts,
/// with its validation (an int of exactly sizeof(int), at least the
/// option's minimum) and its defaults. What each does in zgss:
/// ZMQ_MAX_SOCKETS caps the open sockets (EMFILE beyond it, as libzmq);
/// ZMQ_BLOCKY 0 gives new sockets ZMQ_LINGER 0; ZMQ_IPV6 is new sockets'
/// ZMQ_IPV6; the rest are stored and read back only (zgss sizes its I/O
/// threads itself, IOThreadPool.maxThreads, so ZMQ_IO_THREADS and the
/// thread tuning options change nothing).
public struct ContextSettings: Sendable, Equatable {
    public var ioThreads: Int32 = ZMQ_IO_THREADS_DFLT
    public var maxSockets: Int32 = ZMQ_MAX_SOCKETS_DFLT
    public var ipv6 = false
    public var blocky = true
    public var maxMessageSize: Int32 = Int32.max
    public var threadSchedulingPolicy: Int32 = ZMQ_THREAD_SCHED_POLICY_DFLT
    public var threadPriority: Int32 = ZMQ_THREAD_PRIORITY_DFLT
    public var threadNamePrefix: [UInt8] = []
    public var threadAffinity: Set<Int32> = []

    /// libzmq's ZMQ_SOCKET_LIMIT on Linux (epoll: no descriptor cap).
    public static let socketLimit: Int32 = 65535
    /// libzmq's ZMQ_MSG_T_SIZE.
    public static let messageSize: Int32 = 64

    public init() {}

    /// zmq_ctx_set_ext's rules: -1/EINVAL for an unknown option, a value of
    /// the wrong size or below the option's minimum.
    public mutating func set(_ option: Int32, _ value: UnsafeRawBufferPointer) throws(TransportError) {
        let number: Int32? = value.count == OptionLength.int && value.baseAddress != nil
            ? value.loadUnaligned(as: Int32.self) : nil
        func atLeast(_ minimum: Int32) throws(TransportError) -> Int32 {
            guard let number, number >= minimum else {
                throw .invalid("context option \(option) takes an int of at least \(minimum)")
            }
            return number
        }
        switch option {
        case ZMQ_MAX_SOCKETS: maxSockets = try atLeast(1)
        case ZMQ_IO_THREADS: ioThreads = try atLeast(0)
        case ZMQ_IPV6: ipv6 = try atLeast(0) != 0
        case ZMQ_BLOCKY: blocky = try atLeast(0) != 0
        case ZMQ_MAX_MSGSZ: maxMessageSize = try atLeast(0)
        case ZMQ_THREAD_SCHED_POLICY: threadSchedulingPolicy = try atLeast(0)
        case ZMQ_THREAD_PRIORITY: threadPriority = try atLeast(0)
        case ZMQ_THREAD_AFFINITY_CPU_ADD: threadAffinity.insert(try atLeast(0))
        case ZMQ_THREAD_AFFINITY_CPU_REMOVE:
            guard threadAffinity.remove(try atLeast(0)) != nil else {
                throw .invalid("ZMQ_THREAD_AFFINITY_CPU_REMOVE: that CPU was not added")
            }
        case ZMQ_THREAD_NAME_PREFIX:
            if let number {
                threadNamePrefix = Array(String(number).utf8)
            } else {
                guard (1...16).contains(value.count), value.baseAddress != nil else {
                    throw .invalid("ZMQ_THREAD_NAME_PREFIX takes an int or 1 to 16 bytes")
                }
                threadNamePrefix = Array(value)
            }
        default:
            throw .invalid("unknown context option \(option)")
        }
    }

    /// zmq_ctx_get: the int value of a readable option; nil (EINVAL) for
    /// others (ZMQ_THREAD_PRIORITY and the affinity options are
    /// write-only in libzmq; ZMQ_SOCKET_LIMIT shares 3 with
    /// ZMQ_THREAD_PRIORITY and is the one read).
    public func get(_ option: Int32) -> Int32? {
        switch option {
        case ZMQ_MAX_SOCKETS: maxSockets
        case ZMQ_SOCKET_LIMIT: Self.socketLimit
        case ZMQ_IO_THREADS: ioThreads
        case ZMQ_IPV6: ipv6 ? 1 : 0
        case ZMQ_BLOCKY: blocky ? 1 : 0
        case ZMQ_MAX_MSGSZ: maxMessageSize
        case ZMQ_MSG_T_SIZE: Self.messageSize
        case ZMQ_THREAD_SCHED_POLICY: threadSchedulingPolicy
        case ZMQ_THREAD_NAME_PREFIX:
            // libzmq reads the prefix as a number (atoi).
            Int32(String(decoding: threadNamePrefix.prefix { $0 >= 0x30 && $0 <= 0x39 || $0 == 0x2d }, as: UTF8.self)) ?? 0
        default: nil
        }
    }
}

extension ZContext {
    public func set(_ option: Int32, _ value: UnsafeRawBufferPointer) throws(TransportError) {
        try settings.withLock { (settings: inout ContextSettings) throws(TransportError) in
            try settings.set(option, value)
        }
    }

    public func get(_ option: Int32) -> Int32? {
        settings.withLock { $0.get(option) }
    }
}

// SPDX-License-Identifier: MIT
import Glibc

/// zgss_proxy / zgss_proxy_steerable: libzmq 4.3.4's proxy loop
/// (src/proxy.cpp) over zgss sockets, run in the calling thread, which
/// must own all of them for the duration.
///
/// Messages move whole (every part) from the frontend to the backend and
/// back, in bursts of up to `burst`, and only towards a socket that can
/// take them without blocking (ZMQ_POLLOUT); each part is also sent to the
/// capture socket, if any. The control socket takes single-part commands
/// (captured too): PAUSE stops forwarding, RESUME restarts it, TERMINATE
/// ends the proxy (returns normally), STATISTICS answers with 8 parts of a
/// native-endian uint64 each: the frontend's messages and bytes in, its
/// messages and bytes out, then the backend's four. A multipart command
/// or an unknown one ends the proxy with EINVAL (libzmq aborts the process
/// on the latter). Any socket error ends it with that error (ETERM when
/// the context is terminated), as libzmq's does.
public final class ZProxy {
    public struct Counters: Equatable, Sendable {
        public var messagesIn: UInt64 = 0
        public var bytesIn: UInt64 = 0
        public var messagesOut: UInt64 = 0
        public var bytesOut: UInt64 = 0
    }

    static let burst = 1000

    let frontend: ZSocket
    let backend: ZSocket
    let capture: ZSocket?
    let control: ZSocket?
    public private(set) var frontendCounters = Counters()
    public private(set) var backendCounters = Counters()

    public init(frontend: ZSocket, backend: ZSocket, capture: ZSocket?, control: ZSocket?) {
        self.frontend = frontend
        self.backend = backend
        self.capture = capture
        self.control = control
    }

    private var sameSocket: Bool { frontend === backend }

    public func run() throws(TransportError) {
        var paused = false
        // A side with input whose destination could not take it: wait for
        // the destination's room instead of spinning on the input.
        var frontendBlocked = false
        var backendBlocked = false
        while true {
            var waits: [(ZSocket, SocketEvents)] = []
            if !paused {
                var front: SocketEvents = frontendBlocked ? [] : .pollIn
                var back: SocketEvents = backendBlocked ? [] : .pollIn
                if backendBlocked { front.insert(.pollOut) }
                if frontendBlocked { back.insert(.pollOut) }
                if sameSocket {
                    waits.append((frontend, front.union(back)))
                } else {
                    waits.append((frontend, front))
                    waits.append((backend, back))
                }
            }
            if let control { waits.append((control, .pollIn)) }
            try Self.wait(for: waits)
            if let control, try control.events().contains(.pollIn) {
                switch try command(from: control) {
                case .pause: paused = true
                case .resume: paused = false
                case .terminate: return
                case .statistics: try replyStatistics(on: control)
                }
            }
            if paused { continue }
            let front = try frontend.events()
            let back = sameSocket ? front : try backend.events()
            if front.contains(.pollIn) && (sameSocket || back.contains(.pollOut)) {
                try forward(from: frontend, to: backend, fromFrontend: true)
                frontendBlocked = false
            } else {
                frontendBlocked = front.contains(.pollIn)
            }
            if sameSocket { continue }
            let backNow = try backend.events()
            let frontNow = try frontend.events()
            if backNow.contains(.pollIn) && frontNow.contains(.pollOut) {
                try forward(from: backend, to: frontend, fromFrontend: false)
                backendBlocked = false
            } else {
                backendBlocked = backNow.contains(.pollIn)
            }
        }
    }

    enum Command { case pause, resume, terminate, statistics }

    private func command(from control: ZSocket) throws(TransportError) -> Command {
        let part = try control.receivePart(flags: ZSocket.dontWait)
        if part.more { throw .invalid("a proxy command is a single-part message") }
        try capture?.send(part.bytes, flags: 0)
        switch part.bytes {
        case Array("PAUSE".utf8): return .pause
        case Array("RESUME".utf8): return .resume
        case Array("TERMINATE".utf8): return .terminate
        case Array("STATISTICS".utf8): return .statistics
        default: throw .invalid("unknown proxy command (PAUSE, RESUME, TERMINATE and STATISTICS are known)")
        }
    }

    private func replyStatistics(on control: ZSocket) throws(TransportError) {
        let values = [frontendCounters.messagesIn, frontendCounters.bytesIn, frontendCounters.messagesOut,
                      frontendCounters.bytesOut, backendCounters.messagesIn, backendCounters.bytesIn,
                      backendCounters.messagesOut, backendCounters.bytesOut]
        for (index, value) in values.enumerated() {
            let bytes = withUnsafeBytes(of: value) { Array($0) }
            try control.send(bytes, flags: index + 1 < values.count ? ZSocket.sendMore : 0)
        }
    }

    /// Moves up to `burst` whole messages; stops early when `from` has none.
    private func forward(from: ZSocket, to: ZSocket, fromFrontend: Bool) throws(TransportError) {
        for _ in 0..<Self.burst {
            var size: UInt64 = 0
            var first = true
            while true {
                let part: ZSocket.ReceivedPart
                do {
                    part = try from.receivePart(flags: ZSocket.dontWait)
                } catch {
                    // Nothing more at a message boundary ends the burst.
                    if error.errno == EAGAIN && first { return }
                    throw error
                }
                first = false
                size += UInt64(part.bytes.count)
                let flags = part.more ? ZSocket.sendMore : 0
                try capture?.send(part.bytes, flags: flags)
                try to.send(part.bytes, flags: flags)
                if !part.more { break }
            }
            if fromFrontend {
                frontendCounters.messagesIn += 1
                frontendCounters.bytesIn += size
                backendCounters.messagesOut += 1
                backendCounters.bytesOut += size
            } else {
                backendCounters.messagesIn += 1
                backendCounters.bytesIn += size
                frontendCounters.messagesOut += 1
                frontendCounters.bytesOut += size
            }
        }
    }

    /// Blocks until one of the sockets has one of its wanted events, on
    /// their ZMQ_FD descriptors (edge-triggered: ZMQ_EVENTS is read before
    /// each sleep, so nothing that happened before is missed).
    static func wait(for items: [(ZSocket, SocketEvents)]) throws(TransportError) {
        var descriptors: [pollfd] = []
        for (socket, _) in items {
            descriptors.append(pollfd(fd: try socket.eventDescriptor(), events: Int16(POLLIN), revents: 0))
        }
        while true {
            for (socket, wanted) in items where !(try socket.events()).isDisjoint(with: wanted) { return }
            if poll(&descriptors, nfds_t(descriptors.count), -1) < 0 {
                let code = errno
                if code == EINTR { throw TransportError(EINTR, "interrupted by a signal") }
                throw TransportError(code, "poll failed")
            }
        }
    }
}

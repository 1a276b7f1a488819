// SPDX-License-Identifier: MIT
import Glibc

/// A context's inproc:// names. A bound name belongs to one socket until
/// it closes (a second bind: EADDRINUSE). A connect makes a connected
/// Unix socket pair at once: its own end goes to the connecting socket,
/// the other to the bound socket, or, when nothing is bound yet (libzmq
/// 4.x allows connect before bind), waits here until a bind takes it.
/// Both ends then speak ZMTP with the NULL mechanism through their
/// sockets' I/O threads, as over ipc:// (so ZMQ_RCVHWM, ZMQ_EVENTS and
/// ZMQ_FD behave as for any other peer). Nothing reconnects: when either
/// socket closes, the pair is gone, as a libzmq inproc pipe is.
final class InprocRegistry: @unchecked Sendable {
    // Guarded by lock.
    private let lock = Monitor()
    private var bound: [String: ZSocket] = [:]
    private var waiting: [String: [InprocStream]] = [:]

    /// Claims `name` for `socket`; returns the binder ends of the connects
    /// that came first. EADDRINUSE when another socket holds the name.
    func bind(_ name: String, to socket: ZSocket) throws(TransportError) -> [InprocStream] {
        let result: Result<[InprocStream], TransportError> = lock.withLock {
            if bound[name] != nil {
                return .failure(TransportError(EADDRINUSE, "inproc://\(name) is already bound in this context"))
            }
            bound[name] = socket
            return .success(waiting.removeValue(forKey: name) ?? [])
        }
        return try result.get()
    }

    /// Makes the socket pair for a connect to `name`; returns the
    /// connecting socket's end. The other end goes to the bound socket
    /// (through `handOver`, called with the registry locked so that the
    /// socket cannot close in between) or waits for a bind.
    func connect(_ name: String, handOver: (ZSocket, InprocStream) -> Bool) throws(TransportError) -> InprocStream {
        var fds: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0 else {
            throw TransportError(errno, "socketpair(): \(Net.errorText(errno))")
        }
        for fd in fds { Net.makeNonBlocking(fd) }
        let text = "inproc://\(name)"
        let binderEnd = InprocStream(fd: fds[1], text: text)
        lock.withLock {
            if let socket = bound[name] {
                // A binder that is closing refuses it: this end then sees
                // its peer hang up, as after the binder's close.
                if !handOver(socket, binderEnd) { close(binderEnd.fd) }
            } else {
                waiting[name, default: []].append(binderEnd)
            }
        }
        return InprocStream(fd: fds[0], text: text)
    }

    /// Frees the names `socket` bound (at its close).
    func release(_ socket: ZSocket) {
        lock.withLock {
            bound = bound.filter { $0.value !== socket }
        }
    }

    /// Closes the ends no bind took (at context termination).
    func closeWaiting() {
        let streams: [InprocStream] = lock.withLock {
            defer { waiting = [:] }
            return waiting.values.flatMap { $0 }
        }
        for stream in streams { close(stream.fd) }
    }
}

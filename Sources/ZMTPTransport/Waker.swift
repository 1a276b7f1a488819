// SPDX-License-Identifier: MIT
import Glibc
import Synchronization

/// A self-pipe that wakes an I/O thread out of poll(). Both ends are
/// non-blocking. A wake while an earlier one is still pending (its byte
/// written and not drained yet) writes nothing: the I/O thread has not
/// yet taken up the work posted before that byte, so it takes up this
/// wake's work in the same round (see `drain`).
///
/// It also serves as a socket's ZMQ_FD (SocketState.eventSignal). There
/// the user's poller reads the pipe's readiness and `ZSocket.events`
/// drains it under the socket's lock; `eventsSignalled` already keeps it
/// to one byte, so the pending flag changes nothing for that use.
final class Waker: @unchecked Sendable {
    // File descriptors are plain integers; write(2) on a pipe is thread-safe.
    let readFD: Int32
    let writeFD: Int32
    /// A byte was written (or is about to be) and not yet drained.
    private let pending = Atomic<Bool>(false)

    init?() {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return nil }
        readFD = fds[0]
        writeFD = fds[1]
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
    }

    /// Callers post their work (under the socket's lock, or into a
    /// connection's output under its lock) before they call this.
    func wake() {
        guard !pending.exchange(true, ordering: .sequentiallyConsistent) else { return }
        var byte: UInt8 = 1
        _ = write(writeFD, &byte, 1)
    }

    /// Empties the pipe (called by the I/O thread after poll reports it;
    /// the loop then syncs before it polls again, so it takes up all work
    /// posted before the wakes it drained). The pipe is read before the
    /// flag is cleared: a wake in between writes nothing, and its work is
    /// taken up by that same sync. Clearing first would let a wake write a
    /// byte this read then swallows, leaving the flag set on an empty pipe
    /// and every later wake silent. A short read means the pipe is empty:
    /// no second read to learn that from EAGAIN, and no allocation.
    func drain() {
        withUnsafeTemporaryAllocation(byteCount: 256, alignment: 1) { buffer in
            while read(readFD, buffer.baseAddress, buffer.count) == buffer.count {}
        }
        pending.store(false, ordering: .sequentiallyConsistent)
    }

    deinit {
        close(readFD)
        close(writeFD)
    }
}

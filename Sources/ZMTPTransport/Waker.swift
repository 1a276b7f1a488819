// SPDX-License-Identifier: MIT
import Glibc

/// A self-pipe that wakes an I/O thread out of poll(). Both ends are
/// non-blocking: waking a thread that already has a byte pending is free.
final class Waker: @unchecked Sendable {
    // File descriptors are plain integers; write(2) on a pipe is thread-safe.
    let readFD: Int32
    let writeFD: Int32

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

    func wake() {
        var byte: UInt8 = 1
        _ = write(writeFD, &byte, 1)
    }

    /// Empties the pipe (called by the I/O thread after poll reports it).
    /// A short read means the pipe is empty: no second read to learn that
    /// from EAGAIN, and no allocation.
    func drain() {
        withUnsafeTemporaryAllocation(byteCount: 256, alignment: 1) { buffer in
            while read(readFD, buffer.baseAddress, buffer.count) == buffer.count {}
        }
    }

    deinit {
        close(readFD)
        close(writeFD)
    }
}

// SPDX-License-Identifier: MIT
internal import ZGSSBase
import Glibc
import ZMTPCodec

/// A connection's bytes on their way to the kernel, and the life of its fd.
/// Both the I/O thread and the application thread (direct sends) append
/// and write, so everything here is guarded by its own lock; the send(2)
/// itself runs with the lock released.
///
/// Two buffers: frames are appended to `tail`; `head` (from `headOffset`)
/// is what a flush writes. The writing thread takes `head` out for the
/// send(2), so the other thread can append meanwhile; `writing` tells it
/// not to write too (the writer goes on with what was appended), and
/// `writingCount` how many bytes are out.
final class OutputBuffer: @unchecked Sendable {
    let fd: Int32
    private let peerText: String
    private let lock = Lock()
    private var head: [UInt8] = []
    private var headOffset = 0
    private var tail: [UInt8] = []
    private var writing = false
    private var writingCount = 0
    /// Set (under the lock, by the I/O thread, which may read it without)
    /// when the fd is closed: no thread may write to a number the kernel
    /// may already have handed out again.
    private(set) var closed = false
    /// A failure seen by the application thread (a write, or the
    /// mechanism): the I/O thread's next flush reports it.
    private var failure: ConnectionFailure?

    init(fd: Int32, peerText: String, initial: [UInt8]) {
        self.fd = fd
        self.peerText = peerText
        tail = initial
    }

    /// Bytes waiting for the kernel. A recorded failure counts as one, so
    /// that the I/O thread flushes and learns of it.
    var pending: Int {
        lock.withLock { pendingLocked + (failure == nil ? 0 : 1) }
    }

    /// Whether the I/O thread has something to write: not while another
    /// thread is writing, which goes on with what is left (or, if the
    /// kernel is full, wakes the I/O thread to wait for POLLOUT).
    var needsFlush: Bool {
        lock.withLock { failure != nil || (!writing && pendingLocked > 0) }
    }

    private var pendingLocked: Int {
        head.count - headOffset + tail.count + writingCount
    }

    /// For a direct send: nil when the connection cannot take more now
    /// (closed, failed, or `limit` bytes pending), else whether it was idle.
    func admits(limit: Int) -> Bool? {
        lock.withLock {
            guard !closed, failure == nil, pendingLocked < limit else { return nil }
            return pendingLocked == 0
        }
    }

    /// Appends one frame. Returns whether nothing was pending before: then
    /// no thread is bound to write, and an appender other than the I/O
    /// thread must wake it (or write itself).
    @discardableResult
    func appendFrame(_ body: [UInt8], more: Bool, command: Bool) -> Bool {
        lock.withLock {
            let wasIdle = pendingLocked == 0
            Frame.appendHeader(to: &tail, bodyCount: body.count, more: more, isCommand: command)
            tail.append(contentsOf: body)
            return wasIdle
        }
    }

    /// `admits` and `appendFrame` in one, for a message frame whose body
    /// is in a buffer the caller owns: nil, appending nothing, when the
    /// connection is closed, failed or has `limit` bytes pending; else
    /// whether it was idle before.
    func appendFrame(contentsOf body: UnsafeRawBufferPointer, ifPendingBelow limit: Int) -> Bool? {
        lock.withLock {
            let pending = pendingLocked
            guard !closed, failure == nil, pending < limit else { return nil }
            Frame.appendHeader(to: &tail, bodyCount: body.count, more: false, isCommand: false)
            tail.append(contentsOf: body)
            return pending == 0
        }
    }

    func record(_ error: ConnectionFailure) {
        lock.withLock { if failure == nil { failure = error } }
    }

    /// Takes the queued bytes without writing them (tests).
    func take() -> [UInt8] {
        lock.withLock {
            defer {
                head = []
                headOffset = 0
                tail = []
            }
            return Array(head[headOffset...]) + tail
        }
    }

    /// Closes the fd (I/O thread). A thread in the middle of a send(2)
    /// closes it when done.
    func close() {
        lock.withLock {
            guard !closed else { return }
            closed = true
            if !writing { closeDescriptor(fd) }
        }
    }

    /// Writes what the kernel accepts now (I/O thread).
    func flush() throws(ConnectionFailure) {
        try lock.withLock { () throws(ConnectionFailure) in try flushLocked() }
    }

    /// The application thread's write. Returns true when bytes are left
    /// that the I/O thread must be told about (or a failure to handle).
    func flushDirect() -> Bool {
        lock.withLock {
            do throws(ConnectionFailure) {
                try flushLocked()
            } catch {
                return true
            }
            return !writing && pendingLocked > 0
        }
    }

    /// Writes until the kernel takes no more or nothing is left; returns at
    /// once when another thread is writing.
    private func flushLocked() throws(ConnectionFailure) {
        if let failure { throw failure }
        while !closed && !writing {
            if headOffset == head.count {
                guard !tail.isEmpty else { return }
                swap(&head, &tail)
                tail.removeAll(keepingCapacity: true)
                headOffset = 0
            }
            var chunk: [UInt8] = []
            swap(&chunk, &head)
            let start = headOffset
            writing = true
            writingCount = chunk.count - start
            let written = lock.whileUnlocked { Self.writeAll(fd, chunk, from: start) }
            writing = false
            writingCount = 0
            swap(&chunk, &head)
            if closed {
                closeDescriptor(fd)
                return
            }
            guard let written else {
                let reason = "connection lost while sending"
                Trace.log("\(peerText): failed: \(reason)")
                failure = ConnectionFailure(reason: reason)
                throw ConnectionFailure(reason: reason)
            }
            headOffset += written
            guard headOffset == head.count else { return }
            head.removeAll(keepingCapacity: head.capacity <= 1 << 20)
            headOffset = 0
        }
    }

    /// send(2) until done or the kernel is full: the count written, nil
    /// when the connection failed.
    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], from start: Int) -> Int? {
        bytes.withUnsafeBytes { buffer in
            var offset = start
            while offset < buffer.count {
                guard let written = Net.write(fd, UnsafeRawBufferPointer(rebasing: buffer[offset...])) else {
                    return nil
                }
                if written == 0 { break }
                offset += written
            }
            return offset - start
        }
    }
}

/// close(2), under a name the class's own `close()` does not hide.
private func closeDescriptor(_ fd: Int32) {
    close(fd)
}

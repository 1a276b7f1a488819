// SPDX-License-Identifier: MIT
internal import ZGSSBase
import Glibc
import ZMTPCodec

/// A connection's bytes on their way to the kernel, and the life of its fd.
/// Both the I/O thread and the application thread (direct sends) append
/// and write, so everything here is guarded by its own lock; the send(2)
/// itself runs with the lock released.
///
/// Bytes wait in three places, in this order: `head` (the segments a flush
/// writes, the first from `headOffset`), `queued` (segments behind it) and
/// `tail`, where frames are appended. A body larger than `byReference` is
/// not copied into `tail`: the tail so far and the body itself (shared
/// with the message, not copied) are queued as segments, and a flush
/// gives up to `segmentsPerWrite` segments to one sendmsg(2), as libzmq
/// hands a large message to the kernel from where it lies. The writing
/// thread takes `head` out for the send, so the other thread can append
/// meanwhile; `writing` tells it not to write too (the writer goes on with
/// what was appended).
final class OutputBuffer: @unchecked Sendable {
    /// Bytes to write. `reusable`: a former tail, owned here alone, whose
    /// storage may become the next tail once written.
    private struct Segment {
        var bytes: [UInt8]
        var reusable: Bool
    }

    /// Bodies larger than this are queued by reference instead of copied.
    static let byReference = 64 << 10
    static let segmentsPerWrite = 16
    /// The largest emptied tail kept for reuse; a larger one is released.
    private static let keptCapacity = 1 << 20
    /// A stream of small frames fills tails of this size: a tail that
    /// would grow past it is queued as a segment and the next one begun
    /// with this capacity (the spare's, if written by then). Growing
    /// instead copies the whole tail each time its capacity doubles, and a
    /// tail grown past `keptCapacity` (a backlog of small messages reaches
    /// 4 MiB) is freed instead of reused once written.
    static let tailSegmentSize = 256 << 10

    let fd: Int32
    private let peerText: String
    private let lock = Lock()
    private var head: [Segment] = []
    /// Bytes in `head`'s segments, those already written included (they
    /// stay counted while a writer has `head` out).
    private var headBytes = 0
    private var headOffset = 0
    private var queued: [Segment] = []
    private var queuedBytes = 0
    private var tail: [UInt8] = []
    /// An emptied tail's storage, for the next tail.
    private var spare: [UInt8] = []
    private var writing = false
    /// Set (under the lock, by the I/O thread, which may read it without)
    /// when the fd is closed: no thread may write to a number the kernel
    /// may already have handed out again.
    private(set) var closed = false
    /// The application thread is polling or reading the fd (it reads its
    /// socket's one peer itself while it waits: ZSocket+ApplicationRead).
    /// `close` then shuts the fd down, which wakes that thread, and leaves
    /// the close(2) to it (`endApplicationRead`).
    private var applicationReading = false
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
        headBytes - headOffset + queuedBytes + tail.count
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
    /// thread must wake it (or write itself). `shared`: a large body may
    /// be queued by reference. A sealed message is not: copied, its buffer
    /// is freed at once and malloc hands that warm storage to the next
    /// seal; held until written, every seal would fault in fresh pages
    /// (measured slower at 1 MiB encrypted).
    @discardableResult
    func appendFrame(_ body: [UInt8], more: Bool, command: Bool, shared: Bool = true) -> Bool {
        lock.withLock {
            let wasIdle = pendingLocked == 0
            if shared && body.count > Self.byReference {
                appendToTail(header: body.count, more: more, command: command, EmptyCollection())
                queueTail()
                queue(Segment(bytes: body, reusable: false))
            } else {
                appendToTail(header: body.count, more: more, command: command, body)
            }
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
            appendToTail(header: body.count, more: false, command: false, body)
            return pending == 0
        }
    }

    /// Appends a frame header (for a body of `count` bytes) and `body` to
    /// `tail`, moved out of the property meanwhile: an access to a class's
    /// stored property that spans calls the optimiser cannot see through
    /// makes every access to it checked for exclusivity at run time, in
    /// every function; short accesses are proved safe when compiled.
    private func appendToTail(header count: Int, more: Bool, command: Bool, _ body: some Collection<UInt8>) {
        let frameSize = Frame.headerSize(forBodyCount: count) + count
        let beginsSegment = frameSize <= Self.tailSegmentSize / 4 && tail.count + frameSize > Self.tailSegmentSize
            && tail.capacity - tail.count < frameSize
        if beginsSegment { queueTail() }
        var bytes = tail
        tail = []
        if beginsSegment && bytes.capacity < Self.tailSegmentSize { bytes.reserveCapacity(Self.tailSegmentSize) }
        Frame.appendHeader(to: &bytes, bodyCount: count, more: more, isCommand: command)
        bytes.append(contentsOf: body)
        tail = bytes
    }

    /// Moves the tail behind the queued segments and starts a new one.
    private func queueTail() {
        guard !tail.isEmpty else { return }
        queue(Segment(bytes: tail, reusable: true))
        tail = spare
        spare = []
    }

    /// Puts `segment` behind the queued ones (the array moved out
    /// meanwhile, as in `appendToTail`).
    private func queue(_ segment: Segment) {
        var segments = queued
        queued = []
        queuedBytes += segment.bytes.count
        segments.append(segment)
        queued = segments
    }

    func record(_ error: ConnectionFailure) {
        lock.withLock { if failure == nil { failure = error } }
    }

    /// Takes the queued bytes without writing them (tests).
    func take() -> [UInt8] {
        lock.withLock {
            var bytes: [UInt8] = []
            for segment in head { bytes += segment.bytes }
            bytes.removeFirst(min(headOffset, bytes.count))
            for segment in queued { bytes += segment.bytes }
            bytes += tail
            head = []
            headBytes = 0
            headOffset = 0
            queued = []
            queuedBytes = 0
            tail = []
            return bytes
        }
    }

    /// Closes the fd (I/O thread). A thread in the middle of a send(2)
    /// closes it when done.
    func close() {
        lock.withLock {
            guard !closed else { return }
            closed = true
            if applicationReading {
                _ = shutdown(fd, Int32(SHUT_RDWR))
            } else if !writing {
                closeDescriptor(fd)
            }
        }
    }

    /// The application thread is about to poll and read the fd; false
    /// when it is closed already.
    func beginApplicationRead() -> Bool {
        lock.withLock {
            guard !closed else { return false }
            applicationReading = true
            return true
        }
    }

    /// The application thread is done with the fd; it closes it when the
    /// I/O thread closed the connection meanwhile.
    func endApplicationRead() {
        lock.withLock {
            applicationReading = false
            if closed && !writing { closeDescriptor(fd) }
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
            if head.isEmpty {
                queueTail()
                guard !queued.isEmpty else { return }
                swap(&head, &queued)
                headBytes = queuedBytes
                queuedBytes = 0
                headOffset = 0
            }
            var segments: [Segment] = []
            swap(&segments, &head)
            let start = headOffset
            writing = true
            let written = lock.whileUnlocked { Self.writeAll(fd, segments, from: start) }
            writing = false
            swap(&segments, &head)
            if closed {
                if !applicationReading { closeDescriptor(fd) }
                return
            }
            guard let written else {
                let reason = "connection lost while sending"
                Trace.log("\(peerText): failed: \(reason)")
                failure = ConnectionFailure(reason: reason)
                throw ConnectionFailure(reason: reason)
            }
            headOffset += written
            dropWrittenSegments()
            guard head.isEmpty else { return }
        }
    }

    /// Removes the segments of `head` written whole; the first emptied
    /// former tail becomes `spare`.
    private func dropWrittenSegments() {
        // `head` moved out meanwhile, as in `appendToTail`.
        var segments = head
        head = []
        var done = 0
        while done < segments.count, headOffset >= segments[done].bytes.count {
            let count = segments[done].bytes.count
            headOffset -= count
            headBytes -= count
            if segments[done].reusable && spare.capacity == 0 && segments[done].bytes.capacity <= Self.keptCapacity {
                segments[done].bytes.removeAll(keepingCapacity: true)
                swap(&spare, &segments[done].bytes)
            }
            done += 1
        }
        segments.removeFirst(done)
        head = segments
    }

    /// send(2) (sendmsg(2) for several segments) until done or the kernel
    /// is full: the count written from `start`, nil when the connection
    /// failed.
    private static func writeAll(_ fd: Int32, _ segments: [Segment], from start: Int) -> Int? {
        var index = 0
        var offset = start
        var total = 0
        while true {
            while index < segments.count, offset >= segments[index].bytes.count {
                offset -= segments[index].bytes.count
                index += 1
            }
            guard index < segments.count else { return total }
            let batch = segments[index..<min(index + segmentsPerWrite, segments.count)].lazy.map(\.bytes)
            let written: Int?
            if batch.count == 1, let only = batch.first {
                written = only.withUnsafeBytes { Net.write(fd, UnsafeRawBufferPointer(rebasing: $0[offset...])) }
            } else {
                written = Net.write(fd, Array(batch), firstOffset: offset)
            }
            guard let written else { return nil }
            if written == 0 { return total }
            total += written
            offset += written
        }
    }
}

extension Net {
    /// sendmsg(2) of `parts` in order, the first from `firstOffset`: what
    /// the kernel takes now, nil on a hard error (errno kept).
    static func write(_ fd: Int32, _ parts: [[UInt8]], firstOffset: Int) -> Int? {
        var vectors: [iovec] = []
        vectors.reserveCapacity(parts.count)
        let count = gather(parts[...], from: firstOffset, into: &vectors) { vectors in
            vectors.withUnsafeMutableBufferPointer { buffer in
                var message = msghdr()
                message.msg_iov = buffer.baseAddress
                message.msg_iovlen = buffer.count
                return sendmsg(fd, &message, Int32(MSG_NOSIGNAL))
            }
        }
        if count >= 0 { return count }
        if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return 0 }
        return nil
    }

    /// Calls `body` with an iovec for each part, each part's storage pinned
    /// for the call.
    private static func gather(_ parts: ArraySlice<[UInt8]>, from offset: Int, into vectors: inout [iovec],
                               _ body: (inout [iovec]) -> Int) -> Int {
        guard let first = parts.first else { return body(&vectors) }
        return first.withUnsafeBytes { raw in
            if let base = raw.baseAddress, offset < raw.count {
                vectors.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: base + offset),
                                     iov_len: raw.count - offset))
            }
            return gather(parts.dropFirst(), from: 0, into: &vectors, body)
        }
    }
}

/// close(2), under a name the class's own `close()` does not hide.
private func closeDescriptor(_ fd: Int32) {
    close(fd)
}

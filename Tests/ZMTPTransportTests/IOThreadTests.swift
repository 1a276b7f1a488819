// SPDX-License-Identifier: MIT
import CZGSSHeader
import Glibc
import Testing
import ZGSSBase
@testable import ZMTPTransport

/// Many sockets on a few I/O threads: every loop on a shared thread still
/// gets its wake-ups when several application threads post work to
/// different loops at once, and a socket closed on a shared thread leaves
/// the others on it working. NULL security over TCP loopback.
@Suite struct IOThreadTests {
    static let senders = 4
    static let socketsPerSender = 6
    static let messagesPerSocket = 500

    @Test func sharedThreadsServeEverySocketInOrder() throws {
        let context = ZContext()
        defer { context.terminate() }
        // No round without a wake-up, an event or a timer: a lost wake-up
        // stalls a socket until RCVTIMEO fails the test.
        context.loopIdleTick = 60_000
        let pull = try context.socket(type: ZMQ_PULL)
        try setInt(pull, ZMQ_RCVTIMEO, 10_000)
        try pull.bind("tcp://127.0.0.1:*")
        let target = try endpoint(pull)
        var pushes: [ZSocket] = []
        for _ in 0..<(Self.senders * Self.socketsPerSender) {
            let push = try context.socket(type: ZMQ_PUSH)
            try push.connect(target)
            pushes.append(push)
        }
        // 25 loops, at most maxThreads threads.
        #expect(context.threadsCreated <= IOThreadPool.maxThreads)
        #expect(try exchange(pull, pushes, rounds: Self.messagesPerSocket) == nil)

        // Half the sockets close; those left on the same threads go on.
        for push in pushes[..<(pushes.count / 2)] { push.close() }
        let left = Array(pushes[(pushes.count / 2)...])
        #expect(try exchange(pull, left, rounds: 50) == nil)
        for push in left { push.close() }
        pull.close()
    }

    /// Each of `senders` threads sends `rounds` messages on each of its
    /// sockets, round robin; the message is the socket's index and its
    /// sequence number. Returns what went wrong, or nil when every message
    /// arrived and each socket's arrived in order.
    private func exchange(_ pull: ZSocket, _ pushes: [ZSocket], rounds: Int) throws -> String? {
        let perSender = pushes.count / Self.senders
        var threads: [PeerThread] = []
        for sender in 0..<Self.senders {
            let mine = Array(pushes[(sender * perSender)..<((sender + 1) * perSender)])
            let first = sender * perSender
            threads.append(PeerThread {
                for sequence in 0..<rounds {
                    for (offset, push) in mine.enumerated() {
                        let message = [UInt8(first + offset)] + withUnsafeBytes(of: UInt32(sequence).bigEndian) { Array($0) }
                        guard (try? push.send(message, flags: 0)) != nil else { return }
                    }
                }
            })
        }
        var next = [Int](repeating: 0, count: 256)
        var failure: String?
        for _ in 0..<(pushes.count / Self.senders * Self.senders * rounds) {
            guard let message = try? pull.receive(flags: 0) else {
                failure = "a message did not arrive within 10 s (\(next.reduce(0, +)) arrived)"
                break
            }
            guard message.count == 5 else {
                failure = "a message of \(message.count) bytes"
                break
            }
            let socket = Int(message[0])
            let sequence = message[1...].reduce(0) { $0 << 8 | Int($1) }
            guard sequence == next[socket] else {
                failure = "socket \(socket): message \(sequence) arrived where \(next[socket]) was due"
                break
            }
            next[socket] += 1
        }
        for thread in threads { thread.join() }
        return failure
    }

    /// A thread left without sockets exits, and the next socket gets a new
    /// one; meanwhile four threads make, use and close REQ/REP pairs, so
    /// that threads retire while others are being handed sockets (the
    /// sanitizer stages run this too).
    @Test func retiredThreadsAreReplaced() throws {
        let context = ZContext(threadIdleMillis: 5)
        defer { context.terminate() }
        let first = try context.socket(type: ZMQ_PULL)
        first.close()
        let deadline = Clock.now + 20_000
        while context.threadsAlive > 0 && Clock.now < deadline { usleep(1_000) }
        #expect(context.threadsAlive == 0, "the idle thread did not exit within 20 s")
        #expect(try roundTrip(context, 0))
        #expect(context.threadsCreated >= 2, "the second socket reused a thread that had exited")

        let done = PthreadMutex(0)
        var workers: [PeerThread] = []
        for worker in 0..<4 {
            workers.append(PeerThread {
                for round in 0..<25 {
                    guard (try? self.roundTrip(context, worker * 100 + round)) == true else { return }
                    done.withLock { $0 += 1 }
                    // Now and then all sockets of a worker are gone long
                    // enough for a thread to retire.
                    if round % 5 == 4 { usleep(10_000) }
                }
            })
        }
        for worker in workers { worker.join() }
        #expect(done.withLock { $0 } == 100)
    }

    /// A REP and a REQ made for this call, one request and its reply,
    /// both closed. True when the reply came back intact.
    private func roundTrip(_ context: ZContext, _ tag: Int) throws -> Bool {
        let rep = try context.socket(type: ZMQ_REP)
        let req = try context.socket(type: ZMQ_REQ)
        defer {
            req.close()
            rep.close()
        }
        try setInt(rep, ZMQ_RCVTIMEO, 10_000)
        try setInt(req, ZMQ_RCVTIMEO, 10_000)
        try setInt(rep, ZMQ_LINGER, 0)
        try setInt(req, ZMQ_LINGER, 0)
        try rep.bind("tcp://127.0.0.1:*")
        try req.connect(try endpoint(rep))
        let request = withUnsafeBytes(of: UInt32(tag).bigEndian) { Array($0) }
        try req.send(request, flags: 0)
        guard try rep.receive(flags: 0) == request else { return false }
        try rep.send(request + [1], flags: 0)
        return try req.receive(flags: 0) == request + [1]
    }
}

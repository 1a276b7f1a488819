// SPDX-License-Identifier: MIT
import CZGSSHeader
import Glibc
import Testing
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
}

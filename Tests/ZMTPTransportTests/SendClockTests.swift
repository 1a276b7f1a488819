// SPDX-License-Identifier: MIT
import CZGSSHeader
import Glibc
import Testing
@testable import ZMTPTransport

/// Whether a send begins a burst (written by the application thread at
/// once) or belongs to a stream (left to the I/O thread) is judged over
/// all of a context's sockets: SendClock.
@Suite struct SendClockTests {

    @Test func burstsAreJudgedOverTheWholeContext() throws {
        let context = ZContext()
        let elsewhere = ZContext()
        defer {
            context.terminate()
            elsewhere.terminate()
        }
        let a = try context.socket(type: ZMQ_PUSH)
        let b = try context.socket(type: ZMQ_PUSH)
        let other = try elsewhere.socket(type: ZMQ_PUSH)
        let gap = SendClock.streamGap
        let start: Int64 = 1_000_000_000
        #expect(a.startsBurst(at: start))
        // Another socket of the same context a moment later: the same
        // stream, although that socket has not sent for ever.
        #expect(!b.startsBurst(at: start + 10_000))
        #expect(!a.startsBurst(at: start + 20_000))
        // After a pause as long as the gap, a new burst.
        #expect(b.startsBurst(at: start + 20_000 + gap))
        #expect(!a.startsBurst(at: start + 20_000 + gap + gap - 1))
        // Another context's sockets are not part of this one's stream.
        #expect(other.startsBurst(at: start + 20_000 + gap + gap))
        a.close()
        b.close()
        other.close()
    }

    /// Many PUSH sockets fed in turn by one thread, with pauses: each
    /// socket's messages go out partly written by this thread, partly by
    /// the I/O thread, and each socket's must still arrive complete and in
    /// order. NULL security over TCP loopback.
    @Test func manySocketsFedInTurnKeepEachOnesOrder() throws {
        let context = ZContext()
        defer { context.terminate() }
        let pull = try context.socket(type: ZMQ_PULL)
        try setInt(pull, ZMQ_RCVTIMEO, 10_000)
        try pull.bind("tcp://127.0.0.1:*")
        let senders = 40
        let rounds = 500
        let pushes = try (0..<senders).map { _ in
            let push = try context.socket(type: ZMQ_PUSH)
            try push.connect(try endpoint(pull))
            return push
        }
        let inOrder = Box(0)
        let misordered = Box(0)
        let receiver = PeerThread {
            var next = [Int](repeating: 0, count: senders)
            for _ in 0..<(senders * rounds) {
                guard let message = try? pull.receive(flags: 0), message.count == 300 else { return }
                let sender = Int(message[0]) << 8 | Int(message[1])
                let sequence = message[2..<6].reduce(0) { $0 << 8 | Int($1) }
                if sender < senders && sequence == next[sender] {
                    next[sender] += 1
                    inOrder.value += 1
                } else {
                    misordered.value += 1
                }
            }
        }
        let padding = [UInt8](repeating: 0x5a, count: 294)
        for round in 0..<rounds {
            for (index, push) in pushes.enumerated() {
                let header: [UInt8] = [UInt8(index >> 8), UInt8(index & 0xff)]
                    + withUnsafeBytes(of: UInt32(round).bigEndian) { Array($0) }
                try push.send(header + padding, flags: 0)
                // A pause now and then: the next send begins a burst and
                // is written by this thread, behind what the I/O thread
                // may still be writing for that socket.
                if (round * senders + index) % 97 == 0 { usleep(100) }
            }
        }
        receiver.join()
        #expect(misordered.value == 0)
        #expect(inOrder.value == senders * rounds)
        for push in pushes { push.close() }
        pull.close()
    }
}

// SPDX-License-Identifier: MIT
import CZGSSHeader
import Glibc
import Testing
import ZMTPCodec
@testable import ZMTPTransport

/// zgss_send's path: `send(contentsOf:)` from a caller's buffer. Small
/// single-part messages are framed straight from the buffer into the
/// connection's output (ZSocket+Direct.swift); larger ones and those behind
/// a queued message take the outbox, and bodies over 64 KiB are queued by
/// reference in the output (OutputBuffer). Whatever the mix, the peer must
/// get every message whole and in order. NULL security over TCP loopback.
@Suite struct CallerBufferSendTests {
    /// Message `index`: its size cycles through the paths above.
    private static func size(_ index: Int) -> Int {
        switch index % 10 {
        case 3: 70_000      // over largestDirect: outbox, and by reference
        case 7: 200_000
        case 5: 0
        default: 8 + index % 500
        }
    }

    /// The bytes of message `index`: its number, then a pattern of it.
    private static func message(_ index: Int) -> [UInt8] {
        let count = size(index)
        var bytes = [UInt8](repeating: 0, count: count)
        for offset in 0..<count { bytes[offset] = UInt8(truncatingIfNeeded: index &* 31 &+ offset) }
        if count >= 4 { withUnsafeBytes(of: UInt32(index).bigEndian) { bytes.replaceSubrange(0..<4, with: $0) } }
        return bytes
    }

    @Test func pushFromCallerBuffersKeepsOrderAndBytes() throws {
        let context = ZContext()
        defer { context.terminate() }
        let pull = try context.socket(type: ZMQ_PULL)
        try setInt(pull, ZMQ_RCVTIMEO, 20_000)
        try pull.bind("tcp://127.0.0.1:*")
        let push = try context.socket(type: ZMQ_PUSH)
        try setInt(push, ZMQ_SNDHWM, 100)
        try push.connect(try endpoint(pull))
        // About 50 MB: more than the connection's 4 MiB backlog, so that
        // direct sends, queued ones and by-reference bodies interleave.
        let total = 4000
        let intact = Box(0)
        let receiver = PeerThread {
            for index in 0..<total {
                guard let received = try? pull.receive(flags: 0) else { return }
                if received == Self.message(index) { intact.value += 1 }
            }
        }
        var sent = 0
        while sent < total {
            // Bursts (batched) separated by pauses (the first message after
            // each finds the output idle and is written at once).
            for _ in 0..<(sent % 7 == 0 ? 1 : 150) where sent < total {
                let bytes = Self.message(sent)
                try bytes.withUnsafeBytes { try push.send(contentsOf: $0, flags: 0) }
                sent += 1
            }
            if sent % 3 == 0 { usleep(300) }
        }
        receiver.join()
        #expect(intact.value == total)
        push.close()
        pull.close()
    }

    /// The output on its own, over a socket pair whose kernel buffer holds
    /// little: small frames and by-reference bodies, written a little at a
    /// time (writes that stop inside a segment and across segments), come
    /// out byte for byte as their encodings in order.
    @Test func outputWritesSegmentsInOrderThroughPartialWrites() throws {
        var fds: [Int32] = [-1, -1]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        defer { close(fds[1]) }
        var small: Int32 = 4096
        _ = setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &small, socklen_t(MemoryLayout<Int32>.size))
        _ = setsockopt(fds[1], SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        let output = OutputBuffer(fd: fds[0], peerText: "test", initial: [1, 2, 3])
        defer { output.close() }
        var expected: [UInt8] = [1, 2, 3]
        for index in 0..<40 {
            let body = Self.message(index)
            let more = index % 4 == 1
            if index % 5 == 2, !more {
                _ = body.withUnsafeBytes { output.appendFrame(contentsOf: $0, ifPendingBelow: Int.max) }
            } else {
                output.appendFrame(body, more: more, command: false)
            }
            expected += Frame(body: body, more: more).encoded()
        }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 3000)
        var idleRounds = 0
        while received.count < expected.count && idleRounds < 10_000 {
            try output.flush()
            let count = chunk.withUnsafeMutableBytes { recv(fds[1], $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count > 0 {
                received += chunk[0..<count]
                idleRounds = 0
            } else {
                idleRounds += 1
            }
        }
        #expect(received.count == expected.count)
        let sameBytes = received == expected  // a Bool: a mismatch would print megabytes
        #expect(sameBytes)
        #expect(output.pending == 0)
    }

    /// Small frames past several tail segments (OutputBuffer's
    /// `tailSegmentSize`), appended while earlier ones are being written a
    /// little at a time: the bytes still come out as the frames' encodings
    /// in order.
    @Test func smallFramesPastSeveralTailSegmentsStayInOrder() throws {
        var fds: [Int32] = [-1, -1]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        defer { close(fds[1]) }
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        let output = OutputBuffer(fd: fds[0], peerText: "test", initial: [])
        defer { output.close() }
        var expected: [UInt8] = []
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        func drain() throws {
            try output.flush()
            let count = chunk.withUnsafeMutableBytes { recv(fds[1], $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count > 0 { received += chunk[0..<count] }
        }
        // ~1.3 MB in frames of 1 to 700 bytes: five segments and more.
        for index in 0..<4000 {
            let body = [UInt8](repeating: UInt8(truncatingIfNeeded: index), count: 1 + (index * 37) % 700)
            if index % 2 == 0 {
                _ = body.withUnsafeBytes { output.appendFrame(contentsOf: $0, ifPendingBelow: Int.max) }
            } else {
                output.appendFrame(body, more: index % 6 == 1, command: false)
            }
            expected += Frame(body: body, more: index % 2 == 1 && index % 6 == 1).encoded()
            if index % 1500 == 0 { try drain() }
        }
        #expect(expected.count > 5 * OutputBuffer.tailSegmentSize)
        var idleRounds = 0
        while received.count < expected.count && idleRounds < 10_000 {
            let before = received.count
            try drain()
            idleRounds = received.count == before ? idleRounds + 1 : 0
        }
        #expect(received.count == expected.count)
        let sameBytes = received == expected  // a Bool: a mismatch would print megabytes
        #expect(sameBytes)
        #expect(output.pending == 0)
    }
}

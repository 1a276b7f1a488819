// SPDX-License-Identifier: MIT
import CZGSSHeader
import Glibc
import Testing
@testable import ZMTPTransport

/// Queued messages point to their connection's metadata without a
/// reference of their own (Incoming.metadata). A message that outlives its
/// connection must still read that connection's properties, and the
/// metadata must be let go once no queued message needs it. Run under
/// AddressSanitizer (tools/test-sanitizers.sh), a freed object read here
/// is a failure.
@Suite struct MetadataLifetimeTests {
    private func retiredCount(_ socket: ZSocket) -> Int {
        socket.state.monitor.withLock { socket.state.retiredMetadata.count }
    }

    /// Polls `condition` every 10 ms for up to 20 s.
    private func eventually(_ condition: () -> Bool) -> Bool {
        for _ in 0..<2000 {
            if condition() { return true }
            usleep(10_000)
        }
        return condition()
    }

    @Test func messagesOfAGoneConnectionKeepTheirProperties() throws {
        let context = ZContext()
        defer { context.terminate() }
        let pull = try context.socket(type: ZMQ_PULL)
        defer { pull.close() }
        try setInt(pull, ZMQ_RCVTIMEO, 10_000)
        try pull.bind("tcp://127.0.0.1:*")
        let senders = 3, each = 5
        for sender in 0..<senders {
            let push = try context.socket(type: ZMQ_PUSH)
            try push.connect(try endpoint(pull))
            for index in 0..<each {
                try push.send([UInt8(sender), UInt8(index)], flags: 0)
            }
            // The default linger: close returns once the messages are sent.
            push.close()
        }
        // Every sender's connection is dropped while its messages wait.
        #expect(eventually { retiredCount(pull) == senders })

        // The senders' messages may interleave; each sender's keep their order.
        var received: [[UInt8]] = Array(repeating: [], count: senders)
        for _ in 0..<senders * each {
            let part = try pull.receivePart(flags: 0)
            try #require(part.bytes.count == 2 && Int(part.bytes[0]) < senders)
            received[Int(part.bytes[0])].append(part.bytes[1])
            let socketType = part.metadata?.value(named: "Socket-Type").map { String(cString: $0) }
            let address = part.metadata?.value(named: "Peer-Address").map { String(cString: $0) }
            #expect(socketType == "PUSH")
            #expect(address == "127.0.0.1")
        }
        #expect(received == Array(repeating: (0..<UInt8(each)).map { $0 }, count: senders))

        // One more message makes the I/O thread publish a round: nothing
        // queued points to the old metadata now, so it is released.
        let push = try context.socket(type: ZMQ_PUSH)
        try push.connect(try endpoint(pull))
        try push.send([9], flags: 0)
        #expect(try pull.receive(flags: 0) == [9])
        #expect(eventually { retiredCount(pull) == 0 })
        push.close()
    }
}

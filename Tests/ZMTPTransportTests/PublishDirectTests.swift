// SPDX-License-Identifier: MIT
import CZGSSHeader
import Glibc
import Synchronization
import Testing
@testable import ZMTPTransport

/// A PUB's single-part send from the caller's buffer (`publishDirect`):
/// a message exactly one peer wants is framed into that peer's output by
/// the sending thread; one several peers want, a multipart one, a large
/// one or one behind queued messages takes the outbox and the I/O thread.
/// Whatever the mix, each SUB must get exactly what it subscribed to,
/// whole and in the order it was published. NULL security over TCP.
@Suite struct PublishDirectTests {
    /// What message `index` is: for SUB "a", for SUB "b", for both ("x",
    /// matched by two peers), for nobody, multipart, or over 64 KiB.
    private enum Kind { case a, b, both, nobody, multipartA, largeB }

    private static func kind(_ index: Int) -> Kind {
        switch index % 11 {
        case 2, 9: .b
        case 4: .both
        case 5, 8: .nobody
        case 6: .multipartA
        case 10: .largeB
        default: .a
        }
    }

    /// The parts of message `index`: a topic byte, its number, then a
    /// pattern of it.
    private static func parts(_ index: Int) -> [[UInt8]] {
        let topic: UInt8 = switch kind(index) {
        case .a, .multipartA: UInt8(ascii: "a")
        case .b, .largeB: UInt8(ascii: "b")
        case .both: UInt8(ascii: "x")
        case .nobody: UInt8(ascii: "z")
        }
        let count = kind(index) == .largeB ? 70_000 : 12 + index % 200
        var body = [UInt8](repeating: 0, count: count)
        for offset in 0..<count { body[offset] = UInt8(truncatingIfNeeded: index &* 7 &+ offset) }
        body[0] = topic
        withUnsafeBytes(of: UInt32(index).bigEndian) { body.replaceSubrange(1..<5, with: $0) }
        return kind(index) == .multipartA ? [Array(body[0..<5]), Array(body[5...])] : [body]
    }

    private static func wanted(by subscriber: UInt8, _ index: Int) -> Bool {
        switch kind(index) {
        case .a, .multipartA: subscriber == UInt8(ascii: "a")
        case .b, .largeB: subscriber == UInt8(ascii: "b")
        case .both: true
        case .nobody: false
        }
    }

    private static func subscribe(_ socket: ZSocket, _ topics: String...) throws {
        for topic in topics { try Array(topic.utf8).withUnsafeBytes { try socket.setOption(ZMQ_SUBSCRIBE, $0) } }
    }

    /// Receives one whole message (all its parts), passing over a late
    /// "sync" (one still in flight when the set-up stopped draining, which
    /// a slow machine, or a sanitizer, makes likely).
    private static func receiveMessage(_ socket: ZSocket) -> [[UInt8]]? {
        while true {
            var message: [[UInt8]] = []
            repeat {
                guard let part = try? socket.receivePart(flags: 0) else { return nil }
                message.append(part.bytes)
                if !part.more { break }
            } while true
            if message != [Array("sync".utf8)] { return message }
        }
    }

    @Test func eachSubscriberGetsWhatItWantsInOrder() throws {
        let context = ZContext()
        defer { context.terminate() }
        let pub = try context.socket(type: ZMQ_PUB)
        try pub.bind("tcp://127.0.0.1:*")
        var subs: [ZSocket] = []
        for topic in ["a", "b"] {
            let sub = try context.socket(type: ZMQ_SUB)
            try setInt(sub, ZMQ_RCVTIMEO, 20_000)
            try Self.subscribe(sub, topic, "x", "sync")
            try sub.connect(try endpoint(pub))
            subs.append(sub)
        }
        // Until a SUB's subscriptions have reached the PUB, what is
        // published for it is lost: publish "sync" until each has one, then
        // drain the extra ones.
        for sub in subs {
            try setInt(sub, ZMQ_RCVTIMEO, 10)
            var synced = false
            for _ in 0..<2000 where !synced {
                try Array("sync".utf8).withUnsafeBytes { try pub.send(contentsOf: $0, flags: 0) }
                synced = (try? sub.receive(flags: 0)) != nil
            }
            #expect(synced, "a subscription never reached the PUB")
        }
        for sub in subs {
            while (try? sub.receive(flags: 0)) != nil {}
            try setInt(sub, ZMQ_RCVTIMEO, 20_000)
        }

        // The direct path is taken where it should be, and only there.
        let single = [UInt8]("a-probe".utf8), shared = [UInt8]("x-probe".utf8), unwanted = [UInt8]("z".utf8)
        #expect(single.withUnsafeBytes { pub.publishDirect($0) }, "one peer wants it: sent directly")
        #expect(unwanted.withUnsafeBytes { pub.publishDirect($0) }, "nobody wants it: dropped at once")
        #expect(!shared.withUnsafeBytes { pub.publishDirect($0) }, "two peers want it: the outbox")
        try shared.withUnsafeBytes { try pub.send(contentsOf: $0, flags: 0) }
        #expect(Self.receiveMessage(subs[0]) == [single])
        #expect(Self.receiveMessage(subs[0]) == [shared])
        #expect(Self.receiveMessage(subs[1]) == [shared])

        let total = 3000
        let expected = [UInt8(ascii: "a"), UInt8(ascii: "b")].map { topic in
            (0..<total).filter { Self.wanted(by: topic, $0) }
        }
        let intact = [Box(0), Box(0)]
        let received = [Progress(), Progress()]
        let subscribers = subs
        let receivers = (0..<2).map { which in
            PeerThread {
                for index in expected[which] {
                    guard let message = Self.receiveMessage(subscribers[which]) else { return }
                    if message == Self.parts(index) { intact[which].value += 1 }
                    received[which].count.add(1, ordering: .releasing)
                }
            }
        }
        var sentFor = [0, 0]
        for index in 0..<total {
            let parts = Self.parts(index)
            for (number, part) in parts.enumerated() {
                let flags = number + 1 < parts.count ? ZSocket.sendMore : 0
                try part.withUnsafeBytes { try pub.send(contentsOf: $0, flags: flags) }
            }
            for which in 0..<2 where Self.wanted(by: which == 0 ? UInt8(ascii: "a") : UInt8(ascii: "b"), index) {
                sentFor[which] += 1
            }
            // Bursts, then a wait until both SUBs are at most 40 messages
            // behind: a PUB drops what a slow peer has no room for, and
            // this test is about order and routing, not about that.
            if index % 50 == 49 {
                for which in 0..<2 {
                    var waited = 0
                    while received[which].count.load(ordering: .acquiring) < sentFor[which] - 40 && waited < 20_000 {
                        usleep(1000)
                        waited += 1
                    }
                }
            }
        }
        for receiver in receivers { receiver.join() }
        #expect(intact[0].value == expected[0].count)
        #expect(intact[1].value == expected[1].count)
        for sub in subs { sub.close() }
        pub.close()
    }
}

/// Messages a receiver thread has taken so far.
private final class Progress: Sendable {
    let count = Atomic<Int>(0)
}

// SPDX-License-Identifier: MIT
import CZGSSHeader
import Glibc
import Testing
import ZMTPCodec
@testable import ZMTPTransport

/// A peer's good messages that arrive in the same read as a bad frame are
/// delivered before the connection drops (they were complete and valid;
/// only what follows the bad frame is lost). NULL security over TCP
/// loopback, a raw peer that writes everything with one send(2).
@Suite struct BadFrameInBatchTests {

    @Test func messagesBeforeAMalformedFrameAreDelivered() throws {
        let context = ZContext()
        let pull = try context.socket(type: ZMQ_PULL)
        defer {
            pull.close()
            context.terminate()
        }
        var timeout: Int32 = 10_000
        try withUnsafeBytes(of: &timeout) { try pull.setOption(ZMQ_RCVTIMEO, $0) }
        try pull.bind("tcp://127.0.0.1:*")
        guard case .string(let endpoint) = try pull.option(ZMQ_LAST_ENDPOINT),
              let port = endpoint.split(separator: ":").last.flatMap({ UInt16($0) }) else {
            Issue.record("no endpoint")
            return
        }

        // Greeting, READY, five messages (one of them multipart), then a
        // frame whose flags use reserved bits: all in one write.
        var batch = Greeting(mechanism: "NULL", asServer: false).encoded()
        var ready: [UInt8] = []
        Metadata([Metadata.Property(name: "Socket-Type", value: Array("PUSH".utf8))]).encode(into: &ready)
        batch += Frame(body: Command.encode(name: "READY", data: ready), isCommand: true).encoded()
        for index in 0..<4 {
            batch += Frame(body: Array("message \(index)".utf8)).encoded()
        }
        batch += Frame(body: Array("part one".utf8), more: true).encoded()
        batch += Frame(body: Array("part two".utf8)).encoded()
        batch += [0xf0, 3, 1, 2, 3]

        let peer = try RawPeer(port: port)
        defer { peer.close() }
        try peer.send(batch)

        var received: [[UInt8]] = []
        for _ in 0..<4 {
            received.append(try pull.receive(flags: 0))
        }
        #expect(received.map { String(decoding: $0, as: UTF8.self) } == (0..<4).map { "message \($0)" })
        let first = try pull.receive(flags: 0)
        let more = try pull.option(ZMQ_RCVMORE)
        let second = try pull.receive(flags: 0)
        #expect(first == Array("part one".utf8) && more == .int(1) && second == Array("part two".utf8))
        // And then the connection is dropped, with the reason.
        #expect(peer.waitForClose(milliseconds: 10_000))
        guard case .string(let reason) = try pull.option(1004) else { return }
        #expect(reason.contains("reserved bits"))
    }
}

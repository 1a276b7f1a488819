// SPDX-License-Identifier: MIT
import CZGSSHeader
import Glibc
import Testing
import ZMTPCodec
@testable import ZMTPTransport

/// A new connection reads what its peer already sent before writing its
/// own greeting (IOLoop.add), so that an answer can leave with the
/// greeting in one write. Neither order of arrival may hold anything up:
/// a peer that waits for the greeting before it says anything gets it,
/// and a peer whose greeting, READY and first message are all there
/// before the connection is accepted is answered and heard. NULL security
/// over TCP loopback, raw bytes on the peer's side.
@Suite struct GreetingOrderTests {
    static func port(of socket: ZSocket) throws -> UInt16 {
        let text = try endpoint(socket)
        return try #require(UInt16(text.split(separator: ":").last.map(String.init) ?? ""))
    }

    /// The PUSH side of a NULL handshake, as one write: greeting, READY,
    /// one message.
    static let pushOpening: [UInt8] = {
        var bytes = Greeting(mechanism: "NULL", asServer: false).encoded()
        var properties: [UInt8] = []
        Metadata([.init(name: "Socket-Type", value: Array("PUSH".utf8))]).encode(into: &properties)
        Frame(body: Command.encode(name: "READY", data: properties), isCommand: true).encode(into: &bytes)
        Frame(body: Array("already here".utf8)).encode(into: &bytes)
        return bytes
    }()

    @Test func aPeerThatWaitsForTheGreetingGetsIt() throws {
        let context = ZContext()
        defer { context.terminate() }
        let pull = try context.socket(type: ZMQ_PULL)
        defer { pull.close() }
        try pull.bind("tcp://127.0.0.1:*")
        let peer = try RawPeer(port: try Self.port(of: pull))
        defer { peer.close() }
        // Nothing sent: the greeting must come anyway.
        let greeting = try #require(peer.receive(count: Greeting.size, milliseconds: 10_000),
                                    "no greeting from a server whose peer has not spoken")
        let parsed = try Greeting(parsing: greeting)
        #expect(parsed.mechanism == "NULL")
    }

    @Test func aPeerWhoseHandshakeArrivedBeforeAcceptIsHeard() throws {
        let context = ZContext()
        defer { context.terminate() }
        let pull = try context.socket(type: ZMQ_PULL)
        defer { pull.close() }
        try setInt(pull, ZMQ_RCVTIMEO, 10_000)
        try pull.bind("tcp://127.0.0.1:*")
        let port = try Self.port(of: pull)
        // Several connections, each writing its whole opening right after
        // connect (most land before the server's accept returns).
        var peers: [RawPeer] = []
        defer { peers.forEach { $0.close() } }
        for _ in 0..<20 {
            let peer = try RawPeer(port: port)
            try peer.send(Self.pushOpening)
            peers.append(peer)
        }
        for _ in peers {
            #expect(try pull.receive(flags: 0) == Array("already here".utf8))
        }
        // Each was answered with the server's greeting (and its READY).
        for peer in peers {
            let greeting = try #require(peer.receive(count: Greeting.size, milliseconds: 10_000))
            #expect(try Greeting(parsing: greeting).mechanism == "NULL")
        }
    }
}

// SPDX-License-Identifier: MIT
import Testing
import TestRealm
import ZGSSBase
import ZMTPCodec
import ZMTPGSSAPI
@testable import ZMTPTransport

/// The encrypted transport path without sockets or the interop matrix: a
/// GSSAPI client and server Connection on the test realm, wired back to
/// back through `takeOutput` / `receive`. Greeting, handshake and messages
/// cross in memory, whole or cut into small chunks.
@Suite("Connection engine, GSSAPI encrypted, on the test realm", .tags(.kerberos), .needsRealm)
struct EncryptedConnectionTests {
    /// One configuration per side for the whole suite (each holds its
    /// credentials, as a socket's does).
    static let serverConfiguration: SecurityConfiguration = {
        var options = GSSAPIOptions()
        options.selected = true
        options.isServer = true
        return SecurityConfiguration(options: options)
    }()
    static let clientConfiguration: SecurityConfiguration = {
        var options = GSSAPIOptions()
        options.selected = true
        options.servicePrincipal = "zmq@localhost"
        return SecurityConfiguration(options: options)
    }()

    struct Pair {
        let client: Connection
        let server: Connection
    }

    func makePair(client clientType: SocketType = .dealer, server serverType: SocketType = .router) throws -> Pair {
        _ = try TestRealm.shared()
        let client = Connection(id: 1, fd: -1, targetIndex: nil, peerText: "client", socketType: clientType,
                                security: .gssapi(Self.clientConfiguration), routingId: Array("c1".utf8),
                                handshakeDeadline: nil)
        let server = Connection(id: 2, fd: -1, targetIndex: nil, peerText: "server", socketType: serverType,
                                security: .gssapi(Self.serverConfiguration), routingId: [], handshakeDeadline: nil)
        return Pair(client: client, server: server)
    }

    /// Hands `bytes` to `connection` whole (`chunk` nil) or `chunk` octets
    /// at a time, and returns the events it raised.
    func deliver(_ bytes: [UInt8], to connection: Connection, chunk: Int?) throws -> [ConnectionEvent] {
        guard let chunk else { return try connection.receive(bytes[...]) }
        var events: [ConnectionEvent] = []
        var start = 0
        while start < bytes.count {
            let end = min(start + chunk, bytes.count)
            events += try connection.receive(bytes[start..<end])
            start = end
        }
        return events
    }

    /// Moves bytes both ways until neither side has any; returns the events
    /// each side saw.
    func pump(_ pair: Pair, chunk: Int?) throws -> (client: [ConnectionEvent], server: [ConnectionEvent]) {
        var client: [ConnectionEvent] = []
        var server: [ConnectionEvent] = []
        for _ in 0..<16 {
            let fromClient = pair.client.takeOutput()
            let fromServer = pair.server.takeOutput()
            if fromClient.isEmpty && fromServer.isEmpty { return (client, server) }
            server += try deliver(fromClient, to: pair.server, chunk: chunk)
            client += try deliver(fromServer, to: pair.client, chunk: chunk)
        }
        Issue.record("the connections did not go quiet in 16 rounds")
        return (client, server)
    }

    func messages(_ events: [ConnectionEvent]) -> [[[UInt8]]] {
        events.compactMap { if case .message(let parts) = $0 { parts.array } else { nil } }
    }

    func readyCount(_ events: [ConnectionEvent]) -> Int {
        events.filter { if case .ready = $0 { true } else { false } }.count
    }

    /// A ready, encrypted pair.
    func handshake(chunk: Int?) throws -> Pair {
        let pair = try makePair()
        let events = try pump(pair, chunk: chunk)
        let realm = try TestRealm.shared().realm
        #expect(pair.client.isReady && pair.server.isReady)
        #expect(pair.client.isEncrypted && pair.server.isEncrypted)
        #expect(readyCount(events.client) == 1 && readyCount(events.server) == 1)
        #expect(pair.server.peerPrincipal == "alice@" + realm)
        #expect(pair.client.peerPrincipal == "zmq/localhost@" + realm)
        #expect(pair.server.peerType == .dealer && pair.client.peerType == .router)
        #expect(pair.server.peerIdentity == Array("c1".utf8))
        return pair
    }

    static let secret = Array("the secret payload".utf8)

    @Test("messages cross both ways, bytes moved whole or in chunks", arguments: [nil, 1, 3, 17, 1000] as [Int?])
    func messagesCrossEncrypted(chunk: Int?) throws {
        let pair = try handshake(chunk: chunk)
        let big = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let sent: [[[UInt8]]] = [[Self.secret], [Array("head".utf8), [], big], [[]]]
        for message in sent { try pair.client.send(message) }
        let wire = pair.client.takeOutput()
        #expect(!contains(wire, Self.secret), "plaintext on the wire of an encrypted connection")
        let atServer = try deliver(wire, to: pair.server, chunk: chunk)
        #expect(messages(atServer) == sent)

        try pair.server.send([Array("reply".utf8), Self.secret])
        let atClient = try pump(pair, chunk: chunk)
        #expect(messages(atClient.client) == [[Array("reply".utf8), Self.secret]])
        #expect(atClient.server.isEmpty)
    }

    /// Where in a MESSAGE command one byte is changed: offsets into the
    /// RFC 4121 wrap token (header, sequence number, ciphertext, checksum).
    enum Tamper: CaseIterable, CustomTestStringConvertible {
        case tokenID, flags, sequence, ciphertext, checksum

        func offset(inTokenOf count: Int) -> Int {
            switch self {
            case .tokenID: 0
            case .flags: 2
            case .sequence: 15
            case .ciphertext: 16 + 4
            case .checksum: count - 1
            }
        }

        var testDescription: String { "\(self)" }
    }

    @Test("one changed byte of a MESSAGE fails the receiver", arguments: Tamper.allCases)
    func tamperedMessageFailsTheReceiver(tamper: Tamper) throws {
        let pair = try handshake(chunk: nil)
        try pair.client.send([Self.secret])
        var wire = pair.client.takeOutput()
        // One short frame, no flags (libzmq 4.3.4 sends MESSAGE commands in
        // data frames once ready): flags, size, then \x07MESSAGE, a 4-octet
        // token length and the wrap token.
        try #require(wire.count > 2 && wire[0] == 0 && Int(wire[1]) == wire.count - 2)
        let body = Array(wire[2...])
        try #require(body.starts(with: GSSAPICommand.messagePrefix))
        let lengthAt = GSSAPICommand.messagePrefix.count
        let tokenAt = lengthAt + 4
        let tokenCount = Int(readUInt32BE(body, at: lengthAt))
        try #require(tokenCount == body.count - tokenAt)
        wire[2 + tokenAt + tamper.offset(inTokenOf: tokenCount)] ^= 0x01

        #expect(throws: ConnectionFailure.self) { _ = try pair.server.receive(wire[...]) }
        // A failed connection stays failed: the genuine bytes that follow
        // deliver nothing.
        try pair.client.send([Self.secret])
        let next = pair.client.takeOutput()
        #expect(throws: ConnectionFailure.self) { _ = try pair.server.receive(next[...]) }
    }

    @Test func untamperedControlDeliversTheSameBytes() throws {
        // The frame layout the tamper test relies on, and that it is the
        // change (not the capture) that fails the receiver.
        let pair = try handshake(chunk: nil)
        try pair.client.send([Self.secret])
        let wire = pair.client.takeOutput()
        #expect(wire.first == 0)
        #expect(Array(wire.dropFirst(2).prefix(GSSAPICommand.messagePrefix.count)) == GSSAPICommand.messagePrefix)
        #expect(messages(try pair.server.receive(wire[...])) == [[Self.secret]])
    }

    func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        return (0...(haystack.count - needle.count)).contains { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}

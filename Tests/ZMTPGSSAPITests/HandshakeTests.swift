// SPDX-License-Identifier: MIT
import Testing
import TestRealm
import ZMTPCodec
import GSSKit
@testable import ZMTPGSSAPI

@Suite("Kerberos handshakes against the test realm", .tags(.kerberos), .needsRealm)
struct HandshakeTests {
    @Test func encryptedHandshakeMatchesLibzmqSequence() throws {
        let pair = try MechanismPair(Sides())
        try pair.run()
        #expect(pair.client.status == .ready)
        #expect(pair.server.status == .ready)
        // C→S INITIATE, S→C INITIATE, C→S empty, S→C READY, C→S READY
        let directions = pair.transcript.map(\.fromClient)
        #expect(directions == [true, false, true, false, true])
        let bodies = pair.transcript.map(\.body)
        #expect(bodies[0].starts(with: GSSAPICommand.initiatePrefix))
        #expect(bodies[1].starts(with: GSSAPICommand.initiatePrefix))
        #expect(bodies[2].isEmpty)
        #expect(bodies[3].starts(with: GSSAPICommand.messagePrefix))
        #expect(bodies[4].starts(with: GSSAPICommand.messagePrefix))
        // The AP-REQ is a GSS initial-context token (tag 0x60).
        #expect(bodies[0][13] == 0x60)
        // RFC 4121 wrap token: 05 04, flags 07 from the acceptor (sealed).
        #expect(Array(bodies[3][12..<14]) == [0x05, 0x04])
        #expect(bodies[3][14] == 0x07)
        #expect(bodies[4][14] == 0x06)
        #expect(pair.server.peerPrincipal == "alice@EXAMPLE.TEST")
        #expect(pair.client.peerPrincipal == "zmq/localhost@EXAMPLE.TEST")
        #expect(pair.client.peerSocketType == .rep)
        #expect(pair.server.peerSocketType == .req)
        #expect(pair.server.peerMetadata["Identity"] == [])
    }

    @Test func plaintextHandshakeSendsPlainReady() throws {
        let pair = try MechanismPair(Sides(plaintext: true), clientType: .dealer, serverType: .router,
                                     clientRoutingId: Array("client-1".utf8))
        try pair.run()
        #expect(pair.server.status == .ready)
        #expect(pair.client.status == .ready)
        let serverReady = pair.transcript[3].body
        #expect(serverReady.starts(with: GSSAPICommand.readyPrefix))
        let metadata = try GSSAPICommand.parseReady(serverReady)
        #expect(metadata["Socket-Type"] == Array("ROUTER".utf8))
        #expect(pair.server.peerMetadata["Identity"] == Array("client-1".utf8))
        // Messages pass unchanged.
        let message = ZMTPMessage(Array("hello".utf8), flags: .more)
        #expect(try pair.client.encode(message) == message)
        #expect(try pair.server.decode(message) == message)
        #expect(pair.server.peerPrincipal == "alice@EXAMPLE.TEST")
    }

    @Test func encryptedMessagesRoundTripWithFlagsInsideTheWrap() throws {
        let pair = try MechanismPair(Sides(), clientType: .dealer, serverType: .router)
        try pair.run()
        let cases: [ZMTPMessage] = [
            ZMTPMessage([], flags: .more),
            ZMTPMessage(Array("part".utf8), flags: []),
            ZMTPMessage([0x04] + Array("PING".utf8), flags: .command),
            ZMTPMessage([UInt8](repeating: 0xab, count: 1 << 20), flags: []),
        ]
        for message in cases {
            let wire = try pair.client.encode(message)
            #expect(wire.flags == [])
            #expect(wire.body.starts(with: GSSAPICommand.messagePrefix))
            // 8 prefix + 4 length + RFC 4121 overhead (60 with AES-SHA1) + 1 flags byte
            #expect(wire.body.count == 12 + 60 + 1 + message.body.count)
            #expect(try pair.server.decode(wire) == message)
            let back = try pair.server.encode(message)
            #expect(try pair.client.decode(back) == message)
        }
    }

    @Test(arguments: [
        ("zmq@localhost", GSSNameType.hostbasedService),
        ("zmq/localhost@EXAMPLE.TEST", GSSNameType.userName),
        ("zmq/localhost@EXAMPLE.TEST", GSSNameType.krb5Principal),
        ("zmq/localhost", GSSNameType.krb5Principal),
    ])
    func servicePrincipalNameTypes(name: String, type: GSSNameType) throws {
        var sides = Sides()
        sides.client.servicePrincipal = name
        sides.client.servicePrincipalNameType = type
        let pair = try MechanismPair(sides)
        try pair.run()
        #expect(pair.client.status == .ready)
        #expect(pair.client.peerPrincipal == "zmq/localhost@EXAMPLE.TEST")
    }

    @Test(arguments: [
        ("bob", GSSNameType.userName, "bob@EXAMPLE.TEST"),
        ("bob@EXAMPLE.TEST", GSSNameType.krb5Principal, "bob@EXAMPLE.TEST"),
        ("other@localhost", GSSNameType.hostbasedService, "other/localhost@EXAMPLE.TEST"),
    ])
    func explicitClientPrincipalsWithKeytabOption(name: String, type: GSSNameType, expected: String) throws {
        let realm = try TestRealm.shared()
        var sides = Sides()
        sides.client.principal = name
        sides.client.principalNameType = type
        let bare = expected.split(separator: "@").first.map(String.init) ?? expected
        sides.client.store.clientKeytab = realm.keytab(for: bare)
        sides.client.store.ccache = "MEMORY:zgss-test-\(bare)"
        let pair = try MechanismPair(sides)
        try pair.run()
        #expect(pair.server.peerPrincipal == expected)
    }

    @Test func explicitServerPrincipalNeedsOnlyAcceptorCredentials() throws {
        // The server keytab option names a keytab with zmq/localhost alone;
        // libzmq would also demand initiator credentials (GSS_C_BOTH).
        let realm = try TestRealm.shared()
        var sides = Sides()
        sides.server.principal = "zmq@localhost"
        sides.server.store.keytab = realm.keytab(for: "zmq/localhost")
        let pair = try MechanismPair(sides)
        try pair.run()
        #expect(pair.server.status == .ready)
    }

    @Test func serverKeytabOptionIsHonoured() throws {
        // Keys only for mqtt/localhost: a client asking for zmq/localhost
        // must be refused, proving the option (not KRB5_KTNAME) is used.
        let realm = try TestRealm.shared()
        var sides = Sides()
        sides.server.store.keytab = realm.keytab(for: "mqtt/localhost")
        let pair = try MechanismPair(sides)
        let error = expectFailure { try pair.run() }
        #expect(error?.code == .gss)
        #expect(pair.server.status == .failed)
        #expect(pair.server.lastError != nil)
    }

    @Test func credentialsAreAcquiredOncePerConfiguration() throws {
        let realm = try TestRealm.shared()
        var options = Sides().server
        options.principal = "zmq@localhost"
        options.store.keytab = realm.serverKeytab
        let configuration = SecurityConfiguration(options: options)
        let first = try #require(try configuration.credential())
        let second = try #require(try configuration.credential())
        #expect(first === second)
    }
}

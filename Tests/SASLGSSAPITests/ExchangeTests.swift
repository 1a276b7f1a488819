// SPDX-License-Identifier: MIT
import Testing
import TestRealm
import GSSKit
@testable import SASLGSSAPI

@Suite("SASL GSSAPI exchanges against the test realm", .tags(.kerberos), .needsRealm)
struct ExchangeTests {
    @Test func mutualExchangeFollowsRFC4752() throws {
        var pair = try SASLPair()
        let outcome = try pair.run()
        // C: AP-REQ, S: AP-REP, C: empty, S: offer, C: reply.
        #expect(pair.transcript.map(\.fromClient) == [true, false, true, false, true])
        #expect(pair.transcript[0].token.first == 0x60)
        #expect(pair.transcript[2].token.isEmpty)
        // Offer and reply are wrap tokens (integrity only: MIT leaves the
        // octets readable inside them).
        #expect(pair.transcript[3].token.count > 4)
        #expect(pair.transcript[3].token.starts(with: [0x07, 0x01, 0x00, 0x00]))
        #expect(pair.transcript[4].token.starts(with: [0x04, 0x01, 0x00, 0x00]))
        #expect(outcome.principal == "alice@EXAMPLE.TEST")
        #expect(outcome.authenticationID == "alice")
        #expect(outcome.authorizationID == "alice")
        #expect(outcome.username == "alice")
        #expect(outcome.layer == .confidentiality)
        #expect(outcome.mutual)
        #expect(pair.client.state == .complete)
        #expect(pair.server.state == .complete)
        #expect(pair.client.serverPrincipal == "mqtt/localhost@EXAMPLE.TEST")
        #expect(pair.client.offer == SecurityLayerOffer(layers: .all, maxBuffer: 65536))
    }

    @Test func nonMutualExchangeSkipsTheAPREP() throws {
        var pair = try SASLPair(client: clientConfiguration(mutual: false))
        let outcome = try pair.run()
        // C: AP-REQ, S: offer, C: reply.
        #expect(pair.transcript.map(\.fromClient) == [true, false, true])
        #expect(pair.transcript[1].token.count > 4)
        #expect(!outcome.mutual)
        #expect(outcome.username == "alice")
    }

    @Test func layerNegotiation() throws {
        let cases: [(client: SASLSecurityLayers, server: SASLSecurityLayers, expected: SASLSecurityLayer)] = [
            (.all, .none, .none), (.all, [.none, .integrity], .integrity), ([.none, .integrity], .all, .integrity),
            (.all, .all, .confidentiality), (.confidentiality, .all, .confidentiality), (.none, .all, .none),
        ]
        for c in cases {
            var pair = try SASLPair(client: clientConfiguration(layers: c.client), server: serverConfiguration(layers: c.server))
            let outcome = try pair.run()
            #expect(outcome.layer == c.expected, "\(c.client) vs \(c.server)")
            #expect(pair.client.securityLayer == c.expected)
            if c.server == .none { #expect(pair.client.offer?.maxBuffer == 0) }
        }
    }

    @Test(arguments: SASLSecurityLayer.allCases)
    func protectedMessagesRoundTrip(_ layer: SASLSecurityLayer) throws {
        var pair = try SASLPair(client: clientConfiguration(layers: layer.asSet), server: serverConfiguration(layers: layer.asSet))
        try pair.run()
        let message = Array("hello over \(layer.name)".utf8)
        let token = try pair.client.wrap(message)
        if layer == .none { #expect(token == message) } else { #expect(token != message) }
        #expect(try pair.server.unwrap(token) == message)
        let framed = try pair.server.encode(message)
        #expect(try pair.client.decode(framed) == message)
        if layer != .none {
            #expect(framed.count == token.count + 4 || framed.count > 4)
            // Two frames in one buffer decode to both messages.
            let two = try pair.client.encode(Array("a".utf8)) + pair.client.encode(Array("b".utf8))
            #expect(try pair.server.decode(two) == Array("ab".utf8))
            // Too large for the peer's buffer: local, the session goes on.
            #expect(saslError { _ = try pair.client.wrap([UInt8](repeating: 0, count: 70_000)) }?.code == .invalidArgument)
            #expect(pair.client.state == .complete)
        }
    }

    /// What a broken protected message does to a session: it ends it.
    @Test(arguments: ["replay", "tamper", "truncate", "foreign"])
    func brokenProtectedMessagesEndTheSession(_ damage: String) throws {
        var pair = try SASLPair(client: clientConfiguration(layers: .integrity), server: serverConfiguration(layers: .integrity))
        try pair.run()
        let message = Array("payload".utf8)
        var bad: [UInt8]
        switch damage {
        case "replay":
            bad = try pair.client.encode(message)
            _ = try pair.server.decode(bad)
        case "tamper":
            bad = try pair.client.encode(message)
            bad[bad.count - 1] ^= 0x01
        case "truncate":
            bad = Array(try pair.client.encode(message).dropLast())
        default:
            var other = try SASLPair(client: clientConfiguration(layers: .integrity), server: serverConfiguration(layers: .integrity))
            try other.run()
            bad = try other.client.encode(message)
        }
        let error = saslError { _ = try pair.server.decode(bad) }
        #expect(error?.code == .protocolViolation)
        #expect(pair.server.state == .failed)
        // Failed stays failed: even a good message gets the first error.
        let good = try pair.client.encode(message)
        #expect(saslError { _ = try pair.server.decode(good) } == error)
        #expect(saslError { _ = try pair.server.wrap(message) } == error)
    }

    @Test func authzidEqualToIdentityIsAccepted() throws {
        var pair = try SASLPair(client: clientConfiguration(authzid: "alice"))
        #expect(try pair.run().authorizationID == "alice")
    }

    @Test(arguments: ["bob", "alice@EXAMPLE.TEST", "ALICE"])
    func otherAuthzidIsDenied(_ authzid: String) throws {
        var pair = try SASLPair(client: clientConfiguration(authzid: authzid))
        let error = saslError { try pair.run() }
        #expect(error?.code == .denied)
        #expect(pair.server.state == .failed)
    }

    @Test func bobFromHisOwnKeytab() throws {
        let realm = try TestRealm.shared()
        var config = clientConfiguration()
        config.principal = "bob@EXAMPLE.TEST"
        config.store = GSSCredentialStore(clientKeytab: realm.keytab(for: "bob"), ccache: "MEMORY:sasl-bob")
        var pair = try SASLPair(client: config)
        #expect(try pair.run().username == "bob")
    }

    @Test func mapperAndAllowlistRunOnTheServer() throws {
        var server = serverConfiguration()
        server.mapper = PrincipalMapper(rules: try PrincipalMapper.parseRules("RULE:[1:$1@$0](.*@EXAMPLE\\.TEST)s/@.*/-kerberos/"),
                                        allowlist: ["alice-kerberos"])
        var pair = try SASLPair(server: server)
        #expect(try pair.run().username == "alice-kerberos")
        server.mapper.allowlist = ["bob"]
        var refused = try SASLPair(server: server)
        let error = saslError { try refused.run() }
        #expect(error?.code == .denied)
        #expect(error?.message.contains("allowlist") == true)
    }

    @Test func serverCredentialChecksTheKeytab() throws {
        let realm = try TestRealm.shared()
        // A keytab without the principal: named in the error.
        let wrong = SASLServerConfiguration(principal: "mqtt/localhost@EXAMPLE.TEST", keytab: realm.keytab(for: "zmq/localhost"))
        let error = saslError { _ = try wrong.makeCredential() }
        #expect(error?.code == .gss)
        #expect(error?.message.contains("no suitable keys in keytab") == true)
        #expect(error?.message.contains(realm.keytab(for: "zmq/localhost")) == true)
        // A missing keytab file.
        let missing = SASLServerConfiguration(principal: "mqtt/localhost@EXAMPLE.TEST", keytab: realm.directory + "/nope.keytab")
        let missingError = saslError { _ = try missing.makeCredential() }
        #expect(missingError?.message.contains("nope.keytab") == true)
        // No principal: any key will do, but the keytab must have one.
        let anyKey = SASLServerConfiguration(keytab: realm.directory + "/nope.keytab")
        #expect(saslError { _ = try anyKey.makeCredential() }?.message.contains("no suitable keys in keytab") == true)
        _ = try SASLServerConfiguration(keytab: realm.keytab(for: "mqtt/localhost")).makeCredential()
        // A principal of the wrong form.
        let malformed = SASLServerConfiguration(principal: "mqtt@localhost")
        #expect(saslError { _ = try malformed.makeCredential() }?.code == .invalidArgument)
        // The right keytab, named explicitly, and the default one.
        _ = try SASLServerConfiguration(principal: "mqtt/localhost@EXAMPLE.TEST", keytab: realm.keytab(for: "mqtt/localhost")).makeCredential()
        #expect(SASLServerConfiguration().effectiveKeytab.contains("server.keytab"))
        _ = try SASLServerConfiguration(principal: "mqtt/localhost@EXAMPLE.TEST").makeCredential()
    }

    @Test func unreachableKDCGivesKerberosReason() throws {
        let realm = try TestRealm.shared()
        var config = clientConfiguration()
        config.principal = "alice@DOWN.TEST"
        config.store = GSSCredentialStore(clientKeytab: realm.downClientKeytab, ccache: "MEMORY:sasl-down")
        let client = SASLGSSAPIClient(configuration: config)
        let error = saslError { _ = try client.start() }
        #expect(error?.code == .gss)
        #expect(error?.message.contains("KDC") == true, "\(error?.message ?? "")")
    }
}

// SPDX-License-Identifier: MIT
import Testing
import TestRealm
import ZMTPCodec
import GSSKit
@testable import ZMTPGSSAPI

@Suite("Kerberos failures carry the Kerberos reason", .tags(.kerberos), .needsRealm)
struct FailureTests {
    @Test func unknownServicePrincipal() throws {
        var sides = Sides()
        sides.client.servicePrincipal = "nosuch@localhost"
        let pair = try MechanismPair(sides)
        let error = try #require(expectFailure { try pair.run() })
        #expect(error.code == .gss)
        #expect(error.mentions("Server not found in Kerberos database") || error.mentions("not found in Kerberos database"))
        #expect(error.mentions("nosuch@localhost"))
        #expect(pair.client.status == .failed)
        // A failed session stays failed with the same error.
        #expect(throws: error) { try pair.client.nextHandshakeCommand() }
    }

    @Test func noCredentials() throws {
        var sides = Sides()
        sides.client.principal = "alice"
        sides.client.principalNameType = .userName
        sides.client.store.clientKeytab = "/nonexistent/zgss.keytab"
        sides.client.store.ccache = "MEMORY:zgss-empty"
        let pair = try MechanismPair(sides)
        let error = try #require(expectFailure { try pair.run() })
        #expect(error.code == .gss)
        #expect(error.mentions("cannot acquire initiator credentials for \"alice\""))
        #expect(error.mentions("(keytab /nonexistent/zgss.keytab: No such file or directory)"))
    }

    @Test func kdcUnreachable() throws {
        let realm = try TestRealm.shared()
        var sides = Sides()
        sides.client.principal = "alice@DOWN.TEST"
        sides.client.principalNameType = .krb5Principal
        sides.client.store.clientKeytab = realm.downClientKeytab
        sides.client.store.ccache = "MEMORY:zgss-down"
        let pair = try MechanismPair(sides)
        let error = try #require(expectFailure { try pair.run() })
        #expect(error.code == .gss)
        #expect(error.mentions("Cannot contact any KDC for realm 'DOWN.TEST'"))
    }

    @Test func clientNotInAllowlist() throws {
        var sides = Sides()
        sides.server.allowedPrincipals = ["bob@EXAMPLE.TEST"]
        let pair = try MechanismPair(sides)
        let error = try #require(expectFailure { try pair.run() })
        #expect(error.code == .denied)
        #expect(error.mentions("alice@EXAMPLE.TEST"))
        #expect(pair.server.status == .failed)
        #expect(pair.client.status == .handshaking)
    }

    @Test func allowlistedClientPasses() throws {
        var sides = Sides()
        sides.server.allowedPrincipals = ["bob@EXAMPLE.TEST", "alice@EXAMPLE.TEST"]
        let pair = try MechanismPair(sides)
        try pair.run()
        #expect(pair.server.status == .ready)
    }

    @Test func plaintextOnClientOnly() throws {
        var sides = Sides()
        sides.client.plaintext = true
        let pair = try MechanismPair(sides)
        let error = try #require(expectFailure { try pair.run() })
        #expect(error.code == .protocolViolation)
        #expect(error.mentions("ZMQ_GSSAPI_PLAINTEXT"))
        #expect(pair.client.status == .failed)
    }

    @Test func plaintextOnServerOnly() throws {
        var sides = Sides()
        sides.server.plaintext = true
        let pair = try MechanismPair(sides)
        let error = try #require(expectFailure { try pair.run() })
        #expect(error.code == .protocolViolation)
        #expect(error.mentions("ZMQ_GSSAPI_PLAINTEXT"))
        #expect(pair.client.status == .failed)
    }

    @Test func incompatibleSocketTypes() throws {
        let pair = try MechanismPair(Sides(), clientType: .pub, serverType: .rep)
        let error = try #require(expectFailure { try pair.run() })
        #expect(error.code == .protocolViolation)
        #expect(error.mentions("REP peer cannot talk to a PUB socket"))
    }

    @Test func externalAuthorizationPausesAndCanDeny() throws {
        var sides = Sides()
        sides.server.externalAuthorization = true
        let pair = try MechanismPair(sides)
        try pair.run()
        #expect(pair.server.status == .awaitingAuthorization)
        #expect(pair.server.peerPrincipal == "alice@EXAMPLE.TEST")
        let error = try #require(expectFailure { try pair.server.authorize(false, reason: "ZAP said 400") })
        #expect(error.code == .denied)
        #expect(error.mentions("ZAP said 400"))
        #expect(pair.server.status == .failed)
    }

    @Test func externalAuthorizationAllows() throws {
        var sides = Sides()
        sides.server.externalAuthorization = true
        let pair = try MechanismPair(sides)
        try pair.run()
        try pair.server.authorize(true)
        try pair.run()
        #expect(pair.server.status == .ready)
        #expect(pair.client.status == .ready)
    }

    @Test func callsOutOfOrderAreLocalErrors() throws {
        let pair = try MechanismPair(Sides())
        let error = try #require(expectFailure { _ = try pair.client.encode(ZMTPMessage([1])) })
        #expect(error.code == .wrongState)
        #expect(!error.isFatal)
        #expect(pair.client.status == .handshaking)
        let authz = try #require(expectFailure { try pair.server.authorize(true) })
        #expect(authz.code == .wrongState)
        try pair.run()
        #expect(pair.client.status == .ready)
    }
}

// SPDX-License-Identifier: MIT
import Testing
import TestRealm
import ZMTPCodec
@testable import ZMTPGSSAPI

/// libzmq peers send no ERROR command: a mechanism told that its peer hung
/// up says what it was waiting for, without guessing at other mechanisms.
@Suite("What a mechanism says when its peer hangs up", .tags(.kerberos), .needsRealm)
struct PeerClosedTests {
    @Test func serverStillWaitingForInitiate() throws {
        _ = try TestRealm.shared()
        let server = GSSAPIMechanism(configuration: SecurityConfiguration(options: Sides().server), socketType: .rep)
        let error = try #require(server.connectionClosed())
        #expect(error.message.hasPrefix("client closed the connection after the greeting without sending INITIATE"))
        #expect(!error.message.contains("is it using GSSAPI"))
        #expect(server.status == .failed)
        #expect(server.lastError == error)
    }

    @Test func clientThatHasNotSentInitiate() throws {
        _ = try TestRealm.shared()
        let client = GSSAPIMechanism(configuration: SecurityConfiguration(options: Sides().client), socketType: .req)
        let error = try #require(client.connectionClosed())
        #expect(error.message == "server closed the connection before this client sent INITIATE")
    }

    @Test func afterReadyItIsAnOrdinaryDisconnect() throws {
        let pair = try MechanismPair(Sides())
        try pair.run()
        #expect(pair.client.connectionClosed() == nil)
        #expect(pair.server.connectionClosed() == nil)
    }
}

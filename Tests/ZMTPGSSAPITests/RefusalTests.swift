// SPDX-License-Identifier: MIT
import Testing
import TestRealm
import ZMTPCodec
@testable import ZMTPGSSAPI

/// A refused handshake ends with a ZMTP ERROR: the refusing side offers
/// it (`errorCommand`), the refused side reads it as a refusal.
@Suite("ERROR: refusing and being refused", .tags(.kerberos), .needsRealm)
struct RefusalTests {
    static let error400 = ErrorCommand.encode(reason: Array("400".utf8))

    @Test func allowlistRefusalOffersError400AndTheClientReadsIt() throws {
        var sides = Sides()
        sides.server.allowedPrincipals = ["bob@EXAMPLE.TEST"]
        let pair = try MechanismPair(sides)
        let denied = try #require(expectFailure { try pair.run() })
        #expect(denied.code == .denied)
        #expect(pair.server.errorCommand() == Self.error400)
        // The client is waiting for READY and gets the ERROR instead.
        #expect(pair.client.status == .handshaking)
        let refused = try #require(expectFailure { try pair.client.processHandshakeCommand(Self.error400) })
        #expect(refused.code == .denied)
        #expect(refused.mentions("server refused the handshake with ERROR \"400\""))
        #expect(refused.mentions("not authorized"))
        #expect(pair.client.status == .failed)
        #expect(pair.client.lastError == refused)
        // An ERROR is not answered with another.
        #expect(pair.client.errorCommand() == nil)
        #expect(pair.client.errorCommand(reason: Array("500".utf8)) == nil)
    }

    @Test func externalDenialOffersTheHostsStatusCode() throws {
        var sides = Sides()
        sides.server.externalAuthorization = true
        let pair = try MechanismPair(sides)
        try pair.run()
        _ = expectFailure { try pair.server.authorize(false, reason: "ZAP handler replied 500") }
        #expect(pair.server.errorCommand() == Self.error400)
        #expect(pair.server.errorCommand(reason: Array("500".utf8)) == ErrorCommand.encode(reason: Array("500".utf8)))
    }

    @Test func noErrorWithoutARefusal() throws {
        let pair = try MechanismPair(Sides())
        #expect(pair.server.errorCommand() == nil)
        #expect(pair.client.errorCommand(reason: Array("x".utf8)) == nil)
        try pair.run()
        #expect(pair.client.status == .ready && pair.server.status == .ready)
        // A failure after READY (a tampered message) is not a handshake
        // refusal: ERROR is a handshake command.
        var wire = try pair.client.encode(ZMTPMessage(Array("hello".utf8)))
        wire.body[wire.body.count - 1] ^= 1
        _ = expectFailure { _ = try pair.server.decode(wire) }
        #expect(pair.server.status == .failed)
        #expect(pair.server.errorCommand(reason: Array("x".utf8)) == nil)
    }

    @Test func otherFailuresGiveAnErrorOnlyWithTheHostsReason() throws {
        var sides = Sides()
        sides.client.plaintext = true
        let pair = try MechanismPair(sides)
        _ = expectFailure { try pair.run() }
        #expect(pair.client.status == .failed)
        #expect(pair.client.errorCommand() == nil)
        #expect(pair.client.errorCommand(reason: Array("GSSAPI handshake failed".utf8))
                == ErrorCommand.encode(reason: Array("GSSAPI handshake failed".utf8)))
    }

    @Test func zapStatusCodesAreDenialsOtherReasonsProtocolErrors() throws {
        let cases: [(reason: String, code: ZGSSErrorCode, text: String)] = [
            ("300", .denied, "ZAP status 300"),
            ("500", .denied, "ZAP status 500"),
            ("GSSAPI handshake failed", .protocolViolation, "ERROR \"GSSAPI handshake failed\""),
            ("bad\u{1}", .protocolViolation, "ERROR \"bad\\x01\""),
        ]
        for (reason, code, text) in cases {
            let pair = try MechanismPair(Sides())
            // The server, awaiting the client's INITIATE, gets an ERROR.
            let error = try #require(expectFailure {
                try pair.server.processHandshakeCommand(ErrorCommand.encode(reason: Array(reason.utf8)))
            })
            #expect(error.code == code)
            #expect(error.mentions("client refused the handshake"))
            #expect(error.mentions(text))
            #expect(pair.server.errorCommand() == nil)
        }
    }

    @Test func malformedErrorIsAProtocolViolation() throws {
        let pair = try MechanismPair(Sides())
        _ = try pair.client.nextHandshakeCommand()
        let error = try #require(expectFailure {
            try pair.client.processHandshakeCommand(ErrorCommand.prefix + [9] + Array("400".utf8))
        })
        #expect(error.code == .protocolViolation)
        #expect(error.mentions("server sent a malformed ERROR command"))
    }
}

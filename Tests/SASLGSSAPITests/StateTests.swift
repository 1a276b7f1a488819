// SPDX-License-Identifier: MIT
import Testing
import TestRealm
import GSSKit
@testable import SASLGSSAPI

/// Every state of both machines against every kind of input.
@Suite("SASL GSSAPI states × inputs", .tags(.kerberos), .needsRealm)
struct StateTests {
    // MARK: server

    @Test func serverGarbageFirstTokenFailsWithGSSAndStaysFailed() throws {
        let pair = try SASLPair()
        let error = saslError { _ = try pair.server.receive(Array("garbage".utf8)) }
        #expect(error?.code == .gss)
        #expect(pair.server.state == .failed)
        let again = saslError { _ = try pair.server.receive(try pair.client.start()) }
        #expect(again == error)
    }

    @Test func serverAsksOnceForAnInitialResponse() throws {
        let pair = try SASLPair()
        #expect(try pair.server.receive([]) == .challenge([]))
        #expect(saslError { _ = try pair.server.receive([]) }?.code == .protocolViolation)
    }

    @Test func serverAcceptsInitialResponseAfterEmptyChallenge() throws {
        let pair = try SASLPair()
        #expect(try pair.server.receive([]) == .challenge([]))
        guard case .challenge(let aprep) = try pair.server.receive(try pair.client.start()) else {
            Issue.record("expected AP-REP"); return
        }
        #expect(!aprep.isEmpty)
        #expect(pair.server.state == .awaitingAck)
    }

    @Test func serverAwaitingAckRefusesNonEmpty() throws {
        let pair = try SASLPair()
        _ = try pair.server.receive(try pair.client.start())
        #expect(pair.server.state == .awaitingAck)
        #expect(saslError { _ = try pair.server.receive([0]) }?.code == .protocolViolation)
        #expect(pair.server.state == .failed)
    }

    /// Drives a pair until the server waits for the client's reply.
    private func serverAwaitingReply() throws -> (SASLPair, [UInt8]) {
        let pair = try SASLPair()
        guard case .challenge(let aprep) = try pair.server.receive(try pair.client.start()) else { throw SASLError(.wrongState, "") }
        guard case .challenge(let offer) = try pair.server.receive(try pair.client.receive(aprep)) else { throw SASLError(.wrongState, "") }
        #expect(pair.server.state == .awaitingReply)
        return (pair, offer)
    }

    @Test func serverAwaitingReplyRefusesGarbage() throws {
        let (pair, _) = try serverAwaitingReply()
        #expect(saslError { _ = try pair.server.receive(Array("not a wrap token".utf8)) }?.code == .protocolViolation)
        #expect(pair.server.state == .failed)
    }

    @Test func serverAwaitingReplyRefusesEmpty() throws {
        let (pair, _) = try serverAwaitingReply()
        #expect(saslError { _ = try pair.server.receive([]) }?.code == .protocolViolation)
    }

    /// Replies the client side's GSS context wraps by hand.
    @Test(arguments: [[], [1], [1, 0, 0], [0, 0, 0, 0], [3, 0, 0, 0], [8, 0, 0, 0], [1, 0, 0, 0, 0]] as [[UInt8]])
    func serverRefusesMalformedReplies(_ plain: [UInt8]) throws {
        _ = try TestRealm.shared()
        let server = SASLGSSAPIServer(configuration: serverConfiguration(), credential: try serverConfiguration().makeCredential())
        let target = try GSSName("mqtt@localhost", type: .hostbasedService)
        let raw = GSSSecurityContext(initiatorWith: nil, target: target, flags: [.mutual, .integrity, .confidentiality])
        guard case .challenge(let aprep) = try server.receive(try raw.step(nil).token) else { Issue.record("no AP-REP"); return }
        _ = try raw.step(aprep[...])
        guard case .challenge = try server.receive([]) else { Issue.record("no offer"); return }
        let error = saslError { _ = try server.receive(try raw.wrap(plain, confidential: false)) }
        #expect(error?.code == .protocolViolation)
    }

    @Test func serverRefusesALayerItDidNotOffer() throws {
        // The client wants integrity; a server offering only none refuses
        // a reply choosing integrity even if the client forces it.
        _ = try TestRealm.shared()
        let server = SASLGSSAPIServer(configuration: serverConfiguration(layers: .none), credential: try serverConfiguration().makeCredential())
        let target = try GSSName("mqtt@localhost", type: .hostbasedService)
        let raw = GSSSecurityContext(initiatorWith: nil, target: target, flags: [.mutual, .integrity, .confidentiality])
        guard case .challenge(let aprep) = try server.receive(try raw.step(nil).token) else { Issue.record("no AP-REP"); return }
        _ = try raw.step(aprep[...])
        guard case .challenge(let offer) = try server.receive([]) else { Issue.record("no offer"); return }
        #expect(try raw.unwrap(offer).message == [1, 0, 0, 0])
        let reply = SecurityLayerChoice(layer: .integrity, maxBuffer: 4096, authorizationID: "").bytes
        let error = saslError { _ = try server.receive(try raw.wrap(reply, confidential: false)) }
        #expect(error?.code == .protocolViolation)
        #expect(error?.message.contains("not offered") == true)
    }

    @Test func serverAfterSuccessIsWrongStateButStillWorks() throws {
        var pair = try SASLPair()
        try pair.run()
        #expect(saslError { _ = try pair.server.receive([]) }?.code == .wrongState)
        #expect(pair.server.state == .complete)
        #expect(try pair.server.unwrap(try pair.client.wrap([1, 2, 3])) == [1, 2, 3])
    }

    @Test func noProtectionBeforeCompletion() throws {
        let pair = try SASLPair()
        #expect(saslError { _ = try pair.server.wrap([1]) }?.code == .wrongState)
        #expect(saslError { _ = try pair.client.wrap([1]) }?.code == .wrongState)
        #expect(saslError { _ = try pair.client.decode([0, 0, 0, 1, 0]) }?.code == .wrongState)
    }

    // MARK: client

    @Test func clientMisuseIsLocal() throws {
        let pair = try SASLPair()
        #expect(saslError { _ = try pair.client.receive([]) }?.code == .wrongState)
        #expect(pair.client.state == .initial)
        _ = try pair.client.start()
        #expect(saslError { _ = try pair.client.start() }?.code == .wrongState)
        #expect(pair.client.state == .establishing)
    }

    @Test func clientAfterCompletionIsWrongState() throws {
        var pair = try SASLPair()
        try pair.run()
        #expect(saslError { _ = try pair.client.receive([]) }?.code == .wrongState)
        #expect(pair.client.state == .complete)
    }

    @Test(arguments: [Array("garbage".utf8), [0x60, 0x03, 0x00, 0x00, 0x00], []] as [[UInt8]])
    func clientEstablishingRefusesGarbage(_ token: [UInt8]) throws {
        let pair = try SASLPair()
        _ = try pair.client.start()
        let error = saslError { _ = try pair.client.receive(token) }
        #expect(error?.code == .gss)
        #expect(pair.client.state == .failed)
        #expect(saslError { _ = try pair.client.receive(token) } == error)
    }

    @Test(arguments: [Array("junk".utf8), [], [0x05, 0x04, 0x01, 0xff]] as [[UInt8]])
    func clientAwaitingOfferRefusesGarbage(_ token: [UInt8]) throws {
        let client = SASLGSSAPIClient(configuration: clientConfiguration())
        try RawAcceptor().establish(client)
        #expect(saslError { _ = try client.receive(token) }?.code == .protocolViolation)
        #expect(client.state == .failed)
    }

    @Test func serverRefusesATicketForAnotherService() throws {
        // The client asks for other/localhost; the server holds mqtt/localhost.
        let pair = try SASLPair(client: SASLClientConfiguration(service: "other@localhost"))
        let error = saslError { _ = try pair.server.receive(try pair.client.start()) }
        #expect(error?.code == .gss)
        #expect(pair.server.state == .failed)
    }

    @Test(arguments: [[], [7], [7, 0, 0], [7, 0, 0, 0, 0], [0, 0, 0, 0], [0x10, 0, 0, 0]] as [[UInt8]])
    func clientRefusesTruncatedOrBadOffers(_ plain: [UInt8]) throws {
        let client = SASLGSSAPIClient(configuration: clientConfiguration())
        let acceptor = try RawAcceptor()
        try acceptor.establish(client)
        let error = saslError { _ = try client.receive(try acceptor.context.wrap(plain, confidential: false)) }
        #expect(error?.code == .protocolViolation)
    }

    @Test func clientRefusesOfferWithoutAcceptableLayer() throws {
        let client = SASLGSSAPIClient(configuration: clientConfiguration(layers: .confidentiality))
        let acceptor = try RawAcceptor()
        try acceptor.establish(client)
        let offer = SecurityLayerOffer(layers: [.none, .integrity], maxBuffer: 1000).bytes
        let error = saslError { _ = try client.receive(try acceptor.context.wrap(offer, confidential: false)) }
        #expect(error?.code == .denied)
        #expect(error?.message.contains("no common security layer") == true)
    }

    @Test func clientReplyCarriesLayerBufferAndAuthzid() throws {
        let client = SASLGSSAPIClient(configuration: clientConfiguration(layers: [.none, .integrity], authzid: "alice"))
        let acceptor = try RawAcceptor()
        try acceptor.establish(client)
        let offer = SecurityLayerOffer(layers: .all, maxBuffer: 100).bytes
        let reply = try client.receive(try acceptor.context.wrap(offer, confidential: false))
        let plain = try acceptor.context.unwrap(reply)
        #expect(!plain.wasConfidential)
        #expect(try SecurityLayerChoice.parse(plain.message) == SecurityLayerChoice(layer: .integrity, maxBuffer: 65536, authorizationID: "alice"))
        // The server's 100-octet limit is enforced on what the client sends.
        #expect(saslError { _ = try client.wrap([UInt8](repeating: 1, count: 200)) }?.code == .invalidArgument)
        #expect(try client.wrap([1]).count <= 100)
    }

    @Test func confidentialityLayerRefusesSignedOnlyTokens() throws {
        let client = SASLGSSAPIClient(configuration: clientConfiguration(layers: .confidentiality))
        let acceptor = try RawAcceptor()
        try acceptor.establish(client)
        _ = try client.receive(try acceptor.context.wrap(SecurityLayerOffer(layers: .confidentiality, maxBuffer: 65536).bytes, confidential: false))
        #expect(client.securityLayer == .confidentiality)
        let sealed = try acceptor.context.wrap(Array("y".utf8), confidential: true)
        #expect(try client.unwrap(sealed) == Array("y".utf8))
        let signedOnly = try acceptor.context.wrap(Array("x".utf8), confidential: false)
        #expect(saslError { _ = try client.unwrap(signedOnly) }?.code == .protocolViolation)
        #expect(client.state == .failed)
    }

    @Test func badServiceNameFailsAtStart() throws {
        _ = try TestRealm.shared()
        let client = SASLGSSAPIClient(configuration: SASLClientConfiguration(service: "nosuch@localhost"))
        let error = saslError { _ = try client.start() }
        #expect(error?.code == .gss)
        #expect(error?.message.contains("not found in Kerberos database") == true, "\(error?.message ?? "")")
    }
}

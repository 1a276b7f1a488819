// SPDX-License-Identifier: MIT
import Testing
import TestRealm
import TestSupport
@testable import SASLGSSAPI

/// Random bytes into every waiting state of both machines: always a typed
/// error, never a crash, and the machine ends failed (or, for the server's
/// one empty-token allowance, asks for the initial response).
@Suite("SASL GSSAPI: random tokens in every state", .tags(.kerberos), .needsRealm)
struct GarbageTests {
    static func tokens(seed: UInt64, count: Int = 24) -> [[UInt8]] {
        var rng = SeededGenerator(seed: seed)
        var out: [[UInt8]] = []
        for i in 0..<count {
            let length = i < 4 ? [1, 3, 4, 16][i] : Int.random(in: 1...300, using: &rng)
            var token = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            // Some look like GSS tokens (0x60 framing, RFC 4121 wrap header).
            if i % 3 == 1 { token[0] = 0x60 }
            if i % 3 == 2 && token.count > 2 { token[0] = 0x05; token[1] = 0x04 }
            out.append(token)
        }
        return out
    }

    @Test func serverAwaitingToken() throws {
        for token in Self.tokens(seed: 1) {
            let pair = try SASLPair()
            #expect(saslError { _ = try pair.server.receive(token) }?.isFatal == true)
            #expect(pair.server.state == .failed)
        }
    }

    @Test func serverAwaitingAck() throws {
        for token in Self.tokens(seed: 2) {
            let pair = try SASLPair()
            _ = try pair.server.receive(try pair.client.start())
            #expect(saslError { _ = try pair.server.receive(token) }?.code == .protocolViolation)
            #expect(pair.server.state == .failed)
        }
    }

    @Test func serverAwaitingReply() throws {
        for token in Self.tokens(seed: 3) {
            let pair = try SASLPair()
            guard case .challenge(let aprep) = try pair.server.receive(try pair.client.start()) else { continue }
            _ = try pair.server.receive(try pair.client.receive(aprep))
            #expect(saslError { _ = try pair.server.receive(token) }?.code == .protocolViolation)
            #expect(pair.server.state == .failed)
        }
    }

    @Test func clientEstablishing() throws {
        for token in Self.tokens(seed: 4) {
            let pair = try SASLPair()
            _ = try pair.client.start()
            #expect(saslError { _ = try pair.client.receive(token) }?.code == .gss)
            #expect(pair.client.state == .failed)
        }
    }

    @Test func clientAwaitingOffer() throws {
        for token in Self.tokens(seed: 5) {
            let pair = try SASLPair()
            guard case .challenge(let aprep) = try pair.server.receive(try pair.client.start()) else { continue }
            _ = try pair.client.receive(aprep)
            #expect(saslError { _ = try pair.client.receive(token) }?.code == .protocolViolation)
            #expect(pair.client.state == .failed)
        }
    }

    @Test func completeSessionsRefuseRandomProtectedData() throws {
        for token in Self.tokens(seed: 6, count: 12) {
            var pair = try SASLPair(client: clientConfiguration(layers: .confidentiality))
            try pair.run()
            #expect(saslError { _ = try pair.server.unwrap(token) }?.code == .protocolViolation)
            #expect(saslError { _ = try pair.client.decode(token) }?.code == .protocolViolation)
        }
    }
}

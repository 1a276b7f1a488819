// SPDX-License-Identifier: MIT
import Testing
import ZMTPCodec
@testable import ZMTPGSSAPI

/// The NULL mechanism alone (no realm): the READY it sends, byte for
/// byte, and what it does with each kind of peer command.
@Suite("NULL mechanism")
struct NullMechanismTests {
    /// Both sides' READYs crossed; both ready.
    static func readyPair(_ a: SocketType, _ b: SocketType, ids: ([UInt8], [UInt8]) = ([], []))
        throws -> (NullMechanism, NullMechanism) {
        let first = NullMechanism(socketType: a, routingId: ids.0)
        let second = NullMechanism(socketType: b, routingId: ids.1)
        let fromFirst = try #require(try first.nextHandshakeCommand())
        let fromSecond = try #require(try second.nextHandshakeCommand())
        try first.processHandshakeCommand(fromSecond)
        try second.processHandshakeCommand(fromFirst)
        return (first, second)
    }

    @Test func readyIsTheZMTPReadyCommand() throws {
        let dealer = NullMechanism(socketType: .dealer, routingId: Array("d1".utf8))
        let ready = try #require(try dealer.nextHandshakeCommand())
        #expect(ready == [5] + Array("READY".utf8)
                + [11] + Array("Socket-Type".utf8) + [0, 0, 0, 6] + Array("DEALER".utf8)
                + [8] + Array("Identity".utf8) + [0, 0, 0, 2] + Array("d1".utf8))
        #expect(try dealer.nextHandshakeCommand() == nil)
        #expect(dealer.status == .handshaking)
    }

    @Test func handshakeExchangesMetadata() throws {
        let (dealer, router) = try Self.readyPair(.dealer, .router, ids: (Array("d1".utf8), []))
        #expect(dealer.status == .ready && router.status == .ready)
        #expect(router.peerSocketType == .dealer && router.peerIdentity == Array("d1".utf8))
        #expect(dealer.peerSocketType == .router && dealer.peerPrincipal == nil)
        #expect(!dealer.protectsMessages)
        let message = ZMTPMessage([1, 2, 3], flags: .more)
        #expect(try router.decode(dealer.encode(message)) == message)
    }

    @Test func peerReadyMayArriveBeforeOurs() throws {
        let push = NullMechanism(socketType: .push)
        let pull = NullMechanism(socketType: .pull)
        try push.processHandshakeCommand(try #require(try pull.nextHandshakeCommand()))
        #expect(push.status == .handshaking)
        _ = try push.nextHandshakeCommand()
        #expect(push.status == .ready)
    }

    static let refusals: [([UInt8], String)] = [
        (ErrorCommand.encode(reason: Array("400".utf8)), "peer refused the handshake: ERROR \"400\""),
        (Command.encode(name: "ERROR", data: [9]), "peer refused the handshake: ERROR \"(malformed)\""),
        (Command.encode(name: "HELLO", data: []), "expected READY, got HELLO"),
        ([], "expected READY, got an empty command frame"),
        ([5] + Array("READY".utf8) + [11], "peer's READY is malformed"),
        (Command.encode(name: "READY", data: []), "peer's READY has no known Socket-Type"),
        (GSSAPICommand.ready(Metadata([.init(name: "Socket-Type", value: Array("PUB".utf8))])),
         "a PUB peer cannot talk to a PULL socket"),
    ]

    @Test(arguments: refusals)
    func badCommandsFailForGood(body: [UInt8], text: String) throws {
        let pull = NullMechanism(socketType: .pull)
        _ = try pull.nextHandshakeCommand()
        var caught: ZGSSError?
        do { try pull.processHandshakeCommand(body) } catch { caught = error }
        let error = try #require(caught)
        #expect(error.code == .protocolViolation)
        #expect(error.message.hasPrefix(text), "\(error.message)")
        #expect(pull.status == .failed)
        #expect(throws: error) { try pull.nextHandshakeCommand() }
        #expect(throws: error) { _ = try pull.decode(ZMTPMessage([])) }
        #expect(pull.connectionClosed() == error)
        #expect(pull.errorCommand(reason: nil) == nil)
    }

    @Test func commandAfterTheHandshakeFails() throws {
        let (push, _) = try Self.readyPair(.push, .pull)
        #expect(throws: ZGSSError.self) { try push.processHandshakeCommand(Command.encode(name: "READY", data: [])) }
        #expect(push.status == .failed)
    }

    @Test func messagesBeforeReadyAreALocalError() throws {
        let push = NullMechanism(socketType: .push)
        #expect(throws: ZGSSError(.wrongState, "encode is valid only after the handshake")) {
            _ = try push.encode(ZMTPMessage([1]))
        }
        #expect(push.status == .handshaking)
        #expect(push.connectionClosed()?.message == "peer closed the connection during the NULL handshake")
    }
}

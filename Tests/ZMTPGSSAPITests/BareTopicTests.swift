// SPDX-License-Identifier: MIT
import Testing
import TestRealm
import ZMTPCodec
@testable import ZMTPGSSAPI

/// The one place that knows a stock libzmq 4.3.4 SUB's encrypted
/// subscription arrives without its 0x01 marker: GSSAPIMechanism.decode.
@Suite("A SUB's bare topic is a subscription; an XSUB's message is data", .tags(.kerberos), .needsRealm)
struct BareTopicTests {
    /// What the PUB or XPUB side reads after `clientType` sent `body`.
    private func received(_ body: [UInt8], flags: MessageFlags = [], from clientType: SocketType,
                          to serverType: SocketType = .pub, plaintext: Bool = false) throws -> ZMTPMessage {
        let pair = try MechanismPair(Sides(plaintext: plaintext), clientType: clientType, serverType: serverType)
        try pair.run()
        let sent = try pair.client.encode(ZMTPMessage(body, flags: flags))
        return try pair.server.decode(ZMTPMessage(sent.body, flags: sent.flags))
    }

    @Test(arguments: [SocketType.pub, .xpub])
    func subscribersBareTopicIsFlagged(serverType: SocketType) throws {
        let message = try received(Array("weather".utf8), from: .sub, to: serverType)
        #expect(message.flags.contains(.subscribe))
        #expect(message.body == Array("weather".utf8))
        // The empty topic (subscribe to everything) too.
        #expect(try received([], from: .sub, to: serverType).flags.contains(.subscribe))
    }

    @Test func xsubsMessageStaysData() throws {
        let message = try received(Array("hello".utf8), from: .xsub)
        #expect(message.flags.isDisjoint(with: [.subscribe, .cancel]))
        #expect(message.body == Array("hello".utf8))
    }

    @Test func markedFormIsLeftToTheSocket() throws {
        // 0x01topic / 0x00topic are ZMTP 3.0 subscriptions the socket reads.
        for marked in [[1] + Array("t".utf8), [0] + Array("t".utf8)] {
            let message = try received(marked, from: .sub)
            #expect(message.flags.isDisjoint(with: [.subscribe, .cancel]))
            #expect(message.body == marked)
        }
    }

    @Test func theLastPartOfALongerMessageIsNotATopic() throws {
        let pair = try MechanismPair(Sides(), clientType: .sub, serverType: .pub)
        try pair.run()
        var read: [ZMTPMessage] = []
        for (body, flags) in [("first", MessageFlags.more), ("last", []), ("topic", [])] {
            let sent = try pair.client.encode(ZMTPMessage(Array(body.utf8), flags: flags))
            read.append(try pair.server.decode(ZMTPMessage(sent.body, flags: sent.flags)))
        }
        #expect(read.map(\.flags) == [.more, [], .subscribe])
    }

    @Test func onlySingleFramesOnAPublisher() throws {
        #expect(try !received(Array("part".utf8), flags: .more, from: .sub).flags.contains(.subscribe))
        // A SUB's bare message to anything but a PUB/XPUB is not read so.
        #expect(try !received(Array("x".utf8), from: .xsub, to: .xpub).flags.contains(.subscribe))
        // Plaintext mode: 4.3.4 keeps the marker, nothing to repair.
        #expect(try !received(Array("x".utf8), from: .sub, plaintext: true).flags.contains(.subscribe))
    }
}

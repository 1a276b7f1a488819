// SPDX-License-Identifier: MIT
import Testing
import TestRealm
import ZMTPCodec
import GSSKit
@testable import ZMTPGSSAPI

/// Every handshake state of both sides × every kind of command body a peer
/// can send. Each cell builds a real pair on the test realm, drives it to
/// the state, feeds the input and checks the outcome: accepted, or a fatal
/// error of the expected kind with the session failed. Nothing may crash.
@Suite("State × input table", .tags(.kerberos), .needsRealm)
struct StateTableTests {
    enum Side: String, CaseIterable, Sendable { case client, server }

    /// States by the number of handshake steps taken to reach them.
    enum Stage: String, CaseIterable, Sendable {
        case clientStart, clientAwaitToken, clientSendToken, clientAwaitReady, clientSendReady, clientReady
        case serverAwaitToken, serverSendToken, serverAwaitEmpty, serverSendReady, serverAwaitReady, serverReady
    }

    enum Input: String, CaseIterable, Sendable {
        case freshAPREQ, garbageInitiate, truncatedInitiate, lengthPastEnd, fourGiBLength, emptyBody,
             plainReady, garbageMessage, zeroLengthMessage, unknownCommand, emptyName
    }

    enum Outcome: Equatable { case accepted, fails(ZGSSErrorCode) }

    static func body(_ input: Input) throws -> [UInt8] {
        switch input {
        case .freshAPREQ:
            // A real AP-REQ from a different client.
            let other = try MechanismPair(Sides())
            return try #require(try other.client.nextHandshakeCommand())
        case .garbageInitiate:
            return GSSAPICommand.initiate(token: (0..<40).map { UInt8(truncatingIfNeeded: $0 &* 37) })
        case .truncatedInitiate:
            return GSSAPICommand.initiatePrefix + [0, 0]
        case .lengthPastEnd:
            return GSSAPICommand.initiatePrefix + [0, 0, 0, 100] + [UInt8](repeating: 1, count: 10)
        case .fourGiBLength:
            return GSSAPICommand.initiatePrefix + [0xff, 0xff, 0xff, 0xff, 1, 2, 3]
        case .emptyBody:
            return []
        case .plainReady:
            return GSSAPICommand.ready(Metadata([.init(name: "Socket-Type", value: Array("REQ".utf8))]))
        case .garbageMessage:
            return GSSAPICommand.message(token: [0x05, 0x04] + [UInt8](repeating: 0x42, count: 70))
        case .zeroLengthMessage:
            return GSSAPICommand.message(token: [])
        case .unknownCommand:
            return Command.encode(name: "HELLO", data: [1, 2, 3])
        case .emptyName:
            return [0x00, 0x01]
        }
    }

    /// The expected outcome of feeding `input` to a mechanism in `phase`,
    /// read from the mechanism's own handshake table: what the phase does
    /// with a command decides which inputs it takes. What follows here is
    /// only what each action makes of each kind of body.
    static func expected(_ phase: HandshakePhase, isServer: Bool, _ input: Input) -> Outcome {
        switch HandshakeTransitions.of(phase).onCommand {
        case .token:
            switch input {
            // The server accepts a fresh AP-REQ; to a client it is no
            // AP-REP, so its GSS step fails, as it does on garbage.
            case .freshAPREQ: return isServer ? .accepted : .fails(.gss)
            case .garbageInitiate: return .fails(.gss)
            default: return .fails(.protocolViolation)
            }
        case .emptyCommand:
            return input == .emptyBody ? .accepted : .fails(.protocolViolation)
        case .ready:
            // No input is a wrapped READY from the peer.
            return .fails(.protocolViolation)
        case .outOfTurn, .afterHandshake:
            return .fails(.protocolViolation)
        case .fail:
            // A fresh mechanism reached this far: never failed already.
            return .fails(.wrongState)
        }
    }

    /// A fresh pair with the side under test in `stage`.
    static func mechanism(at stage: Stage) throws -> (GSSAPIMechanism, MechanismPair) {
        let pair = try MechanismPair(Sides())
        let c = pair.client, s = pair.server
        func c2s() throws { try s.processHandshakeCommand(try #require(try c.nextHandshakeCommand())) }
        func s2c() throws { try c.processHandshakeCommand(try #require(try s.nextHandshakeCommand())) }
        switch stage {
        case .clientStart: return (c, pair)
        case .serverAwaitToken: return (s, pair)
        case .clientAwaitToken: _ = try c.nextHandshakeCommand(); return (c, pair)
        case .serverSendToken: try c2s(); return (s, pair)
        case .clientSendToken: try c2s(); try s2c(); return (c, pair)
        case .serverAwaitEmpty: try c2s(); _ = try s.nextHandshakeCommand(); return (s, pair)
        case .clientAwaitReady: try c2s(); try s2c(); _ = try c.nextHandshakeCommand(); return (c, pair)
        case .serverSendReady: try c2s(); try s2c(); try c2s(); return (s, pair)
        case .serverAwaitReady: try c2s(); try s2c(); try c2s(); _ = try s.nextHandshakeCommand(); return (s, pair)
        case .clientSendReady: try c2s(); try s2c(); try c2s(); try s2c(); return (c, pair)
        case .clientReady: try pair.run(); return (c, pair)
        case .serverReady: try pair.run(); return (s, pair)
        }
    }

    /// Each stage drives a mechanism into the phase of its name, and the
    /// stages reach every phase of the table but the two other tests own
    /// (authorization: FailureTests; failed: the end of every cell here).
    @Test func stagesReachEveryPhase() throws {
        var reached = Set<HandshakePhase>()
        for stage in Stage.allCases {
            let phase = try Self.mechanism(at: stage).0.phase
            let name = stage == .clientReady || stage == .serverReady ? "ready" : stage.rawValue
            #expect("\(phase)" == name, "\(stage)")
            reached.insert(phase)
        }
        #expect(reached.union([.serverAwaitAuthorization, .failed]) == Set(HandshakePhase.allCases))
    }

    @Test(arguments: Stage.allCases, Input.allCases)
    func cell(stage: Stage, input: Input) throws {
        let (mechanism, _) = try Self.mechanism(at: stage)
        let bytes = try Self.body(input)
        let phase = mechanism.phase
        let outcome: Outcome
        do {
            try mechanism.processHandshakeCommand(bytes)
            outcome = .accepted
        } catch {
            outcome = .fails(error.code)
            #expect(mechanism.status == .failed)
            #expect(mechanism.lastError == error)
            #expect(!error.message.isEmpty)
            // Failed stays failed, with the same error, for every call.
            #expect(throws: error) { try mechanism.processHandshakeCommand([]) }
            #expect(throws: error) { try mechanism.nextHandshakeCommand() }
        }
        #expect(outcome == Self.expected(phase, isServer: mechanism.isServer, input), "\(stage) (\(phase)) × \(input)")
    }
}

@Suite("Messages after the handshake", .tags(.kerberos), .needsRealm)
struct MessageDecodeTests {
    static func readyPair(mitClient: Bool = false) throws -> MechanismPair {
        let pair = try MechanismPair(Sides(), mitClient: mitClient)
        try pair.run()
        return pair
    }

    @Test(arguments: [
        (GSSAPICommand.message(token: []), "zero-length token"),
        (GSSAPICommand.message(token: [0x05, 0x04, 0x07] + [UInt8](repeating: 0, count: 60)), "garbage token"),
        (Array("plain data".utf8), "not a MESSAGE"),
        (GSSAPICommand.initiate(token: [1, 2, 3]), "INITIATE after READY"),
        (GSSAPICommand.messagePrefix + [0, 0, 1, 0], "length past end"),
        ([], "empty frame"),
    ])
    func malformedMessagesFailTheSession(body: [UInt8], what: String) throws {
        let pair = try Self.readyPair()
        let error = expectFailure { _ = try pair.server.decode(ZMTPMessage(body)) }
        #expect(error?.code == .protocolViolation, "\(what)")
        #expect(pair.server.status == .failed)
    }

    @Test func tamperedTokenIsRefused() throws {
        let pair = try Self.readyPair()
        var wire = try pair.client.encode(ZMTPMessage(Array("transfer 100".utf8))).body
        wire[wire.count - 20] ^= 0x01
        let error = expectFailure { _ = try pair.server.decode(ZMTPMessage(wire)) }
        #expect(error?.code == .protocolViolation)
        #expect(error?.mentions("integrity") == true)
    }

    @Test func replayedTokenIsRefused() throws {
        let pair = try Self.readyPair()
        let wire = try pair.client.encode(ZMTPMessage(Array("once".utf8)))
        #expect(try pair.server.decode(wire).body == Array("once".utf8))
        let error = expectFailure { _ = try pair.server.decode(wire) }
        #expect(error?.code == .protocolViolation)
    }

    @Test func integrityOnlyTokenIsRefusedNotAborted() throws {
        // libzmq asserts (aborts the process) here; zgss fails the session.
        let pair = try Self.readyPair(mitClient: true)
        let context = try #require(pair.client.context)
        let token = try context.wrap(header: [0], Array("no secrecy".utf8), confidential: false)
        let error = expectFailure { _ = try pair.server.decode(ZMTPMessage(GSSAPICommand.message(token: token))) }
        #expect(error?.code == .protocolViolation)
        #expect(error?.mentions("without confidentiality") == true)
    }

    @Test func emptyPlaintextInsideTheWrapIsRefused() throws {
        let pair = try Self.readyPair(mitClient: true)
        let context = try #require(pair.client.context)
        let token = try context.wrap([UInt8](), confidential: true)
        let error = expectFailure { _ = try pair.server.decode(ZMTPMessage(GSSAPICommand.message(token: token))) }
        #expect(error?.code == .protocolViolation)
        #expect(error?.mentions("no flags byte") == true)
    }

    @Test func subscribeAndCancelFlagsFromNewerLibzmqAreKept() throws {
        let pair = try Self.readyPair(mitClient: true)
        let context = try #require(pair.client.context)
        for flags: UInt8 in [0x04, 0x08] {
            let token = try context.wrap(header: [flags], Array("topic".utf8), confidential: true)
            let message = try pair.server.decode(ZMTPMessage(GSSAPICommand.message(token: token)))
            #expect(message.flags.rawValue == flags)
            #expect(message.body == Array("topic".utf8))
        }
    }
}

@Suite("gss_wrap_iov tokens are plain RFC 4121 tokens", .tags(.kerberos), .needsRealm)
struct IOVCompatibilityTests {
    @Test(arguments: [0, 1, 15, 16, 17, 1000, 65536])
    func iovTokenOpensWithPlainUnwrap(size: Int) throws {
        let pair = try MechanismPair(Sides(), mitClient: true, mitServer: true)
        try pair.run()
        let payload = (0..<size).map { UInt8(truncatingIfNeeded: $0) }
        let wire = try pair.server.encode(ZMTPMessage(payload, flags: .more)).body
        let token = try GSSAPICommand.parseMessage(wire)
        let context = try #require(pair.client.context)
        let opened = try context.unwrap(token)
        #expect(opened.wasConfidential)
        #expect(opened.message == [0x01] + payload)
    }
}

@Suite("KerberosCrypto tokens and MIT tokens cross", .tags(.kerberos), .needsRealm)
struct NativeTokenTests {
    static let payloads: [[UInt8]] = [[], [7], Array("hello".utf8), (0..<4097).map { UInt8(truncatingIfNeeded: $0) }]

    /// Native on one side, MIT on the other, both directions, with flags.
    @Test(arguments: [false, true])
    func mixedPairExchangesMessages(mitOnServer: Bool) throws {
        let pair = try MechanismPair(Sides(), mitClient: !mitOnServer, mitServer: mitOnServer)
        try pair.run()
        for payload in Self.payloads {
            for flags: MessageFlags in [[], .more, .command] {
                let up = try pair.server.decode(pair.client.encode(ZMTPMessage(payload, flags: flags)))
                #expect(up == ZMTPMessage(payload, flags: flags))
                let down = try pair.client.decode(pair.server.encode(ZMTPMessage(payload, flags: flags)))
                #expect(down == ZMTPMessage(payload, flags: flags))
            }
        }
    }

    @Test func nativeTokensMatchGSSWrapSizes() throws {
        // Same layout as gss_wrap: MESSAGE(12) + header 16 + confounder 16 + data + header 16 + MAC.
        let native = try MechanismPair(Sides())
        try native.run()
        let mit = try MechanismPair(Sides(), mitClient: true, mitServer: true)
        try mit.run()
        for payload in Self.payloads {
            #expect(try native.client.encode(ZMTPMessage(payload)).body.count
                    == mit.client.encode(ZMTPMessage(payload)).body.count)
        }
    }

    /// encode(_:into:) reuses the caller's buffer and makes the same
    /// MESSAGE bodies as encode(_:), on both the native and the MIT path.
    @Test(arguments: [false, true])
    func encodeIntoReusesTheBuffer(mitClient: Bool) throws {
        let pair = try MechanismPair(Sides(), mitClient: mitClient)
        try pair.run()
        var body: [UInt8] = []
        for payload in Self.payloads.reversed() + Self.payloads {
            try pair.client.encode(ZMTPMessage(payload, flags: .more), into: &body)
            #expect(try pair.server.decode(ZMTPMessage(body)) == ZMTPMessage(payload, flags: .more))
            let fresh = try pair.client.encode(ZMTPMessage(payload, flags: .more))
            #expect(fresh.body.count == body.count)
            #expect(try pair.server.decode(fresh) == ZMTPMessage(payload, flags: .more))
        }
        let plain = try MechanismPair(Sides(plaintext: true))
        try plain.run()
        #expect(expectFailure { try plain.client.encode(ZMTPMessage([1]), into: &body) }?.code == .wrongState)
    }

    /// The native side (server) opening MIT tokens (client): an altered
    /// token fails the session, a replayed one too.
    @Test(arguments: [13, 30, -3])
    func nativeSideRefusesAlteredTokens(index: Int) throws {
        let pair = try MechanismPair(Sides(), mitClient: true)
        try pair.run()
        var wire = try pair.client.encode(ZMTPMessage(Array("once".utf8)))
        wire.body[index < 0 ? wire.body.count + index : index] ^= 0x80
        let error = expectFailure { _ = try pair.server.decode(wire) }
        #expect(error?.code == .protocolViolation)
    }

    /// The peer's READY travels as a MESSAGE that MIT unwraps during the
    /// handshake; the side that then switches to KerberosCrypto must not
    /// open it again (a copy an attacker re-sends after the handshake would
    /// otherwise arrive as a message). Either side, either peer kind.
    @Test(arguments: [(false, false), (true, false), (false, true)])
    func peersReadyIsNotAcceptedTwice(mitClient: Bool, mitServer: Bool) throws {
        let pair = try MechanismPair(Sides(), mitClient: mitClient, mitServer: mitServer)
        try pair.run()
        let ready = { (fromClient: Bool) in pair.transcript.last { $0.fromClient == fromClient }?.body ?? [] }
        let clientReady = ready(true), serverReady = ready(false)
        #expect(clientReady.starts(with: GSSAPICommand.messagePrefix) && serverReady.starts(with: GSSAPICommand.messagePrefix))
        for (receiver, copy) in [(pair.server, clientReady), (pair.client, serverReady)] {
            let error = expectFailure { _ = try receiver.decode(ZMTPMessage(copy, flags: .command)) }
            #expect(error?.code == .protocolViolation)
            #expect(receiver.status == .failed)
        }
    }

    /// After the switch the first token each side sends is still accepted:
    /// the receive counter starts right after READY, not further on.
    @Test func firstMessageAfterReadyIsAccepted() throws {
        let pair = try MechanismPair(Sides())
        try pair.run()
        let up = try pair.client.encode(ZMTPMessage(Array("first up".utf8)))
        #expect(try pair.server.decode(up).body == Array("first up".utf8))
        let down = try pair.server.encode(ZMTPMessage(Array("first down".utf8)))
        #expect(try pair.client.decode(down).body == Array("first down".utf8))
    }

    @Test func nativeSideRefusesReplay() throws {
        let pair = try MechanismPair(Sides(), mitClient: true)
        try pair.run()
        let wire = try pair.client.encode(ZMTPMessage(Array("once".utf8)))
        #expect(try pair.server.decode(wire).body == Array("once".utf8))
        let error = expectFailure { _ = try pair.server.decode(wire) }
        #expect(error?.mentions("replayed") == true)
    }
}


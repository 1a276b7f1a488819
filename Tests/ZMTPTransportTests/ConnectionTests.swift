// SPDX-License-Identifier: MIT
import Testing
import ZMTPCodec
@testable import ZMTPTransport

/// The connection engine without sockets: two NULL-mechanism connections
/// wired back to back through `takeOutput` / `receive`.
@Suite("Connection engine (NULL mechanism)")
struct ConnectionTests {
    func make(_ type: SocketType, id: [UInt8] = []) -> Connection {
        Connection(id: 1, fd: -1, targetIndex: nil, peerText: "test", socketType: type, security: .null,
                   routingId: id, handshakeDeadline: nil)
    }

    /// Moves bytes both ways until quiet; returns the events each side saw.
    func pump(_ a: Connection, _ b: Connection) throws -> (a: [ConnectionEvent], b: [ConnectionEvent]) {
        var seenA: [ConnectionEvent] = []
        var seenB: [ConnectionEvent] = []
        for _ in 0..<8 {
            let fromA = a.takeOutput()
            let fromB = b.takeOutput()
            if fromA.isEmpty && fromB.isEmpty { break }
            seenB += try b.receive(fromA[...])
            seenA += try a.receive(fromB[...])
        }
        return (seenA, seenB)
    }

    func messages(_ events: [ConnectionEvent]) -> [[[UInt8]]] {
        events.compactMap { if case .message(let parts) = $0 { parts.array } else { nil } }
    }

    @Test func handshakeExchangesMetadata() throws {
        let dealer = make(.dealer, id: Array("d1".utf8))
        let router = make(.router)
        let events = try pump(dealer, router)
        #expect(dealer.isReady && router.isReady)
        #expect(router.peerType == .dealer)
        #expect(router.peerIdentity == Array("d1".utf8))
        #expect(dealer.peerType == .router)
        #expect(events.a.count == 1 && events.b.count == 1)
    }

    @Test func multipartMessagesKeepTheirParts() throws {
        let push = make(.push)
        let pull = make(.pull)
        _ = try pump(push, pull)
        let big = [UInt8](repeating: 7, count: 300)
        try push.send([Array("a".utf8), [], big])
        try push.send([[]])
        let events = try pump(push, pull)
        #expect(messages(events.b) == [[Array("a".utf8), [], big], [[]]])
    }

    @Test func bytesCanArriveOneAtATime() throws {
        let a = make(.pair)
        let b = make(.pair)
        var events: [ConnectionEvent] = []
        for byte in a.takeOutput() { events += try b.receive([byte][...]) }
        for byte in b.takeOutput() { _ = try a.receive([byte][...]) }
        for byte in a.takeOutput() { events += try b.receive([byte][...]) }
        #expect(a.isReady && b.isReady)
        try a.send([Array("one".utf8), Array("two".utf8)])
        for byte in a.takeOutput() { events += try b.receive([byte][...]) }
        #expect(messages(events) == [[Array("one".utf8), Array("two".utf8)]])
    }

    @Test func acceptsLibzmqSignaturePadding() throws {
        // libzmq puts routing-id length + 1 in the padding: ff 00*7 04 7f.
        var greeting = Greeting(mechanism: "NULL", asServer: false).encoded()
        greeting[8] = 4
        let pull = make(.pull)
        _ = try pull.receive(greeting[...])
        let ready = Command.encode(name: "READY", data: metadata("PUSH"))
        let events = try pull.receive(Frame(body: ready, isCommand: true).encoded()[...])
        #expect(pull.isReady)
        #expect(events.count == 1)
    }

    @Test func refusesAnotherMechanism() {
        let pull = make(.pull)
        let greeting = Greeting(mechanism: "CURVE", asServer: false).encoded()
        #expect(failure { _ = try pull.receive(greeting[...]) }?.contains("CURVE") == true)
    }

    @Test func earlyStartSendsReadyBehindTheGreeting() throws {
        let dealer = make(.dealer)
        let router = make(.router)
        try dealer.startEarly()
        try router.startEarly()
        // One flight each way: greeting and READY together, before either
        // side has seen the other's greeting.
        let fromDealer = dealer.takeOutput()
        let fromRouter = router.takeOutput()
        #expect(fromDealer.count > Greeting.size)
        var decoder = FrameDecoder()
        decoder.append(fromDealer[Greeting.size...])
        let frame = try #require(try decoder.next())
        #expect(frame.isCommand && Command.hasName(frame.body, "READY"))
        let routerEvents = try router.receive(fromDealer[...])
        let dealerEvents = try dealer.receive(fromRouter[...])
        #expect(dealer.isReady && router.isReady)
        #expect(routerEvents.count == 1 && dealerEvents.count == 1)
        #expect(dealer.takeOutput().isEmpty && router.takeOutput().isEmpty)
    }

    @Test func earlyStartStillChecksThePeersMechanism() throws {
        let pull = make(.pull)
        try pull.startEarly()
        let greeting = Greeting(mechanism: "GSSAPI", asServer: true).encoded()
        #expect(failure { _ = try pull.receive(greeting[...]) }?.contains("GSSAPI") == true)
    }

    @Test func refusesZMTP2AndGarbage() {
        var old = Greeting(mechanism: "NULL", asServer: false).encoded()
        old[10] = 2
        #expect(failure { _ = try make(.pull).receive(old[...]) }?.contains("ZMTP 2") == true)
        #expect(failure { _ = try make(.pull).receive(Array("GET / HTTP/1.1\r\n".utf8)[...]) } != nil)
    }

    @Test func refusesAnIncompatibleSocketType() throws {
        let pull = make(.pull)
        _ = try pull.receive(Greeting(mechanism: "NULL", asServer: false).encoded()[...])
        let ready = Command.encode(name: "READY", data: metadata("PUB"))
        let reason = failure { _ = try pull.receive(Frame(body: ready, isCommand: true).encoded()[...]) }
        #expect(reason?.contains("PUB peer cannot talk to a PULL") == true)
    }

    @Test func reportsThePeersErrorCommand() throws {
        let pull = make(.pull)
        _ = try pull.receive(Greeting(mechanism: "NULL", asServer: false).encoded()[...])
        let error = Command.encode(name: "ERROR", data: [6] + Array("denied".utf8))
        let reason = failure { _ = try pull.receive(Frame(body: error, isCommand: true).encoded()[...]) }
        #expect(reason?.contains("denied") == true)
    }

    @Test func dataBeforeReadyIsAProtocolError() throws {
        let pull = make(.pull)
        _ = try pull.receive(Greeting(mechanism: "NULL", asServer: false).encoded()[...])
        #expect(failure { _ = try pull.receive(Frame(body: [1, 2]).encoded()[...]) } != nil)
    }

    @Test func answersPingAndReportsSubscriptions() throws {
        let pub = make(.pub)
        let sub = make(.sub)
        _ = try pump(pub, sub)
        let ping = Command.encode(name: "PING", data: [0, 10] + Array("ctx".utf8))
        _ = try pub.receive(Frame(body: ping, isCommand: true).encoded()[...])
        let pong = pub.takeOutput()
        #expect(pong == Frame(body: Command.encode(name: "PONG", data: Array("ctx".utf8)), isCommand: true).encoded())
        let subscribe = Command.encode(name: "SUBSCRIBE", data: Array("topic".utf8))
        let events = try pub.receive(Frame(body: subscribe, isCommand: true).encoded()[...])
        guard case .subscribe(let topic) = events.first else {
            Issue.record("no subscribe event")
            return
        }
        #expect(topic == Array("topic".utf8))
    }

    @Test func pingCarriesTheTTLInDeciseconds() throws {
        let dealer = make(.dealer)
        let router = make(.router)
        _ = try pump(dealer, router)
        try dealer.sendPing(ttl: 1050)
        let wire = dealer.takeOutput()
        #expect(wire == Frame(body: Command.encode(name: "PING", data: [0, 11]), isCommand: true).encoded())
        _ = try router.receive(wire[...])
        #expect(router.peerTTLDeadline != nil)
        let pong = router.takeOutput()
        _ = try dealer.receive(pong[...])
        #expect(pong == Frame(body: Command.encode(name: "PONG", data: []), isCommand: true).encoded())
    }

    @Test func oversizedFramesAreRefusedBeforeBuffering() throws {
        let pull = Connection(id: 1, fd: -1, targetIndex: nil, peerText: "t", socketType: .pull, security: .null,
                              routingId: [], handshakeDeadline: nil, maxMessageSize: 1000)
        let push = make(.push)
        _ = try pump(push, pull)
        var header: [UInt8] = []
        Frame.appendHeader(to: &header, bodyCount: 5000, more: false, isCommand: false)
        let reason = failure { _ = try pull.receive(header[...]) }
        #expect(reason?.contains("5000") == true)
    }

    /// One read that holds the end of the handshake, messages and then a
    /// frame over the limit: the messages before it are whole and are
    /// handed over, the failure names the frame, and the same read split
    /// anywhere gives the same messages.
    @Test func messagesBeforeARefusedFrameInTheSameReadAreKept() throws {
        func limited() -> Connection {
            Connection(id: 1, fd: -1, targetIndex: nil, peerText: "t", socketType: .pull, security: .null,
                       routingId: [], handshakeDeadline: nil, maxMessageSize: 1000)
        }
        for split in [nil, 1, 7, 64, 70, 100] as [Int?] {
            // Everything a PUSH says to a first peer, its handshake
            // included, recorded as one stream for a second one.
            let push = make(.push)
            let first = make(.pull)
            var stream: [UInt8] = []
            for _ in 0..<8 {
                let fromPush = push.takeOutput()
                let fromFirst = first.takeOutput()
                if fromPush.isEmpty && fromFirst.isEmpty { break }
                stream += fromPush
                _ = try first.receive(fromPush[...])
                _ = try push.receive(fromFirst[...])
            }
            try push.send([Array("one".utf8)])
            try push.send([Array("two".utf8), Array("three".utf8)])
            stream += push.takeOutput()
            let pull = limited()
            Frame.appendHeader(to: &stream, bodyCount: 5000, more: false, isCommand: false)
            var events: [ConnectionEvent] = []
            var reason: String?
            let chunks = split.map { size in stride(from: 0, to: stream.count, by: size).map { stream[$0..<min($0 + size, stream.count)] } }
                ?? [stream[...]]
            for chunk in chunks where reason == nil {
                reason = failure { try pull.receive(chunk, into: &events) }
            }
            #expect(messages(events) == [[Array("one".utf8)], [Array("two".utf8), Array("three".utf8)]],
                    "split \(split.map(String.init) ?? "none")")
            #expect(reason?.contains("5000") == true)
        }
    }

    private func metadata(_ type: String) -> [UInt8] {
        var out: [UInt8] = []
        Metadata([Metadata.Property(name: "Socket-Type", value: Array(type.utf8))]).encode(into: &out)
        return out
    }

    private func failure(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let error as ConnectionFailure {
            return error.reason
        } catch {
            return "\(error)"
        }
    }
}

// SPDX-License-Identifier: MIT
import CZGSSHeader
import Glibc
import Testing
import ZMTPCodec
@testable import ZMTPTransport

/// A REQ or REP thread blocked in a receive reads its one peer itself
/// (ZSocket+ApplicationRead.swift) while the I/O thread leaves that fd
/// alone. These check what that must not break: order and whole messages,
/// hang-ups and bad frames still dropping the connection with its reason,
/// heartbeats answered while the application is away, termination and
/// ZMQ_RCVTIMEO ending the wait, and metadata of messages that outlive
/// their connection. NULL security over TCP loopback; under the
/// sanitizers (tools/test-sanitizers.sh) a race or a freed read fails too.
@Suite struct ApplicationReadTests {
    /// Polls `condition` every 5 ms for up to 20 s.
    private func eventually(_ condition: () -> Bool) -> Bool {
        for _ in 0..<4000 {
            if condition() { return true }
            usleep(5_000)
        }
        return condition()
    }

    private func readByApplication(_ socket: ZSocket) -> Int {
        socket.state.monitor.withLock { socket.state.messagesReadByApplication }
    }

    private func isWaitingOnItsPeer(_ socket: ZSocket) -> Bool {
        socket.state.applicationWaiting.load(ordering: .acquiring)
    }

    private func peerCount(_ socket: ZSocket) -> Int {
        socket.state.monitor.withLock { socket.state.peersById.count }
    }

    private func peerIds(_ socket: ZSocket) -> [UInt64] {
        socket.state.monitor.withLock { Array(socket.state.peersById.keys) }
    }

    private func port(_ socket: ZSocket) throws -> UInt16 {
        guard let port = try endpoint(socket).split(separator: ":").last.flatMap({ UInt16($0) }) else {
            throw RawPeer.Failure(what: "no port")
        }
        return port
    }

    /// Greeting and READY of a NULL REQ peer, then its requests.
    private func rawRequester(_ port: UInt16) throws -> RawPeer {
        let peer = try RawPeer(port: port)
        var ready: [UInt8] = []
        Metadata([Metadata.Property(name: "Socket-Type", value: Array("REQ".utf8))]).encode(into: &ready)
        try peer.send(Greeting(mechanism: "NULL", asServer: false).encoded()
                      + Frame(body: Command.encode(name: "READY", data: ready), isCommand: true).encoded())
        return peer
    }

    /// A REP bound on loopback and a REQ connected to it (`configure` runs
    /// on the REQ before it connects); receives time out after `timeout`
    /// ms unless it is nil.
    private func reqRepPair(in context: ZContext, timeout: Int32? = 20_000,
                            configure: (ZSocket) throws -> Void = { _ in }) throws -> (rep: ZSocket, req: ZSocket) {
        let rep = try context.socket(type: ZMQ_REP)
        let req = try context.socket(type: ZMQ_REQ)
        if let timeout {
            try setInt(rep, ZMQ_RCVTIMEO, timeout)
            try setInt(req, ZMQ_RCVTIMEO, timeout)
        }
        try configure(req)
        try rep.bind("tcp://127.0.0.1:*")
        try req.connect(try endpoint(rep))
        return (rep, req)
    }

    /// One request and its reply, both threads on this one.
    private func roundTrip(_ req: ZSocket, _ rep: ZSocket) throws {
        try req.send(Array("a".utf8), flags: 0)
        _ = try rep.receive(flags: 0)
        try rep.send(Array("b".utf8), flags: 0)
        _ = try req.receive(flags: 0)
    }

    private func request(_ text: String) -> [UInt8] {
        Frame(body: [], more: true).encoded() + Frame(body: Array(text.utf8)).encoded()
    }

    @Test func roundTripsAreReadByTheWaitingThreadsInOrder() throws {
        let context = ZContext()
        defer { context.terminate() }
        let (rep, req) = try reqRepPair(in: context)
        let rounds = 300
        let served = Box(0)
        let server = PeerThread {
            for _ in 0..<rounds {
                guard let message = try? rep.receive(flags: 0), (try? rep.send(message + [0xee], flags: 0)) != nil
                else { return }
                served.value += 1
            }
        }
        var matched = 0
        for index in 0..<rounds {
            let body = Array("request \(index)".utf8)
            try req.send(body, flags: 0)
            if try req.receive(flags: 0) == body + [0xee] { matched += 1 }
        }
        server.join()
        #expect(matched == rounds && served.value == rounds)
        // All but the first few came in through the receiving threads.
        #expect(readByApplication(req) > rounds / 2)
        #expect(readByApplication(rep) > rounds / 2)
        req.close()
        rep.close()
    }

    /// A reply of many reads (large frames are read straight into their
    /// bodies) and a multipart one, both read by the waiting thread.
    @Test func largeAndMultipartRepliesArriveWhole() throws {
        let context = ZContext()
        defer { context.terminate() }
        let (rep, req) = try reqRepPair(in: context)
        let large = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let server = PeerThread {
            _ = try? rep.receive(flags: 0)
            _ = try? rep.send(Array("warm-up".utf8), flags: 0)
            _ = try? rep.receive(flags: 0)
            // Once the client's thread waits on its peer.
            for _ in 0..<4000 where !req.state.applicationWaiting.load(ordering: .acquiring) { usleep(5_000) }
            _ = try? rep.send(large, flags: 0)
            _ = try? rep.receive(flags: 0)
            for _ in 0..<4000 where !req.state.applicationWaiting.load(ordering: .acquiring) { usleep(5_000) }
            _ = try? rep.send(Array("one".utf8), flags: ZSocket.sendMore)
            _ = try? rep.send(Array("two".utf8), flags: 0)
        }
        try req.send(Array("a".utf8), flags: 0)
        #expect(try req.receive(flags: 0) == Array("warm-up".utf8))
        let before = readByApplication(req)
        try req.send(Array("b".utf8), flags: 0)
        #expect(try req.receive(flags: 0) == large)
        try req.send(Array("c".utf8), flags: 0)
        let first = try req.receivePart(flags: 0)
        let second = try req.receivePart(flags: 0)
        #expect(first.bytes == Array("one".utf8) && first.more)
        #expect(second.bytes == Array("two".utf8) && !second.more)
        #expect(readByApplication(req) == before + 2)
        server.join()
        req.close()
        rep.close()
    }

    /// The peer hangs up while the REQ's thread polls it: the I/O thread
    /// still drops the connection, and the blocked receive goes on waiting
    /// (as libzmq's REQ does) until its timeout.
    @Test func aHangUpIsSeenWhileTheThreadReads() throws {
        let context = ZContext()
        defer { context.terminate() }
        let (rep, req) = try reqRepPair(in: context)
        try roundTrip(req, rep)
        let outcome = Box<Int32>(0)
        try setInt(req, ZMQ_RCVTIMEO, 3_000)
        try req.send(Array("c".utf8), flags: 0)
        let client = PeerThread {
            outcome.value = failureErrno { () throws(TransportError) in _ = try req.receive(flags: 0) }
        }
        #expect(eventually { isWaitingOnItsPeer(req) })
        _ = try rep.receive(flags: 0)
        rep.close()
        #expect(eventually { peerCount(req) == 0 })
        client.join()
        #expect(outcome.value == EAGAIN)
        req.close()
    }

    /// A bad frame read by the REP's waiting thread: the request before it
    /// in the same write is delivered, then the connection is dropped
    /// with the reason.
    @Test func aBadFrameDropsTheConnectionWithItsReason() throws {
        let context = ZContext()
        defer { context.terminate() }
        let rep = try context.socket(type: ZMQ_REP)
        try setInt(rep, ZMQ_RCVTIMEO, 20_000)
        try rep.bind("tcp://127.0.0.1:*")
        let peer = try rawRequester(try port(rep))
        defer { peer.close() }
        try peer.send(request("first"))
        #expect(try rep.receive(flags: 0) == Array("first".utf8))
        try rep.send(Array("reply".utf8), flags: 0)
        let second = Box<[UInt8]?>(nil)
        let server = PeerThread { second.value = try? rep.receive(flags: 0) }
        #expect(eventually { isWaitingOnItsPeer(rep) })
        try peer.send(request("second") + [0xf0, 3, 1, 2, 3])
        server.join()
        #expect(second.value == Array("second".utf8))
        #expect(peer.waitForClose(milliseconds: 20_000))
        #expect(eventually { peerCount(rep) == 0 })
        guard case .string(let reason) = try rep.option(1004) else {
            Issue.record("no last error")
            return
        }
        #expect(reason.contains("reserved bits"))
        rep.close()
    }

    /// While the application is away from its socket the I/O thread takes
    /// the fd back: a peer's PINGs are answered, so a peer with a short
    /// heartbeat timeout keeps the connection.
    @Test func heartbeatsAreAnsweredWhileTheApplicationIsAway() throws {
        let context = ZContext()
        defer { context.terminate() }
        let (rep, req) = try reqRepPair(in: context) { req in
            try setInt(req, ZMQ_HEARTBEAT_IVL, 100)
            try setInt(req, ZMQ_HEARTBEAT_TIMEOUT, 1_000)
        }
        let server = PeerThread {
            for round in 0..<3 {
                // Away from the socket for a while before the last round.
                if round == 2 { usleep(3_500_000) }
                guard let message = try? rep.receive(flags: 0) else { return }
                _ = try? rep.send(message, flags: 0)
            }
        }
        for index in 0..<2 {
            try req.send([UInt8(index)], flags: 0)
            #expect(try req.receive(flags: 0) == [UInt8(index)])
        }
        #expect(readByApplication(rep) > 0)
        let before = peerIds(req) + peerIds(rep)
        // Neither thread receives now; the REQ's I/O thread PINGs every
        // 100 ms and gives up after 1.1 s without an answer: the REP's I/O
        // thread must have taken its fd back to PONG. (Nothing to poll
        // for: the test is that nothing happens for well past that.)
        usleep(3_000_000)
        // The same connections, not a drop and a reconnection.
        #expect(before.count == 2 && peerIds(req) + peerIds(rep) == before)
        try req.send([9], flags: 0)
        #expect(try req.receive(flags: 0) == [9])
        server.join()
        req.close()
        rep.close()
    }

    /// Termination and ZMQ_RCVTIMEO end a wait on the peer's fd.
    @Test func terminationAndTimeoutEndTheWait() throws {
        let context = ZContext()
        let (rep, req) = try reqRepPair(in: context, timeout: nil)
        try roundTrip(req, rep)

        try setInt(rep, ZMQ_RCVTIMEO, 200)
        let start = Clock.now
        #expect(failureErrno { () throws(TransportError) in _ = try rep.receive(flags: 0) } == EAGAIN)
        let waited = Clock.now - start
        #expect(waited >= 150 && waited < 10_000)

        try setInt(rep, ZMQ_RCVTIMEO, -1)
        let outcome = Box<Int32>(0)
        let server = PeerThread {
            outcome.value = failureErrno { () throws(TransportError) in _ = try rep.receive(flags: 0) }
            rep.close()
        }
        #expect(eventually { isWaitingOnItsPeer(rep) })
        req.close()
        context.terminate()
        server.join()
        #expect(outcome.value == ETERM)
    }

    /// Two requests in one write, both read by the REP's waiting thread;
    /// the connection drops before the second is taken, whose properties
    /// must still be there (under ASan a freed read fails).
    @Test func aQueuedMessageKeepsItsPropertiesAfterItsConnectionGoes() throws {
        let context = ZContext()
        defer { context.terminate() }
        let rep = try context.socket(type: ZMQ_REP)
        try setInt(rep, ZMQ_RCVTIMEO, 20_000)
        try rep.bind("tcp://127.0.0.1:*")
        let peer = try rawRequester(try port(rep))
        try peer.send(request("first"))
        #expect(try rep.receive(flags: 0) == Array("first".utf8))
        try rep.send(Array("reply".utf8), flags: 0)
        let second = Box<[UInt8]?>(nil)
        let server = PeerThread { second.value = try? rep.receive(flags: 0) }
        #expect(eventually { isWaitingOnItsPeer(rep) })
        try peer.send(request("second") + request("third"))
        server.join()
        #expect(second.value == Array("second".utf8))
        peer.close()
        #expect(eventually { peerCount(rep) == 0 })
        try rep.send(Array("reply".utf8), flags: 0)
        let third = try rep.receivePart(flags: 0)
        #expect(third.bytes == Array("third".utf8))
        let type = third.metadata?.value(named: "Socket-Type").map { String(cString: $0) }
        #expect(type == "REQ")
        rep.close()
    }
}

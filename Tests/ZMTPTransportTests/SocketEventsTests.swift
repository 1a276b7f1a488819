// SPDX-License-Identifier: MIT
import Glibc
import Testing
import CZGSSHeader
import ZMTPCodec
@testable import ZMTPTransport

/// ZMQ_EVENTS and ZMQ_FD at the transport level: the edge-triggered event
/// descriptor, what counts as receivable, room appearing in a full send
/// queue, and termination. NULL security over TCP loopback.
@Suite struct SocketEventsTests {

    private func readable(_ fd: Int32, waiting milliseconds: Int32 = 0) -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, milliseconds) == 1
    }

    /// Waits (event-loop style) until `events` shows `wanted`.
    private func waitFor(_ wanted: SocketEvents, on socket: ZSocket, fd: Int32) throws -> Bool {
        let deadline = Clock.now + 10_000
        while Clock.now < deadline {
            if try socket.events().contains(wanted) { return true }
            _ = readable(fd, waiting: 500)
        }
        return false
    }

    @Test func descriptorIsEdgeTriggered() throws {
        let context = ZContext()
        defer { context.terminate() }
        let pull = try context.socket(type: ZMQ_PULL)
        try setInt(pull, ZMQ_LINGER, 0)
        try pull.bind("tcp://127.0.0.1:*")
        let fd = try pull.eventDescriptor()
        #expect(try pull.eventDescriptor() == fd)
        #expect(readable(fd), "a new descriptor is readable")
        #expect(try pull.events() == [])
        // No peer yet: nothing can signal it between these two lines (a
        // peer's handshake finishing would, rightly, on a loaded machine).
        #expect(!readable(fd), "reading the events resets it")
        let push = try context.socket(type: ZMQ_PUSH)
        try setInt(push, ZMQ_LINGER, 0)
        try push.connect(try endpoint(pull))
        try push.send([1], flags: 0)
        #expect(readable(fd, waiting: 10_000), "an arrival signals it")
        #expect(try waitFor(.pollIn, on: pull, fd: fd))
        #expect(!readable(fd), "not again for a message already reported")
        #expect(try pull.events() == .pollIn)
        #expect(try pull.receive(flags: ZSocket.dontWait) == [1])
        #expect(try pull.events() == [])
        push.close()
        pull.close()
    }

    /// A SUB's messages that its subscriptions do not match are dropped by
    /// the events check, as receive would drop them: they are no POLLIN.
    /// The PUB is a raw peer that sends whatever it likes.
    @Test func filteredMessagesAreNotReceivable() throws {
        let context = ZContext()
        defer { context.terminate() }
        let sub = try context.socket(type: ZMQ_SUB)
        try setInt(sub, ZMQ_LINGER, 0)
        try Array("wanted".utf8).withUnsafeBytes { try sub.setOption(ZMQ_SUBSCRIBE, $0) }
        try sub.bind("tcp://127.0.0.1:*")
        guard let port = try endpoint(sub).split(separator: ":").last.flatMap({ UInt16($0) }) else {
            Issue.record("no endpoint")
            return
        }
        let fd = try sub.eventDescriptor()
        #expect(try sub.events() == [])
        var batch = Greeting(mechanism: "NULL", asServer: false).encoded()
        var ready: [UInt8] = []
        Metadata([Metadata.Property(name: "Socket-Type", value: Array("PUB".utf8))]).encode(into: &ready)
        batch += Frame(body: Command.encode(name: "READY", data: ready), isCommand: true).encoded()
        batch += Frame(body: Array("other 1".utf8)).encoded()
        batch += Frame(body: Array("other 2".utf8)).encoded()
        batch += Frame(body: Array("wanted 3".utf8)).encoded()
        let peer = try RawPeer(port: port)
        defer { peer.close() }
        try peer.send(batch)
        #expect(try waitFor(.pollIn, on: sub, fd: fd))
        // The two unmatched messages went when the events were read.
        #expect(sub.state.monitor.withLock { sub.state.inbox.count } == 1)
        #expect(try sub.receive(flags: ZSocket.dontWait) == Array("wanted 3".utf8))
        #expect(try sub.events() == [])
        sub.close()
    }

    /// A PUSH whose queue is at ZMQ_SNDHWM is not writable; when a peer
    /// appears and takes the queue, the descriptor signals and POLLOUT
    /// comes back.
    @Test func roomInTheSendQueueSignals() throws {
        let context = ZContext()
        defer { context.terminate() }
        let probe = try context.socket(type: ZMQ_PULL)
        try setInt(probe, ZMQ_LINGER, 0)
        try probe.bind("tcp://127.0.0.1:*")
        let address = try endpoint(probe)
        probe.close()
        let push = try context.socket(type: ZMQ_PUSH)
        try setInt(push, ZMQ_LINGER, 0)
        try setInt(push, ZMQ_SNDHWM, 2)
        #expect(try push.events() == [], "no peer, no endpoint")
        try push.connect(address)
        #expect(try push.events() == .pollOut, "an endpoint queues like a libzmq pipe")
        try push.send([1], flags: ZSocket.dontWait)
        try push.send([2], flags: ZSocket.dontWait)
        let fd = try push.eventDescriptor()
        #expect(try push.events() == [], "the queue is at ZMQ_SNDHWM")
        // (Not checked here that the descriptor stays quiet: the failed
        // reconnects to the closed port may signal it, as they may in
        // libzmq; descriptorIsEdgeTriggered covers the edge.)
        // The port comes free once the probe's I/O thread has closed it.
        let pull = try context.socket(type: ZMQ_PULL)
        try setInt(pull, ZMQ_LINGER, 0)
        let deadline = Clock.now + 10_000
        while true {
            do {
                try pull.bind(address)
                break
            } catch {
                #expect(Clock.now < deadline, "cannot bind \(address) again: \(error)")
                if Clock.now >= deadline { return }
                usleep(20_000)
            }
        }
        #expect(readable(fd, waiting: 10_000), "room appearing signals the descriptor")
        #expect(try waitFor(.pollOut, on: push, fd: fd))
        push.close()
        pull.close()
    }

    @Test func terminationWakesAndFails() throws {
        let context = ZContext()
        let pull = try context.socket(type: ZMQ_PULL)
        let fd = try pull.eventDescriptor()
        _ = try pull.events()
        #expect(!readable(fd))
        let terminator = PeerThread { context.terminate() }
        #expect(readable(fd, waiting: 10_000), "termination signals the descriptor")
        #expect(throws: TransportError.terminated) { try pull.events() }
        #expect(throws: TransportError.terminated) { try pull.eventDescriptor() }
        pull.close()
        terminator.join()
    }
}

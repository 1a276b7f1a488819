// SPDX-License-Identifier: MIT
import CZGSSHeader
import Glibc
import Testing
import ZGSSBase
@testable import ZMTPTransport

/// libzmq 4.3.4's send rules where no peer is there yet (checked against
/// stock libzmq by tests/zmqapi/sem_*.c) and a PUB's filtering in the
/// sending thread. NULL security over TCP loopback.
@Suite struct SendSemanticsTests {

    /// The errno of a send that fails, nil when it succeeds.
    private func sendError(_ socket: ZSocket, _ bytes: [UInt8], flags: Int32) -> Int32? {
        do {
            try socket.send(bytes, flags: flags)
            return nil
        } catch {
            return error.errno
        }
    }

    /// Polls `condition` for up to 10 s (a 2-core CI machine).
    private func eventually(_ condition: () -> Bool) -> Bool {
        for _ in 0..<1000 {
            if condition() { return true }
            usleep(10_000)
        }
        return condition()
    }

    @Test(arguments: [ZMQ_PUSH, ZMQ_DEALER, ZMQ_REQ, ZMQ_PAIR])
    func boundSocketWithoutPeerDoesNotQueue(type: Int32) throws {
        let context = ZContext()
        defer { context.terminate() }
        let socket = try context.socket(type: type)
        try setInt(socket, ZMQ_LINGER, 0)
        #expect(sendError(socket, [1], flags: ZSocket.dontWait) == EAGAIN)
        try socket.bind("tcp://127.0.0.1:*")
        #expect(sendError(socket, [1], flags: ZSocket.dontWait) == EAGAIN)
        try setInt(socket, ZMQ_SNDTIMEO, 50)
        #expect(sendError(socket, [1], flags: 0) == EAGAIN)
        #expect(socket.state.monitor.withLock { socket.state.outbox.isEmpty })
        socket.close()
    }

    @Test func blockedSendGoesOnWhenAPeerConnects() throws {
        let context = ZContext()
        defer { context.terminate() }
        let push = try context.socket(type: ZMQ_PUSH)
        try push.bind("tcp://127.0.0.1:*")
        let address = try endpoint(push)
        let received = Box(0)
        let worker = PeerThread {
            usleep(100_000)
            guard let pull = try? context.socket(type: ZMQ_PULL) else { return }
            try? setInt(pull, ZMQ_RCVTIMEO, 10_000)
            try? pull.connect(address)
            for _ in 0..<3 where (try? pull.receive(flags: 0)) != nil { received.value += 1 }
            pull.close()
        }
        // Blocks until the PULL is ready, then all three go to it.
        for index in 0..<3 { try push.send([UInt8(index)], flags: 0) }
        worker.join()
        #expect(received.value == 3)
        push.close()
    }

    @Test func eachConnectEndpointQueuesSendHWMMessages() throws {
        let context = ZContext()
        defer { context.terminate() }
        for (type, expected) in [(ZMQ_PUSH, 10), (ZMQ_DEALER, 10), (ZMQ_PAIR, 5)] {
            let socket = try context.socket(type: type)
            try setInt(socket, ZMQ_LINGER, 0)
            try setInt(socket, ZMQ_SNDHWM, 5)
            try socket.connect("tcp://127.0.0.1:1")
            try socket.connect("tcp://127.0.0.1:2")
            var sent = 0
            while sent < 100, sendError(socket, [1], flags: ZSocket.dontWait) == nil { sent += 1 }
            #expect(sent == expected, "socket type \(type)")
            socket.close()
        }
    }

    @Test func pubDropsWhatNoPeerWantsBeforeQueueing() throws {
        let context = ZContext()
        defer { context.terminate() }
        let pub = try context.socket(type: ZMQ_PUB)
        try setInt(pub, ZMQ_LINGER, 0)
        try pub.bind("tcp://127.0.0.1:*")
        let sub = try context.socket(type: ZMQ_SUB)
        try setInt(sub, ZMQ_RCVTIMEO, 10_000)
        try setInt(sub, ZMQ_LINGER, 0)
        try Array("10001 ".utf8).withUnsafeBytes { try sub.setOption(ZMQ_SUBSCRIBE, $0) }
        try sub.connect(try endpoint(pub))
        #expect(eventually { pub.state.monitor.withLock { pub.state.peerSubscriptions.contains(Array("10001 ".utf8)) } })

        // Unwanted messages never reach the outbox: both entry points.
        for index in 0..<2000 {
            let text = Array("2\(index) x".utf8)
            if index % 2 == 0 {
                try pub.send(text, flags: 0)
            } else {
                try text.withUnsafeBytes { try pub.send(contentsOf: $0, flags: 0) }
            }
            #expect(pub.state.monitor.withLock { pub.state.outbox.isEmpty })
        }
        // A multipart message is judged by its first part.
        try pub.send(Array("99999 ".utf8), flags: ZSocket.sendMore)
        try pub.send(Array("body".utf8), flags: 0)
        try pub.send(Array("10001 ".utf8), flags: ZSocket.sendMore)
        try pub.send(Array("wanted".utf8), flags: 0)
        #expect(try sub.receive(flags: 0) == Array("10001 ".utf8))
        #expect(try sub.receive(flags: 0) == Array("wanted".utf8))
        #expect(throws: TransportError.self) { try sub.receive(flags: ZSocket.dontWait) }

        // A peer that leaves takes its subscriptions with it.
        sub.close()
        #expect(eventually { pub.state.monitor.withLock { pub.state.peerSubscriptions.isEmpty } })
        pub.close()
    }

    @Test func unsubscribeReachesThePubsFilter() throws {
        let context = ZContext()
        defer { context.terminate() }
        let pub = try context.socket(type: ZMQ_PUB)
        try setInt(pub, ZMQ_LINGER, 0)
        try pub.bind("tcp://127.0.0.1:*")
        let sub = try context.socket(type: ZMQ_SUB)
        try setInt(sub, ZMQ_LINGER, 0)
        let topic = Array("a".utf8)
        try topic.withUnsafeBytes { try sub.setOption(ZMQ_SUBSCRIBE, $0) }
        try sub.connect(try endpoint(pub))
        #expect(eventually { pub.state.monitor.withLock { pub.state.peerSubscriptions.contains(topic) } })
        try topic.withUnsafeBytes { try sub.setOption(ZMQ_UNSUBSCRIBE, $0) }
        #expect(eventually { pub.state.monitor.withLock { pub.state.peerSubscriptions.isEmpty } })
        sub.close()
        pub.close()
    }

    /// A binding PUSH whose only peer left with messages still queued:
    /// nothing can take them once the listener is closed, so terminate
    /// returns even with ZMQ_LINGER -1 (libzmq drops them with the pipe).
    @Test func terminateReturnsWhenQueuedMessagesHaveNowhereToGo() throws {
        let context = ZContext()
        let peerContext = ZContext()
        let push = try context.socket(type: ZMQ_PUSH)
        try push.bind("tcp://127.0.0.1:*")
        let pull = try peerContext.socket(type: ZMQ_PULL)
        try setInt(pull, ZMQ_LINGER, 0)
        try pull.connect(try endpoint(push))
        let message = [UInt8](repeating: 0x42, count: 65_536)
        try push.send(message, flags: 0)
        // Fill the connection's backlog and the outbox: the PULL never reads.
        var refused = 0
        while refused < 3 {
            if sendError(push, message, flags: ZSocket.dontWait) == EAGAIN {
                refused += 1
                usleep(20_000)
            } else {
                refused = 0
            }
        }
        #expect(push.state.monitor.withLock { !push.state.outbox.isEmpty })
        pull.close()
        peerContext.terminate()
        #expect(eventually { push.state.monitor.withLock { push.state.peers.isEmpty } })
        // Read while the terminator runs: a lock, not a plain Box.
        let returned = PthreadMutex(false)
        let terminator = PeerThread {
            push.close()
            context.terminate()
            returned.withLock { $0 = true }
        }
        // A hang fails the test instead of stopping the suite.
        #expect(eventually { returned.withLock { $0 } })
        if returned.withLock({ $0 }) { terminator.join() }
    }
}

// SPDX-License-Identifier: MIT
import CZGSSHeader
import Glibc
import Testing
@testable import ZMTPTransport

/// Messages sent by the application thread itself (direct sends) and
/// messages queued for the I/O thread (streams, full backlogs) must reach
/// the peer in the order they were sent, whichever path each one took.
/// NULL security over TCP loopback: no Kerberos realm needed.
@Suite struct DirectSendTests {

    private func number(_ value: Int) -> [UInt8] {
        withUnsafeBytes(of: UInt32(value).bigEndian) { Array($0) }
    }

    private func value(_ bytes: [UInt8]) -> Int {
        bytes.reduce(0) { $0 << 8 | Int($1) }
    }

    @Test func pushKeepsOrderAcrossBurstsAndPauses() throws {
        let context = ZContext()
        defer { context.terminate() }
        let pull = try context.socket(type: ZMQ_PULL)
        try setInt(pull, ZMQ_RCVTIMEO, 10_000)
        try pull.bind("tcp://127.0.0.1:*")
        let push = try context.socket(type: ZMQ_PUSH)
        try setInt(push, ZMQ_SNDHWM, 50)
        try push.connect(try endpoint(pull))
        // 20 MiB in all: more than the connection's backlog, so that some
        // messages wait in the outbox while others were written directly.
        let total = 20_000
        let inOrder = Box(0)
        let receiver = PeerThread {
            for expected in 0..<total {
                guard let message = try? pull.receive(flags: 0) else { return }
                if message.count == 1000 && message.prefix(4).reduce(0, { $0 << 8 | Int($1) }) == expected {
                    inOrder.value += 1
                }
            }
        }
        let padding = [UInt8](repeating: 0x55, count: 996)
        var sent = 0
        while sent < total {
            // Bursts of varying length (batched) separated by pauses (the
            // first message after each is written directly).
            for _ in 0..<(sent % 7 == 0 ? 1 : 300) where sent < total {
                try push.send(number(sent) + padding, flags: 0)
                sent += 1
            }
            if sent % 5 == 0 { usleep(200) }
        }
        receiver.join()
        #expect(inOrder.value == total)
        push.close()
        pull.close()
    }

    @Test func routerRepliesInOrderToEachDealer() throws {
        let context = ZContext()
        defer { context.terminate() }
        let router = try context.socket(type: ZMQ_ROUTER)
        try setInt(router, ZMQ_RCVTIMEO, 10_000)
        try router.bind("tcp://127.0.0.1:*")
        let dealers = try (0..<3).map { _ in
            let dealer = try context.socket(type: ZMQ_DEALER)
            try setInt(dealer, ZMQ_RCVTIMEO, 10_000)
            try dealer.connect(try endpoint(router))
            return dealer
        }
        let rounds = 2_000
        for index in 0..<rounds {
            for dealer in dealers { try dealer.send(number(index), flags: 0) }
            for _ in dealers {
                let id = try router.receive(flags: 0)
                let body = try router.receive(flags: 0)
                try router.send(id, flags: ZSocket.sendMore)
                try router.send(body, flags: 0)
            }
            if index % 50 == 0 { usleep(100) }
        }
        for dealer in dealers {
            for expected in 0..<rounds {
                #expect(value(try dealer.receive(flags: 0)) == expected)
            }
        }
        for dealer in dealers { dealer.close() }
        router.close()
    }

    @Test func requestsAndRepliesAlternate() throws {
        let context = ZContext()
        defer { context.terminate() }
        let rep = try context.socket(type: ZMQ_REP)
        try setInt(rep, ZMQ_RCVTIMEO, 10_000)
        try rep.bind("tcp://127.0.0.1:*")
        let req = try context.socket(type: ZMQ_REQ)
        try setInt(req, ZMQ_RCVTIMEO, 10_000)
        try req.connect(try endpoint(rep))
        let rounds = 2_000
        let server = PeerThread {
            for _ in 0..<rounds {
                guard let request = try? rep.receive(flags: 0) else { return }
                try? rep.send(request + [0xee], flags: 0)
            }
        }
        for index in 0..<rounds {
            try req.send(number(index), flags: 0)
            #expect(try req.receive(flags: 0) == number(index) + [0xee])
        }
        server.join()
        req.close()
        rep.close()
    }
}

/// I/O threads: a closed socket's thread runs the next socket's loop, and
/// terminate leaves no thread behind.
@Suite struct IOThreadPoolTests {
    @Test func closedSocketsHandTheirThreadOn() throws {
        let context = ZContext()
        defer { context.terminate() }
        for _ in 0..<20 {
            let socket = try context.socket(type: ZMQ_PULL)
            try socket.bind("tcp://127.0.0.1:*")
            socket.close()
            // The loop finishes and its thread parks (polled: on a loaded
            // machine that takes a while); the next socket then reuses it.
            let deadline = Clock.now + 20_000
            while context.threadsParked < 1 && Clock.now < deadline { usleep(1_000) }
            #expect(context.threadsParked == 1, "the closed socket's thread did not park within 20 s")
        }
        // Without reuse this would be 20.
        #expect(context.threadsCreated == 1)
    }

    @Test func terminateJoinsEveryThread() throws {
        let context = ZContext()
        var sockets: [ZSocket] = []
        for _ in 0..<5 { sockets.append(try context.socket(type: ZMQ_PULL)) }
        // Five loops on one thread each, up to the pool's limit.
        #expect(context.threadsAlive == min(5, IOThreadPool.maxThreads))
        for socket in sockets { socket.close() }
        context.terminate()
        // Joined, not merely told to exit: none is left when terminate
        // returns. (tools/interop/cells_api.py counts /proc/self/task too.)
        #expect(context.threadsAlive == 0)
    }
}

/// A value shared with a PeerThread (read after `join`).
final class Box<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}

/// The other side of a test on its own pthread: blocking socket calls on
/// Swift's cooperative pool could starve it on a 2-core machine.
final class PeerThread: @unchecked Sendable {
    private var thread = pthread_t()
    private let body: @Sendable () -> Void

    init(_ body: @escaping @Sendable () -> Void) {
        self.body = body
        let argument = Unmanaged.passRetained(self).toOpaque()
        let status = pthread_create(&thread, nil, { raw in
            guard let raw else { return nil }
            Unmanaged<PeerThread>.fromOpaque(raw).takeRetainedValue().body()
            return nil
        }, argument)
        precondition(status == 0, "pthread_create failed")
    }

    func join() {
        pthread_join(thread, nil)
    }
}

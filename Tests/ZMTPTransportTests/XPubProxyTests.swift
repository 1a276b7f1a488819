// SPDX-License-Identifier: MIT
import Glibc
import Testing
import CZGSSHeader
import ZMTPCodec
@testable import ZMTPTransport

/// XPUB/XSUB, zgss_proxy, zgss_unbind/zgss_disconnect and the context
/// options at the transport level, NULL security over TCP loopback.
@Suite struct XPubProxyTests {

    private func socket(_ context: ZContext, _ type: Int32, timeout: Int32 = 10_000) throws -> ZSocket {
        let socket = try context.socket(type: type)
        try setInt(socket, ZMQ_LINGER, 0)
        try setInt(socket, ZMQ_RCVTIMEO, timeout)
        return socket
    }

    /// A ZMTP 3.1 SUBSCRIBE / CANCEL command (what libzmq master sends, and
    /// what a flagged GSSAPI message becomes) reaches an XPUB application as
    /// "\x01topic" / "\x00topic". The peer is raw, so the events are the
    /// only way in.
    @Test func subscribeCommandsReachTheApplication() throws {
        let context = ZContext()
        defer { context.terminate() }
        let xpub = try socket(context, ZMQ_XPUB)
        try xpub.bind("tcp://127.0.0.1:*")
        guard let port = try endpoint(xpub).split(separator: ":").last.flatMap({ UInt16($0) }) else {
            Issue.record("no endpoint")
            return
        }
        var batch = Greeting(mechanism: "NULL", asServer: false).encoded()
        var ready: [UInt8] = []
        Metadata([Metadata.Property(name: "Socket-Type", value: Array("SUB".utf8))]).encode(into: &ready)
        batch += Frame(body: Command.encode(name: "READY", data: ready), isCommand: true).encoded()
        batch += Frame(body: Command.encode(name: "SUBSCRIBE", data: Array("news".utf8)), isCommand: true).encoded()
        batch += Frame(body: Command.encode(name: "SUBSCRIBE", data: Array("news".utf8)), isCommand: true).encoded()
        batch += Frame(body: Command.encode(name: "CANCEL", data: Array("news".utf8)), isCommand: true).encoded()
        let peer = try RawPeer(port: port)
        defer { peer.close() }
        try peer.send(batch)
        #expect(try xpub.receive(flags: 0) == [1] + Array("news".utf8))
        #expect(try xpub.receive(flags: 0) == [0] + Array("news".utf8), "the repeated subscribe is not passed on")
        #expect(throws: TransportError.self) { try xpub.receive(flags: ZSocket.dontWait) }
        xpub.close()
    }

    /// XSUB's send rules: subscribes are counted and always forwarded,
    /// a cancel only when the count reaches zero, data always.
    @Test func xsubForwardingRules() throws {
        let context = ZContext()
        defer { context.terminate() }
        let xsub = try socket(context, ZMQ_XSUB)
        let topic: [UInt8] = [1] + Array("t".utf8)
        let cancel: [UInt8] = [0] + Array("t".utf8)
        let forwards: (ZSocket, [[UInt8]]) -> Bool = { socket, parts in
            socket.state.monitor.withLock { socket.xsubForwards(parts) }
        }
        #expect(forwards(xsub, [topic]))
        #expect(forwards(xsub, [topic]))
        #expect(!forwards(xsub, [cancel]), "one count left")
        #expect(forwards(xsub, [cancel]), "the topic is gone")
        #expect(!forwards(xsub, [cancel]), "nothing to cancel")
        #expect(forwards(xsub, [Array("data".utf8)]))
        #expect(forwards(xsub, [[]]))
        xsub.close()
    }

    /// A peer that becomes ready while subscription messages are still
    /// queued gets the topics as they were before those messages, then the
    /// messages themselves: each once, in order (it used to get the
    /// queued ones twice, and a repeated subscribe out of order).
    @Test func newPeersGetTopicsWithoutWhatIsStillQueued() throws {
        let sub = SocketState(type: .sub, waker: LoopWaker())
        sub.subscriptions.add(Array("a".utf8))
        sub.subscriptions.add(Array("b".utf8))
        sub.subscriptions.add(Array("b".utf8))
        sub.subscriptionMessages = [[1] + Array("b".utf8)]
        #expect(sub.topicsForNewPeers() == [Array("a".utf8), Array("b".utf8)], "b was there before: two counts")
        sub.subscriptions.add(Array("c".utf8))
        sub.subscriptions.remove(Array("a".utf8))
        sub.subscriptionMessages += [[1] + Array("c".utf8), [0] + Array("a".utf8)]
        #expect(sub.topicsForNewPeers() == [Array("a".utf8), Array("b".utf8)], "c and the cancel of a are still queued")
        sub.subscriptionMessages = []
        #expect(sub.topicsForNewPeers() == [Array("b".utf8), Array("c".utf8)])

        let xsub = SocketState(type: .xsub, waker: LoopWaker())
        xsub.subscriptions.add(Array("t".utf8))
        xsub.outbox.push(Outgoing(target: .all, parts: [Array("data".utf8)]))
        xsub.outbox.push(Outgoing(target: .all, parts: [[1] + Array("t".utf8)]))
        #expect(xsub.topicsForNewPeers() == [], "the queued subscribe will tell it")
    }

    /// The XPUB options belong to XPUB sockets and are checked like libzmq's.
    @Test func xpubOptions() throws {
        let context = ZContext()
        defer { context.terminate() }
        let xpub = try socket(context, ZMQ_XPUB)
        let sub = try socket(context, ZMQ_SUB)
        try setInt(xpub, ZMQ_XPUB_VERBOSER, 1)
        #expect(xpub.state.monitor.withLock { xpub.state.options.xpub.verboseCancel })
        try setInt(xpub, ZMQ_XPUB_VERBOSE, 1)
        #expect(xpub.state.monitor.withLock { !xpub.state.options.xpub.verboseCancel }, "VERBOSE clears VERBOSER's cancels")
        #expect(throws: TransportError.self) { try setInt(sub, ZMQ_XPUB_VERBOSE, 1) }
        #expect(throws: TransportError.self) { try setInt(xpub, ZMQ_XPUB_NODROP, -1) }
        #expect(throws: TransportError.self) { try setInt(xpub, ZMQ_XPUB_MANUAL, 1) }
        try setInt(xpub, ZMQ_XPUB_MANUAL, 0)
        #expect(throws: TransportError.self) { _ = try xpub.option(ZMQ_XPUB_VERBOSE) }
        xpub.close()
        sub.close()
    }

    /// zgss_disconnect takes its endpoint's share of POLLOUT away (the
    /// connectEndpoints counter), and ENOENT names an unknown endpoint.
    @Test func disconnectDropsTheEndpointsWritability() throws {
        let context = ZContext()
        defer { context.terminate() }
        let pull = try socket(context, ZMQ_PULL)
        try pull.bind("tcp://127.0.0.1:*")
        let address = try endpoint(pull)
        let push = try socket(context, ZMQ_PUSH)
        try push.connect(address)
        #expect(try push.events() == .pollOut)
        #expect(push.state.monitor.withLock { push.state.connectEndpoints } == 1)
        try push.removeEndpoint(address)
        #expect(push.state.monitor.withLock { push.state.connectEndpoints } == 0)
        #expect(try push.events() == [], "no endpoint and no peer left")
        do {
            try push.removeEndpoint(address)
            Issue.record("a second disconnect succeeded")
        } catch {
            #expect(error.errno == ENOENT)
        }
        // Unbind closes the listener: nothing connects any more.
        try pull.removeEndpoint(address)
        #expect(pull.state.monitor.withLock { pull.state.boundEndpoints.isEmpty })
        push.close()
        pull.close()
    }

    /// The proxy forwards PUSH -> PULL (frontend) -> PUSH (backend) -> PULL,
    /// answers STATISTICS with the counts, ends on TERMINATE, and ends with
    /// EINVAL on an unknown command.
    @Test func proxyForwardsCountsAndObeysCommands() throws {
        let context = ZContext()
        defer { context.terminate() }
        let front = try socket(context, ZMQ_PULL)
        let back = try socket(context, ZMQ_PUSH)
        let control = try socket(context, ZMQ_PAIR)
        let steer = try socket(context, ZMQ_PAIR)
        let source = try socket(context, ZMQ_PUSH)
        let sink = try socket(context, ZMQ_PULL)
        try front.bind("tcp://127.0.0.1:*")
        try back.bind("tcp://127.0.0.1:*")
        try control.bind("tcp://127.0.0.1:*")
        try source.connect(try endpoint(front))
        try sink.connect(try endpoint(back))
        try steer.connect(try endpoint(control))
        let proxy = ZProxy(frontend: front, backend: back, capture: nil, control: control)
        let outcome = PthreadResult()
        let thread = try startThread {
            do {
                try proxy.run()
                outcome.set(0)
            } catch {
                outcome.set((error as? TransportError)?.errno ?? -2)
            }
        }
        try source.send(Array("one".utf8), flags: ZSocket.sendMore)
        try source.send(Array("two!".utf8), flags: 0)
        #expect(try sink.receive(flags: 0) == Array("one".utf8))
        #expect(try sink.receive(flags: 0) == Array("two!".utf8))
        try steer.send(Array("STATISTICS".utf8), flags: 0)
        var counts: [UInt64] = []
        for _ in 0..<8 {
            let part = try steer.receive(flags: 0)
            counts.append(part.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        }
        #expect(counts == [1, 7, 0, 0, 0, 0, 1, 7])
        try steer.send(Array("TERMINATE".utf8), flags: 0)
        pthread_join(thread, nil)
        #expect(outcome.get() == 0)

        let second = ZProxy(frontend: front, backend: back, capture: nil, control: control)
        let failed = PthreadResult()
        let other = try startThread {
            do {
                try second.run()
                failed.set(0)
            } catch {
                failed.set((error as? TransportError)?.errno ?? -2)
            }
        }
        try steer.send(Array("RESTART".utf8), flags: 0)
        pthread_join(other, nil)
        #expect(failed.get() == EINVAL)
        for socket in [front, back, control, steer, source, sink] { socket.close() }
    }

    /// Context options: libzmq's validation and defaults, and the ones
    /// that shape new sockets.
    @Test func contextOptions() throws {
        var settings = ContextSettings()
        #expect(settings.get(ZMQ_MAX_SOCKETS) == 1023)
        #expect(settings.get(ZMQ_SOCKET_LIMIT) == 65535)
        #expect(settings.get(ZMQ_MSG_T_SIZE) == 64)
        #expect(settings.get(999) == nil)
        func set(_ option: Int32, _ value: Int32) throws {
            var value = value
            try withUnsafeBytes(of: &value) { try settings.set(option, $0) }
        }
        #expect(throws: TransportError.self) { try set(ZMQ_MAX_SOCKETS, 0) }
        #expect(throws: TransportError.self) { try set(ZMQ_IO_THREADS, -1) }
        #expect(throws: TransportError.self) { try set(ZMQ_THREAD_AFFINITY_CPU_REMOVE, 3) }
        #expect(throws: TransportError.self) { try Array("x".utf8).withUnsafeBytes { try settings.set(ZMQ_IO_THREADS, $0) } }
        try set(ZMQ_IO_THREADS, 4)
        #expect(settings.get(ZMQ_IO_THREADS) == 4)

        let context = ZContext()
        defer { context.terminate() }
        var one: Int32 = 1
        try withUnsafeBytes(of: &one) { try context.set(ZMQ_MAX_SOCKETS, $0) }
        var zero: Int32 = 0
        try withUnsafeBytes(of: &zero) { try context.set(ZMQ_BLOCKY, $0) }
        let first = try context.socket(type: ZMQ_PUSH)
        #expect(try first.option(ZMQ_LINGER) == .int(0), "not blocky: linger 0")
        do {
            _ = try context.socket(type: ZMQ_PULL)
            Issue.record("a socket beyond ZMQ_MAX_SOCKETS")
        } catch {
            #expect(error.errno == EMFILE)
        }
        first.close()
    }
}

/// An Int32 handed from a thread to the test.
final class PthreadResult: @unchecked Sendable {
    private let lock = PthreadLock()
    private var value: Int32 = -1
    func set(_ value: Int32) { lock.run { self.value = value } }
    func get() -> Int32 { lock.run { value } }
}

final class PthreadLock: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    init() { pthread_mutex_init(&mutex, nil) }
    func run<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return body()
    }
}

private final class ThreadBody {
    let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }
}

func startThread(_ body: @escaping () -> Void) throws -> pthread_t {
    var thread = pthread_t()
    let box = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
    let status = pthread_create(&thread, nil, { raw in
        guard let raw else { return nil }
        Unmanaged<ThreadBody>.fromOpaque(raw).takeRetainedValue().body()
        return nil
    }, box)
    guard status == 0 else { throw TransportError(status, "pthread_create") }
    return thread
}

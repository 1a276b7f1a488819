#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
public import ZMTPCodec
import ZMTPGSSAPI

/// A zmq-shaped socket: options, bind/connect, send/recv with libzmq's
/// per-type semantics. The application side lives here; the sockets, the
/// handshakes and the frames are on the socket's I/O thread (`IOLoop`).
///
/// Thread rules follow libzmq: one thread at a time per socket. Calls
/// lock the shared state briefly; blocking calls wait on its condition
/// variable and honour ZMQ_SNDTIMEO / ZMQ_RCVTIMEO and ZMQ_DONTWAIT.
public final class ZSocket: @unchecked Sendable {
    public static let dontWait: Int32 = 1
    public static let sendMore: Int32 = 2

    public let type: SocketType
    let state: SocketState
    let context: ZContext

    // Application-side state, also guarded by state.monitor.
    private var sendParts: [[UInt8]] = []
    private var receiveParts = FIFO<[UInt8]>()
    private var receiveMore = false
    private var awaitingReply = false
    private var replyEnvelope: (connection: UInt64, parts: [[UInt8]])?
    private var closed = false

    init(type: SocketType, context: ZContext, waker: Waker) {
        self.type = type
        self.context = context
        self.state = SocketState(type: type, waker: waker)
    }

    // MARK: options

    public func setOption(_ option: Int32, _ value: UnsafeRawBufferPointer?) throws(TransportError) {
        let result: Result<Void, TransportError> = state.monitor.withLock {
            if state.terminated { return .failure(.terminated) }
            switch option {
            case SocketOption.subscribe, SocketOption.unsubscribe:
                guard type == .sub else { return .failure(.invalid("ZMQ_SUBSCRIBE is for SUB sockets")) }
                let topic = value.map { Array($0) } ?? []
                if option == SocketOption.subscribe {
                    if state.subscriptions.add(topic) { state.subscriptionMessages.append([1] + topic) }
                } else if state.subscriptions.remove(topic) {
                    state.subscriptionMessages.append([0] + topic)
                }
                state.waker.wake()
                return .success(())
            default:
                do throws(TransportError) {
                    try state.options.set(option, value)
                    return .success(())
                } catch {
                    return .failure(error)
                }
            }
        }
        try result.get()
    }

    public func option(_ option: Int32) throws(TransportError) -> SocketOptionValue {
        let value: SocketOptionValue? = state.monitor.withLock {
            switch option {
            case SocketOption.receiveMore: .int(receiveMore ? 1 : 0)
            case SocketOption.type: .int(type.rawValue)
            case SocketOption.lastEndpoint: .string(state.lastEndpoint)
            case OptionName.lastError: .string(state.lastError)
            case OptionName.peerPrincipal: .string(state.peerPrincipal)
            default: state.options.get(option)
            }
        }
        guard let value else { throw .invalid("unknown option \(option)") }
        return value
    }

    // MARK: endpoints

    public func bind(_ text: String) throws(TransportError) {
        let endpoint = try Self.parse(text, forBind: true)
        let addresses = try SocketAddress.resolve(endpoint)
        guard let address = addresses.first else { throw .invalid("no address for \(text)") }
        if state.monitor.withLock({ state.terminated }) { throw .terminated }
        let (fd, local) = try Net.listen(on: address)
        state.monitor.withLock {
            state.lastEndpoint = local.endpointText
            state.newListeners.append(Listener(fd: fd, text: local.endpointText))
        }
        Trace.log("bound \(local.endpointText)")
        state.waker.wake()
    }

    public func connect(_ text: String) throws(TransportError) {
        let endpoint = try Self.parse(text, forBind: false)
        let addresses = try SocketAddress.resolve(endpoint)
        let terminated: Bool = state.monitor.withLock {
            if state.terminated { return true }
            state.lastEndpoint = text
            state.newTargets.append(ConnectRequest(text: text, addresses: addresses))
            return false
        }
        if terminated { throw .terminated }
        state.waker.wake()
    }

    static func parse(_ text: String, forBind: Bool) throws(TransportError) -> Endpoint {
        do {
            return try Endpoint(parsing: text, forBind: forBind)
        } catch {
            switch error {
            case .unsupportedTransport(let name):
                throw TransportError(EPROTONOSUPPORT, "transport \"\(name)\" is not supported (tcp only)")
            case .malformed(let reason):
                throw .invalid(reason)
            }
        }
    }

    // MARK: close

    /// Stops the socket. Pending messages are still sent for ZMQ_LINGER
    /// milliseconds by the I/O thread; this call does not wait for that
    /// (zgss_ctx_term does, as in libzmq).
    public func close() {
        let first: Bool = state.monitor.withLock {
            if closed { return false }
            closed = true
            state.closing = true
            let linger = state.options.linger
            state.lingerDeadline = linger < 0 ? nil : Clock.now + Int64(linger)
            state.monitor.broadcast()
            return true
        }
        guard first else { return }
        state.waker.wake()
        context.socketClosed(self)
    }

    func markTerminated() {
        state.monitor.withLock {
            state.terminated = true
            state.monitor.broadcast()
        }
    }

    // MARK: send

    public func send(_ bytes: [UInt8], flags: Int32) throws(TransportError) {
        let result: Result<Void, TransportError> = state.monitor.withLock {
            do throws(TransportError) {
                try sendLocked(bytes, flags: flags)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
    }

    private func sendLocked(_ bytes: [UInt8], flags: Int32) throws(TransportError) {
        if state.terminated { throw .terminated }
        switch type {
        case .sub, .pull, .xsub: throw TransportError(ENOTSUP, "\(type.name) sockets cannot send")
        case .req where awaitingReply: throw .fsm("a REQ socket must receive the reply before sending again")
        case .rep where replyEnvelope == nil: throw .fsm("a REP socket must receive a request before replying")
        default: break
        }
        if flags & Self.sendMore != 0 {
            sendParts.append(bytes)
            return
        }
        var parts = sendParts + [bytes]
        let target: Outgoing.Target
        switch type {
        case .req:
            parts.insert([], at: 0)
            target = .any
        case .rep:
            guard let envelope = replyEnvelope else { throw .fsm("no request to reply to") }
            parts = envelope.parts + parts
            target = .connection(envelope.connection)
        case .router:
            // The first part names the peer; unknown peers are dropped
            // silently (libzmq without ZMQ_ROUTER_MANDATORY).
            guard parts.count >= 2, let connection = state.routes[parts[0]] else {
                sendParts = []
                return
            }
            parts.removeFirst()
            target = .connection(connection)
        case .pub, .xpub:
            target = .all
        default:
            target = .any
        }
        try waitForRoom(flags: flags)
        if state.options.sendHWM > 0 && state.outbox.count >= Int(state.options.sendHWM) {
            // PUB and ROUTER drop at the high-water mark instead of blocking.
            sendParts = []
            return
        }
        state.outbox.push(Outgoing(target: target, parts: parts))
        sendParts = []
        if type == .req { awaitingReply = true }
        if type == .rep { replyEnvelope = nil }
        state.waker.wake()
    }

    /// Blocks while the outbox is at ZMQ_SNDHWM (never for PUB/ROUTER).
    private func waitForRoom(flags: Int32) throws(TransportError) {
        let hwm = Int(state.options.sendHWM)
        guard hwm > 0, type != .pub, type != .router, type != .xpub else { return }
        let deadline = Clock.deadline(afterMillis: state.options.sendTimeout)
        while state.outbox.count >= hwm {
            if state.terminated { throw .terminated }
            if flags & Self.dontWait != 0 { throw .again }
            if !state.monitor.wait(until: deadline) && state.outbox.count >= hwm { throw .again }
        }
    }

    // MARK: receive

    public func receive(flags: Int32) throws(TransportError) -> [UInt8] {
        let result: Result<[UInt8], TransportError> = state.monitor.withLock {
            do throws(TransportError) {
                return .success(try receiveLocked(flags: flags))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    private func receiveLocked(flags: Int32) throws(TransportError) -> [UInt8] {
        if state.terminated { throw .terminated }
        if let part = receiveParts.pop() {
            receiveMore = !receiveParts.isEmpty
            return part
        }
        switch type {
        case .pub, .push, .xpub: throw TransportError(ENOTSUP, "\(type.name) sockets cannot receive")
        case .req where !awaitingReply: throw .fsm("a REQ socket must send a request before receiving")
        case .rep where replyEnvelope != nil: throw .fsm("a REP socket must reply before receiving again")
        default: break
        }
        let deadline = Clock.deadline(afterMillis: state.options.receiveTimeout)
        while true {
            let wasFull = !state.inboxHasRoom
            if let incoming = state.inbox.pop() {
                if wasFull { state.waker.wake() }
                guard var parts = accept(incoming), !parts.isEmpty else { continue }
                let first = parts.removeFirst()
                for part in parts { receiveParts.push(part) }
                receiveMore = !parts.isEmpty
                return first
            }
            if state.terminated { throw .terminated }
            if flags & Self.dontWait != 0 { throw .again }
            if !state.monitor.wait(until: deadline) && state.inbox.isEmpty { throw .again }
        }
    }

    /// Applies the socket type's rules to an arriving message: nil drops it.
    private func accept(_ incoming: Incoming) -> [[UInt8]]? {
        var parts = incoming.parts
        switch type {
        case .req:
            // Only the reply to our request, from the peer that got it, with
            // the empty delimiter REQ put in front.
            guard incoming.source == state.requestPeer, parts.count >= 2, parts[0].isEmpty else { return nil }
            awaitingReply = false
            return Array(parts.dropFirst())
        case .rep:
            guard let delimiter = parts.firstIndex(where: { $0.isEmpty }), delimiter + 1 < parts.count else {
                return nil
            }
            replyEnvelope = (incoming.source, Array(parts[...delimiter]))
            return Array(parts[(delimiter + 1)...])
        case .router:
            parts.insert(incoming.routingId, at: 0)
            return parts
        case .sub:
            guard let first = parts.first, state.subscriptions.matches(first) else { return nil }
            return parts
        default:
            return parts
        }
    }
}

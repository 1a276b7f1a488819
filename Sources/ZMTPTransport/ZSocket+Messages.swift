// SPDX-License-Identifier: MIT
public import ZGSSBase
import Glibc
import ZMTPCodec

/// send / receive with libzmq's per-type rules (REQ/REP alternation and
/// envelopes, ROUTER ids, PUB/ROUTER dropping at the high-water mark, SUB
/// filtering). Everything here runs with `state.monitor` locked.
extension ZSocket {
    // MARK: send

    public func send(_ bytes: [UInt8], flags: Int32) throws(TransportError) {
        let result: Result<AfterSend, TransportError> = state.monitor.withLock {
            do throws(TransportError) {
                return .success(try sendLocked(bytes, flags: flags))
            } catch {
                return .failure(error)
            }
        }
        finish(try result.get())
    }

    /// `send` for a caller's buffer. A single-part message first tries the
    /// direct paths (ZSocket+Direct.swift), which copy it once, straight
    /// into the connections' output; a PUB there also drops, without
    /// copying, what no peer wants. Everything else is copied and sent as
    /// usual.
    public func send(contentsOf buffer: UnsafeRawBufferPointer, flags: Int32) throws(TransportError) {
        if flags & Self.sendMore == 0 {
            if type == .pub ? publishDirect(buffer) : sendSingleDirect(buffer) { return }
        }
        try send(Array(buffer), flags: flags)
    }

    private func sendLocked(_ bytes: [UInt8], flags: Int32) throws(TransportError) -> AfterSend {
        if state.terminated { throw .terminated }
        switch type {
        case .sub, .pull: throw TransportError(ENOTSUP, "\(type.name) sockets cannot send")
        case .req where awaitingReply: throw .fsm("a REQ socket must receive the reply before sending again")
        case .rep where replyEnvelope == nil: throw .fsm("a REP socket must receive a request before replying")
        default: break
        }
        if flags & Self.sendMore != 0 {
            // moved out meanwhile (see OutputBuffer.appendToTail)
            var parts: [[UInt8]] = []
            swap(&parts, &sendParts)
            parts.append(bytes)
            swap(&parts, &sendParts)
            return .nothing
        }
        var parts = sendParts.isEmpty ? [bytes] : sendParts + [bytes]
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
                return .nothing
            }
            parts.removeFirst()
            target = .connection(connection)
        case .pub:
            // Nobody wants it: dropped here, as libzmq does, instead of
            // costing the I/O thread a wake-up and a round.
            guard let topic = parts.first, state.peerSubscriptions.matches(topic) else {
                sendParts = []
                return .nothing
            }
            target = .all
        case .xpub:
            target = .all
        case .xsub:
            target = .all
            guard xsubForwards(parts) else {
                sendParts = []
                return .nothing
            }
        default:
            target = .any
        }
        if let after = sendDirect(parts, to: target) {
            sendParts = []
            if type == .req { awaitingReply = true }
            if type == .rep { replyEnvelope = nil }
            return after
        }
        try waitForRoom(flags: flags)
        if Self.dropsAtHighWater(type), state.options.sendHWM > 0, state.outbox.count >= Int(state.options.sendHWM) {
            // PUB and ROUTER drop at the high-water mark instead of blocking.
            sendParts = []
            return .nothing
        }
        // Wake the I/O thread only when the outbox was empty. Otherwise a
        // wake-up is already pending (its next sync takes this message too),
        // or the last sync left messages queued for want of room, and the
        // I/O thread routes again as soon as room appears (canRouteMore).
        let wasEmpty = state.outbox.isEmpty
        state.pushOutbox(Outgoing(target: target, parts: parts))
        sendParts = []
        if type == .req { awaitingReply = true }
        if type == .rep { replyEnvelope = nil }
        if wasEmpty { state.waker.wake() }
        return .nothing
    }

    static func dropsAtHighWater(_ type: SocketType) -> Bool {
        type == .pub || type == .router || type == .xpub
    }

    /// Blocks while there is no peer to send to or the outbox is full
    /// (`SocketState.sendMustWait`); never for PUB/ROUTER, which drop.
    /// ZMQ_DONTWAIT and ZMQ_SNDTIMEO end the wait with EAGAIN.
    private func waitForRoom(flags: Int32) throws(TransportError) {
        // XPUB waits only with ZMQ_XPUB_NODROP; XSUB never does.
        let drops = Self.dropsAtHighWater(type) && !(type == .xpub && state.options.xpub.noDrop)
        guard !drops, type != .xsub, state.sendMustWait else { return }
        let deadline = Clock.deadline(afterMillis: state.options.sendTimeout)
        state.roomWaiters += 1
        defer { state.roomWaiters -= 1 }
        while state.sendMustWait {
            if state.terminated { throw .terminated }
            if flags & Self.dontWait != 0 { throw .again }
            if !state.monitor.wait(until: deadline) && state.sendMustWait { throw .again }
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

    /// One message part with what zmq_msg_recv reports beside its bytes:
    /// whether more parts follow and its connection's properties.
    public struct ReceivedPart {
        public var bytes: [UInt8]
        public var more: Bool
        public var metadata: MessageMetadata?
    }

    public func receivePart(flags: Int32) throws(TransportError) -> ReceivedPart {
        let result: Result<ReceivedPart, TransportError> = state.monitor.withLock {
            do throws(TransportError) {
                let bytes = try receiveLocked(flags: flags)
                return .success(ReceivedPart(bytes: bytes, more: receiveMore, metadata: receiveMetadata))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    private func receiveLocked(flags: Int32) throws(TransportError) -> [UInt8] {
        if state.terminated { throw .terminated }
        if !receiveParts.isEmpty {
            // moved out meanwhile (see OutputBuffer.appendToTail)
            var parts = FIFO<[UInt8]>()
            swap(&parts, &receiveParts)
            let part = parts.pop()
            receiveMore = !parts.isEmpty
            swap(&parts, &receiveParts)
            if let part { return part }
        }
        switch type {
        case .pub, .push: throw TransportError(ENOTSUP, "\(type.name) sockets cannot receive")
        case .req where !awaitingReply: throw .fsm("a REQ socket must send a request before receiving")
        case .rep where replyEnvelope != nil: throw .fsm("a REP socket must reply before receiving again")
        default: break
        }
        // The clock is read only once this call has to wait.
        var deadline: Int64?? = .none
        while true {
            if let incoming = state.takeFromInbox() {
                if state.resumeReading() { state.waker.wake() }
                let metadata = incoming.metadata
                guard let parts = accept(incoming), !parts.isEmpty else { continue }
                // A reference of our own, taken only when the peer changes
                // (still under the lock, so the object is alive: see
                // Incoming.metadata).
                if metadata?.toOpaque() != receiveMetadata.map({ Unmanaged.passUnretained($0).toOpaque() }) {
                    receiveMetadata = metadata?.takeUnretainedValue()
                }
                receiveMore = parts.count > 1
                if parts.count > 1 {
                    var rest = FIFO<[UInt8]>()
                    swap(&rest, &receiveParts)
                    for part in parts.dropFirst() { rest.push(part) }
                    swap(&rest, &receiveParts)
                }
                return parts[0]
            }
            if state.terminated { throw .terminated }
            if flags & Self.dontWait != 0 {
                // Bytes this thread would read itself (while it keeps the
                // connection) are looked for without waiting.
                if let connection = applicationReadCandidate(),
                   connection.applicationReads.load(ordering: .acquiring) {
                    readAsApplication(connection, timeout: 0)
                    if !state.inbox.isEmpty { continue }
                }
                throw .again
            }
            if deadline == nil { deadline = .some(Clock.deadline(afterMillis: state.options.receiveTimeout)) }
            if let connection = applicationReadCandidate() {
                let limit = deadline ?? nil
                let timeout = limit.map { Int32(clamping: max(0, $0 - Clock.now)) } ?? -1
                if readAsApplication(connection, timeout: timeout) {
                    if let limit, state.inbox.isEmpty, Clock.now >= limit { throw .again }
                    continue
                }
            }
            state.messageWaiters += 1
            let woken = state.monitor.wait(until: deadline ?? nil)
            state.messageWaiters -= 1
            if !woken && state.inbox.isEmpty { throw .again }
        }
    }

    /// Applies the socket type's rules to an arriving message: nil drops it.
    private func accept(_ incoming: consuming Incoming) -> MessageParts? {
        guard admits(incoming) else { return nil }
        let parts = incoming.parts
        switch type {
        case .req:
            awaitingReply = false
            return parts.dropping(first: 1)
        case .rep:
            guard let delimiter = parts.firstIndex(where: { $0.isEmpty }) else { return nil }
            replyEnvelope = (incoming.source, Array(parts[...delimiter]))
            return parts.dropping(first: delimiter + 1)
        case .router:
            return parts.prepending(incoming.routingId)
        default:
            return parts
        }
    }

    /// Whether `accept` keeps an arriving message (no side effects; also
    /// ZMQ_EVENTS's test, see ZSocket+Events.swift).
    func admits(_ incoming: borrowing Incoming) -> Bool {
        switch type {
        case .sub:
            // Read in place: a copy of the parts would retain the body
            // the I/O thread made, an atomic on a cache line the other
            // core has just written, for every message a SUB receives.
            return incoming.parts.withFirstPart { state.subscriptions.matches($0) } ?? false
        case .req:
            // Only the reply to our request, from the peer that got it, with
            // the empty delimiter REQ put in front.
            return incoming.source == state.requestPeer && incoming.parts.count >= 2 && incoming.parts[0].isEmpty
        case .rep:
            guard let delimiter = incoming.parts.firstIndex(where: { $0.isEmpty }) else { return false }
            return delimiter + 1 < incoming.parts.count
        case .router:
            return true
        default:
            return !incoming.parts.isEmpty
        }
    }
}

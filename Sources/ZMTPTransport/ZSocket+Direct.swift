// SPDX-License-Identifier: MIT
/// The application thread's fast path: instead of queueing a message for
/// the I/O thread (a wake-up and a round later), encode it into the
/// connection's output in this thread and write it at once. The socket's
/// lock is held only to choose the connection; encoding and writing happen
/// after it is released. Taken only when nothing is queued ahead of the
/// message, so per-connection order holds; otherwise, or when the
/// connection is gone or its backlog full, the message takes the outbox.
///
/// Streams (sends a moment apart, on any of the context's sockets:
/// SendClock) are batched instead: a write(2) or a wake-up per message
/// would cost more than it saves. Plaintext messages are still appended
/// here and the I/O thread woken once per batch; encrypted ones take the
/// outbox, so the I/O thread encrypts a whole batch while this thread
/// queues the next (appending them here would leave the I/O thread a
/// wake-up per message).
extension ZSocket {
    /// Larger messages take the outbox: next to copying them the hand-off
    /// costs nothing, and one thread writing megabytes while the other
    /// appends more only makes them contend.
    static let largestDirect = 64 << 10

    /// What a send leaves for the caller to do once the lock is released.
    enum AfterSend {
        case nothing
        /// Encode these parts on this connection; write them if `write`,
        /// else leave them to the I/O thread.
        case direct(Connection, [[UInt8]], write: Bool)
    }

    /// Returns nil when the message must take the outbox (the socket's
    /// lock held).
    func sendDirect(_ parts: [[UInt8]], to target: Outgoing.Target) -> AfterSend? {
        guard state.outbox.isEmpty else { return nil }
        var size = 0
        for part in parts { size += part.count }
        guard size <= Self.largestDirect else { return nil }
        let connection: Connection
        switch target {
        case .all:
            // Several peers: only a single part in the caller's buffer
            // takes a direct path there (publishDirect).
            return nil
        case .any:
            // The round-robin turn is taken only if this path sends: a
            // message that falls back to the outbox gets its turn there
            // (also while an inproc peer is still handshaking: see route).
            guard state.inprocUnready == 0, let next = state.peerAtCursor() else { return nil }
            connection = next
        case .connection(let id):
            guard let peer = state.peersById[id] else { return nil }
            connection = peer
        }
        // REQ and REP alternate with the peer: a send never has another
        // right behind it.
        var write = true
        if type != .req && type != .rep {
            write = startsBurst()
            if !write && connection.isEncrypted { return nil }
        }
        guard connection.admitsDirect(backlogLimit: IOLoop.perConnectionBacklog) else { return nil }
        if case .any = target { state.takeTurn() }
        if type == .req { state.requestPeer = connection.id }
        return .direct(connection, parts, write: write)
    }

    /// `sendDirect` for a single-part message still in the caller's buffer
    /// (PUSH, DEALER, PAIR; a plaintext or NULL connection): the frame is
    /// appended to the connection's output from that buffer while the
    /// socket's lock is held (a copy of at most `largestDirect` bytes), with
    /// no array made for the message and its parts and one pass through the
    /// connection's locks. Returns false, having changed nothing, when the
    /// message must take the general path (`send(_:flags:)`).
    ///
    /// Only a message that finds the output idle decides between writing
    /// and waking the I/O thread (and reads the clock for it): behind bytes
    /// already pending it is simply appended, since whoever made them
    /// pending (the I/O thread, or a sender that woke it) writes it too.
    func sendSingleDirect(_ buffer: UnsafeRawBufferPointer) -> Bool {
        // The type never changes: other types do not pay for the lock here.
        guard type == .push || type == .dealer || type == .pair, buffer.count <= Self.largestDirect else { return false }
        let outcome: (connection: Connection, wasIdle: Bool, write: Bool)? = state.monitor.withLock {
            guard !state.terminated, sendParts.isEmpty, state.outbox.isEmpty, state.inprocUnready == 0,
                  let connection = state.peerAtCursor(),
                  let wasIdle = connection.appendDirect(contentsOf: buffer, backlogLimit: IOLoop.perConnectionBacklog)
            else { return nil }
            state.takeTurn()
            guard wasIdle else { return (connection, false, false) }
            return (connection, true, startsBurst())
        }
        guard let outcome else { return false }
        writeOrWake(outcome.connection, wasIdle: outcome.wasIdle, write: outcome.write)
        return true
    }

    /// `sendSingleDirect` for a PUB: a message exactly one ready peer wants
    /// (by its subscriptions as the I/O thread last published them) is
    /// appended to that peer's output under the socket's lock; nothing is
    /// queued ahead of it, so the peer sees messages in order. What no peer
    /// wants is dropped here without a copy: in a busy PUB that is most
    /// messages (the Guide's weather server), and libzmq drops them at the
    /// cost of a lookup. A peer whose backlog is full misses the message,
    /// as a PUB's full pipe does. Returns false, having changed nothing,
    /// when the message must take the general path: the socket is
    /// terminated (so that send reports ETERM), a multipart message is being
    /// built, something is queued ahead, the message is large, more than one
    /// peer wants it (appending it to every output from this thread made the
    /// threads contend on the outputs' locks: slower than one hand-off), or
    /// the peer encrypts (the I/O thread encrypts a batch at a time) or
    /// still has routed messages to encode.
    func publishDirect(_ buffer: UnsafeRawBufferPointer) -> Bool {
        let outcome: (connection: Connection?, wasIdle: Bool, write: Bool)? = state.monitor.withLock {
            guard !state.terminated, sendParts.isEmpty else { return nil }
            guard state.peerSubscriptions.matches(buffer) else { return (nil, false, false) }
            guard buffer.count <= Self.largestDirect, state.outbox.isEmpty else { return nil }
            var wanted: Connection?
            for peer in state.peers where peer.publishedSubscriptions.matches(buffer) {
                guard wanted == nil, peer.admitsDirectPlaintext() else { return nil }
                wanted = peer
            }
            guard let wanted else { return (nil, false, false) }
            guard let wasIdle = wanted.appendDirect(contentsOf: buffer, backlogLimit: IOLoop.perConnectionBacklog),
                  wasIdle else { return (nil, false, false) }
            return (wanted, true, startsBurst())
        }
        guard let outcome else { return false }
        if let connection = outcome.connection {
            writeOrWake(connection, wasIdle: outcome.wasIdle, write: outcome.write)
        }
        return true
    }

    /// Does what `sendDirect` left to do (no lock held). A connection that
    /// closed meanwhile loses the message, as one that closes just after
    /// the write would.
    func finish(_ after: AfterSend) {
        guard case .direct(let connection, let parts, let write) = after else { return }
        writeOrWake(connection, wasIdle: connection.sendDirect(parts), write: write)
    }

    /// Whether this send begins a burst (the context sent nothing for
    /// `SendClock.streamGap`), so that it is written at once rather than
    /// left to the I/O thread with the rest of a stream. Callers hold the
    /// socket's lock, but the clock needs none (it is the context's, shared
    /// by its sockets). `now` is for tests.
    func startsBurst(at now: Int64 = Clock.nanoseconds) -> Bool {
        context.sendClock.startsBurst(at: now)
    }

    /// After a direct append (no lock held): writes the output when `write`,
    /// else wakes the I/O thread if the output was idle (nobody else is
    /// bound to write it); a write that leaves bytes behind wakes it too.
    private func writeOrWake(_ connection: Connection, wasIdle: Bool, write: Bool) {
        if write {
            if connection.flushDirect() { state.waker.wake() }
        } else if wasIdle {
            state.waker.wake()
        }
    }
}

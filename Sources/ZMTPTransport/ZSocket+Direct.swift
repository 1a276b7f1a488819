/// The application thread's fast path: instead of queueing a message for
/// the I/O thread (a wake-up and a round later), encode it into the
/// connection's output here and, when the socket is not streaming, write
/// it at once, after the socket's lock is released. Taken only when
/// nothing is queued ahead of the message, so per-connection order holds;
/// otherwise, or when the connection is gone or its backlog full, the
/// message takes the outbox as before.
extension ZSocket {
    /// Sends closer together than this (nanoseconds) are a stream: their
    /// bytes are left for the I/O thread, which writes them in batches,
    /// rather than costing a write(2) each here.
    static let streamGap: Int64 = 50_000

    /// What a send left for the caller to do once the lock is released.
    enum AfterSend {
        case nothing
        /// Write this connection's output now.
        case write(Connection)
    }

    /// Returns nil when the message must take the outbox (the socket's
    /// lock held).
    func sendDirect(_ parts: [[UInt8]], to target: Outgoing.Target) -> AfterSend? {
        guard state.outbox.isEmpty else { return nil }
        let connection: Connection
        switch target {
        case .all:
            // PUB filters by the peer's subscriptions, which the I/O thread owns.
            return nil
        case .any:
            guard let next = state.nextPeer(where: { _ in true }) else { return nil }
            connection = next
        case .connection(let id):
            guard let peer = state.peersById[id] else { return nil }
            connection = peer
        }
        var wasIdle = false
        guard connection.sendDirect(parts, backlogLimit: IOLoop.perConnectionBacklog, wasIdle: &wasIdle) else {
            return nil
        }
        if type == .req { state.requestPeer = connection.id }
        // REQ and REP alternate with the peer: a send never has another
        // right behind it, so it is written now. Other types write now
        // unless the previous send was a moment ago. With bytes still
        // pending this is a stream anyway, and the clock is not read.
        if type == .req || type == .rep { return .write(connection) }
        if wasIdle {
            let now = Clock.nanoseconds
            let pause = now - lastSendTime >= Self.streamGap
            lastSendTime = now
            if pause { return .write(connection) }
        }
        if wasIdle { state.waker.wake() }
        return .nothing
    }

    /// Writes what `sendDirect` left to write (no lock held).
    func finish(_ after: AfterSend) {
        guard case .write(let connection) = after else { return }
        if connection.flushDirect() { state.waker.wake() }
    }
}


// SPDX-License-Identifier: MIT
import Glibc
import ZMTPCodec

/// POLLRDHUP, the peer shut its side down (Linux's value; <poll.h> has it
/// only with _GNU_SOURCE, which Glibc's Swift module does not define).
let pollPeerHangUp: Int16 = 0x2000

/// (2) of a round: poll, accept, connect, read, write, time out.
extension IOLoop {
    enum Slot {
        case listener(Int)
        case target(Int)
        case connection(Connection)
    }

    /// The descriptors to poll this round and the loop's deadline.
    func preparePoll(_ round: Round) {
        canRead = round.canRead
        pollFDs.removeAll(keepingCapacity: true)
        pollSlots.removeAll(keepingCapacity: true)
        for (index, listener) in listeners.enumerated() {
            pollFDs.append(pollfd(fd: listener.fd, events: Int16(POLLIN), revents: 0))
            pollSlots.append(.listener(index))
        }
        for (index, target) in targets.enumerated() {
            guard let fd = target.pendingFD else { continue }
            pollFDs.append(pollfd(fd: fd, events: Int16(POLLOUT), revents: 0))
            pollSlots.append(.target(index))
        }
        let now = Clock.now
        var wake = now + idleTick
        for connection in order {
            var events: Int16 = 0
            if round.canRead || !connection.isReady {
                // While the application thread reads, only the peer's
                // hang-up wakes this one (it drops the connection at once,
                // in parallel with that thread's own wake-up).
                switch applicationKeeps(connection, now: now) {
                case .no: events |= Int16(POLLIN)
                case .untilLeftFor(let check):
                    events |= pollPeerHangUp
                    wake = min(wake, check)
                case .whileItWaits: events |= pollPeerHangUp
                }
            }
            if connection.needsFlush { events |= Int16(POLLOUT) }
            pollFDs.append(pollfd(fd: connection.fd, events: events, revents: 0))
            pollSlots.append(.connection(connection))
        }
        for target in targets where target.connection == nil && target.pendingFD == nil {
            wake = min(wake, target.nextAttempt)
        }
        for connection in connections.values where !connection.isReady {
            if let deadline = connection.handshakeDeadline { wake = min(wake, deadline) }
        }
        for connection in connections.values where connection.isReady {
            if let ping = connection.nextPing { wake = min(wake, ping) }
            if let ttl = connection.peerTTLDeadline { wake = min(wake, ttl) }
        }
        if let linger = round.lingerDeadline { wake = min(wake, linger) }
        if canRouteMore(round) { wake = now }
        deadline = wake
    }

    /// How long (ms) a connection stays the application thread's to read
    /// after that thread last stopped reading it (ZSocket+ApplicationRead).
    static let applicationReadLease: Int64 = 50

    enum ApplicationKeeps {
        /// The I/O thread reads the connection.
        case no
        /// The application thread does, and this thread checks again at
        /// the given time whether it still does.
        case untilLeftFor(Int64)
        /// The application thread has been waiting on it for longer than
        /// the lease: it reads everything meanwhile, and tells this thread
        /// when it stops (`Connection.leaseCheckScheduled`).
        case whileItWaits
    }

    /// Whether the application thread still reads `connection` itself: it
    /// is polling it or stopped less than the lease ago. Otherwise the fd
    /// is taken back (should that thread poll it again meanwhile, both
    /// read it, one at a time under its readLock). While it keeps coming
    /// back, this thread looks once per lease, never once per message;
    /// while it waits a long time, not at all.
    private func applicationKeeps(_ connection: Connection, now: Int64) -> ApplicationKeeps {
        guard connection.applicationReads.load(ordering: .acquiring) else { return .no }
        let ended = connection.applicationReadEnded.load(ordering: .acquiring)
        if state.applicationWaiting.load(ordering: .sequentiallyConsistent) {
            guard now - ended >= Self.applicationReadLease else {
                connection.leaseCheckScheduled.store(true, ordering: .sequentiallyConsistent)
                return .untilLeftFor(now + Self.applicationReadLease)
            }
            // A long wait: unscheduled, so the thread's next stop wakes
            // this one. Looked at again after saying so: a stop in
            // between either saw the flag down or is seen here.
            connection.leaseCheckScheduled.store(false, ordering: .sequentiallyConsistent)
            if state.applicationWaiting.load(ordering: .sequentiallyConsistent) { return .whileItWaits }
        }
        let since = connection.applicationReadEnded.load(ordering: .acquiring)
        if now - since < Self.applicationReadLease {
            connection.leaseCheckScheduled.store(true, ordering: .sequentiallyConsistent)
            return .untilLeftFor(since + Self.applicationReadLease)
        }
        connection.applicationReads.store(false, ordering: .releasing)
        return .no
    }

    /// Drops the connections whose application reader met a failure.
    func dropApplicationReadFailures() {
        guard state.applicationReadFailed.exchange(false, ordering: .acquiringAndReleasing) else { return }
        for connection in order {
            guard let failure = connection.readLock.withLock({ () -> ConnectionFailure? in
                defer { connection.applicationReadFailure = nil }
                return connection.applicationReadFailure
            }) else { continue }
            drop(connection, reason: failure.reason, refused: failure.refusedByPeer,
                 refusalStatus: failure.refusalStatus)
        }
    }

    /// The second half of a round, after the thread's poll: `revents` is
    /// what poll reported for `pollFDs` (same order). Accepts, connects,
    /// reads, writes, then the timers.
    func finishRound(_ revents: UnsafeBufferPointer<pollfd>) {
        for (index, slot) in pollSlots.enumerated() where revents[index].revents != 0 {
            switch slot {
            case .listener(let listener): acceptAll(listeners[listener])
            case .target(let target): finishConnect(target)
            case .connection(let connection): service(connection, revents: revents[index].revents, canRead: canRead)
            }
        }
        if !incoming.isEmpty { publishNow() }
        housekeeping()
    }

    /// Whether queued messages could move now that the deliveries have
    /// (partly) drained: then poll must not sleep, since the application
    /// may be blocked on a full outbox and will not wake this thread.
    private func canRouteMore(_ round: Round) -> Bool {
        func hasRoom(_ connection: Connection) -> Bool {
            connection.isReady && connection.pendingOutput < Self.perConnectionBacklog
        }
        if round.outboxBacklogged && connections.values.contains(where: hasRoom) { return true }
        return deferred.keys.contains { connections[$0].map(hasRoom) ?? false }
    }

    /// Connect attempts that are due, handshake timeouts, pending writes.
    private func housekeeping() {
        let now = Clock.now
        for index in targets.indices where targets[index].connection == nil && targets[index].pendingFD == nil
            && now >= targets[index].nextAttempt {
            startConnect(index)
        }
        for connection in Array(connections.values) where !connection.isReady {
            if let deadline = connection.handshakeDeadline, now >= deadline {
                drop(connection, reason: "\(connection.security.name) handshake timed out after "
                     + "\(handshakeInterval) ms; the peer had sent \(connection.handshakeProgress()) "
                     + "(a Kerberos failure on its side, security settings that differ, or a peer that "
                     + "only holds the connection open)")
            }
        }
        heartbeats(now: now)
        // (a flush can drop a connection met later in this copy of `order`)
        for connection in order where connection.needsFlush && connections[connection.id] != nil {
            flush(connection)
        }
    }

    /// ZMQ_HEARTBEAT_*: PING every interval; drop a peer silent for the
    /// interval plus the timeout (default: the interval), or past the TTL
    /// its own PING asked for.
    private func heartbeats(now: Int64) {
        for connection in Array(connections.values) where connection.isReady {
            if let deadline = connection.peerTTLDeadline, now >= deadline {
                drop(connection, reason: "peer went silent past the TTL of its own heartbeat")
                continue
            }
            guard heartbeatInterval > 0 else { continue }
            let timeout = Int64(heartbeatTimeout >= 0 ? heartbeatTimeout : heartbeatInterval)
            if now - connection.lastReceived > Int64(heartbeatInterval) + timeout {
                drop(connection, reason: "no traffic (not even a PONG) for \(now - connection.lastReceived) ms: "
                     + "heartbeat timeout, the peer is gone or stuck")
                continue
            }
            guard let due = connection.nextPing else {
                connection.nextPing = now + Int64(heartbeatInterval)
                continue
            }
            guard now >= due else { continue }
            connection.nextPing = now + Int64(heartbeatInterval)
            do {
                try connection.sendPing(ttl: heartbeatTTL)
            } catch {
                drop(connection, reason: error.reason)
            }
        }
    }

    private func acceptAll(_ listener: Listener) {
        while let (fd, address) = Net.accept(listener.fd) {
            let peer = address?.endpointText ?? listener.text
            Trace.log("accepted \(peer) on \(listener.text)")
            state.emit(.accepted, fd: fd, endpoint: listener.text)
            acceptedBy[nextId] = listener.fd
            add(fd: fd, targetIndex: nil, peerText: peer)
        }
    }

    private func startConnect(_ index: Int) {
        let addresses = targets[index].request.addresses
        guard !addresses.isEmpty else { return }
        let address = addresses[targets[index].addressIndex % addresses.count]
        switch Net.startConnect(address) {
        case .success(let fd):
            targets[index].pendingFD = fd
            // libzmq reports the non-blocking connect's EINPROGRESS.
            state.emit(.connectDelayed, value: UInt32(EINPROGRESS), endpoint: targets[index].request.text)
        case .failure(let error):
            Trace.log(error.reason)
            retryLater(index)
        }
    }

    private func finishConnect(_ index: Int) {
        guard let fd = targets[index].pendingFD else { return }
        targets[index].pendingFD = nil
        let code = Net.pendingError(fd)
        guard code == 0 else {
            close(fd)
            state.emit(.closed, fd: fd, endpoint: targets[index].request.text)
            Trace.log("connect to \(targets[index].request.text): \(Net.errorText(code))")
            retryLater(index)
            return
        }
        Trace.log("connected to \(targets[index].request.text)")
        state.emit(.connected, fd: fd, endpoint: targets[index].request.text)
        add(fd: fd, targetIndex: index, peerText: targets[index].request.text)
    }

    private func retryLater(_ index: Int) {
        targets[index].addressIndex += 1
        targets[index].nextAttempt = reconnectInterval < 0 ? Int64.max : Clock.now + Int64(max(reconnectInterval, 10))
        if reconnectInterval >= 0 {
            state.emit(.connectRetried, value: UInt32(max(reconnectInterval, 10)), endpoint: targets[index].request.text)
        }
    }

    /// Starts ZMTP on a connected fd. `inproc`: one end of an inproc://
    /// socket pair, which always speaks the NULL mechanism.
    func add(fd: Int32, targetIndex: Int?, peerText: String, inproc: Bool = false) {
        let id = nextId
        nextId += 1
        let deadline = handshakeInterval > 0 ? Clock.now + Int64(handshakeInterval) : nil
        let connection = Connection(id: id, fd: fd, targetIndex: targetIndex, peerText: peerText, socketType: type,
                                    security: inproc ? .null : security, routingId: routingId,
                                    handshakeDeadline: deadline,
                                    maxMessageSize: maxMessageSize, handshakeMaxMessageSize: handshakeMaxMessageSize)
        connection.isInproc = inproc
        connections[id] = connection
        // `order` moved out while it changes (see OutputBuffer.appendToTail)
        var ordered: [Connection] = []
        swap(&ordered, &order)
        ordered.append(connection)
        swap(&ordered, &order)
        if let targetIndex { targets[targetIndex].connection = id }
        do {
            try connection.startEarly()
        } catch {
            // This side gives up before its handshake (its credentials
            // failed): its greeting still goes out, so the peer sees a
            // GSSAPI peer that sent no INITIATE rather than a stranger.
            // (A write error here must not replace the real reason.)
            try? connection.flush()
            drop(connection, reason: error.reason)
            return
        }
        // What the peer may have sent already (an accepted client's
        // greeting and INITIATE often arrive before accept returns) is
        // read now: the answer then leaves with this side's greeting in
        // one write, and the peer is woken once, not twice. Nothing there:
        // the greeting goes out at once (service flushes either way). With
        // the inbox at ZMQ_RCVHWM (`canRead` false) only the handshake is
        // read, as for any other connection.
        if inproc { flush(connection) } else { service(connection, revents: 0, canRead: canRead) }
    }

    /// The most one read puts straight into a large frame (the codec's
    /// lock is held meanwhile: see Connection.readIntoFrame).
    static let largestFrameRead = 1 << 20

    private func service(_ connection: Connection, revents: Int16, canRead: Bool) {
        // Dropped by an event handled earlier in this round (drop closes it).
        guard !connection.closed else { return }
        // With the inbox at ZMQ_RCVHWM only handshakes and hang-ups are read.
        let hangUp = revents & (Int16(POLLHUP | POLLERR) | pollPeerHangUp) != 0
        guard canRead || !connection.isReady || hangUp else { return flush(connection) }
        // The application thread reads it (ZSocket+ApplicationRead.swift).
        if connection.applicationReads.load(ordering: .acquiring) && !hangUp { return flush(connection) }
        guard type.receiverReadsPeer else { return read(connection) }
        // Where the application thread may read too: one reader at a time,
        // and what this one read is in the inbox before the other reads.
        connection.readLock.withLock {
            read(connection)
            if !incoming.isEmpty { publishNow() }
        }
    }

    private func read(_ connection: Connection) {
        // Both buffers are moved out of their properties meanwhile (see
        // OutputBuffer.appendToTail). The events hold the messages just
        // read (decrypted): once handed on they must not stay referenced
        // here until the next read.
        var buffer: [UInt8] = []
        var events: [ConnectionEvent] = []
        swap(&buffer, &readBuffer)
        swap(&events, &eventBuffer)
        defer {
            events.removeAll(keepingCapacity: true)
            swap(&buffer, &readBuffer)
            swap(&events, &eventBuffer)
        }
        for _ in 0..<16 {
            events.removeAll(keepingCapacity: true)
            switch connection.readStep(into: &buffer, events: &events) {
            case .decoded(let more, let failure):
                // What the read held before a bad frame was whole and
                // valid: it is delivered even when the connection then
                // drops (see Connection.receive).
                var readiedNow = false
                // Each event is moved out of the array, so its message
                // moves on into the queue for the application without a
                // copy (a reference count up and down) per message.
                for index in events.indices {
                    guard !connection.closed else { return }
                    var event = ConnectionEvent.ready
                    swap(&event, &events[index])
                    if case .ready = event { readiedNow = true }
                    handle(event, from: connection)
                }
                if let failure {
                    drop(connection, reason: failure.reason, refused: failure.refusedByPeer,
                         refusalStatus: failure.refusalStatus)
                    return
                }
                // What waits for the new peer leaves with the handshake's
                // last command, in the flush below.
                if readiedNow { routeNow() }
                // An event (or a delivery) may have dropped the connection:
                // its fd is closed and must not be read again.
                guard !connection.closed else { return }
                if !more { return flush(connection) }
            case .drained:
                return flush(connection)
            case .closed:
                // A peer that hangs up inside a frame: say how far it got.
                let reason = closeReason(connection)
                drop(connection, reason: reason.map { reason in
                    connection.unfinishedFrameNote().map { "\(reason) (it \($0))" } ?? reason
                })
                return
            }
        }
        flush(connection)
    }

    /// Why a peer that hung up before the handshake finished did so, as
    /// far as this side can tell (libzmq sends no ERROR command).
    private func closeReason(_ connection: Connection) -> String? {
        connection.peerClosedReason()
    }

    func flush(_ connection: Connection) {
        guard connections[connection.id] != nil else { return }
        do {
            try connection.flush()
        } catch {
            drop(connection, reason: connection.isReady ? nil : error.reason)
        }
    }

    /// Queues one message on a connection and, unless `flush` is false
    /// (the caller then flushes once for many), writes it. Returns whether
    /// the connection is still there.
    @discardableResult
    func deliver(_ parts: [[UInt8]], to id: UInt64, flush flushNow: Bool = true) -> Bool {
        guard let connection = connections[id] else { return false }
        return deliver(parts, to: connection, flush: flushNow)
    }

    /// `deliver` for a connection in hand (and not closed).
    func deliver(_ parts: [[UInt8]], to connection: Connection, flush flushNow: Bool) -> Bool {
        do {
            try connection.send(parts)
        } catch {
            drop(connection, reason: error.reason)
            return false
        }
        if flushNow { flush(connection) }
        return true
    }

    /// Closes a connection. `refused`: the peer refused the handshake with
    /// an ERROR, so reconnecting waits the longest backoff at once;
    /// `refusalStatus`: this side refused the peer with that status code;
    /// `local`: this side ends it (unbind, disconnect), which libzmq does
    /// not report to a monitor.
    func drop(_ connection: Connection, reason: String?, refused: Bool = false, refusalStatus: UInt32? = nil,
              local: Bool = false) {
        guard connections.removeValue(forKey: connection.id) != nil else { return }
        retireMetadata(of: connection)
        if connection.isInproc && !connection.isReady { inprocSettled += 1 }
        // The reason is readable (ZGSS_LAST_ERROR) before the monitor
        // hears of the failure.
        if let reason {
            let text = "\(connection.peerText): \(reason)"
            state.monitor.withLock { state.lastError = text }
        }
        if !local && !connection.isInproc {
            reportDrop(connection, failed: reason != nil, refused: refused, refusalStatus: refusalStatus)
        }
        // What a failed handshake queued last (the ERROR that tells a
        // refused client to stop) leaves now if the kernel takes it.
        if !connection.isReady { try? connection.flush() }
        connection.closeSocket()
        deferred[connection.id] = nil
        acceptedBy[connection.id] = nil
        var ordered: [Connection] = []
        swap(&ordered, &order)
        if let index = ordered.firstIndex(where: { $0 === connection }) { ordered.remove(at: index) }
        swap(&ordered, &order)
        if let target = connection.targetIndex, target < targets.count {
            targets[target].connection = nil
            var delay = Int64(max(reconnectInterval, 10))
            if !connection.isReady && reason != nil {
                targets[target].handshakeFailures += 1
                let doublings = min(targets[target].handshakeFailures - 1, 8)
                delay = max(delay, min(delay << Int64(doublings), Self.maxHandshakeBackoff))
                if refused { delay = max(delay, Self.maxHandshakeBackoff) }
            }
            targets[target].nextAttempt = reconnectInterval < 0 ? Int64.max : Clock.now + delay
        }
        if connection.isReady { removed.append((connection.id, connection.routingId)) }
        for topic in connection.subscriptions.topics { subscriptionChanges.append((connection, topic, false)) }
        if connection.isReady && type == .xpub { xpubPeerGone(connection) }
        if let reason {
            errors.append("\(connection.peerText): \(reason)")
            Trace.log("\(connection.peerText): dropped: \(reason)")
        }
    }
}

extension IOLoop {
    /// The endpoint a connection's monitor events name: its connect()
    /// endpoint, or the listener it was accepted on, as in libzmq.
    func eventEndpoint(_ connection: Connection) -> String {
        if let target = connection.targetIndex, target < targets.count { return targets[target].request.text }
        if let listenerFD = acceptedBy[connection.id],
           let listener = listeners.first(where: { $0.fd == listenerFD }) {
            return listener.text
        }
        return connection.peerText
    }

    /// A connection's end as libzmq 4.3.4 reports it: a handshake that
    /// failed first says how (this side refused the peer: AUTH with the
    /// status; the peer sent ERROR, which a libzmq GSSAPI peer takes for
    /// an unexpected command: PROTOCOL; anything else: NO_DETAIL), then
    /// DISCONNECTED with the fd.
    func reportDrop(_ connection: Connection, failed: Bool, refused: Bool, refusalStatus: UInt32?) {
        let endpoint = eventEndpoint(connection)
        if !connection.isReady {
            if let refusalStatus {
                state.emit(.handshakeFailedAuth, value: refusalStatus, endpoint: endpoint)
            } else if refused {
                state.emit(.handshakeFailedProtocol, value: MonitorEvent.unexpectedCommand, endpoint: endpoint)
            } else {
                state.emit(.handshakeFailedNoDetail, value: 0, endpoint: endpoint)
            }
        }
        state.emit(.disconnected, fd: connection.fd, endpoint: endpoint)
    }
}

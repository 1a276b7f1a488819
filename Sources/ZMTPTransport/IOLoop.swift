// SPDX-License-Identifier: MIT
import Glibc
import ZMTPCodec

/// A socket's I/O loop: its listeners, its pending connects and its
/// connections, run by one of the context's I/O threads (IOThread), which
/// may run other sockets' loops too and polls for all of them at once.
///
/// Each round: (1) with the shared state locked, publish what the last
/// round received and changed (3), pick up new endpoints and route queued
/// messages to connections, then wake the application after unlocking;
/// (2) unlocked, encode them (gss_wrap) and say what to poll
/// (`beginRound`); the thread polls; then read, run handshakes, write
/// (`finishRound`); what a poll read is published (3) at once, before the
/// timers. Everything in this class except `state` belongs to that thread
/// alone.
/// (Ready connections are also reachable by the application thread, which
/// sends on them directly when nothing is queued: see ZSocket+Direct.swift
/// and the locks in Connection and OutputBuffer.)
final class IOLoop {
    struct Target {
        var request: ConnectRequest
        var connection: UInt64?
        var pendingFD: Int32?
        var nextAttempt: Int64 = 0
        var addressIndex = 0
        /// Handshake failures in a row: each doubles the reconnect delay
        /// (up to `maxHandshakeBackoff`), so a Kerberos misconfiguration
        /// does not send the KDC ten requests a second.
        var handshakeFailures = 0
    }

    /// What one locked sync hands to the unlocked part of the round.
    struct Round {
        var dispatch = Dispatch()
        var subscriptionMessages: [[UInt8]] = []
        /// inproc:// streams to start ZMTP on.
        var streams: [InprocStream] = []
        var canRead = true
        var exit = false
        var lingerDeadline: Int64?
        /// Messages stayed in the outbox because the backlogs were full
        /// when routing (or the per-round cap was hit): once this round's
        /// deliveries have drained, the next round must route again
        /// without waiting for a wake-up that may never come.
        var outboxBacklogged = false
        /// Routing took messages from the outbox and senders are blocked
        /// at ZMQ_SNDHWM: they may go on.
        var outboxFreed = false
    }

    /// What a round's publishing step tells the unlocked part.
    struct Published {
        var wake = false
        /// SUB: topics to send to the peers that just became ready.
        var readied: [UInt64] = []
        var topics: [[UInt8]] = []
    }

    static let perConnectionBacklog = 4 << 20
    static let maxHandshakeBackoff: Int64 = 3200

    let socket: ZSocket
    let state: SocketState
    let type: SocketType
    var listeners: [Listener] = []
    var targets: [Target] = []
    var connections: [UInt64: Connection] = [:]
    /// Routing passes so far (see `route`'s `hasRoom`), from 1: 0 is no
    /// pass.
    private var routePasses: UInt64 = 0
    /// The connections in the order they were made (what libzmq's pipes
    /// are in): every loop over them goes by this, not by the dictionary.
    var order: [Connection] = []
    /// Accepted connections → the listener fd they came through (unbind
    /// closes them with it).
    var acceptedBy: [UInt64: Int32] = [:]
    /// Listeners unbind closed during the locked sync, for the monitor's
    /// ZMQ_EVENT_CLOSED once the lock is released.
    var closedListeners: [(fd: Int32, text: String)] = []
    var nextId: UInt64 = 1
    var nextRoutingNumber = UInt32.random(in: 0...UInt32.max)
    var readBuffer = [UInt8](repeating: 0, count: 1 << 16)
    /// What one read produced (reused from read to read).
    var eventBuffer: [ConnectionEvent] = []
    /// Messages for one peer (ROUTER, REP) that its backlog could not take
    /// yet: one queue per peer, up to ZMQ_SNDHWM, so a slow peer does not
    /// hold up the others. Beyond that they are dropped, as libzmq's ROUTER
    /// drops on a full pipe.
    var deferred: [UInt64: FIFO<[[UInt8]]>] = [:]

    // Settings copied from the options at each sync.
    var security = SecurityMode.null
    var routingId: [UInt8] = []
    var handshakeInterval: Int32 = 30_000
    var reconnectInterval: Int32 = 100
    var maxMessageSize = -1
    var handshakeMaxMessageSize = Int(SocketOptions.defaultHandshakeMaxMessageSize)
    var heartbeatInterval: Int32 = 0
    var heartbeatTTL: Int32 = 0
    var heartbeatTimeout: Int32 = -1
    var xpub = XPubOptions()

    // Results of a round, published under the lock.
    var incoming = FIFO<Incoming>()
    /// Messages put into `incoming` since the socket was made; they reach
    /// the inbox in that order, so message k leaves it as the k-th taken
    /// (SocketState.inboxTaken).
    var queuedForApplication = 0
    /// Dropped connections' metadata, for SocketState.retiredMetadata.
    var retiring: [(metadata: MessageMetadata, lastMessage: Int)] = []
    var readied: [UInt64] = []
    var removed: [(id: UInt64, routingId: [UInt8])] = []
    var errors: [String] = []
    var principal: String?
    /// inproc:// connections that became ready or were dropped before
    /// that, since the last publish (for SocketState.inprocUnready).
    var inprocSettled = 0
    /// PUB: topics peers subscribed to (true) or dropped (false), in order,
    /// for SocketState.peerSubscriptions and each peer's
    /// publishedSubscriptions. A peer that goes away drops all of its topics.
    var subscriptionChanges: [(connection: Connection, topic: [UInt8], added: Bool)] = []

    /// What the I/O thread polls for this loop, one slot per descriptor,
    /// and when the loop must run again without an event (Clock.now
    /// milliseconds): set by `preparePoll`, valid until the next round.
    var pollFDs: [pollfd] = []
    var pollSlots: [Slot] = []
    var deadline: Int64 = 0
    /// Whether the current poll reads (the round's `canRead`). Only this is
    /// kept of the round: its `dispatch` would hold the delivered
    /// messages until the next round.
    var canRead = true
    /// IOThread's number of the round this loop last began in.
    var begunInRound: UInt64 = 0

    /// ZContext.loopIdleTick.
    let idleTick: Int64

    init(socket: ZSocket) {
        self.socket = socket
        self.idleTick = socket.context.loopIdleTick
        self.state = socket.state
        self.type = socket.type
    }

    /// The first half of a round, run by the I/O thread when the loop was
    /// woken, had events or reached its deadline: sync, deliver, then
    /// prepare what to poll (`pollFDs`, `deadline`). False when the loop
    /// has finished: it has shut down and leaves its thread.
    func beginRound() -> Bool {
        // One lock per round: publish what the last round received, then
        // pick up new work. Waiting application threads are woken after
        // the unlock, so they do not wake into a held mutex.
        var published = Published()
        let round = state.monitor.withLock {
            published = publishLocked()
            return sync()
        }
        if published.wake || round.outboxFreed { state.wakeReceivers() }
        dropApplicationReadFailures()
        for listener in closedListeners { state.emit(.closed, fd: listener.fd, endpoint: listener.text) }
        closedListeners = []
        sendTopics(published)
        deliverRouted(round.dispatch, flush: true)
        if !round.subscriptionMessages.isEmpty {
            for connection in order where connection.isReady {
                for message in round.subscriptionMessages { deliver([message], to: connection.id, flush: false) }
                if connections[connection.id] != nil { flush(connection) }
            }
        }
        for stream in round.streams { add(fd: stream.fd, targetIndex: nil, peerText: stream.text, inproc: true) }
        if round.exit {
            shutdown()
            return false
        }
        preparePoll(round)
        return true
    }

    // MARK: (1) sync, lock held

    private func sync() -> Round {
        var round = Round()
        var options = state.options
        security = options.security()
        state.options = options
        routingId = state.options.routingId
        handshakeInterval = state.options.handshakeInterval
        reconnectInterval = state.options.reconnectInterval
        maxMessageSize = Int(clamping: state.options.maxMessageSize)
        handshakeMaxMessageSize = Int(clamping: state.options.handshakeMaxMessageSize)
        heartbeatInterval = state.options.heartbeatInterval
        heartbeatTTL = state.options.heartbeatTTL
        heartbeatTimeout = state.options.heartbeatTimeout
        xpub = state.options.xpub
        listeners += state.newListeners
        state.newListeners = []
        for request in state.newTargets { targets.append(Target(request: request)) }
        state.newTargets = []
        round.streams = state.newStreams
        state.newStreams = []
        takeEndpointRemovals()
        if state.closing {
            for listener in listeners {
                listener.shutDown()
                closedListeners.append((listener.fd, listener.text))
            }
            listeners = []
        }
        round.subscriptionMessages = state.subscriptionMessages
        state.subscriptionMessages = []
        (round.dispatch, round.outboxFreed) = route()
        round.outboxBacklogged = !state.outbox.isEmpty
        round.canRead = state.mayRead()
        round.lingerDeadline = state.lingerDeadline
        if state.closing {
            // With no connect() endpoint and no peer (the listeners are
            // closed by now), nothing queued can ever leave: libzmq drops
            // it with the peers' pipes, so that term returns even with
            // ZMQ_LINGER -1. A connect() endpoint keeps its messages for
            // the linger time, as there, and so does an inproc peer, which
            // is a pipe in libzmq from the start (this round's new ones
            // included).
            let stranded = targets.isEmpty && round.streams.isEmpty
                && !connections.values.contains { $0.isReady || $0.isInproc }
            let drained = stranded || state.outbox.isEmpty && round.dispatch.isEmpty && deferred.isEmpty
                && connections.values.allSatisfy { $0.pendingOutput == 0 }
            let expired = state.lingerDeadline.map { Clock.now >= $0 } ?? false
            round.exit = drained || expired
        }
        return round
    }

    /// Moves messages from the outbox to connections, as far as peers are
    /// ready and their backlogs allow. `wakeSenders`: room was freed and a
    /// sender waits for it (waking threads that wait for messages, not for
    /// room, would only cost them a futile wake-up and the mutex a
    /// contended unlock).
    private func route() -> (dispatch: Dispatch, wakeSenders: Bool) {
        routePasses &+= 1
        let pass = routePasses
        var dispatch = Dispatch()
        // A connection's output is looked at (under its lock) once per
        // pass, not once per message. Writers only shrink it meanwhile, so
        // the pass may route less than there is room for (the next round
        // routes the rest), never past the backlog by more than the
        // direct sends already decided (a soft limit either way).
        func hasRoom(_ connection: Connection) -> Bool {
            if connection.routePass != pass {
                connection.routePass = pass
                connection.pendingAtRoutePass = connection.pendingOutput
            }
            return connection.pendingAtRoutePass + connection.assignedBytes < Self.perConnectionBacklog
        }
        // `counted`: already in the connection's routedUnsent (from its
        // per-peer queue).
        func assign(_ connection: Connection, _ parts: [[UInt8]], counted: Bool = false) {
            if !counted { connection.noteRouted() }
            var bytes = 16
            for part in parts { bytes += part.count }
            connection.assignedBytes += bytes
            dispatch.append(parts, to: connection)
        }
        var freed = false
        for (id, _) in deferred {
            guard let connection = connections[id] else {
                deferred[id] = nil
                continue
            }
            while hasRoom(connection), let parts = deferred[id]?.pop() { assign(connection, parts, counted: true) }
            if deferred[id]?.isEmpty == true { deferred[id] = nil }
        }
        let peerQueueLimit = state.options.sendHWM > 0 ? Int(state.options.sendHWM) : Int.max
        routing: while let head = state.outbox.first, dispatch.messageCount < 4096 {
            switch head.target {
            case .any:
                // An inproc peer still in its NULL handshake has its turn
                // too (libzmq's pipe takes part in round robin from the
                // connect): hold the message until it is ready or gone.
                guard state.inprocUnready == 0,
                      let connection = state.nextPeer(where: { !$0.closed && hasRoom($0) }) else { break routing }
                assign(connection, head.parts)
                if type == .req { state.requestPeer = connection.id }
            case .connection(let id):
                if let connection = connections[id], connection.isReady {
                    if hasRoom(connection) && deferred[id] == nil {
                        assign(connection, head.parts)
                    } else if deferred[id, default: FIFO()].count < peerQueueLimit {
                        connection.noteRouted()
                        deferred[id, default: FIFO()].push(head.parts)
                    }
                }
            case .all:
                let topic = head.parts.first ?? []
                for connection in order {
                    guard connection.isReady, hasRoom(connection) else { continue }
                    if type != .xsub && !connection.subscriptions.matches(topic) { continue }
                    assign(connection, head.parts)
                }
            }
            state.popOutbox()
            freed = true
        }
        if freed { state.signalEvents() }
        return (dispatch, freed && state.roomWaiters > 0)
    }

    /// Encodes the messages routing assigned, each connection's in one go;
    /// with `flush`, writes each connection's bytes with one send(2)
    /// instead of one per message.
    private func deliverRouted(_ dispatch: Dispatch, flush flushNow: Bool) {
        for batch in dispatch.batches where !batch.connection.closed {
            do {
                try batch.connection.send(routed: batch.messages)
            } catch {
                drop(batch.connection, reason: error.reason)
            }
        }
        for batch in dispatch.batches where batch.connection.assignedBytes > 0 {
            batch.connection.assignedBytes = 0
            if flushNow { flush(batch.connection) }
        }
    }

    /// A connection just became ready: publishes it (and what was read with
    /// it) and routes the outbox now instead of in the next round, so that
    /// the messages waiting for this peer are queued behind the handshake's
    /// last command and leave in the same write (the caller flushes).
    func routeNow() {
        var dispatch = Dispatch()
        var wakeSenders = false
        let published = state.monitor.withLock {
            let published = publishLocked()
            (dispatch, wakeSenders) = route()
            return published
        }
        if published.wake || wakeSenders { state.wakeReceivers() }
        sendTopics(published)
        deliverRouted(dispatch, flush: false)
    }

    // MARK: (3) publish, lock held (at the start of the next round)

    /// Publishes what was just read without waiting for the next round,
    /// so that a waiting application thread gets it before housekeeping.
    func publishNow() {
        let published = state.monitor.withLock { publishLocked() }
        if published.wake { state.wakeReceivers() }
        sendTopics(published)
    }

    /// SUB: sends the subscriptions to the peers that just became ready.
    private func sendTopics(_ published: Published) {
        guard !published.topics.isEmpty else { return }
        for id in published.readied {
            for topic in published.topics { deliver([[1] + topic], to: id) }
        }
    }

    /// PUB: applies the round's subscription changes to the socket-wide
    /// set and each peer's published set (the lock held). The socket-wide
    /// set is moved out while it changes (see OutputBuffer.appendToTail): a
    /// PUB reads it for every message.
    private func applySubscriptionChanges() {
        var all = SubscriptionSet.placeholder
        swap(&all, &state.peerSubscriptions)
        for change in subscriptionChanges {
            if change.added {
                all.add(change.topic)
                change.connection.changeSubscriptions(published: true) { $0.add(change.topic) }
            } else {
                all.remove(change.topic)
                change.connection.changeSubscriptions(published: true) { $0.remove(change.topic) }
            }
        }
        swap(&all, &state.peerSubscriptions)
        subscriptionChanges = []
    }

    /// Hands the last round's results to the application side.
    private func publishLocked() -> Published {
        guard !incoming.isEmpty || !readied.isEmpty || !removed.isEmpty || !errors.isEmpty || principal != nil
            || !retiring.isEmpty
            || !subscriptionChanges.isEmpty || inprocSettled > 0 else {
            return Published()
        }
        if !subscriptionChanges.isEmpty { applySubscriptionChanges() }
        state.inprocUnready -= inprocSettled
        inprocSettled = 0
        for id in readied {
            guard let connection = connections[id] else { continue }
            state.addPeer(connection)
            if type == .router { state.routes[connection.routingId] = id }
        }
        for gone in removed {
            state.removePeer(id: gone.id)
            if state.routes[gone.routingId] == gone.id { state.routes[gone.routingId] = nil }
        }
        if let last = errors.last { state.lastError = last }
        if let principal { state.peerPrincipal = principal }
        let arrived = !incoming.isEmpty
        // Both queues moved out meanwhile (see OutputBuffer.appendToTail).
        var arrivals = FIFO<Incoming>()
        var inbox = FIFO<Incoming>()
        swap(&arrivals, &incoming)
        swap(&inbox, &state.inbox)
        inbox.takeAll(from: &arrivals)
        swap(&inbox, &state.inbox)
        swap(&arrivals, &incoming)
        state.retiredMetadata += retiring
        retiring = []
        state.pruneRetiredMetadata()
        state.signalEvents()
        // A new peer also frees senders that had no peer to send to.
        let wake = (arrived && state.messageWaiters > 0) || (!readied.isEmpty && state.roomWaiters > 0)
        let published = Published(wake: wake, readied: readied,
                                  topics: (type == .sub || type == .xsub) && !readied.isEmpty
                                      ? state.topicsForNewPeers() : [])
        readied = []
        removed = []
        errors = []
        principal = nil
        return published
    }

    // MARK: teardown

    private func shutdown() {
        for listener in listeners {
            listener.shutDown()
            closedListeners.append((listener.fd, listener.text))
        }
        for listener in closedListeners { state.emit(.closed, fd: listener.fd, endpoint: listener.text) }
        closedListeners = []
        // As libzmq, whose socket stops its monitor when it is destroyed:
        // after its listeners' CLOSED.
        socket.stopMonitor()
        for target in targets { if let fd = target.pendingFD { close(fd) } }
        // What was sent to an inproc:// peer has arrived there in libzmq
        // (its pipe is the peer's queue), whatever the linger: give it
        // one last write (a monitor's ZMQ_EVENT_MONITOR_STOPPED is sent
        // just before its PAIR closes with ZMQ_LINGER 0).
        for connection in order where connection.isInproc && connection.isReady && connection.needsFlush {
            try? connection.flush()
        }
        for connection in connections.values {
            connection.closeSocket()
            retireMetadata(of: connection)
        }
        listeners = []
        connections = [:]
        order = []
        state.monitor.withLock {
            state.peers = []
            state.peersById = [:]
            for listener in state.newListeners { listener.shutDown() }
            for stream in state.newStreams { close(stream.fd) }
            state.newStreams = []
            state.newListeners = []
            // Kept with the inbox, which may still hold their messages.
            state.retiredMetadata += retiring
            retiring = []
            state.ioFinished = true
            state.wakeReceivers()
        }
        Trace.log("socket \(type.name) closed")
        socket.context.loopFinished()
    }
}

// SPDX-License-Identifier: MIT
import Synchronization
import ZMTPCodec

/// A message on its way from the application to the I/O thread.
struct Outgoing: Sendable {
    enum Target: Sendable {
        /// Round robin over ready peers (PUSH, DEALER, REQ, PAIR).
        case any
        /// One peer (ROUTER, REP replies); dropped if it is gone.
        case connection(UInt64)
        /// Every ready peer whose subscriptions match (PUB).
        case all
    }
    var target: Target
    var parts: [[UInt8]]
}

/// A complete message from a peer, with where it came from.
struct Incoming: Sendable {
    var source: UInt64
    var routingId: [UInt8]
    var parts: MessageParts
    /// The connection's properties, for zmq_msg_gets (nil before ready).
    /// Not retained: a retain by the I/O thread and a release by the
    /// application thread for every message made the two cores fight over
    /// one reference count (~14% of the CPU per 64-byte message). The
    /// connection keeps the object alive, and once it is dropped the I/O
    /// loop does (IOLoop.retireMetadata) until the message has left the
    /// inbox; `ZSocket.receiveMetadata` takes its own reference.
    var metadata: Unmanaged<MessageMetadata>?
    /// Read and queued by the application thread itself
    /// (ZSocket+ApplicationRead.swift): counted in `applicationReadQueued`,
    /// not in `inboxTaken`, since its connection is kept alive by
    /// `applicationReadConnection` instead.
    var readByApplication = false

    init(source: UInt64, routingId: [UInt8], parts: MessageParts, metadata: MessageMetadata?) {
        self.source = source
        self.routingId = routingId
        self.parts = parts
        self.metadata = metadata.map { Unmanaged.passUnretained($0) }
    }
}

/// A bound listener handed to the I/O thread.
struct Listener: Sendable {
    var fd: Int32
    var text: String
    /// An ipc://* bind's file and directory, removed at close.
    var cleanup: ListenerCleanup? = nil
}

/// An already connected stream (one end of an inproc:// socket pair)
/// handed to the I/O thread, which runs ZMTP over it with the NULL
/// mechanism whatever the socket's security options say (libzmq ignores
/// them on inproc).
struct InprocStream: Sendable {
    var fd: Int32
    var text: String
}

/// A connect() endpoint handed to the I/O thread.
struct ConnectRequest: Sendable {
    var text: String
    var addresses: [SocketAddress]
}

/// Everything the application thread and the socket's I/O thread share.
/// Every stored property below `monitor` is read and written only with
/// `monitor` locked; that is the whole synchronisation story.
final class SocketState: @unchecked Sendable {
    let monitor = Monitor()
    let waker: LoopWaker
    let type: SocketType

    var options = SocketOptions()
    var outbox = FIFO<Outgoing>()
    var inbox = FIFO<Incoming>()
    var newListeners: [Listener] = []
    var newTargets: [ConnectRequest] = []
    var newStreams: [InprocStream] = []
    /// inproc:// streams handed over and not ready (or gone) yet: like
    /// libzmq's inproc pipe, each is a peer to queue for from the moment it
    /// exists, so a send does not wait for its NULL handshake; messages
    /// for any peer stay in the outbox until it settles, so that it gets
    /// its round-robin turn.
    var inprocUnready = 0
    /// SUB: the counted topics, and the `\x01topic` / `\x00topic` messages
    /// that still have to go to every connected peer.
    var subscriptions = SubscriptionSet()
    var subscriptionMessages: [[UInt8]] = []
    /// PUB: the subscriptions of all its peers together, one reference per
    /// peer and topic (kept by the I/O thread). A message that matches none
    /// is dropped by the sending thread before it is queued, as libzmq's
    /// PUB does; only wanted messages cost a hand-off to the I/O thread.
    var peerSubscriptions = SubscriptionSet()
    /// connect() endpoints so far. As in libzmq (without ZMQ_IMMEDIATE),
    /// each is a queue that takes ZMQ_SNDHWM messages before its peer
    /// exists; a PUSH, DEALER, REQ or PAIR with neither such an endpoint
    /// nor a ready peer has nowhere to put a message and blocks.
    var connectEndpoints = 0
    /// ROUTER: routing id → connection.
    var routes: [[UInt8]: UInt64] = [:]
    /// Ready connections (published by the I/O thread), in the order they
    /// became ready: the application thread sends to them directly, and
    /// both threads share `peerCursor` for round robin (`.any`).
    var peers: [Connection] = []
    var peerCursor = 0
    var peersById: [UInt64: Connection] = [:]
    /// REQ: the connection the pending request went to.
    var requestPeer: UInt64?
    var lastError = ""
    /// zgss_socket_monitor's PAIR socket and events (ZSocket+Monitor.swift).
    var socketMonitor: SocketMonitor?
    var peerPrincipal = ""
    var lastEndpoint = ""
    var closing = false
    var lingerDeadline: Int64?
    var terminated = false
    var ioFinished = false
    /// ZMQ_FD (ZSocket+Events.swift): made on first use; `eventsSignalled`
    /// while it holds a wake-up that ZMQ_EVENTS has not consumed yet.
    var eventSignal: Waker?
    var eventsSignalled = false
    /// A REQ or REP receiving thread that reads its one peer itself while
    /// it waits (ZSocket+ApplicationRead.swift): the connection it reads
    /// (kept alive while messages it queued, which point to its metadata,
    /// are in the inbox), how many of those there are, and the pipe that
    /// wakes it out of its poll (made on first use, before
    /// `applicationWaiting` is first set).
    var applicationReadConnection: Connection?
    var applicationReadQueued = 0
    /// How many messages a receiving thread has read itself (tests).
    var messagesReadByApplication = 0
    var applicationWaker: Waker?
    /// Set while that thread polls (set and cleared with the lock held, so
    /// under it this also says whether one is at it): `wakeReceivers` then
    /// writes to its pipe.
    let applicationWaiting = Atomic<Bool>(false)
    /// Set when that thread met a failure on its connection
    /// (Connection.applicationReadFailure): the I/O thread drops it.
    let applicationReadFailed = Atomic<Bool>(false)
    /// zgss_unbind / zgss_disconnect (ZSocket+Endpoints.swift): the
    /// endpoints bound (as ZMQ_LAST_ENDPOINT spells them) and connected
    /// (as given), and the removals the I/O thread has yet to carry out.
    var boundEndpoints: [String] = []
    var connectedEndpoints: [String] = []
    var endpointRemovals: [EndpointRemoval] = []

    init(type: SocketType, waker: LoopWaker) {
        self.type = type
        self.waker = waker
    }

    /// The I/O thread stopped reading from peers because the inbox reached
    /// ZMQ_RCVHWM; it reads again once the application has taken the
    /// inbox down to `inboxLowWater`. The gap between the two means one
    /// wake-up per half inbox, not one per received message.
    var readingPaused = false
    /// Application threads blocked at ZMQ_SNDHWM: only then does routing
    /// messages out of the outbox need a broadcast.
    var roomWaiters = 0
    /// Application threads blocked in receive: only then does publishing
    /// received messages need a broadcast.
    var messageWaiters = 0
    /// Messages taken out of the inbox since the socket was made (see
    /// `takeFromInbox`, `Incoming.metadata`).
    private(set) var inboxTaken = 0
    /// Metadata of dropped connections that messages in the inbox may
    /// still point to (Incoming.metadata is not retained), each with the
    /// `inboxTaken` count after which none does.
    var retiredMetadata: [(metadata: MessageMetadata, lastMessage: Int)] = []

    func pruneRetiredMetadata() {
        guard !retiredMetadata.isEmpty else { return }
        let taken = inboxTaken
        retiredMetadata.removeAll { $0.lastMessage <= taken }
    }

    /// Removes the inbox's first message (the lock held). Every removal
    /// goes through here: the count tells the I/O loop which dropped
    /// connections' metadata no queued message refers to any more.
    func takeFromInbox() -> Incoming? {
        // The queues here are moved out of their properties while they
        // change (see OutputBuffer.appendToTail).
        var queue = FIFO<Incoming>()
        swap(&queue, &inbox)
        let incoming = queue.pop()
        swap(&queue, &inbox)
        guard let incoming else { return nil }
        if incoming.readByApplication {
            applicationReadQueued -= 1
        } else {
            inboxTaken += 1
        }
        return incoming
    }

    /// Wakes every thread waiting for a message or for room: those on the
    /// condition variable and a receiving thread polling its peer itself.
    /// Called after the lock is released, or with it held.
    func wakeReceivers() {
        monitor.broadcast()
        if applicationWaiting.load(ordering: .acquiring) { applicationWaker?.wake() }
    }

    func pushOutbox(_ message: Outgoing) {
        var queue = FIFO<Outgoing>()
        swap(&queue, &outbox)
        queue.push(message)
        swap(&queue, &outbox)
    }

    func popOutbox() {
        var queue = FIFO<Outgoing>()
        swap(&queue, &outbox)
        _ = queue.pop()
        swap(&queue, &outbox)
    }

    /// Whether the inbox is below ZMQ_RCVHWM.
    var inboxHasRoom: Bool {
        options.receiveHWM == 0 || inbox.count < Int(options.receiveHWM)
    }

    var inboxLowWater: Int { Int(options.receiveHWM) / 2 }

    /// For the I/O thread's sync: whether it may read from peers now.
    func mayRead() -> Bool {
        if readingPaused && inbox.count <= inboxLowWater { readingPaused = false }
        if !readingPaused && !inboxHasRoom { readingPaused = true }
        return !readingPaused
    }

    /// For the application after taking a message: true when the I/O
    /// thread must be woken to read again.
    func resumeReading() -> Bool {
        guard readingPaused, inbox.count <= inboxLowWater else { return false }
        readingPaused = false
        return true
    }
}

extension SocketState {
    /// Whether messages of this socket type go to any one peer (round
    /// robin) and so need a peer, or a connect() endpoint, to be sent.
    var sendsToAnyPeer: Bool {
        type == .push || type == .dealer || type == .req || type == .pair
    }

    /// Whether a send must wait: no peer to send to (see
    /// `connectEndpoints`), or the outbox is at ZMQ_SNDHWM times the
    /// queues libzmq would have (one per connect() endpoint and per peer
    /// that connected to us; PAIR has one). PUB and ROUTER never wait.
    var sendMustWait: Bool {
        if sendsToAnyPeer && peers.isEmpty && connectEndpoints == 0 && inprocUnready == 0 { return true }
        let hwm = Int(options.sendHWM)
        guard hwm > 0, outbox.count >= hwm else { return false }
        guard sendsToAnyPeer, type != .pair else { return true }
        var queues = connectEndpoints
        for peer in peers where peer.targetIndex == nil { queues += 1 }
        return outbox.count >= hwm * max(1, queues)
    }

    /// The next peer in round-robin order that `accept` takes; moves the
    /// cursor past it.
    func nextPeer(where accept: (Connection) -> Bool) -> Connection? {
        let count = peers.count
        guard count > 0 else { return nil }
        if peerCursor >= count { peerCursor = 0 }
        for step in 0..<count {
            var index = peerCursor + step
            if index >= count { index -= count }
            let connection = peers[index]
            guard accept(connection) else { continue }
            peerCursor = index + 1 == count ? 0 : index + 1
            return connection
        }
        return nil
    }

    /// The peer whose turn it is, without taking the turn (see `takeTurn`).
    func peerAtCursor() -> Connection? {
        guard !peers.isEmpty else { return nil }
        if peerCursor >= peers.count { peerCursor = 0 }
        return peers[peerCursor]
    }

    /// Moves the round-robin cursor past the peer `peerAtCursor` returned.
    func takeTurn() {
        peerCursor = peerCursor + 1 >= peers.count ? 0 : peerCursor + 1
    }

    /// Publishes a connection that became ready (I/O thread, lock held).
    /// Both collections are moved out while they change (see
    /// OutputBuffer.appendToTail): senders read them for every message.
    func addPeer(_ connection: Connection) {
        var list: [Connection] = []
        var byId: [UInt64: Connection] = [:]
        swap(&list, &peers)
        swap(&byId, &peersById)
        list.append(connection)
        byId[connection.id] = connection
        swap(&list, &peers)
        swap(&byId, &peersById)
    }

    /// Forgets a connection that is gone (I/O thread, lock held).
    func removePeer(id: UInt64) {
        var list: [Connection] = []
        var byId: [UInt64: Connection] = [:]
        swap(&list, &peers)
        swap(&byId, &peersById)
        defer {
            swap(&list, &peers)
            swap(&byId, &peersById)
        }
        guard byId.removeValue(forKey: id) != nil, let index = list.firstIndex(where: { $0.id == id }) else { return }
        list.remove(at: index)
        if peerCursor > index { peerCursor -= 1 }
    }
}

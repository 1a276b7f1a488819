// SPDX-License-Identifier: MIT
internal import ZGSSBase
import Synchronization
import ZMTPCodec
import ZMTPGSSAPI

/// How a connection secures itself: the NULL mechanism (no GSSAPI option
/// set) or GSSAPI with a frozen configuration.
enum SecurityMode {
    case null
    case gssapi(SecurityConfiguration)

    var name: String {
        switch self {
        case .null: "NULL"
        case .gssapi: "GSSAPI"
        }
    }
}

/// What a connection reports to its socket after reading.
enum ConnectionEvent {
    /// The handshake finished: metadata and principal are now known.
    case ready
    /// A complete (multipart) data message.
    case message(MessageParts)
    /// A SUBSCRIBE / CANCEL command or flagged message (ZMTP 3.1, libzmq master).
    case subscribe([UInt8])
    case cancel([UInt8])
}

/// Why a connection died. `reason` is a sentence for ZGSS_LAST_ERROR.
struct ConnectionFailure: Error {
    let reason: String
    /// The peer refused the handshake with a ZMTP ERROR command: it will
    /// not change its mind soon, so a reconnect waits the longest backoff.
    var refusedByPeer = false
    /// This side refused the peer with an ERROR whose reason is a ZAP
    /// status code (400 for a principal not allowed): the monitor's
    /// ZMQ_EVENT_HANDSHAKE_FAILED_AUTH value.
    var refusalStatus: UInt32? = nil
}

/// One ZMTP 3.1 connection over a TCP fd, owned by its socket's I/O
/// thread: greeting, then the NULL or GSSAPI handshake, then frames.
///
/// It does no polling: the I/O thread hands it bytes (`receive`) and asks
/// it to `flush` what it has queued. Every error is a `ConnectionFailure`
/// after which the I/O thread closes the connection.
///
/// Once ready, the application thread may also send on it directly
/// (`sendDirect`, see ZSocket+Direct.swift). So the codec (the GSSAPI
/// context wraps and unwraps, frame order) is guarded by `codecLock`,
/// taken by every method below that encodes or decodes, and the output
/// bytes and the fd by `output` (an OutputBuffer with its own lock, taken
/// after `codecLock`, never before it), so that a flush does not wait for
/// an encryption. A REQ or REP thread blocked in a receive may also read
/// and decode (Connection+Reading.swift): both readers take
/// `readLock` first, and the few properties that reading touches outside
/// the codec are atomics. Everything else belongs to the I/O thread alone.
final class Connection: @unchecked Sendable {
    enum Phase { case greeting, handshake, ready }

    let id: UInt64
    let fd: Int32
    /// For connections made by connect(): the index of their target, so the
    /// I/O thread can reconnect when they die.
    let targetIndex: Int?
    let peerText: String
    let socketType: SocketType
    let security: SecurityMode
    let localRoutingId: [UInt8]
    let handshakeDeadline: Int64?

    private(set) var phase = Phase.greeting
    private(set) var peerMetadata = Metadata()
    private(set) var peerType: SocketType?
    private(set) var peerPrincipal: String?
    /// What every message from this peer carries (zmq_msg_gets); made once
    /// the handshake is done.
    private(set) var messageMetadata: MessageMetadata?
    /// The id a ROUTER knows this peer by (assigned on ready).
    var routingId: [UInt8] = []
    /// A PUB's view of what this SUB peer wants (I/O thread only).
    private(set) var subscriptions = SubscriptionSet()
    /// The same, as the application thread sees it: changed when the I/O
    /// thread publishes a round, read and written only under the socket's
    /// lock (ZSocket.publishDirect).
    private(set) var publishedSubscriptions = SubscriptionSet()

    /// Changes `subscriptions` (or, `published`, `publishedSubscriptions`),
    /// moved out of the property meanwhile (see OutputBuffer.appendToTail:
    /// a PUB reads them for every message).
    @discardableResult
    func changeSubscriptions<R>(published: Bool = false, _ body: (inout SubscriptionSet) -> R) -> R {
        var set = SubscriptionSet.placeholder
        if published { swap(&set, &publishedSubscriptions) } else { swap(&set, &subscriptions) }
        defer { if published { swap(&set, &publishedSubscriptions) } else { swap(&set, &subscriptions) } }
        return body(&set)
    }

    private var greeting: [UInt8] = []
    /// Whether the mechanism has started (see `startEarly`).
    private var handshakeStarted = false
    private var decoder: FrameDecoder
    /// The frame limits: before READY (ZGSS_HANDSHAKE_MAXMSGSIZE), so an
    /// unauthenticated peer cannot make this side hold more than a
    /// handshake needs, and after it (ZMQ_MAXMSGSIZE, -1 when unset).
    private let handshakeFrameLimit: Int
    private let frameLimit: Int
    private let maxMessageSize: Int
    /// Handshake commands received so far (for the texts of timeouts).
    private var handshakeFramesReceived = 0
    /// The security mechanism, from the start of the handshake on.
    private var mechanism: SecurityMechanism?
    private var partial: [[UInt8]] = []
    private let codecLock = Lock()
    /// The last encrypted MESSAGE body, reused for the next (guarded by
    /// `codecLock`): sealing allocates nothing per message.
    private var sealed: [UInt8] = []
    private static let sealedCapacityKept = 1 << 16
    private let output: OutputBuffer
    /// Messages the I/O thread has routed to this connection (taken from
    /// the outbox, maybe parked in its per-peer queue) that are not in
    /// `output` yet. A direct send must wait its turn behind them.
    /// Raised with the socket's lock held, lowered under `codecLock`, read
    /// with both held.
    private(set) var routedUnsent = 0
    /// I/O thread only: bytes routed here in this round and not encoded
    /// yet (they count against the backlog), so that the round flushes
    /// each connection once.
    var assignedBytes = 0
    /// I/O thread only: `pendingOutput` as the routing pass numbered
    /// `routePass` read it (IOLoop.route).
    var pendingAtRoutePass = 0
    var routePass: UInt64 = 0
    /// I/O thread only: this connection's batch in the Dispatch being
    /// filled (see Dispatch.append).
    var dispatchIndex = 0

    /// Heartbeats: when the peer last sent anything, when our next PING is
    /// due, and the deadline a peer's PING TTL sets for its next traffic.
    /// (Atomics: the application thread decodes too, see
    /// Connection+Reading.swift.)
    private let lastReceivedAt = Atomic<Int64>(Clock.now)
    var nextPing: Int64?
    private let peerTTLDeadlineAt = Atomic<Int64>(Int64.max)
    var lastReceived: Int64 { lastReceivedAt.load(ordering: .relaxed) }
    var peerTTLDeadline: Int64? {
        let deadline = peerTTLDeadlineAt.load(ordering: .relaxed)
        return deadline == Int64.max ? nil : deadline
    }

    /// Reading the fd and decoding what it gave, by the I/O thread or by
    /// the application thread (Connection+Reading.swift), so that
    /// two reads never interleave; taken before `codecLock` and before the
    /// socket's lock.
    let readLock = Lock()
    /// The application thread reads this connection while it waits in a
    /// receive, and the I/O thread leaves POLLIN off its fd, until the I/O
    /// thread takes it back (IOLoop.preparePoll).
    let applicationReads = Atomic<Bool>(false)
    /// Set once the application thread has handed the fd back for good
    /// (a hang-up, a failure, or a closed fd): it does not read it again.
    let applicationReadRefused = Atomic<Bool>(false)
    /// Whether the I/O thread will look at this connection's lease again
    /// (IOLoop.applicationKeeps): when it will not, the application
    /// thread wakes it as it stops reading.
    let leaseCheckScheduled = Atomic<Bool>(false)
    /// Clock.now when the application thread last stopped reading.
    let applicationReadEnded = Atomic<Int64>(0)
    /// A failure the application thread met reading (guarded by
    /// `readLock`): the I/O thread drops the connection with its reason.
    var applicationReadFailure: ConnectionFailure?

    init(id: UInt64, fd: Int32, targetIndex: Int?, peerText: String, socketType: SocketType,
         security: SecurityMode, routingId: [UInt8], handshakeDeadline: Int64?, maxMessageSize: Int = -1,
         handshakeMaxMessageSize: Int = Int(SocketOptions.defaultHandshakeMaxMessageSize)) {
        self.id = id
        self.fd = fd
        self.targetIndex = targetIndex
        self.peerText = peerText
        self.socketType = socketType
        self.security = security
        self.localRoutingId = routingId
        self.handshakeDeadline = handshakeDeadline
        // ZMQ_MAXMSGSIZE bounds one frame once ready (wrap overhead
        // included); before that, handshake frames have their own small
        // limit. The decoder refuses larger declared sizes from the header.
        self.maxMessageSize = maxMessageSize
        let largest = FrameDecoder.defaultMaxFrameSize
        frameLimit = maxMessageSize >= 0 ? min(maxMessageSize, largest - 256) + 256 : largest
        handshakeFrameLimit = max(0, handshakeMaxMessageSize)
        decoder = FrameDecoder(maxFrameSize: handshakeFrameLimit)
        var asServer = false
        if case .gssapi(let configuration) = security { asServer = configuration.options.isServer }
        output = OutputBuffer(fd: fd, peerText: peerText,
                              initial: Greeting(mechanism: security.name, asServer: asServer).encoded())
        Trace.log("\(peerText): sent greeting (\(security.name)\(asServer ? ", as server" : ""))")
    }

    var isReady: Bool { phase == .ready }
    /// One end of an inproc:// socket pair: like libzmq's inproc pipe, a
    /// peer from the moment it exists, before its (NULL) handshake ends.
    var isInproc = false
    /// Bytes waiting for the kernel (see OutputBuffer.pending).
    var pendingOutput: Int { output.pending }
    /// Whether the I/O thread has something to write now.
    var needsFlush: Bool { output.needsFlush }
    /// Whether the fd is closed (I/O thread; see OutputBuffer.closed).
    var closed: Bool { output.closed }
    var isEncrypted: Bool { mechanism?.protectsMessages ?? false }
    /// The peer's Identity property (empty when it sent none).
    var peerIdentity: [UInt8] { peerMetadata["Identity"] ?? [] }

    // MARK: input

    func receive(_ bytes: ArraySlice<UInt8>) throws(ConnectionFailure) -> [ConnectionEvent] {
        var events: [ConnectionEvent] = []
        try receive(bytes, into: &events)
        return events
    }

    /// `receive` appending to the caller's array (the I/O thread reuses one).
    /// When it throws, `events` still holds what the frames before the bad
    /// one produced (complete, authenticated messages): the caller delivers
    /// them, then drops the connection. The frame that failed and anything
    /// after it are lost, and so is a multipart message it was part of.
    func receive(_ bytes: ArraySlice<UInt8>, into events: inout [ConnectionEvent]) throws(ConnectionFailure) {
        try codecLock.withLock { () throws(ConnectionFailure) in try receiveLocked(bytes, into: &events) }
    }

    private func receiveLocked(_ bytes: ArraySlice<UInt8>,
                               into events: inout [ConnectionEvent]) throws(ConnectionFailure) {
        lastReceivedAt.store(Clock.now, ordering: .relaxed)
        peerTTLDeadlineAt.store(Int64.max, ordering: .relaxed)
        var input = bytes
        if phase == .greeting {
            let wanted = Greeting.size - greeting.count
            var bytes: [UInt8] = []
            swap(&bytes, &greeting)
            bytes.append(contentsOf: input.prefix(wanted))
            swap(&bytes, &greeting)
            input = input.dropFirst(min(wanted, input.count))
            try checkGreeting()
            guard phase == .handshake else { return }
        }
        decoding { $0.append(input) }
        // The handshake's frames one at a time: READY changes the
        // decoder's limit (which must then be in its property).
        while phase == .handshake {
            let frame: Frame?
            do {
                frame = try decoding { decoder throws(CodecError) in try decoder.next() }
            } catch {
                throw fail(frameFailure(error))
            }
            guard let frame else { return }
            if try handshakeFrame(frame) { events.append(.ready) }
        }
        // After it, every frame of the input with the decoder moved out
        // once (readyFrame does not touch it).
        var refused: CodecError?
        try decoding { decoder throws(ConnectionFailure) in
            while true {
                let frame: Frame?
                do throws(CodecError) {
                    frame = try decoder.next()
                } catch {
                    refused = error
                    return
                }
                guard let frame else { return }
                if let event = try readyFrame(frame) { events.append(event) }
            }
        }
        if let refused { throw fail(frameFailure(refused)) }
    }

    /// When the frame arriving still lacks at least `minimum` bytes: reads
    /// up to `limit` of them from the socket straight into the frame's body
    /// (FrameDecoder.receiveIntoBody), sparing the copy out of the read
    /// buffer; the caller then hands `receive` an empty slice to take the
    /// frame out once whole. Returns what the read gave and how many bytes
    /// it was offered, or nil (nothing read) when no such frame is arriving.
    func readIntoFrame(minimum: Int, limit: Int) -> (result: Net.ReadResult, offered: Int)? {
        codecLock.withLock {
            let missing = decoder.missingBodyByteCount
            guard phase != .greeting, missing >= minimum else { return nil }
            let offered = min(missing, limit)
            var result = Net.ReadResult.wouldBlock
            decoding { decoder in
                _ = decoder.receiveIntoBody(upTo: offered) { room in
                    result = Net.read(fd, into: room)
                    if case .data(let count) = result { return count }
                    return 0
                }
            }
            return (result, offered)
        }
    }

    /// Runs `body` on the decoder moved out of its property (see
    /// OutputBuffer.appendToTail: calls into ZMTPCodec inside an access to
    /// the property would make every access to it checked at run time).
    private func decoding<R, Failure: Error>(_ body: (inout FrameDecoder) throws(Failure) -> R) throws(Failure) -> R {
        var local = FrameDecoder(maxFrameSize: 0)
        swap(&local, &decoder)
        defer { swap(&local, &decoder) }
        return try body(&local)
    }

    /// The text for a frame the decoder refused: one over a limit names
    /// the limit and the option that sets it.
    private func frameFailure(_ error: any Error) -> String {
        guard let header = decoder.refusedHeader else { return "peer sent a malformed frame: \(describe(error))" }
        let what = header.isCommand ? "command frame" : "frame"
        guard phase == .ready else {
            return "peer declared a \(header.size)-byte \(what) before the \(security.name) handshake completed; "
                + "handshake frames are limited to \(handshakeFrameLimit) bytes (ZGSS_HANDSHAKE_MAXMSGSIZE)"
        }
        let setting = maxMessageSize >= 0 ? "ZMQ_MAXMSGSIZE \(maxMessageSize), plus 256 bytes of room for a GSSAPI wrap"
            : "the default; ZMQ_MAXMSGSIZE sets another"
        return "peer declared a \(header.size)-byte \(what); the limit is \(frameLimit) bytes (\(setting))"
    }

    private func checkGreeting() throws(ConnectionFailure) {
        if greeting.count >= Greeting.signatureSize {
            do { try Greeting.validateSignature(greeting) } catch { throw fail(describe(error)) }
        }
        if greeting.count > 10 && greeting[10] < 3 {
            throw fail("peer speaks ZMTP \(greeting[10]).x; ZMTP 3 is required")
        }
        guard greeting.count == Greeting.size else { return }
        let peer: Greeting
        do { peer = try Greeting(parsing: greeting) } catch { throw fail(describe(error)) }
        guard peer.mechanism == security.name else {
            throw fail("peer uses the \(peer.mechanism.isEmpty ? "(empty)" : peer.mechanism) security mechanism, "
                       + "this socket \(security.name)")
        }
        Trace.log("\(peerText): greeting ok (ZMTP \(peer.major).\(peer.minor), \(peer.mechanism))")
        phase = .handshake
        if !handshakeStarted { try startHandshake() }
    }

    /// Whether this side's mechanism speaks first: a GSSAPI client (its
    /// INITIATE) and either side of NULL (its READY).
    private var speaksFirst: Bool {
        switch security {
        case .null: true
        case .gssapi(let configuration): !configuration.options.isServer
        }
    }

    /// Queues this side's first handshake command right behind its greeting,
    /// when its mechanism speaks first, instead of waiting a round trip for
    /// the peer's greeting. A ZMTP 3 peer (libzmq too) reads a greeting by
    /// its exact size, so the command waits in its socket until its
    /// handshake starts. The peer's greeting is still checked before any of
    /// its frames is read; a peer with another mechanism fails as before.
    /// Called once by the I/O thread, right after `init`.
    func startEarly() throws(ConnectionFailure) {
        guard speaksFirst else { return }
        try codecLock.withLock { () throws(ConnectionFailure) in try startHandshake() }
    }

    private func startHandshake() throws(ConnectionFailure) {
        handshakeStarted = true
        switch security {
        case .null:
            mechanism = .null(NullMechanism(socketType: socketType, routingId: localRoutingId))
        case .gssapi(let configuration):
            mechanism = .gssapi(GSSAPIMechanism(configuration: configuration, socketType: socketType,
                                                routingId: localRoutingId))
        }
        try pumpHandshake()
    }

    /// Sends whatever the mechanism has to say now.
    private func pumpHandshake() throws(ConnectionFailure) {
        guard let mechanism else { return }
        do {
            while let command = try mechanism.nextHandshakeCommand() {
                Trace.log("\(peerText): send \(GSSAPICommand.describe(command)) (\(command.count) bytes)")
                appendFrame(command, more: false, command: true)
            }
        } catch {
            throw fail(error.message)
        }
    }

    /// Returns true when this frame completed the handshake.
    private func handshakeFrame(_ frame: Frame) throws(ConnectionFailure) -> Bool {
        guard frame.isCommand else {
            throw fail("peer sent a message before the \(security.name) handshake completed")
        }
        handshakeFramesReceived += 1
        let peerRefused = Command.hasName(frame.body, "ERROR")
        guard let mechanism else { throw fail("no \(security.name) mechanism") }
        Trace.log("\(peerText): recv \(GSSAPICommand.describe(frame.body)) (\(frame.body.count) bytes)")
        do {
            try mechanism.processHandshakeCommand(frame.body)
        } catch {
            // A client this side refused is told so (the I/O thread
            // writes what is queued before it closes the connection).
            var status: UInt32?
            if let refusal = mechanism.errorCommand(reason: nil) {
                Trace.log("\(peerText): send \(GSSAPICommand.describe(refusal)) (\(refusal.count) bytes)")
                appendFrame(refusal, more: false, command: true)
                status = Self.statusCode(ofError: refusal)
            }
            var failure = fail(error.message, refusedByPeer: peerRefused)
            failure.refusalStatus = status
            throw failure
        }
        try pumpHandshake()
        guard mechanism.status == .ready else { return false }
        peerMetadata = mechanism.peerMetadata
        peerPrincipal = mechanism.peerPrincipal
        becomeReady()
        return true
    }

    private func becomeReady() {
        peerType = peerMetadata["Socket-Type"].flatMap { SocketType(name: $0) }
        phase = .ready
        decoder.setMaxFrameSize(frameLimit)
        var isServer = false
        if case .gssapi(let configuration) = security { isServer = configuration.options.isServer }
        messageMetadata = .forConnection(peer: peerMetadata, peerAddress: Net.peerAddress(fd)?.hostAndPort.0,
                                         fd: fd, userId: isServer ? peerPrincipal : nil)
        Trace.log("\(peerText): ready (\(security.name)\(isEncrypted ? ", encrypted" : "")"
                  + ", peer \(peerType?.name ?? "?")\(peerPrincipal.map { ", principal \($0)" } ?? ""))")
    }

    private func readyFrame(_ frame: consuming Frame) throws(ConnectionFailure) -> ConnectionEvent? {
        var flags: MessageFlags = []
        if frame.more { flags.insert(.more) }
        if frame.isCommand { flags.insert(.command) }
        // The body moves into the message, so an encrypted one is decrypted
        // where it lies (see GSSAPIMechanism.decode).
        var message = ZMTPMessage(frame.body, flags: flags)
        _ = consume frame
        if let mechanism, mechanism.protectsMessages {
            do {
                message = try mechanism.decode(consume message)
            } catch {
                throw fail(error.message)
            }
        }
        if message.flags.contains(.command) { return try command(message.body) }
        if message.flags.contains(.subscribe) { return .subscribe(message.body) }
        if message.flags.contains(.cancel) { return .cancel(message.body) }
        // A single-part message needs no array (see MessageParts).
        if partial.isEmpty && !message.flags.contains(.more) { return .message(MessageParts(message.body)) }
        // `partial` moved out while it grows (see OutputBuffer.appendToTail).
        var parts: [[UInt8]] = []
        swap(&parts, &partial)
        parts.append(message.body)
        if message.flags.contains(.more) {
            swap(&parts, &partial)
            return nil
        }
        return .message(MessageParts(parts))
    }

    private func command(_ body: [UInt8]) throws(ConnectionFailure) -> ConnectionEvent? {
        guard let command = try? Command(parsing: body) else { return nil }
        switch command.name {
        case "PING":
            // TTL (2 bytes, deciseconds) then a context the PONG echoes. A
            // TTL asks us to give up on the peer if it then goes silent.
            let ttl = command.data.count >= 2
                ? Int64(command.data[command.data.startIndex]) << 8 | Int64(command.data[command.data.startIndex + 1]) : 0
            if ttl > 0 { peerTTLDeadlineAt.store(Clock.now + ttl * 100, ordering: .relaxed) }
            let context = Array(command.data.dropFirst(2).prefix(16))
            try sendPart(Command.encode(name: "PONG", data: context), more: false, command: true)
            return nil
        case "SUBSCRIBE":
            return .subscribe(Array(command.data))
        case "CANCEL":
            return .cancel(Array(command.data))
        default:
            return nil
        }
    }

    // MARK: output

    /// Queues a PING (ZMTP 3.1) with `ttl` milliseconds and no context.
    func sendPing(ttl: Int32) throws(ConnectionFailure) {
        let deciseconds = UInt16(clamping: (Int(ttl) + 99) / 100)
        let body = Command.encode(name: "PING", data: [UInt8(deciseconds >> 8), UInt8(deciseconds & 0xff)])
        try codecLock.withLock { () throws(ConnectionFailure) in
            _ = try sendPart(body, more: false, command: true)
        }
    }

    /// Queues one (multipart) message, protected by the mechanism.
    func send(_ parts: [[UInt8]]) throws(ConnectionFailure) {
        try codecLock.withLock { () throws(ConnectionFailure) in
            _ = try sendLocked(parts)
        }
    }

    /// Queues messages routed here, in order, each counted in
    /// `routedUnsent` when it was routed: one pass through the lock for
    /// the whole batch. A failure leaves the rest unsent (the caller drops
    /// the connection).
    func send(routed messages: [[[UInt8]]]) throws(ConnectionFailure) {
        try codecLock.withLock { () throws(ConnectionFailure) in
            for parts in messages {
                routedUnsent -= 1
                _ = try sendLocked(parts)
            }
        }
    }

    /// Returns whether the output was idle before the first frame.
    @discardableResult
    private func sendLocked(_ parts: [[UInt8]]) throws(ConnectionFailure) -> Bool {
        var wasIdle = false
        for (index, part) in parts.enumerated() {
            let idle = try sendPart(part, more: index + 1 < parts.count, command: false)
            if index == 0 { wasIdle = idle }
        }
        return wasIdle
    }

    /// Counts a message routed here (the socket's lock held).
    func noteRouted() { routedUnsent += 1 }

    /// The application thread's check (the socket's lock held) that it may
    /// send on this connection itself: it is open, no routed message is
    /// still ahead (none can be routed here while the caller's outbox is
    /// empty), and fewer than `backlogLimit` bytes are pending.
    func admitsDirect(backlogLimit: Int) -> Bool {
        codecLock.withLock { routedUnsent == 0 && output.admits(limit: backlogLimit) != nil }
    }

    /// The application thread's send after `admitsDirect` (no socket lock
    /// held, so the I/O thread is not kept waiting by an encryption):
    /// encodes the message into the output. Returns whether the output was
    /// idle before: then the caller writes it or wakes the I/O thread.
    func sendDirect(_ parts: [[UInt8]]) -> Bool {
        codecLock.withLock {
            do throws(ConnectionFailure) {
                return try sendLocked(parts)
            } catch {
                // The mechanism failed: the I/O thread's next flush reports
                // it and drops the connection.
                output.record(error)
                return true
            }
        }
    }

    /// Whether a direct send may append to this connection now, backlog
    /// aside: nothing routed is still waiting to be encoded, and messages
    /// are not protected (the socket's lock held, so `routedUnsent` cannot
    /// rise until it is released).
    func admitsDirectPlaintext() -> Bool {
        codecLock.withLock { routedUnsent == 0 && !(mechanism?.protectsMessages ?? false) }
    }

    /// `admitsDirect` and `sendDirect` in one, for a single plaintext part
    /// in the caller's buffer (the socket's lock held): appends its frame
    /// and returns whether the output was idle before, or returns nil,
    /// appending nothing, when the connection does not admit a direct send
    /// or protects its messages (those take the general path).
    func appendDirect(contentsOf buffer: UnsafeRawBufferPointer, backlogLimit: Int) -> Bool? {
        codecLock.withLock {
            guard routedUnsent == 0, !(mechanism?.protectsMessages ?? false) else { return nil }
            return output.appendFrame(contentsOf: buffer, ifPendingBelow: backlogLimit)
        }
    }

    /// The application thread's write of what `sendDirect` queued (no
    /// lock held). True when the I/O thread must be woken to go on.
    func flushDirect() -> Bool { output.flushDirect() }

    /// The application thread is about to poll and read the fd itself
    /// (false: the connection is closed). See OutputBuffer.
    func beginApplicationRead() -> Bool { output.beginApplicationRead() }

    func endApplicationRead() {
        output.endApplicationRead()
        applicationReadEnded.store(Clock.now, ordering: .releasing)
    }

    /// Closes the fd (I/O thread), so that no direct send writes to it.
    func closeSocket() { output.close() }

    /// Why the peer hung up before the handshake finished, as far as what
    /// it sent shows (libzmq sends no ERROR command); nil once ready. In
    /// the GSSAPI handshake the mechanism says what it was waiting for.
    func peerClosedReason() -> String? {
        codecLock.withLock { () -> String? in
            switch phase {
            case .ready:
                return nil
            case .greeting:
                // A libzmq peer hangs up here, before naming its own
                // mechanism, when ours is not the one it was set up for.
                let seen = greeting.isEmpty ? "before sending its greeting"
                    : "after \(greeting.count) of the \(Greeting.size) bytes of its greeting"
                return "peer closed the connection \(seen), before naming its security mechanism "
                    + "(a libzmq peer does that when its mechanism is not this socket's \(security.name); "
                    + "NULL is the one without any GSSAPI option)"
            case .handshake:
                if let reason = mechanism?.connectionClosed()?.message { return reason }
                return "peer closed the connection during the \(security.name) handshake"
            }
        }
    }

    /// What the peer had sent of its handshake, for the text of a
    /// handshake that timed out: "nothing", "12 of the 64 greeting bytes",
    /// "its greeting, 1 handshake command and 4096 of the 100000 bytes of a
    /// command frame".
    func handshakeProgress() -> String {
        codecLock.withLock {
            guard phase != .greeting else {
                return greeting.isEmpty ? "nothing" : "\(greeting.count) of the \(Greeting.size) greeting bytes"
            }
            var parts = ["its greeting"]
            if handshakeFramesReceived > 0 {
                parts.append("\(handshakeFramesReceived) handshake command\(handshakeFramesReceived == 1 ? "" : "s")")
            }
            if let (header, received) = decoder.unfinishedFrame {
                parts.append("\(received) of the \(header.size) bytes of a \(header.isCommand ? "command " : "")frame")
            }
            let last = parts.removeLast()
            return parts.isEmpty ? last : parts.joined(separator: ", ") + " and " + last
        }
    }

    /// "stopped 4096 bytes into a 100000-byte command frame" when the
    /// peer's input ends inside a frame; nil at a frame boundary.
    func unfinishedFrameNote() -> String? {
        codecLock.withLock { unfinishedFrameNoteLocked() }
    }

    private func unfinishedFrameNoteLocked() -> String? {
        guard phase != .greeting, let (header, received) = decoder.unfinishedFrame else { return nil }
        return "stopped \(received) bytes into a \(header.size)-byte \(header.isCommand ? "command " : "")frame"
    }

    /// Returns whether the output was idle before this frame.
    @discardableResult
    private func sendPart(_ body: [UInt8], more: Bool, command: Bool) throws(ConnectionFailure) -> Bool {
        if let mechanism, mechanism.protectsMessages {
            var flags: MessageFlags = []
            if more { flags.insert(.more) }
            if command { flags.insert(.command) }
            do {
                // `sealed` moved out meanwhile (see OutputBuffer.appendToTail).
                var bytes: [UInt8] = []
                swap(&bytes, &sealed)
                defer {
                    // Keep a small buffer for the next message, not a large one.
                    if bytes.capacity <= Self.sealedCapacityKept { swap(&bytes, &sealed) }
                }
                try mechanism.encode(ZMTPMessage(body, flags: flags), into: &bytes)
                return output.appendFrame(bytes, more: false, command: false, shared: false)
            } catch {
                throw fail(error.message)
            }
        } else {
            return appendFrame(body, more: more, command: command)
        }
    }

    @discardableResult
    private func appendFrame(_ body: [UInt8], more: Bool, command: Bool) -> Bool {
        output.appendFrame(body, more: more, command: command)
    }

    /// Takes the queued bytes without writing them (tests and tools that
    /// move bytes themselves).
    func takeOutput() -> [UInt8] { output.take() }

    /// Writes what the kernel accepts now.
    func flush() throws(ConnectionFailure) { try output.flush() }

    private func fail(_ reason: String, refusedByPeer: Bool = false) -> ConnectionFailure {
        Trace.log("\(peerText): failed: \(reason)")
        return ConnectionFailure(reason: reason, refusedByPeer: refusedByPeer)
    }
}

/// The user-facing text of a codec (or any) error.
func describe(_ error: any Error) -> String {
    if let codec = error as? CodecError { return codec.reason }
    return "\(error)"
}

extension Connection {
    /// The ZAP-style status code (300, 400 or 500) an ERROR command's
    /// reason holds, as libzmq reads one: three digits, the first 3 to 5,
    /// then "00". nil for any other reason text.
    static func statusCode(ofError body: [UInt8]) -> UInt32? {
        let name = Array("ERROR".utf8)
        guard body.count == 1 + name.count + 1 + 3, body[0] == UInt8(name.count),
              Array(body[1...name.count]) == name, body[name.count + 1] == 3 else { return nil }
        let digits = body[(name.count + 2)...]
        guard let first = digits.first, (UInt8(ascii: "3")...UInt8(ascii: "5")).contains(first),
              digits.dropFirst().allSatisfy({ $0 == UInt8(ascii: "0") }) else { return nil }
        return UInt32(first - UInt8(ascii: "0")) * 100
    }
}

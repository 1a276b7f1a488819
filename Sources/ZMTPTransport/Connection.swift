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
    case message([[UInt8]])
    /// A SUBSCRIBE / CANCEL command or flagged message (ZMTP 3.1, libzmq master).
    case subscribe([UInt8])
    case cancel([UInt8])
}

/// Why a connection died. `reason` is a sentence for ZGSS_LAST_ERROR.
struct ConnectionFailure: Error {
    let reason: String
}

/// One ZMTP 3.1 connection over a TCP fd, owned by its socket's I/O
/// thread: greeting, then the NULL or GSSAPI handshake, then frames.
///
/// It does no polling: the I/O thread hands it bytes (`receive`) and asks
/// it to `flush` what it has queued. Every error is a `ConnectionFailure`
/// after which the I/O thread closes the connection.
final class Connection {
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
    /// The id a ROUTER knows this peer by (assigned on ready).
    var routingId: [UInt8] = []
    /// A PUB's view of what this SUB peer wants.
    var subscriptions = SubscriptionSet()

    private var greeting: [UInt8] = []
    private var decoder = FrameDecoder()
    private var gss: GSSAPIMechanism?
    private var encrypted = false
    private var partial: [[UInt8]] = []
    private var output: [UInt8] = []
    private var outputOffset = 0

    /// Heartbeats: when the peer last sent anything, when our next PING is
    /// due, and the deadline a peer's PING TTL sets for its next traffic.
    private(set) var lastReceived = Clock.now
    var nextPing: Int64?
    private(set) var peerTTLDeadline: Int64?

    init(id: UInt64, fd: Int32, targetIndex: Int?, peerText: String, socketType: SocketType,
         security: SecurityMode, routingId: [UInt8], handshakeDeadline: Int64?, maxMessageSize: Int = -1) {
        self.id = id
        self.fd = fd
        self.targetIndex = targetIndex
        self.peerText = peerText
        self.socketType = socketType
        self.security = security
        self.localRoutingId = routingId
        self.handshakeDeadline = handshakeDeadline
        // ZMQ_MAXMSGSIZE bounds one frame (wrap overhead included); the
        // decoder refuses larger declared sizes before buffering them.
        if maxMessageSize >= 0 {
            decoder = FrameDecoder(maxFrameSize: min(maxMessageSize + 256, FrameDecoder.defaultMaxFrameSize))
        }
        var asServer = false
        if case .gssapi(let configuration) = security { asServer = configuration.options.isServer }
        output = Greeting(mechanism: security.name, asServer: asServer).encoded()
        Trace.log("\(peerText): sent greeting (\(security.name)\(asServer ? ", as server" : ""))")
    }

    var isReady: Bool { phase == .ready }
    var pendingOutput: Int { output.count - outputOffset }
    var isEncrypted: Bool { encrypted }
    /// The peer's Identity property (empty when it sent none).
    var peerIdentity: [UInt8] { peerMetadata["Identity"] ?? [] }

    // MARK: input

    func receive(_ bytes: ArraySlice<UInt8>) throws(ConnectionFailure) -> [ConnectionEvent] {
        lastReceived = Clock.now
        if peerTTLDeadline != nil { peerTTLDeadline = nil }
        var events: [ConnectionEvent] = []
        var input = bytes
        if phase == .greeting {
            let wanted = Greeting.size - greeting.count
            greeting.append(contentsOf: input.prefix(wanted))
            input = input.dropFirst(min(wanted, input.count))
            try checkGreeting()
            guard phase == .handshake else { return events }
        }
        decoder.append(input)
        while true {
            let frame: Frame?
            do {
                frame = try decoder.next()
            } catch {
                throw fail("peer sent a malformed frame: \(describe(error))")
            }
            guard let frame else { break }
            if phase == .handshake {
                if try handshakeFrame(frame) { events.append(.ready) }
            } else if let event = try readyFrame(frame) {
                events.append(event)
            }
        }
        return events
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
        try startHandshake()
    }

    private func startHandshake() throws(ConnectionFailure) {
        switch security {
        case .null:
            let ready = Command.encode(name: "READY", data: readyMetadata())
            appendFrame(ready, more: false, command: true)
        case .gssapi(let configuration):
            encrypted = !configuration.options.plaintext
            gss = GSSAPIMechanism(configuration: configuration, socketType: socketType, routingId: localRoutingId)
            try pumpGSS()
        }
    }

    private func readyMetadata() -> [UInt8] {
        var properties = [Metadata.Property(name: "Socket-Type", value: Array(socketType.name.utf8))]
        if socketType.sendsIdentity {
            properties.append(Metadata.Property(name: "Identity", value: localRoutingId))
        }
        var out: [UInt8] = []
        Metadata(properties).encode(into: &out)
        return out
    }

    /// Sends whatever the GSSAPI mechanism has to say now.
    private func pumpGSS() throws(ConnectionFailure) {
        guard let gss else { return }
        do {
            while let command = try gss.nextHandshakeCommand() {
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
        if Command.hasName(frame.body, "ERROR") {
            let reason = (try? Command(parsing: frame.body)).map { String(decoding: $0.data.dropFirst(), as: UTF8.self) }
            throw fail("peer refused the handshake: ERROR \(reason ?? "")")
        }
        switch security {
        case .null:
            guard Command.hasName(frame.body, "READY") else {
                throw fail("expected READY, got \(GSSAPICommand.describe(frame.body))")
            }
            let metadata: Metadata
            do {
                metadata = try Metadata(parsing: frame.body[6...])
            } catch {
                throw fail("peer's READY is malformed: \(describe(error))")
            }
            guard let name = metadata["Socket-Type"], let type = SocketType(name: name) else {
                throw fail("peer's READY has no known Socket-Type")
            }
            guard socketType.accepts(type) else {
                throw fail("a \(type.name) peer cannot talk to a \(socketType.name) socket")
            }
            peerMetadata = metadata
            becomeReady()
            return true
        case .gssapi:
            guard let gss else { throw fail("no GSSAPI mechanism") }
            Trace.log("\(peerText): recv \(GSSAPICommand.describe(frame.body)) (\(frame.body.count) bytes)")
            do {
                try gss.processHandshakeCommand(frame.body)
            } catch {
                throw fail(error.message)
            }
            try pumpGSS()
            guard gss.status == .ready else { return false }
            peerMetadata = gss.peerMetadata
            peerPrincipal = gss.peerPrincipal
            becomeReady()
            return true
        }
    }

    private func becomeReady() {
        peerType = peerMetadata["Socket-Type"].flatMap { SocketType(name: $0) }
        phase = .ready
        Trace.log("\(peerText): ready (\(security.name)\(encrypted ? ", encrypted" : "")"
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
        if encrypted, let gss {
            do {
                message = try gss.decode(consume message)
            } catch {
                throw fail(error.message)
            }
        }
        if message.flags.contains(.command) { return try command(message.body) }
        if message.flags.contains(.subscribe) { return .subscribe(message.body) }
        if message.flags.contains(.cancel) { return .cancel(message.body) }
        partial.append(message.body)
        if message.flags.contains(.more) { return nil }
        defer { partial = [] }
        return .message(partial)
    }

    private func command(_ body: [UInt8]) throws(ConnectionFailure) -> ConnectionEvent? {
        guard let command = try? Command(parsing: body) else { return nil }
        switch command.name {
        case "PING":
            // TTL (2 bytes, deciseconds) then a context the PONG echoes. A
            // TTL asks us to give up on the peer if it then goes silent.
            let ttl = command.data.count >= 2
                ? Int64(command.data[command.data.startIndex]) << 8 | Int64(command.data[command.data.startIndex + 1]) : 0
            if ttl > 0 { peerTTLDeadline = Clock.now + ttl * 100 }
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
        try sendPart(body, more: false, command: true)
    }

    /// Queues one (multipart) message, protected by the mechanism.
    func send(_ parts: [[UInt8]]) throws(ConnectionFailure) {
        for (index, part) in parts.enumerated() {
            try sendPart(part, more: index + 1 < parts.count, command: false)
        }
    }

    private func sendPart(_ body: [UInt8], more: Bool, command: Bool) throws(ConnectionFailure) {
        if encrypted, let gss {
            var flags: MessageFlags = []
            if more { flags.insert(.more) }
            if command { flags.insert(.command) }
            do {
                let wrapped = try gss.encode(ZMTPMessage(body, flags: flags))
                appendFrame(wrapped.body, more: false, command: false)
            } catch {
                throw fail(error.message)
            }
        } else {
            appendFrame(body, more: more, command: command)
        }
    }

    private func appendFrame(_ body: [UInt8], more: Bool, command: Bool) {
        Frame.appendHeader(to: &output, bodyCount: body.count, more: more, isCommand: command)
        output.append(contentsOf: body)
    }

    /// Takes the queued bytes without writing them (tests and tools that
    /// move bytes themselves).
    func takeOutput() -> [UInt8] {
        defer {
            output = []
            outputOffset = 0
        }
        return Array(output[outputOffset...])
    }

    /// Writes what the kernel accepts now.
    func flush() throws(ConnectionFailure) {
        while outputOffset < output.count {
            let written = output.withUnsafeBytes { bytes in
                Net.write(fd, UnsafeRawBufferPointer(rebasing: bytes[outputOffset...]))
            }
            guard let written else { throw fail("connection lost while sending") }
            if written == 0 { break }
            outputOffset += written
        }
        if outputOffset == output.count {
            output.removeAll(keepingCapacity: output.capacity <= 1 << 20)
            outputOffset = 0
        } else if outputOffset >= 1 << 20 {
            output.removeFirst(outputOffset)
            outputOffset = 0
        }
    }

    private func fail(_ reason: String) -> ConnectionFailure {
        Trace.log("\(peerText): failed: \(reason)")
        return ConnectionFailure(reason: reason)
    }
}

/// The user-facing text of a codec (or any) error.
func describe(_ error: any Error) -> String {
    if let codec = error as? CodecError { return codec.reason }
    return "\(error)"
}

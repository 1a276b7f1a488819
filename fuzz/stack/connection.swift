// SPDX-License-Identifier: MIT
// fuzz-needs: realm
//
// libFuzzer harness: the transport's Connection
// (Sources/ZMTPTransport/Connection.swift) through its sans-I/O entry
// points (receive / send / sendPing / takeOutput; fd -1, nothing is
// written): greeting, NULL and GSSAPI handshakes, frame dispatch,
// PING/PONG, SUBSCRIBE/CANCEL, against a genuine peer Connection (GSSAPI
// on the test realm's KDC).
//
// Each input is a script (see support/FuzzInput.swift). Header:
//   byte 0  bits 0-1 mode: NULL, GSSAPI plaintext, GSSAPI encrypted, or
//           encrypted target with a plaintext peer; bit 2 the target is the
//           GSSAPI server; bit 3 both start early (handshake behind the
//           greeting); bit 4 ZMQ_MAXMSGSIZE 64 on the target; bit 5 run
//           the genuine handshake first
//   byte 1  socket types, one of eight pairs (the last one incompatible)
// Operations (opcode % 11):
//   0 the peer's output to the target, in chunks   1 the target's to the peer
//   2 fuzz bytes to the target      3 a fuzz frame (body, flags) to the target
//   4 the peer's output, damaged    5 the peer sends a message (1-3 parts)
//   6 the peer sends a PING         7 the target sends a message
//   8 the target sends a PING       9 a fuzz command frame (PING, PONG,
//     SUBSCRIBE, CANCEL, READY, ERROR, INITIATE, MESSAGE, or a fuzz name)
//  10 accessors, and an empty read
// Checks: while the target has read only the peer's genuine bytes (and the
// configuration is compatible) it never fails, delivers exactly the
// messages the peer sent, in order, with no SUBSCRIBE/CANCEL, and answers
// a PING; with encryption, whatever the input, every message part it
// delivers is one the peer sent, in order (no forgery, no reordering,
// no SUBSCRIBE/CANCEL), and a ready target authenticated the realm's peer
// principal; a ready target's peer socket type is acceptable. After a
// failure the connection is dropped (as the I/O thread does); its output
// must still be readable.

@testable import ZMTPTransport
import ZMTPGSSAPI
import ZMTPCodec
#if canImport(Glibc)
import Glibc
#endif

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>?,
                       _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    // One genuine encrypted handshake.
    startOnTestRealm("connection", "GSSAPI handshake") {
        let session = Session(0x22, 0)
        return session.target.isReady && session.peer.isReady ? nil : session.failure ?? "did not finish"
    }
    return 0
}

final class Session {
    let target: Connection
    let peer: Connection
    let encrypted: Bool
    let gssapi: Bool
    let targetIsServer: Bool
    /// The target has read nothing but the peer's genuine bytes.
    var clean = true
    /// The configuration lets a clean stream succeed.
    let compatible: Bool
    var targetDead = false
    var peerDead = false
    var failure: String?
    var sent: [[[UInt8]]] = []
    var delivered: [[[UInt8]]] = []
    var unansweredPings = 0

    init(_ header: UInt8, _ types: UInt8) {
        let mode = header & 3
        gssapi = mode != 0
        encrypted = mode >= 2
        targetIsServer = header & 4 != 0
        let pair = socketPairs[Int(types % 8)]
        let targetType = targetIsServer ? pair.server : pair.client
        let peerType = targetIsServer ? pair.client : pair.server
        let targetSecurity: SecurityMode = gssapi ? .gssapi(configuration(server: targetIsServer, plaintext: !encrypted)) : .null
        let peerSecurity: SecurityMode = gssapi ? .gssapi(configuration(server: !targetIsServer, plaintext: mode != 2)) : .null
        let limit = header & 0x10 != 0 ? 64 : -1
        compatible = mode != 3 && limit < 0 && types % 8 != 7
        target = Connection(id: 1, fd: -1, targetIndex: nil, peerText: "target", socketType: targetType,
                            security: targetSecurity, routingId: targetType.sendsIdentity ? [0x74] : [],
                            handshakeDeadline: nil, maxMessageSize: limit)
        peer = Connection(id: 2, fd: -1, targetIndex: nil, peerText: "peer", socketType: peerType,
                          security: peerSecurity, routingId: peerType.sendsIdentity ? [0x70] : [],
                          handshakeDeadline: nil)
        if header & 8 != 0 {
            do { try target.startEarly() } catch { die(error) }
            do { try peer.startEarly() } catch { peerDead = true }
        }
        if header & 0x20 != 0 {
            for _ in 0..<8 where !(target.isReady && peer.isReady) || target.pendingOutput + peer.pendingOutput > 0 {
                deliverPeer(chunkSeed: 0)
                deliverTarget()
            }
        }
    }

    func die(_ error: ConnectionFailure) {
        if clean && compatible { finding("the target failed on the peer's genuine bytes: \(error.reason)") }
        targetDead = true
        failure = error.reason
        _ = target.takeOutput()
    }

    /// Feeds bytes to the target in chunks and records its events.
    func feed(_ bytes: [UInt8], chunkSeed: UInt8) {
        guard !targetDead else { return }
        var state = UInt32(chunkSeed)
        var start = 0
        var events: [ConnectionEvent] = []
        repeat {
            state = state &* 1_103_515_245 &+ 12_345
            let size = chunkSeed == 0 ? bytes.count : Int(state >> 16) % 40 + 1
            let end = min(bytes.count, start + size)
            do {
                try target.receive(bytes[start..<end], into: &events)
            } catch {
                record(events)
                die(error)
                return
            }
            start = end
        } while start < bytes.count
        record(events)
    }

    func record(_ events: [ConnectionEvent]) {
        for event in events {
            switch event {
            case .ready:
                checkReady()
            case .message(let parts):
                delivered.append(parts.array)
            case .subscribe(let topic) where encrypted && peerSendsBareTopics:
                // A SUB's single frame to a PUB/XPUB arrives as a
                // subscription under encryption (GSSAPIMechanism.decode:
                // stock 4.3.4 drops the marker): it is that message.
                delivered.append([topic])
            case .subscribe, .cancel:
                if clean || encrypted { finding("a SUBSCRIBE/CANCEL the peer never sent") }
            }
        }
        if clean && compatible {
            if delivered.count > sent.count || !delivered.elementsEqual(sent.prefix(delivered.count)) {
                finding("the target delivered other messages than the peer sent")
            }
        } else if encrypted {
            // Every delivered part is one the peer sent, in order.
            var sentParts = sent.joined().makeIterator()
            for part in delivered.joined() {
                var found = false
                while let candidate = sentParts.next() { if candidate == part { found = true; break } }
                if !found { finding("an encrypted connection delivered a part the peer never sent (or out of order)") }
            }
        }
    }

    /// The peer is a SUB and the target a PUB or XPUB.
    var peerSendsBareTopics: Bool {
        peer.socketType == .sub && (target.socketType == .pub || target.socketType == .xpub)
    }

    func checkReady() {
        guard target.isReady else { finding("a ready event before the connection is ready") }
        if let type = target.peerType, !target.socketType.accepts(type) { finding("ready with an unacceptable peer type \(type.name)") }
        if target.peerType == nil { finding("ready without a peer socket type") }
        if gssapi {
            let expected = targetIsServer ? "alice@EXAMPLE.TEST" : "zmq/localhost@EXAMPLE.TEST"
            if encrypted || clean, target.peerPrincipal != expected {
                finding("ready with peer principal \(target.peerPrincipal ?? "nil")")
            }
            if encrypted && !target.isEncrypted { finding("an encrypted connection became ready unencrypted") }
        }
    }

    func deliverPeer(chunkSeed: UInt8) {
        deliverPeer(peer.takeOutput(), chunkSeed: chunkSeed)
    }

    /// Feeds the peer's output (possibly damaged) to the target. Every PING
    /// the peer had queued goes with it, so each must be answered now.
    func deliverPeer(_ bytes: [UInt8], chunkSeed: UInt8) {
        let pings = unansweredPings
        unansweredPings = 0
        feed(bytes, chunkSeed: chunkSeed)
        if clean && compatible && !targetDead && pings > 0 && target.isReady && target.pendingOutput == 0 {
            finding("a PING was not answered")
        }
    }

    func deliverTarget() {
        let bytes = target.takeOutput()
        guard !peerDead else { return }
        do {
            _ = try peer.receive(bytes[...])
        } catch {
            peerDead = true
        }
    }

    func taint(_ bytes: [UInt8], chunkSeed: UInt8 = 0) {
        clean = false
        feed(bytes, chunkSeed: chunkSeed)
    }

    func parts(_ input: inout FuzzInput) -> [[UInt8]] {
        (0...(Int(input.byte()) % 3)).map { _ in input.data() }
    }

    func run(_ op: UInt8, _ input: inout FuzzInput) {
        defer {
            trace("op \(op % 11): target ready \(target.isReady) dead \(targetDead) pending \(target.pendingOutput) clean \(clean) "
                  + "peer ready \(peer.isReady) dead \(peerDead) pending \(peer.pendingOutput) pings \(unansweredPings)")
        }
        switch op % 11 {
        case 0:
            deliverPeer(chunkSeed: input.byte())
        case 1:
            deliverTarget()
        case 2:
            taint(input.data(), chunkSeed: input.byte())
        case 3:
            let body = input.data()
            let flags = input.byte()
            taint(Frame(body: body, more: flags & 1 != 0, isCommand: flags & 4 != 0).encoded())
        case 4:
            let (bytes, changed) = mutate(peer.takeOutput(), &input)
            if changed { clean = false }
            deliverPeer(bytes, chunkSeed: 0)
        case 5:
            let message = parts(&input)
            guard peer.isReady, !peerDead else { return }
            do {
                try peer.send(message)
                sent.append(message)
            } catch {
                peerDead = true
            }
        case 6:
            let ttl = Int32(input.u16())
            guard peer.isReady, !peerDead else { return }
            do {
                try peer.sendPing(ttl: ttl)
                unansweredPings += 1
            } catch {
                peerDead = true
            }
        case 7:
            let message = parts(&input)
            guard target.isReady, !targetDead else { return }
            do { try target.send(message) } catch { die(error) }
        case 8:
            let ttl = Int32(input.u16()) - 1000
            guard target.isReady, !targetDead else { return }
            do { try target.sendPing(ttl: ttl) } catch { die(error) }
        case 9:
            let names = ["PING", "PONG", "SUBSCRIBE", "CANCEL", "READY", "ERROR", "INITIATE", "MESSAGE"]
            let selector = Int(input.byte())
            let name = selector % 9 < 8 ? names[selector % 9] : String(decoding: input.data().prefix(255), as: UTF8.self)
            let body = Command.encode(name: name, data: input.data())
            taint(Frame(body: body, isCommand: true).encoded())
        default:
            _ = (target.isReady, target.pendingOutput, target.needsFlush, target.closed, target.isEncrypted, target.peerIdentity)
            if !targetDead { feed([], chunkSeed: 0) }
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConnection(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let session = Session(input.byte(), input.byte())
    var count = 0
    while !input.isEmpty && count < 64 {
        session.run(input.byte(), &input)
        count += 1
    }
    trace("target ready \(session.target.isReady) dead \(session.targetDead) clean \(session.clean) peer ready \(session.peer.isReady) "
          + "sent \(session.sent.count) delivered \(session.delivered.count) ops \(count) failure \(session.failure ?? "-")")
    return 0
}

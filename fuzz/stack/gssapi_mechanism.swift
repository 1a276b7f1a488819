// SPDX-License-Identifier: MIT
// fuzz-needs: realm
//
// libFuzzer harness: the ZMTP GSSAPI mechanism state machine
// (Sources/ZMTPGSSAPI/GSSAPIMechanism.swift), client or server, against a
// real peer mechanism on the test realm's KDC.
//
// Each input is a script (see support/FuzzInput.swift) for one fresh pair
// of mechanisms: the "target" under test and a genuine "peer". Header:
//   byte 0  bit 0 target is the server; bit 1 plaintext; bit 2 the peer's
//           plaintext setting differs; bit 3 MIT gss_wrap/unwrap instead of
//           KerberosCrypto after the handshake; bit 4 external
//           authorization (server target); bit 5 an allowlist without the
//           client (server target); bit 6 run the real handshake first
//   byte 1  socket types (client, server), one of eight pairs
// Operations (opcode % 12):
//   0 the peer's next command to the target     1 the target's to the peer
//   2 a fuzz command body to the target         3 the peer's next, damaged
//   4 authorize(bool)                           5 connectionClosed()
//   6 a peer message to the target (maybe damaged)
//   7 a fuzz message to the target              8 a target message to the peer
//   9 replay the last message the target took
//  10 fuzz bytes the peer's context wrapped into a MESSAGE (what a peer
//     holding the keys could send), as a handshake command or a message
//  11 the target's next command, dropped
// Checks: a failed target stays failed with its first error and every call
// throws it; a ready target authenticated exactly the realm's peer
// principal, with an acceptable peer socket type, and a server target
// only when policy allowed it (allowlist, external authorization); in
// encrypted mode no message the peer did not seal is accepted (fuzz bytes,
// replays), and the peer's genuine messages arrive unchanged both ways.

@testable import ZMTPGSSAPI
import ZMTPCodec
import GSSKit
#if canImport(Glibc)
import Glibc
#endif

/// The principals one genuine handshake authenticated (set at start-up).
nonisolated(unsafe) var realClient = ""
nonisolated(unsafe) var realService = ""

func handshake(_ client: GSSAPIMechanism, _ server: GSSAPIMechanism, authorize: Bool) {
    for _ in 0..<16 {
        var moved = false
        if let body = try? client.nextHandshakeCommand() {
            try? server.processHandshakeCommand(body)
            moved = true
        }
        if authorize && server.status == .awaitingAuthorization { try? server.authorize(true) }
        if let body = try? server.nextHandshakeCommand() {
            try? client.processHandshakeCommand(body)
            moved = true
        }
        if !moved { return }
    }
}

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>?,
                       _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    startOnTestRealm("gssapi_mechanism", "handshake") {
        let client = GSSAPIMechanism(configuration: configuration(server: false, plaintext: false), socketType: .req)
        let server = GSSAPIMechanism(configuration: configuration(server: true, plaintext: false), socketType: .rep)
        handshake(client, server, authorize: false)
        guard client.status == .ready, server.status == .ready,
              let service = client.peerPrincipal, let user = server.peerPrincipal else {
            return client.lastError?.message ?? server.lastError?.message ?? "did not finish"
        }
        realService = service
        realClient = user
        return nil
    }
    return 0
}

final class Session {
    let target: GSSAPIMechanism
    let peer: GSSAPIMechanism
    let targetIsServer: Bool
    let encrypted: Bool
    let sameMode: Bool
    let external: Bool
    let allowlist: Bool
    var authorized = false
    var firstError: ZGSSError?
    /// The last MESSAGE body the target accepted from the peer.
    var lastAccepted: ZMTPMessage?
    /// The last data message each side opened had MORE: the next one
    /// continues it (see `arrival`).
    var targetReadContinues = false
    var peerReadContinues = false

    init(_ header: UInt8, _ types: UInt8) {
        targetIsServer = header & 1 != 0
        let plaintext = header & 2 != 0
        sameMode = header & 4 == 0
        encrypted = !plaintext
        external = targetIsServer && header & 0x10 != 0
        allowlist = targetIsServer && header & 0x20 != 0
        let pair = socketPairs[Int(types % 8)]
        let targetType = targetIsServer ? pair.server : pair.client
        let peerType = targetIsServer ? pair.client : pair.server
        target = GSSAPIMechanism(configuration: configuration(server: targetIsServer, plaintext: plaintext,
                                                              external: external, allowlist: allowlist),
                                 socketType: targetType, routingId: targetType.sendsIdentity ? [0x74] : [])
        peer = GSSAPIMechanism(configuration: configuration(server: !targetIsServer, plaintext: plaintext != !sameMode),
                               socketType: peerType, routingId: peerType.sendsIdentity ? [0x70, 0x00] : [])
        if header & 8 != 0 {
            target.nativeMessageProtection = false
            peer.nativeMessageProtection = false
        }
    }

    /// Runs one call on the target. A failed target must throw its first error.
    func call<T>(_ what: String, _ body: () throws(ZGSSError) -> T) -> T? {
        let wasFailed = target.status == .failed
        do {
            let result = try body()
            if wasFailed { finding("\(what) succeeded on a failed mechanism") }
            return result
        } catch {
            if wasFailed && error != firstError { finding("\(what) on a failed mechanism threw \(error), not its first error \(firstError.map { "\($0)" } ?? "nil")") }
            return nil
        }
    }

    func process(_ body: [UInt8]) { _ = call("processHandshakeCommand") { () throws(ZGSSError) in try target.processHandshakeCommand(body) } }

    func decode(_ message: ZMTPMessage) -> ZMTPMessage? {
        let opened = call("decode") { () throws(ZGSSError) in try target.decode(message) }
        if let opened, !opened.flags.contains(.command) { targetReadContinues = opened.flags.contains(.more) }
        return opened
    }

    func check() {
        if let firstError {
            if target.status != .failed || target.lastError != firstError { finding("a failed mechanism recovered or changed its error") }
            return
        }
        switch target.status {
        case .failed:
            guard let error = target.lastError else { finding("failed without a lastError") }
            if !error.isFatal { finding("failed with a non-fatal code \(error.code)") }
            firstError = error
        case .ready:
            let expected = targetIsServer ? realClient : realService
            if target.peerPrincipal != expected {
                finding("ready with peer principal \(target.peerPrincipal ?? "nil"), the peer is \(expected)")
            }
            if allowlist { finding("ready although the client is not in the allowlist") }
            if external && !authorized { finding("ready without the host's authorization") }
            guard let type = target.peerSocketType, target.socketType.accepts(type) else {
                finding("ready with peer socket type \(target.peerSocketType.map { $0.name } ?? "nil")")
            }
        case .awaitingAuthorization:
            if !external { finding("awaiting authorization without external authorization") }
            if allowlist { finding("awaiting authorization for a client outside the allowlist") }
        case .handshaking:
            break
        }
    }

    /// MESSAGE(wrap(flags + body)) sealed by the peer's own context, as a
    /// peer that holds the session keys may send anything.
    func peerWrapped(_ body: [UInt8], flags: UInt8, confidential: Bool) -> [UInt8]? {
        if peer.status == .ready {
            var message = ZMTPMessage(body, flags: MessageFlags(rawValue: flags & 0x03))
            message.flags.insert(.command)
            return try? peer.encode(message).body
        }
        guard let context = peer.context, context.isEstablished else { return nil }
        let prefix = GSSAPICommand.messagePrefix
        guard var out = try? body.withUnsafeBytes({ payload in
            try context.wrap(prefixCount: prefix.count + 4, flags: flags, payload: payload, confidential: confidential)
        }) else { return nil }
        let count = out.count - prefix.count - 4
        out.replaceSubrange(0..<prefix.count, with: prefix)
        for i in 0..<4 { out[prefix.count + i] = UInt8(truncatingIfNeeded: count >> (24 - 8 * i)) }
        return out
    }

    func run(_ op: UInt8, _ input: inout FuzzInput) {
        switch op % 12 {
        case 0:
            guard let body = try? peer.nextHandshakeCommand() else { return }
            process(body)
        case 1:
            guard let body = call("nextHandshakeCommand", { () throws(ZGSSError) in try target.nextHandshakeCommand() }),
                  let body else { return }
            try? peer.processHandshakeCommand(body)
            if peer.status == .awaitingAuthorization { try? peer.authorize(true) }
        case 2:
            process(input.data())
        case 3:
            guard let body = try? peer.nextHandshakeCommand() else {
                _ = mutate([], &input)
                return
            }
            process(mutate(body, &input).bytes)
        case 4:
            let allow = input.bool()
            let wasAwaiting = target.status == .awaitingAuthorization
            _ = call("authorize") { () throws(ZGSSError) in try target.authorize(allow) }
            if allow && wasAwaiting { authorized = true }
        case 5:
            let wasFailed = target.status == .failed
            let error = target.connectionClosed()
            if wasFailed && error != firstError { finding("connectionClosed on a failed mechanism changed its error") }
            if !wasFailed && target.status != .ready && target.status != .failed { finding("still handshaking after the connection closed") }
        case 6:
            let body = input.data()
            let flags = input.byte()
            let damage = flags & 0x80 != 0
            let original = ZMTPMessage(body, flags: MessageFlags(rawValue: flags & 0x03))
            guard peer.status == .ready, var sealed = try? peer.encode(original) else {
                if damage { _ = mutate([], &input) }
                return
            }
            var changed = false
            if damage { (sealed.body, changed) = mutate(sealed.body, &input) }
            let targetWasReady = target.status == .ready
            let continuing = targetReadContinues
            guard let opened = decode(sealed) else {
                if targetWasReady && !changed && sameMode { finding("the peer's genuine message was refused: \(target.lastError.map { "\($0)" } ?? "")") }
                return
            }
            if encrypted {
                let want = arrival(of: ZMTPMessage(body, flags: original.flags.intersection([.more, .command])),
                                   from: peer, at: target, continuing: continuing)
                if opened != want { finding(changed ? "a damaged message was accepted" : "a message changed on the way") }
                lastAccepted = sealed
            }
        case 7:
            let body = input.data()
            let flags = MessageFlags(rawValue: input.byte())
            if decode(ZMTPMessage(body, flags: flags)) != nil && encrypted {
                finding("a message the peer never sealed was accepted")
            }
        case 8:
            let message = ZMTPMessage(input.data(), flags: MessageFlags(rawValue: input.byte() & 0x03))
            guard let sealed = call("encode", { () throws(ZGSSError) in try target.encode(message) }) else { return }
            guard peer.status == .ready, sameMode else { return }
            do {
                let continuing = peerReadContinues
                let opened = try peer.decode(sealed)
                if !opened.flags.contains(.command) { peerReadContinues = opened.flags.contains(.more) }
                let want = encrypted ? arrival(of: ZMTPMessage(message.body, flags: message.flags.intersection([.more, .command])),
                                               from: target, at: peer, continuing: continuing) : message
                if opened != want { finding("the target's message changed on the way") }
            } catch {
                finding("the peer refused the target's genuine message: \(error)")
            }
        case 9:
            guard let last = lastAccepted else { return }
            if decode(last) != nil { finding("a replayed message was accepted") }
        case 10:
            let body = input.data()
            let flags = input.byte()
            guard let wrapped = peerWrapped(body, flags: flags & 0x7f, confidential: flags & 0x80 == 0) else { return }
            if target.status == .ready {
                _ = decode(ZMTPMessage(wrapped, flags: .command))
            } else {
                process(wrapped)
            }
        default:
            _ = call("nextHandshakeCommand") { () throws(ZGSSError) in try target.nextHandshakeCommand() }
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMechanism(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let header = input.byte()
    let session = Session(header, input.byte())
    if header & 0x40 != 0 {
        let (client, server) = session.targetIsServer ? (session.peer, session.target) : (session.target, session.peer)
        handshake(client, server, authorize: false)
        if session.external && session.target.status == .awaitingAuthorization {
            try? session.target.authorize(true)
            session.authorized = true
            handshake(client, server, authorize: false)
        }
        session.check()
    }
    var count = 0
    while !input.isEmpty && count < 64 {
        session.run(input.byte(), &input)
        session.check()
        count += 1
    }
    trace("target \(session.target.status) peer \(session.peer.status) ops \(count) error \(session.target.lastError.map { "\($0)" } ?? "-")")
    return 0
}

/// What an encrypted `message` from `sender` reads as at `receiver`: the
/// same, except that a SUB's message of one frame (not `continuing` an
/// earlier frame's MORE) to a PUB or XPUB that does not start with byte 0
/// or 1 is a bare topic and arrives flagged `.subscribe` (stock libzmq
/// 4.3.4 drops the marker; see GSSAPIMechanism.decode).
func arrival(of message: ZMTPMessage, from sender: GSSAPIMechanism, at receiver: GSSAPIMechanism,
             continuing: Bool) -> ZMTPMessage {
    guard !continuing, sender.socketType == .sub, receiver.socketType == .pub || receiver.socketType == .xpub,
          message.flags.isEmpty, (message.body.first ?? 2) > 1 else { return message }
    return ZMTPMessage(message.body, flags: .subscribe)
}

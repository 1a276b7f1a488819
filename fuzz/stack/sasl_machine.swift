// SPDX-License-Identifier: MIT
// fuzz-needs: realm
//
// libFuzzer harness: the SASL GSSAPI client and server step machines
// (Sources/SASLGSSAPI/SASLGSSAPIClient.swift, SASLGSSAPIServer.swift), the
// security layer's RFC 4422 framing (zgss_sasl_decode: 4-octet length
// prefixed wrap tokens, SecurityLayerSession.swift) and the MQTT 5 AUTH
// decisions (MQTTEnhancedAuth.swift), all driven through the C ABI
// (zgss_sasl_*, zgss_mqtt_*) against a real peer session on the test
// realm's KDC.
//
// Each input is a script (see support/FuzzInput.swift) for one fresh pair
// of sessions, the "target" under test and a genuine "peer". Header:
//   byte 0  bit 0 target is the server; bit 1 no mutual authentication;
//           bits 2-3 client authzid (none, "alice", "bob",
//           "alice@EXAMPLE.TEST"); bit 4 a server allowlist without alice;
//           bit 5 max buffer 200 on both sides; bit 6 run the real exchange
//           first; bit 7 a mapping rule on the server
//   byte 1  layers: bits 0-2 offered by the server, bits 3-5 accepted by
//           the client (0: all)
// Operations (opcode % 14):
//   0 the peer's pending token to the target   1 the target's to the peer
//   2 a fuzz token to the target               3 the peer's pending, damaged
//   4 an MQTT AUTH/CONNECT to the target (method, reason code and data from
//     the script; data the peer's pending token or fuzz bytes)
//   5 an MQTT CONNACK to a client target
//   6 1-3 peer encodes (RFC 4422 buffers) to the target's decode, maybe
//     damaged                                  7 fuzz bytes to decode
//   8 fuzz bytes to unwrap                     9 a target encode to the peer
//  10 a peer wrap to the target's unwrap, maybe damaged
//  11 replay the last token the target unwrapped
//  12 the accessors                           13 misuse (NULL/negative
//     arguments, start again): a local error that changes nothing
// Checks: a failed session stays failed and every later call fails; return
// codes stay in their documented sets; a complete server authenticated
// alice and only as policy allows (authzid, allowlist) with a layer it
// offered; a complete client authenticated the real service; with a
// protecting layer no token or buffer the peer did not seal is accepted
// (fuzz bytes, replays, damage), and genuine ones arrive unchanged both
// ways, one buffer or several in a row.

import ZGSS
#if canImport(Glibc)
import Glibc
#endif

let service = "mqtt/localhost@EXAMPLE.TEST"
let layerNone: Int32 = 1

typealias Out = UnsafeMutablePointer<UnsafePointer<UInt8>?>
typealias OutLength = UnsafeMutablePointer<Int>

/// Calls an export that hands out (pointer, length); copies the output at
/// once (it is valid until the next call on the session).
func withOutput(_ body: (Out, OutLength) -> Int32) -> (code: Int32, bytes: [UInt8]) {
    var out: UnsafePointer<UInt8>? = nil
    var count = -7
    let code = body(&out, &count)
    guard code >= 0 else { return (code, []) }
    if count < 0 { finding("negative output length \(count)") }
    if count == 0 { return (code, []) }
    guard let out else { finding("NULL output with length \(count)") }
    return (code, Array(UnsafeBufferPointer(start: out, count: count)))
}

func withInput(_ bytes: [UInt8], _ body: (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32 {
    bytes.withUnsafeBufferPointer { body($0.baseAddress, $0.count) }
}

typealias Protect = (OpaquePointer?, UnsafePointer<UInt8>?, Int, Out?, OutLength?) -> Int32

func protect(_ function: Protect, _ session: OpaquePointer, _ bytes: [UInt8]) -> (code: Int32, bytes: [UInt8]) {
    withOutput { out, count in withInput(bytes) { function(session, $0, $1, out, count) } }
}

func step(_ session: OpaquePointer, _ bytes: [UInt8]) -> (code: Int32, bytes: [UInt8]) {
    withOutput { out, count in withInput(bytes) { zgss_sasl_step(session, $0, $1, out, count) } }
}

func text(_ pointer: UnsafePointer<CChar>?) -> String? { pointer.map { String(cString: $0) } }

// MARK: configurations (shared, so credentials and tickets are acquired once)

nonisolated(unsafe) var configs: [Int: OpaquePointer] = [:]

func set(_ config: OpaquePointer, _ option: Int32, _ value: String) {
    if zgss_sasl_config_set_string(config, option, value) != 0 {
        finding("cannot set SASL option \(option) to \(value): \(String(cString: zgss_sasl_config_last_error(config)))")
    }
}

func set(_ config: OpaquePointer, _ option: Int32, _ value: Int32) {
    if zgss_sasl_config_set_int(config, option, value) != 0 { finding("cannot set SASL option \(option) to \(value)") }
}

func clientConfig(mutual: Bool, authzid: Int, small: Bool, layers: Int32) -> OpaquePointer {
    let key = 1 | (mutual ? 2 : 0) | authzid << 2 | (small ? 16 : 0) | Int(layers) << 5
    if let cached = configs[key] { return cached }
    guard let config = zgss_sasl_config_new() else { finding("no config") }
    set(config, 3, "mqtt@localhost")                                  // ZGSS_SASL_SERVICE
    set(config, 1, "alice")                                           // ZGSS_SASL_PRINCIPAL
    set(config, 4, String(cString: getenv("KRB5_CLIENT_KTNAME")))     // ZGSS_SASL_CLIENT_KEYTAB
    set(config, 5, "MEMORY:zgss-fuzz-sasl")                           // ZGSS_SASL_CCACHE
    let authzids = ["", "alice", "bob", "alice@EXAMPLE.TEST"]
    if authzid > 0 { set(config, 6, authzids[authzid]) }              // ZGSS_SASL_AUTHZID
    set(config, 20, mutual ? 1 : 0)                                   // ZGSS_SASL_MUTUAL
    set(config, 21, layers)                                           // ZGSS_SASL_LAYERS
    if small { set(config, 22, 200) }                                 // ZGSS_SASL_MAX_BUFFER
    configs[key] = config
    return config
}

func serverConfig(allowlist: Bool, small: Bool, rule: Bool, layers: Int32) -> OpaquePointer {
    let key = (allowlist ? 2 : 0) | (small ? 4 : 0) | (rule ? 8 : 0) | Int(layers) << 4
    if let cached = configs[key] { return cached }
    guard let config = zgss_sasl_config_new() else { finding("no config") }
    set(config, 1, service)
    if allowlist { set(config, 8, "bob") }                            // ZGSS_SASL_ALLOW
    if rule { set(config, 7, "RULE:[1:$1@$0](.*@EXAMPLE\\.TEST)s/@.*//,DEFAULT") }
    set(config, 21, layers)
    if small { set(config, 22, 200) }
    if zgss_sasl_config_check_server(config) != 0 {
        finding("server check failed: \(String(cString: zgss_sasl_config_last_error(config)))")
    }
    configs[key] = config
    return config
}

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>?,
                       _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    startOnTestRealm("sasl_machine", "exchange") {
        let session = Session(0x40, 0)
        if zgss_sasl_status(session.client) == 1 && zgss_sasl_status(session.server) == 1 { return nil }
        return "client \(String(cString: zgss_sasl_last_error(session.client))), "
            + "server \(String(cString: zgss_sasl_last_error(session.server)))"
    }
    return 0
}

final class Session {
    let client: OpaquePointer
    let server: OpaquePointer
    let targetIsServer: Bool
    let authzid: Int
    let allowlist: Bool
    let offered: Int32
    let accepted: Int32
    var pending: [OpaquePointer: [UInt8]] = [:]
    var failed = false
    var lastUnwrapped: [UInt8]?
    /// Sides that missed a token the other side sealed: the GSS sequence
    /// check refuses what follows the gap, so genuine tokens are no longer
    /// bound to open there.
    var missed: Set<OpaquePointer> = []

    var target: OpaquePointer { targetIsServer ? server : client }
    var peer: OpaquePointer { targetIsServer ? client : server }

    init(_ header: UInt8, _ layers: UInt8) {
        targetIsServer = header & 1 != 0
        authzid = Int(header >> 2) & 3
        allowlist = header & 0x10 != 0
        let small = header & 0x20 != 0
        offered = Int32(layers & 7 == 0 ? 7 : layers & 7)
        accepted = Int32((layers >> 3) & 7 == 0 ? 7 : (layers >> 3) & 7)
        guard let client = zgss_sasl_client_new(clientConfig(mutual: header & 2 == 0, authzid: authzid, small: small, layers: accepted)),
              let server = zgss_sasl_server_new(serverConfig(allowlist: allowlist, small: small, rule: header & 0x80 != 0, layers: offered)) else {
            finding("cannot make the sessions")
        }
        self.client = client
        self.server = server
        let first = withOutput { zgss_sasl_client_start(client, $0, $1) }
        if first.code != 0 { finding("client start failed: \(String(cString: zgss_sasl_last_error(client)))") }
        pending[client] = first.bytes
        if header & 0x40 != 0 { exchange() }
    }

    deinit {
        zgss_sasl_destroy(client)
        zgss_sasl_destroy(server)
    }

    /// The genuine exchange, as far as it goes.
    func exchange() {
        for _ in 0..<8 {
            guard let side = [client, server].first(where: { pending[$0] != nil }) else { return }
            deliver(from: side)
        }
    }

    func other(_ side: OpaquePointer) -> OpaquePointer { side == client ? server : client }

    /// Delivers `side`'s pending token to the other side.
    func deliver(from side: OpaquePointer) {
        guard let token = pending.removeValue(forKey: side) else { return }
        feed(other(side), token)
    }

    func feed(_ side: OpaquePointer, _ token: [UInt8]) {
        let (code, out) = step(side, token)
        if code == 1 { pending[side] = out }
        checkStep(side, code, out)
    }

    func checkStep(_ side: OpaquePointer, _ code: Int32, _ out: [UInt8]) {
        if code == 0 && (side == client || !out.isEmpty) { finding("step returned 0 on a client or with output") }
        if code > 1 || code < -7 { finding("step returned \(code)") }
    }

    /// Calls on the target: a failed target fails every call.
    func checkCall(_ what: String, _ code: Int32) {
        if code > 1 || code < -7 { finding("\(what) returned \(code)") }
        if failed && code >= 0 { finding("\(what) succeeded on a failed session") }
    }

    var targetComplete: Bool { zgss_sasl_status(target) == 1 }
    var bothComplete: Bool { targetComplete && zgss_sasl_status(peer) == 1 }
    var protecting: Bool { zgss_sasl_layer(target) > layerNone }

    func check() {
        let status = zgss_sasl_status(target)
        if failed {
            if status != 2 { finding("a failed session came back (status \(status))") }
            return
        }
        switch status {
        case 2:
            failed = true
            if String(cString: zgss_sasl_last_error(target)).isEmpty { finding("failed without a reason") }
        case 1:
            let layer = zgss_sasl_layer(target)
            if layer != 1 && layer != 2 && layer != 4 { finding("complete with layer \(layer)") }
            if targetIsServer {
                if text(zgss_sasl_peer_principal(target)) != "alice@EXAMPLE.TEST" { finding("server authenticated \(text(zgss_sasl_peer_principal(target)) ?? "nil")") }
                if text(zgss_sasl_username(target)) != "alice" { finding("server mapped alice to \(text(zgss_sasl_username(target)) ?? "nil")") }
                if text(zgss_sasl_authzid(target)) != "alice" { finding("authzid in force: \(text(zgss_sasl_authzid(target)) ?? "nil")") }
                if authzid >= 2 { finding("alice was accepted as authzid \(authzid)") }
                if allowlist { finding("a client outside the allowlist was accepted") }
                if layer & offered == 0 { finding("layer \(layer) was not offered (\(offered))") }
            } else {
                if text(zgss_sasl_peer_principal(target)) != service { finding("client authenticated \(text(zgss_sasl_peer_principal(target)) ?? "nil")") }
                if layer & accepted == 0 { finding("layer \(layer) is not acceptable (\(accepted))") }
            }
        case 0:
            if zgss_sasl_layer(target) != 0 { finding("a layer before completion") }
        default:
            finding("status \(status)")
        }
    }

    func method(_ selector: UInt8, _ input: inout FuzzInput) -> [CChar]? {
        switch selector % 4 {
        case 0: return Array("GSSAPI-KERBEROS".utf8CString)
        case 1: return nil
        case 2: return Array("gssapi-kerberos".utf8CString)
        default: return input.data().prefix { $0 != 0 }.map { CChar(bitPattern: $0) } + [0]
        }
    }

    func mqtt(_ input: inout FuzzInput) {
        let selector = input.byte()
        let reason = Int32(input.u16()) - 0x100 + 0x18   // mostly near 0x18, sometimes out of range
        let name = method(selector >> 2, &input)
        let data = selector & 0x40 != 0 ? (pending.removeValue(forKey: peer) ?? []) : input.data()
        var reasonOut: Int32 = -1
        let (action, out) = withOutput { out, count in
            withInput(data) { bytes, length in
                if let name {
                    return name.withUnsafeBufferPointer { mqttCall(selector, $0.baseAddress, reason, bytes, length, out, count, &reasonOut) }
                }
                return mqttCall(selector, nil, reason, bytes, length, out, count, &reasonOut)
            }
        }
        if action == 1 { pending[target] = out }
        if action > 3 || action < -7 { finding("MQTT action \(action)") }
        if failed && (action == 1 || action == 2) { finding("a failed session went on over MQTT") }
        if action == 2 && (!targetIsServer || !targetComplete) { finding("MQTT accept without a complete server") }
    }

    func mqttCall(_ selector: UInt8, _ method: UnsafePointer<CChar>?, _ reason: Int32, _ data: UnsafePointer<UInt8>?,
                  _ length: Int, _ out: Out, _ count: OutLength, _ reasonOut: UnsafeMutablePointer<Int32>) -> Int32 {
        if !targetIsServer { return zgss_mqtt_client_auth(target, reason, method, data, length, out, count, reasonOut) }
        if selector & 0x80 != 0 { return zgss_mqtt_server_connect(target, method, data, length, out, count, reasonOut) }
        return zgss_mqtt_server_auth(target, reason, method, data, length, out, count, reasonOut)
    }

    func run(_ op: UInt8, _ input: inout FuzzInput) {
        switch op % 14 {
        case 0:
            guard let token = pending.removeValue(forKey: peer) else { return }
            let (code, out) = step(target, token)
            if code == 1 { pending[target] = out }
            checkStep(target, code, out)
            checkCall("step", code)
        case 1:
            deliver(from: target)
        case 2, 3:
            var token = op % 14 == 2 ? input.data() : (pending.removeValue(forKey: peer) ?? [])
            if op % 14 == 3 { token = mutate(token, &input).bytes }
            let (code, out) = step(target, token)
            if code == 1 { pending[target] = out }
            checkStep(target, code, out)
            checkCall("step", code)
        case 4:
            mqtt(&input)
        case 5:
            let code = Int32(input.byte())
            let name = method(input.byte(), &input)
            guard !targetIsServer else { return }
            let verdict = name.map { n in n.withUnsafeBufferPointer { zgss_mqtt_client_connack(target, code, $0.baseAddress) } }
                ?? zgss_mqtt_client_connack(target, code, nil)
            if verdict == 0 && (code != 0 || !targetComplete) { finding("CONNACK \(code) accepted by a client that is not complete") }
        case 6:
            let count = Int(input.byte() % 3) + 1
            let damage = input.bool()
            var buffer: [UInt8] = []
            // What each whole prefix of the buffers decodes to.
            var plains: [[UInt8]] = [[]]
            for _ in 0..<count {
                let data = input.data()
                let (code, out) = protect(zgss_sasl_encode, peer, data)
                guard code == 0 else { continue }
                buffer += out
                plains.append(plains[plains.count - 1] + data)
            }
            var changed = false
            if damage { (buffer, changed) = mutate(buffer, &input) }
            let wasComplete = bothComplete && !missed.contains(target)
            let (code, out) = protect(zgss_sasl_decode, target, buffer)
            checkCall("decode", code)
            if code != 0 && plains.count > 1 { missed.insert(target) }
            // Cutting whole buffers off the end leaves valid ones.
            if code == 0 && changed && protecting && !plains.contains(out) { finding("a damaged buffer was accepted") }
            if wasComplete && !changed && plains.count > 1 && (code != 0 || out != plains[plains.count - 1]) {
                finding("the peer's genuine buffers did not decode to their data (\(code): \(String(cString: zgss_sasl_last_error(target))))")
            }
        case 7, 8:
            let data = input.data()
            let (code, _) = protect(op % 14 == 7 ? zgss_sasl_decode : zgss_sasl_unwrap, target, data)
            checkCall(op % 14 == 7 ? "decode" : "unwrap", code)
            if code == 0 && protecting { finding("fuzz bytes the peer never sealed were accepted") }
        case 9:
            let data = input.data()
            let (code, out) = protect(zgss_sasl_encode, target, data)
            checkCall("encode", code)
            guard code == 0, zgss_sasl_layer(target) > layerNone else { return }
            let opened = protect(zgss_sasl_decode, peer, out)
            if zgss_sasl_status(peer) == 1 && !missed.contains(peer) && (opened.code != 0 || opened.bytes != data) {
                finding("the target's genuine buffer did not decode at the peer: \(String(cString: zgss_sasl_last_error(peer)))")
            }
            if opened.code != 0 { missed.insert(peer) }
        case 10:
            let data = input.data()
            let damage = input.bool()
            let sealed = protect(zgss_sasl_wrap, peer, data)
            guard sealed.code == 0 else { if damage { _ = mutate([], &input) }; return }
            var token = sealed.bytes
            var changed = false
            if damage { (token, changed) = mutate(token, &input) }
            let wasComplete = bothComplete && !missed.contains(target)
            let (code, out) = protect(zgss_sasl_unwrap, target, token)
            checkCall("unwrap", code)
            if code != 0 { missed.insert(target) }
            if code == 0 && changed && protecting && out != data { finding("a damaged token was accepted") }
            if wasComplete && !changed && (code != 0 || out != data) { finding("the peer's genuine token did not unwrap to its data") }
            if code == 0 { lastUnwrapped = token }
        case 11:
            guard let last = lastUnwrapped else { return }
            let (code, _) = protect(zgss_sasl_unwrap, target, last)
            checkCall("unwrap", code)
            if code == 0 && protecting { finding("a replayed token was accepted") }
        case 12:
            _ = zgss_sasl_is_server(target)
            _ = text(zgss_sasl_peer_principal(target))
            _ = text(zgss_sasl_username(target))
            _ = text(zgss_sasl_authzid(target))
            _ = zgss_sasl_layer(target)
            _ = String(cString: zgss_sasl_last_error(target))
        default:
            misuse(input.byte())
        }
    }

    /// Local errors: the session must be unchanged.
    func misuse(_ kind: UInt8) {
        let before = zgss_sasl_status(target)
        var out: UnsafePointer<UInt8>? = nil
        var count = 0
        let code: Int32
        switch kind % 5 {
        case 0: code = zgss_sasl_step(target, nil, 5, &out, &count)
        case 1: code = zgss_sasl_step(target, [1, 2, 3], -1, &out, &count)
        case 2: code = zgss_sasl_decode(target, [0, 0, 0, 1, 9], 5, nil, &count)
        case 3: code = zgss_sasl_unwrap(target, nil, Int.min, &out, nil)
        default: code = zgss_sasl_client_start(target, &out, &count)
        }
        if code >= 0 { finding("misuse \(kind % 5) succeeded") }
        if zgss_sasl_status(target) != before { finding("misuse \(kind % 5) changed the session") }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSASL(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let session = Session(input.byte(), input.byte())
    session.check()
    var count = 0
    while !input.isEmpty && count < 64 {
        session.run(input.byte(), &input)
        session.check()
        count += 1
    }
    trace("target \(zgss_sasl_status(session.target)) peer \(zgss_sasl_status(session.peer)) layer \(zgss_sasl_layer(session.target)) ops \(count) error \(String(cString: zgss_sasl_last_error(session.target)))")
    return 0
}

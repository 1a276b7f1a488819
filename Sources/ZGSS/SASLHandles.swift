// SPDX-License-Identifier: MIT
import ZGSSBase
import GSSKit
import SASLGSSAPI

/// Option numbers of zgss_sasl_config_set_* (see zgss.h).
enum SASLOption: Int32, CaseIterable {
    case principal = 1
    case keytab = 2
    case service = 3
    case clientKeytab = 4
    case ccache = 5
    case authzid = 6
    case mappingRules = 7
    case allow = 8
    case defaultRealm = 9
    case mutual = 20
    case layers = 21
    case maxBuffer = 22
}

/// What `zgss_sasl_config_t` points at: client and server settings, and
/// the acceptor credential acquired once and shared by every server
/// session made from it.
final class SASLConfigHandle: Sendable {
    struct State: ~Copyable {
        var principal: String?
        var keytab: String?
        var service: String?
        var clientKeytab: String?
        var ccache: String?
        var authzid = ""
        var rules: [MappingRule] = []
        var rulesText = ""
        var allowlist: [PrincipalName] = []
        var defaultRealm: String?
        var mutual = true
        var layers: SASLSecurityLayers = .all
        var maxBuffer: UInt32 = 65536
        var credential: CredentialBox?
        var lastError = ""
    }

    let state = PthreadMutex(State())
    let lastErrorText = PthreadMutex(OwnedCStringBox())

    func setString(_ option: Int32, _ value: String?) -> Int32 {
        state.withLock { state -> Int32 in
            guard let option = SASLOption(rawValue: option) else {
                state.lastError = "SASL option \(option) is unknown or not a string"
                return ZGSSErrorCode.invalidArgument.rawValue
            }
            let text = value.flatMap { $0.isEmpty ? nil : $0 }
            switch option {
            case .principal:
                // The form (service/host@REALM for a server) is checked by
                // zgss_sasl_config_check_server; here only that it parses.
                if let text {
                    do throws(SASLError) { _ = try KerberosPrincipal(parsing: text) } catch {
                        state.lastError = "invalid principal: \(error.message)"
                        return error.code.rawValue
                    }
                }
                state.principal = text
            case .keytab: state.keytab = text
            case .service: state.service = text
            case .clientKeytab: state.clientKeytab = text
            case .ccache: state.ccache = text
            case .authzid: state.authzid = text ?? ""
            case .defaultRealm: state.defaultRealm = text
            case .mappingRules:
                do throws(SASLError) {
                    let rules = try PrincipalMapper.parseRules(text ?? "")
                    // Text with no rule in it (",", blanks) is a mistake,
                    // not "use the default mapping"; unset with NULL or "".
                    guard text == nil || !rules.isEmpty else {
                        state.lastError = "mapping rules '\(text ?? "")' hold no rule"
                        return ZGSSErrorCode.invalidArgument.rawValue
                    }
                    state.rules = rules
                    state.rulesText = text ?? ""
                } catch {
                    state.lastError = error.message
                    return error.code.rawValue
                }
            case .allow:
                // NULL clears the list on purpose; "" is refused: a value
                // that came out empty (an unset variable) must not turn
                // the allowlist off, which admits every mapped user.
                if let text {
                    state.allowlist.append(PrincipalName(text))
                } else if value != nil {
                    state.lastError = "ZGSS_SASL_ALLOW needs a name; an empty value would admit every user (NULL clears the list)"
                    return ZGSSErrorCode.invalidArgument.rawValue
                } else {
                    state.allowlist.removeAll()
                }
            case .mutual, .layers, .maxBuffer:
                state.lastError = "SASL option \(option.rawValue) takes an int"
                return ZGSSErrorCode.invalidArgument.rawValue
            }
            state.credential = nil
            state.lastError = ""
            return 0
        }
    }

    func setInt(_ option: Int32, _ value: Int32) -> Int32 {
        state.withLock { state -> Int32 in
            switch SASLOption(rawValue: option) {
            case .mutual:
                guard value == 0 || value == 1 else {
                    state.lastError = "ZGSS_SASL_MUTUAL must be 0 or 1"
                    return ZGSSErrorCode.invalidArgument.rawValue
                }
                state.mutual = value == 1
            case .layers:
                guard value > 0, value <= 7 else {
                    state.lastError = "ZGSS_SASL_LAYERS must be a non-empty mask of ZGSS_SASL_LAYER_* (1..7)"
                    return ZGSSErrorCode.invalidArgument.rawValue
                }
                state.layers = SASLSecurityLayers(rawValue: UInt8(value))
            case .maxBuffer:
                guard value > 0, value <= 0xFF_FFFF else {
                    state.lastError = "ZGSS_SASL_MAX_BUFFER must be 1..16777215"
                    return ZGSSErrorCode.invalidArgument.rawValue
                }
                state.maxBuffer = UInt32(value)
            default:
                state.lastError = "SASL option \(option) is unknown or not an int"
                return ZGSSErrorCode.invalidArgument.rawValue
            }
            state.lastError = ""
            return 0
        }
    }

    func recordError(_ text: String) {
        state.withLock { $0.lastError = text }
    }

    func serverConfiguration() -> SASLServerConfiguration {
        state.withLock { state in
            var config = SASLServerConfiguration(principal: state.principal, keytab: state.keytab)
            config.offeredLayers = state.layers
            config.maxReceiveBuffer = state.maxBuffer
            config.defaultRealm = state.defaultRealm
            config.mapper = PrincipalMapper(rules: state.rules, allowlist: state.allowlist, defaultRealm: state.defaultRealm)
            return config
        }
    }

    func clientConfiguration() -> SASLClientConfiguration? {
        state.withLock { state in
            guard let service = state.service else { return nil }
            var config = SASLClientConfiguration(service: service,
                                                 serviceNameType: service.contains("/") ? .krb5Principal : .hostbasedService)
            config.principal = state.principal
            config.store = GSSCredentialStore(clientKeytab: state.clientKeytab, ccache: state.ccache)
            config.authorizationID = state.authzid
            config.mutualAuthentication = state.mutual
            config.acceptableLayers = state.layers
            config.maxReceiveBuffer = state.maxBuffer
            return config
        }
    }

    /// The acceptor credential, checked and acquired on first use.
    func serverCredential() throws(SASLError) -> (SASLServerConfiguration, GSSCredential) {
        let config = serverConfiguration()
        if let cached = state.withLock({ $0.credential }) { return (config, cached.credential) }
        let credential: GSSCredential
        do throws(SASLError) {
            credential = try config.makeCredential()
        } catch {
            recordError(error.message)
            throw error
        }
        state.withLock { $0.credential = CredentialBox(credential: credential) }
        return (config, credential)
    }

    func lastErrorPointer() -> UnsafePointer<CChar> {
        let text = state.withLock { $0.lastError }
        return lastErrorText.withLock { box in
            box.value = OwnedCString(text)
            return box.value.pointer
        }
    }
}

/// MIT GSS credentials may be used from several threads once acquired.
final class CredentialBox: @unchecked Sendable {
    let credential: GSSCredential
    init(credential: GSSCredential) { self.credential = credential }
}

/// What `zgss_sasl_t` points at: one exchange, client or server, and the
/// storage behind the pointers it hands out.
final class SASLHandle {
    enum Side {
        case client(SASLGSSAPIClient)
        case server(SASLGSSAPIServer)
    }

    let side: Side
    /// Output of start / step / wrap / unwrap / encode / decode.
    let output = OwnedBytes(capacity: 256)
    private var strings: [String: OwnedCString] = [:]
    /// The last error of a call that is not the machine's own (misuse).
    var localError: SASLError?

    init(_ side: Side) { self.side = side }

    /// The side as what both sides share (per-message protection).
    var exchange: SASLGSSAPIExchange {
        switch side {
        case .client(let c): c
        case .server(let s): s
        }
    }

    var machineError: SASLError? { exchange.lastError }

    /// A NUL-terminated copy kept until the handle dies (or the same key is
    /// set to a different text).
    func cString(_ key: String, _ text: String?) -> UnsafePointer<CChar>? {
        guard let text else { return nil }
        // Bytes: an NFD name must not get the pointer to its NFC twin.
        if let cached = strings[key], cached.text.utf8.elementsEqual(text.utf8) { return cached.pointer }
        let owned = OwnedCString(text)
        strings[key] = owned
        return owned.pointer
    }
}

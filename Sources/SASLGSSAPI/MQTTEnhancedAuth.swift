// SPDX-License-Identifier: MIT
/// MQTT 5 enhanced authentication with SASL GSSAPI, as EMQX Enterprise's
/// "GSSAPI-KERBEROS" method has it. Pure decisions, no packets: the host
/// encodes CONNECT/AUTH/CONNACK itself.
///
/// The exchange (mutual authentication):
///   C→S CONNECT  Authentication-Method "GSSAPI-KERBEROS",
///                Authentication-Data   = AP-REQ           (client.start())
///   S→C AUTH 0x18 data = AP-REP
///   C→S AUTH 0x18 data = empty (the property present, zero length)
///   S→C AUTH 0x18 data = wrapped 4-octet security-layer offer
///   C→S AUTH 0x18 data = wrapped reply (layer, max buffer, authzid)
///   S→C CONNACK 0x00     — or CONNACK 0x87 on any failure
/// Without mutual authentication the server skips the AP-REP round trip
/// and its first AUTH carries the offer.
///
/// Re-authentication (MQTT 5 §4.12.1): C→S AUTH 0x19 with a new AP-REQ,
/// the same AUTH 0x18 steps, then S→C AUTH 0x00 instead of CONNACK. The
/// server keeps the connection's identity: see `serverHandleReauthenticate`.
public enum MQTTGSSAPI {
    public static let authenticationMethod = "GSSAPI-KERBEROS"

    /// Whether `method` is exactly `authenticationMethod`, byte for byte
    /// (`String ==` would take "GSSAPI-\u{212A}ERBEROS", with a KELVIN SIGN,
    /// for it; the broker compares bytes).
    static func isThisMethod(_ method: String?) -> Bool {
        guard let method else { return false }
        return PrincipalName.sameBytes(method, authenticationMethod)
    }

    /// MQTT 5 reason codes this exchange uses.
    public enum ReasonCode: UInt8, Sendable {
        case success = 0x00
        case continueAuthentication = 0x18
        case reAuthenticate = 0x19
        case unspecifiedError = 0x80
        case protocolError = 0x82
        case notAuthorized = 0x87
        case badAuthenticationMethod = 0x8C
    }

    // MARK: client

    /// What the client does next.
    public enum ClientAction: Equatable, Sendable {
        /// Send AUTH 0x18 with Authentication-Method `authenticationMethod`
        /// and this Authentication-Data (present even when empty).
        case sendAuth([UInt8])
        /// Give up: close the connection (a DISCONNECT with `reasonCode`
        /// first is polite).
        case abort(reasonCode: UInt8, reason: String)
    }

    /// Whether the client may use the connection.
    public enum ConnackVerdict: Equatable, Sendable {
        case connected
        case refused(reasonCode: UInt8, reason: String)
    }

    /// The Authentication-Data for CONNECT (the AP-REQ). May block on the
    /// KDC. Throws when no ticket can be had.
    public static func connectData(_ client: SASLGSSAPIClient) throws(SASLError) -> [UInt8] {
        try client.start()
    }

    /// The answer to one AUTH packet from the broker. `method` nil means the
    /// property was absent; `data` nil means no Authentication-Data.
    public static func clientHandleAuth(_ client: SASLGSSAPIClient, reasonCode: UInt8, method: String?,
                                        data: [UInt8]?) -> ClientAction {
        if let refusal = refusalOfAuth(from: "broker", reasonCode: reasonCode, method: method) {
            return .abort(reasonCode: refusal.reasonCode, reason: refusal.reason)
        }
        do throws(SASLError) {
            return .sendAuth(try client.receive(data ?? []))
        } catch {
            return .abort(reasonCode: ReasonCode.notAuthorized.rawValue, reason: error.message)
        }
    }

    /// Judges CONNACK. Success needs the client's side to be complete too:
    /// a broker that says 0x00 before the security-layer exchange (and so
    /// before proving its identity) is refused.
    public static func clientJudgeConnack(_ client: SASLGSSAPIClient, reasonCode: UInt8,
                                          method: String?) -> ConnackVerdict {
        guard reasonCode == ReasonCode.success.rawValue else {
            let name = reasonCode == ReasonCode.notAuthorized.rawValue ? "not authorized"
                : reasonCode == ReasonCode.badAuthenticationMethod.rawValue ? "bad authentication method" : "refused"
            return .refused(reasonCode: reasonCode, reason: "broker refused the connection: 0x\(hex(reasonCode)) \(name)")
        }
        if let method, !isThisMethod(method) {
            return .refused(reasonCode: ReasonCode.badAuthenticationMethod.rawValue,
                            reason: "CONNACK names method '\(method)', expected \(authenticationMethod)")
        }
        guard client.isComplete else {
            return .refused(reasonCode: ReasonCode.notAuthorized.rawValue,
                            reason: "broker accepted before GSSAPI authentication completed")
        }
        return .connected
    }

    // MARK: server

    /// What the broker does next.
    public enum ServerAction: Equatable, Sendable {
        /// Not this method: let another authenticator handle the client.
        case notMine
        /// Send AUTH 0x18 with this Authentication-Data.
        case sendAuth([UInt8])
        /// Send CONNACK 0x00; the client is `outcome.username`.
        case accept(SASLServerOutcome)
        /// Send CONNACK (or DISCONNECT after CONNACK) with this code.
        case refuse(reasonCode: UInt8, reason: String)
    }

    /// CONNECT with enhanced authentication.
    public static func serverHandleConnect(_ server: SASLGSSAPIServer, method: String?,
                                           data: [UInt8]?) -> ServerAction {
        guard isThisMethod(method) else { return .notMine }
        return step(server, data ?? [])
    }

    /// AUTH 0x19 (re-authenticate) from a client whose earlier
    /// authentication established `principal`; `server` is a fresh exchange.
    /// The identity stays fixed for the connection's life (as Kafka's
    /// KIP-368 keeps it): the exchange accepts `principal` again and refuses
    /// any other with 0x87. Later AUTH packets go to `serverHandleAuth`.
    public static func serverHandleReauthenticate(_ server: SASLGSSAPIServer, principal: String, method: String?,
                                                  data: [UInt8]?) -> ServerAction {
        guard method == authenticationMethod else {
            return .refuse(reasonCode: ReasonCode.badAuthenticationMethod.rawValue,
                           reason: "re-authentication names method '\(method ?? "(none)")', the connection used \(authenticationMethod)")
        }
        do throws(SASLError) {
            try server.requirePrincipal(principal)
        } catch {
            return .refuse(reasonCode: ReasonCode.unspecifiedError.rawValue, reason: error.message)
        }
        return step(server, data ?? [])
    }

    /// AUTH from the client during the exchange.
    public static func serverHandleAuth(_ server: SASLGSSAPIServer, reasonCode: UInt8, method: String?,
                                        data: [UInt8]?) -> ServerAction {
        if let refusal = refusalOfAuth(from: "client", reasonCode: reasonCode, method: method) {
            return .refuse(reasonCode: refusal.reasonCode, reason: refusal.reason)
        }
        return step(server, data ?? [])
    }

    /// Why an AUTH packet met during the exchange is not a step of it: nil
    /// when it continues authentication with this method, otherwise the
    /// reason code to end with and a sentence naming the `sender`.
    private static func refusalOfAuth(from sender: String, reasonCode: UInt8,
                                      method: String?) -> (reasonCode: UInt8, reason: String)? {
        guard reasonCode == ReasonCode.continueAuthentication.rawValue else {
            return (ReasonCode.protocolError.rawValue,
                    "\(sender) sent AUTH with reason code 0x\(hex(reasonCode)) during authentication")
        }
        guard isThisMethod(method) else {
            return (ReasonCode.badAuthenticationMethod.rawValue,
                    "\(sender)'s AUTH names method '\(method ?? "(none)")', expected \(authenticationMethod)")
        }
        return nil
    }

    private static func step(_ server: SASLGSSAPIServer, _ data: [UInt8]) -> ServerAction {
        do throws(SASLError) {
            switch try server.receive(data) {
            case .challenge(let token): return .sendAuth(token)
            case .success(let outcome): return .accept(outcome)
            }
        } catch {
            return .refuse(reasonCode: ReasonCode.notAuthorized.rawValue, reason: error.message)
        }
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0xf)]])
    }
}

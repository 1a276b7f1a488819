// SPDX-License-Identifier: MIT
public import GSSKit

/// What a SASL GSSAPI server needs to know.
public struct SASLServerConfiguration: Sendable {
    /// The service principal, `service/host@REALM`; nil accepts for any
    /// key in the keytab.
    public var principal: String?
    /// The acceptor keytab; nil uses the default (KRB5_KTNAME, else
    /// krb5.conf's default_keytab_name).
    public var keytab: String?
    /// Layers offered to clients.
    public var offeredLayers: SASLSecurityLayers = .all
    /// The largest protected buffer this server can receive.
    public var maxReceiveBuffer: UInt32 = 65536
    /// Principal → username mapping and allowlist.
    public var mapper = PrincipalMapper()
    /// The realm whose principals lose their realm in the authentication
    /// identity; nil asks Kerberos (krb5.conf default_realm).
    public var defaultRealm: String?

    public init(principal: String? = nil, keytab: String? = nil) {
        self.principal = principal
        self.keytab = keytab
    }

    /// The keytab that will be used, as Kerberos names it.
    public var effectiveKeytab: String { keytab ?? KerberosDefaults.defaultKeytabName() }

    /// Checks the configuration the way a broker should at start-up: the
    /// principal parses as service/host@REALM, the keytab is readable and
    /// holds keys for it (without a principal: holds any key), the replay
    /// cache can be written (ReplayCacheProbe: one record); then acquires
    /// the acceptor credential. Errors name the keytab or the replay cache
    /// file and carry Kerberos's reason. Does not contact the KDC.
    public func makeCredential() throws(SASLError) -> GSSCredential {
        let keytab = effectiveKeytab
        var name: GSSName? = nil
        if principal == nil {
            do { try KerberosDefaults.checkKeytab(keytab, holds: nil) } catch {
                throw SASLError(.gss, "no suitable keys in keytab \(keytab): \(SecurityLayerSession.reason(error))")
            }
        }
        if let principal {
            let parsed = try KerberosPrincipal.parseService(principal)
            do {
                try KerberosDefaults.checkKeytab(keytab, holds: parsed.description)
            } catch {
                throw SASLError(.gss, "no suitable keys in keytab \(keytab) for \(parsed): \(SecurityLayerSession.reason(error))")
            }
            do { name = try GSSName(parsed.description, type: .krb5Principal) } catch {
                throw SASLError(.invalidArgument, "invalid server principal '\(principal)': \(SecurityLayerSession.reason(error))")
            }
        }
        let credential: GSSCredential
        do {
            credential = try GSSCredential(name: name, usage: .accept, store: GSSCredentialStore(keytab: keytab))
        } catch {
            throw SASLError(.gss, "no suitable keys in keytab \(keytab) for \(principal ?? "any service"): \(SecurityLayerSession.reason(error))")
        }
        do { try ReplayCacheProbe.check() } catch {
            throw SASLError(.gss, "cannot write the replay cache, so every client would be refused: \(SecurityLayerSession.reason(error)) (the server's user must be able to write there; see KRB5RCACHEDIR)")
        }
        return credential
    }
}

/// What a successful authentication established.
public struct SASLServerOutcome: Equatable, Sendable {
    /// The client's full Kerberos principal, `alice@EXAMPLE.TEST`.
    public var principal: String
    /// Cyrus's authentication identity: `alice` in the default realm, the
    /// full principal otherwise.
    public var authenticationID: String
    /// The authorization identity in force (the authentication identity
    /// when the client sent none).
    public var authorizationID: String
    /// The broker username the mapper gave.
    public var username: String
    public var layer: SASLSecurityLayer
    /// Whether the client asked the server to prove its identity.
    public var mutual: Bool
}

/// The server side of SASL GSSAPI (RFC 4752), sans I/O.
///
/// Theory of operation. Each client response (the first one being the
/// initial response, e.g. MQTT CONNECT's Authentication-Data) goes to
/// `receive(_:)`, which returns either a challenge to send or success with
/// the outcome. The mapper and allowlist run before success.
///
///   state            | input                               | output                  | next
///   -----------------|-------------------------------------|-------------------------|----------------
///   .awaitingToken   | empty (no initial response yet)     | empty challenge (once)  | .awaitingToken
///   .awaitingToken   | AP-REQ, context done, AP-REP        | challenge(AP-REP)       | .awaitingAck
///   .awaitingToken   | AP-REQ, context done, no token      | challenge(wrapped offer)| .awaitingReply
///                    |   (client did not ask for mutual)   |                         |
///   .awaitingToken   | AP-REQ of another principal than    | throws .denied          | .failed
///                    |   requiredPrincipal (re-auth)       |                         |
///   .awaitingToken   | token, more needed                  | challenge(token)        | .awaitingToken
///   .awaitingToken   | garbage / token Kerberos refuses    | throws .gss             | .failed
///   .awaitingAck     | empty                               | challenge(wrapped offer)| .awaitingReply
///   .awaitingAck     | non-empty                           | throws .protocolViolation | .failed
///   .awaitingReply   | wrapped reply, layer offered,       | success(outcome)        | .complete
///                    |   authzid allowed, user mapped      |                         |
///   .awaitingReply   | not unwrapping, < 4 octets, bad     | throws .protocolViolation | .failed
///                    |   layer bits, authzid not UTF-8     |                         |
///   .awaitingReply   | layer not offered                   | throws .protocolViolation | .failed
///   .awaitingReply   | authzid ≠ identity, unmapped,       | throws .denied          | .failed
///                    |   not allowlisted                   |                         |
///   .complete        | receive(_:)                         | throws .wrongState      | .complete
///   .complete        | wrap/unwrap/encode/decode           | protected data          | .complete
///   .failed          | anything                            | throws the first error  | .failed
///
/// Not thread-safe.
public final class SASLGSSAPIServer: SASLGSSAPIExchange {
    public enum State: Equatable, Sendable {
        case awaitingToken, awaitingAck, awaitingReply, complete, failed
    }

    public enum Step: Equatable, Sendable {
        /// Send this challenge (MQTT: AUTH 0x18 with it as data).
        case challenge([UInt8])
        /// Authentication finished (MQTT: CONNACK 0x00).
        case success(SASLServerOutcome)
    }

    public let configuration: SASLServerConfiguration
    public private(set) var state: State = .awaitingToken
    /// The only client principal this exchange accepts (a
    /// re-authentication keeps the identity of the first; see
    /// `requirePrincipal(_:)`); nil accepts any.
    public private(set) var requiredPrincipal: String?
    public private(set) var outcome: SASLServerOutcome?

    private let context: GSSSecurityContext
    private var askedForInitialResponse = false
    private var contextStarted = false
    private var offered: SecurityLayerOffer

    /// A server for one client. `credential` comes from
    /// `configuration.makeCredential()` and can be shared by many servers.
    public init(configuration: SASLServerConfiguration, credential: GSSCredential?) {
        self.configuration = configuration
        self.context = GSSSecurityContext(acceptorWith: credential)
        let layers = configuration.offeredLayers.isEmpty ? SASLSecurityLayers.none : configuration.offeredLayers
        let maxBuffer = layers == .none ? 0 : configuration.maxReceiveBuffer
        self.offered = SecurityLayerOffer(layers: layers, maxBuffer: maxBuffer)
    }

    /// The client principal once the GSS context is established.
    public var clientPrincipal: String? { try? context.peerName() }

    /// Accepts only `principal` (compared byte for byte), as a
    /// re-authentication must: the connection keeps the identity its first
    /// authentication established (Kafka's KIP-368 rule). Another principal
    /// fails the exchange with `.denied` as soon as its token is read. Only
    /// before the first `receive(_:)`; later it throws `.wrongState`.
    public func requirePrincipal(_ principal: String) throws(SASLError) {
        guard state == .awaitingToken, !askedForInitialResponse, !contextStarted else {
            throw SASLError(.wrongState, "the principal a re-authentication must keep is set before the exchange starts")
        }
        requiredPrincipal = principal
    }

    /// Feeds one client response.
    public func receive(_ response: [UInt8]) throws(SASLError) -> Step {
        switch state {
        case .failed:
            throw lastError ?? SASLError(.wrongState, "server failed")
        case .complete:
            throw SASLError(.wrongState, "authentication is already complete")
        case .awaitingToken:
            if response.isEmpty {
                guard !askedForInitialResponse else {
                    throw fail(SASLError(.protocolViolation, "client sent no GSS token"))
                }
                askedForInitialResponse = true
                return .challenge([])
            }
            let step: GSSSecurityContext.Step
            contextStarted = true
            do {
                step = try context.step(response[...])
            } catch {
                throw fail(SASLError(.gss, "client token refused: \(SecurityLayerSession.reason(error))"))
            }
            guard step.isComplete else { return .challenge(step.token) }
            try checkRequiredPrincipal()
            if !step.token.isEmpty {
                state = .awaitingAck
                return .challenge(step.token)
            }
            return try sendOffer()
        case .awaitingAck:
            guard response.isEmpty else {
                throw fail(SASLError(.protocolViolation, "expected an empty response after the server's last context token, got \(response.count) octets"))
            }
            return try sendOffer()
        case .awaitingReply:
            return try judgeReply(response)
        }
    }

    private func checkRequiredPrincipal() throws(SASLError) {
        guard let required = requiredPrincipal else { return }
        guard let principal = clientPrincipal else {
            throw fail(SASLError(.gss, "the client's principal is unknown"))
        }
        guard principal.utf8.elementsEqual(required.utf8) else {
            throw fail(SASLError(.denied, "re-authentication as '\(principal)' refused: this connection authenticated as '\(required)', and a connection keeps its identity"))
        }
    }

    private func sendOffer() throws(SASLError) -> Step {
        do {
            let token = try context.wrap(offered.bytes, confidential: false)
            state = .awaitingReply
            return .challenge(token)
        } catch {
            throw fail(SASLError(.gss, "cannot wrap the security layer offer: \(SecurityLayerSession.reason(error))"))
        }
    }

    private func judgeReply(_ response: [UInt8]) throws(SASLError) -> Step {
        let plain: [UInt8]
        do {
            plain = try context.unwrap(response).message
        } catch {
            throw fail(SASLError(.protocolViolation, "security layer reply does not unwrap: \(SecurityLayerSession.reason(error))"))
        }
        let choice: SecurityLayerChoice
        do throws(SASLError) { choice = try SecurityLayerChoice.parse(plain) } catch { throw fail(error) }
        guard offered.layers.contains(choice.layer.asSet) else {
            throw fail(SASLError(.protocolViolation, "client chose the \(choice.layer.name) layer, which was not offered (offered: \(offered.layers))"))
        }
        guard let principal = clientPrincipal else {
            throw fail(SASLError(.gss, "the client's principal is unknown"))
        }
        let realm = configuration.defaultRealm ?? configuration.mapper.defaultRealm ?? KerberosDefaults.defaultRealm()
        let authenticationID = SASLIdentity.authenticationID(principal: principal, defaultRealm: realm)
        let authorizationID: String
        let username: String
        do throws(SASLError) {
            authorizationID = try SASLIdentity.authorize(choice.authorizationID, authenticationID: authenticationID)
            username = try configuration.mapper.username(for: principal, defaultRealm: realm)
        } catch {
            throw fail(error)
        }
        let outcome = SASLServerOutcome(principal: principal, authenticationID: authenticationID,
                                        authorizationID: authorizationID, username: username,
                                        layer: choice.layer, mutual: context.isMutual)
        self.outcome = outcome
        session = SecurityLayerSession(context: context, layer: choice.layer, sendLimit: choice.maxBuffer,
                                       receiveLimit: offered.maxBuffer)
        state = .complete
        return .success(outcome)
    }

    override func enterFailedState() { state = .failed }
}

// SPDX-License-Identifier: MIT
public import GSSKit

/// What a SASL GSSAPI client needs to know.
public struct SASLClientConfiguration: Sendable {
    /// The service, `mqtt@broker.example.com` (host-based, the default
    /// type) or `mqtt/broker.example.com@EXAMPLE.COM` (`.krb5Principal`).
    public var service: String
    public var serviceNameType: GSSNameType = .hostbasedService
    /// The client principal; nil takes the default one (ccache or client
    /// keytab).
    public var principal: String?
    /// Where keys and tickets come from; empty uses the environment.
    public var store = GSSCredentialStore()
    /// The authorization identity sent in the reply; "" (the usual) means
    /// "the identity I authenticated as".
    public var authorizationID = ""
    /// Ask the server to prove its identity (the AP-REP round trip).
    public var mutualAuthentication = true
    /// Layers this client accepts; the strongest one the server also
    /// offers is chosen.
    public var acceptableLayers: SASLSecurityLayers = .all
    /// The largest protected buffer this client can receive.
    public var maxReceiveBuffer: UInt32 = 65536

    public init(service: String, serviceNameType: GSSNameType = .hostbasedService) {
        self.service = service
        self.serviceNameType = serviceNameType
    }
}

/// The client side of SASL GSSAPI (RFC 4752), sans I/O: tokens in, tokens
/// out. The carrier (an MQTT 5 AUTH exchange, an IMAP AUTHENTICATE, …)
/// moves them.
///
/// Theory of operation. `start()` gives the initial response (the AP-REQ);
/// each server challenge goes to `receive(_:)`, which returns the response
/// to send, possibly empty (an empty response is still sent). After the
/// reply to the security-layer offer the client is `.complete`; the
/// carrier's own success message (CONNACK 0x00, SASL success) ends the
/// exchange and carries no data.
///
///   state           | input                          | output                 | next
///   ----------------|--------------------------------|------------------------|----------------
///   .initial        | start()                        | AP-REQ                 | .establishing (mutual)
///                   |                                |                        | .awaitingOffer (non-mutual)
///   .establishing   | receive(AP-REP), context done  | empty response         | .awaitingOffer
///   .establishing   | receive(token), more needed    | next context token     | .establishing
///   .establishing   | receive(bad token)             | throws .gss            | .failed
///   .awaitingOffer  | receive(wrapped 4-octet offer) | wrapped reply: layer,  | .complete
///                   |                                | max buffer, authzid    |
///   .awaitingOffer  | receive(token not unwrapping,  | throws .protocolViolation | .failed
///                   |   not 4 octets, bad bits)      |                        |
///   .awaitingOffer  | offer without acceptable layer | throws .denied         | .failed
///   .complete       | wrap/unwrap/encode/decode      | protected data         | .complete
///   .initial        | receive(_:)                    | throws .wrongState     | (unchanged)
///   .complete       | start() / receive(_:)          | throws .wrongState     | (unchanged)
///   not .initial    | start()                        | throws .wrongState     | (unchanged)
///   .failed         | anything                       | throws the first error | .failed
///
/// Local misuse (`.wrongState`) leaves the state alone; anything the peer
/// or Kerberos causes fails the client for good. Not thread-safe.
public final class SASLGSSAPIClient: SASLGSSAPIExchange {
    public enum State: Equatable, Sendable {
        case initial, establishing, awaitingOffer, complete, failed
    }

    public let configuration: SASLClientConfiguration
    public private(set) var state: State = .initial
    /// The layer in force once complete.
    public private(set) var securityLayer: SASLSecurityLayer?
    /// The server's offer, once received.
    public private(set) var offer: SecurityLayerOffer?

    private var context: GSSSecurityContext?
    private let credential: GSSCredential?

    /// Creates the client. With an explicit principal or store the
    /// credential is acquired here and may block on the KDC (a client
    /// keytab); a failure is kept and thrown by `start()`.
    public init(configuration: SASLClientConfiguration, credential: GSSCredential? = nil) {
        self.configuration = configuration
        var acquired = credential
        var failure: SASLError? = nil
        if acquired == nil && (configuration.principal != nil || !configuration.store.isEmpty) {
            do {
                let name = try configuration.principal.map { try GSSName($0, type: .userName) }
                acquired = try GSSCredential(name: name, usage: .initiate, store: configuration.store)
            } catch {
                failure = SASLError(.gss, "cannot get credentials for \(configuration.principal ?? "the default principal"): \(SecurityLayerSession.reason(error))")
            }
        }
        self.credential = acquired
        super.init()
        if let failure { fail(failure) }
    }

    /// The authenticated server principal once the context is established.
    public var serverPrincipal: String? { try? context?.peerName() }
    /// This client's own principal once the context is established.
    public var clientPrincipal: String? { try? context?.localName() }
    public var isComplete: Bool { state == .complete }

    /// The initial response: the first GSS token. May block (a ticket
    /// request to the KDC).
    public func start() throws(SASLError) -> [UInt8] {
        if let lastError, state == .failed { throw lastError }
        guard state == .initial else { throw SASLError(.wrongState, "start() was already called") }
        let target: GSSName
        do {
            target = try GSSName(configuration.service, type: configuration.serviceNameType)
        } catch {
            throw fail(SASLError(.invalidArgument, "invalid service name '\(configuration.service)': \(SecurityLayerSession.reason(error))"))
        }
        var flags: GSSRequestFlags = [.sequence, .integrity, .confidentiality]
        if configuration.mutualAuthentication { flags.insert(.mutual) }
        let context = GSSSecurityContext(initiatorWith: credential, target: target, flags: flags)
        self.context = context
        do {
            let step = try context.step(nil)
            state = step.isComplete ? .awaitingOffer : .establishing
            return step.token
        } catch {
            throw fail(SASLError(.gss, "cannot authenticate to \(configuration.service): \(SecurityLayerSession.reason(error))"))
        }
    }

    /// Feeds one server challenge; returns the response to send (send it
    /// even when empty).
    public func receive(_ challenge: [UInt8]) throws(SASLError) -> [UInt8] {
        switch state {
        case .failed:
            throw lastError ?? SASLError(.wrongState, "client failed")
        case .initial:
            throw SASLError(.wrongState, "call start() before feeding challenges")
        case .complete:
            throw SASLError(.wrongState, "authentication is already complete")
        case .establishing:
            guard let context else { throw fail(SASLError(.wrongState, "no context")) }
            do {
                let step = try context.step(challenge[...])
                if step.isComplete {
                    if configuration.mutualAuthentication && !context.isMutual {
                        throw fail(SASLError(.gss, "the server did not authenticate itself (mutual authentication was requested)"))
                    }
                    state = .awaitingOffer
                }
                return step.token
            } catch let error as SASLError {
                throw error
            } catch {
                throw fail(SASLError(.gss, "server token refused: \(SecurityLayerSession.reason(error))"))
            }
        case .awaitingOffer:
            return try answerOffer(challenge)
        }
    }

    private func answerOffer(_ challenge: [UInt8]) throws(SASLError) -> [UInt8] {
        guard let context else { throw fail(SASLError(.wrongState, "no context")) }
        let plain: [UInt8]
        do {
            plain = try context.unwrap(challenge).message
        } catch {
            throw fail(SASLError(.protocolViolation, "security layer offer does not unwrap: \(SecurityLayerSession.reason(error))"))
        }
        let offer: SecurityLayerOffer
        do throws(SASLError) { offer = try SecurityLayerOffer.parse(plain) } catch { throw fail(error) }
        self.offer = offer
        var capable: SASLSecurityLayers = .none
        if context.offersIntegrity { capable.insert(.integrity) }
        if context.offersConfidentiality { capable.insert(.confidentiality) }
        let common = offer.layers.intersection(configuration.acceptableLayers).intersection(capable)
        guard let layer = common.strongest else {
            throw fail(SASLError(.denied, "no common security layer: server offers \(offer.layers), client accepts \(configuration.acceptableLayers)"))
        }
        let choice = SecurityLayerChoice(layer: layer, maxBuffer: layer == .none ? 0 : configuration.maxReceiveBuffer,
                                         authorizationID: configuration.authorizationID)
        let reply: [UInt8]
        do {
            reply = try context.wrap(choice.bytes, confidential: false)
        } catch {
            throw fail(SASLError(.gss, "cannot wrap the security layer reply: \(SecurityLayerSession.reason(error))"))
        }
        securityLayer = layer
        session = SecurityLayerSession(context: context, layer: layer, sendLimit: offer.maxBuffer,
                                       receiveLimit: choice.maxBuffer)
        state = .complete
        return reply
    }

    override func enterFailedState() { state = .failed }
}

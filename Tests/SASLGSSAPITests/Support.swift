// SPDX-License-Identifier: MIT
import Testing
import TestRealm
import GSSKit
@testable import SASLGSSAPI

/// A SASL client and server wired back to back on the test realm.
struct SASLPair {
    let client: SASLGSSAPIClient
    let server: SASLGSSAPIServer
    /// Tokens in order: true = client → server.
    var transcript: [(fromClient: Bool, token: [UInt8])] = []

    init(client clientConfig: SASLClientConfiguration = clientConfiguration(),
         server serverConfig: SASLServerConfiguration = serverConfiguration()) throws {
        _ = try TestRealm.shared()
        client = SASLGSSAPIClient(configuration: clientConfig)
        server = SASLGSSAPIServer(configuration: serverConfig, credential: try serverConfig.makeCredential())
    }

    /// Runs the exchange to the end; returns the server outcome.
    @discardableResult
    mutating func run() throws -> SASLServerOutcome {
        var token = try client.start()
        transcript.append((true, token))
        for _ in 0..<8 {
            switch try server.receive(token) {
            case .success(let outcome):
                return outcome
            case .challenge(let challenge):
                transcript.append((false, challenge))
                token = try client.receive(challenge)
                transcript.append((true, token))
            }
        }
        throw SASLError(.protocolViolation, "exchange did not finish")
    }
}

func clientConfiguration(mutual: Bool = true, layers: SASLSecurityLayers = .all,
                         authzid: String = "") -> SASLClientConfiguration {
    var config = SASLClientConfiguration(service: "mqtt@localhost")
    config.mutualAuthentication = mutual
    config.acceptableLayers = layers
    config.authorizationID = authzid
    return config
}

func serverConfiguration(layers: SASLSecurityLayers = .all) -> SASLServerConfiguration {
    var config = SASLServerConfiguration(principal: "mqtt/localhost@EXAMPLE.TEST")
    config.offeredLayers = layers
    return config
}

/// A raw GSS acceptor standing in for a misbehaving SASL server: it
/// completes the context with a real SASL client, then wraps whatever the
/// test wants to send as the offer.
struct RawAcceptor {
    let context: GSSSecurityContext
    init() throws {
        _ = try TestRealm.shared()
        let name = try GSSName("mqtt/localhost@EXAMPLE.TEST", type: .krb5Principal)
        context = GSSSecurityContext(acceptorWith: try GSSCredential(name: name, usage: .accept))
    }

    /// Drives `client` until it waits for the offer.
    func establish(_ client: SASLGSSAPIClient) throws {
        let step = try context.step(try client.start()[...])
        if !step.token.isEmpty {
            let ack = try client.receive(step.token)
            #expect(ack.isEmpty)
        }
        #expect(client.state == .awaitingOffer)
    }
}

/// The error `body` throws, which must be a SASLError.
func saslError(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> SASLError? {
    do {
        try body()
        Issue.record("expected a SASLError, got success", sourceLocation: sourceLocation)
    } catch let error as SASLError {
        return error
    } catch {
        Issue.record("expected a SASLError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

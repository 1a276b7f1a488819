// SPDX-License-Identifier: MIT
import Testing
import TestRealm
import ZMTPCodec
import GSSKit
@testable import ZMTPGSSAPI

/// Options for a server and a client on the shared test realm.
struct Sides {
    var server = GSSAPIOptions()
    var client = GSSAPIOptions()

    init(plaintext: Bool = false) {
        server.isServer = true
        server.selected = true
        server.plaintext = plaintext
        client.selected = true
        client.servicePrincipal = "zmq@localhost"
        client.plaintext = plaintext
    }
}

/// A client and a server mechanism wired back to back in memory.
final class MechanismPair {
    let client: GSSAPIMechanism
    let server: GSSAPIMechanism
    /// Every command body that crossed, in order, with its direction.
    var transcript: [(fromClient: Bool, body: [UInt8])] = []

    /// `mitClient` / `mitServer` keep MIT's gss_wrap/gss_unwrap on that
    /// side after the handshake (instead of KerberosCrypto's tokens), so a
    /// test can use its `context`.
    init(_ sides: Sides, clientType: SocketType = .req, serverType: SocketType = .rep,
         clientRoutingId: [UInt8] = [], mitClient: Bool = false, mitServer: Bool = false) throws {
        _ = try TestRealm.shared()
        client = GSSAPIMechanism(configuration: SecurityConfiguration(options: sides.client),
                                 socketType: clientType, routingId: clientRoutingId)
        server = GSSAPIMechanism(configuration: SecurityConfiguration(options: sides.server),
                                 socketType: serverType)
        if mitClient { client.nativeMessageProtection = false }
        if mitServer { server.nativeMessageProtection = false }
    }

    /// A pair of given mechanisms.
    init(client: GSSAPIMechanism, server: GSSAPIMechanism) {
        self.client = client
        self.server = server
    }

    /// Moves commands both ways until neither side has anything to send.
    /// Throws the first error either side raises.
    func run(maxRounds: Int = 16) throws {
        for _ in 0..<maxRounds {
            var moved = false
            if let body = try client.nextHandshakeCommand() {
                transcript.append((true, body))
                try server.processHandshakeCommand(body)
                moved = true
            }
            if let body = try server.nextHandshakeCommand() {
                transcript.append((false, body))
                try client.processHandshakeCommand(body)
                moved = true
            }
            if !moved { return }
        }
        Issue.record("handshake did not settle in \(maxRounds) rounds")
    }
}

extension ZGSSError {
    func mentions(_ text: String) -> Bool { message.contains(text) }
}

/// Runs `body`, which must throw a ZGSSError, and returns it.
func expectFailure(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> ZGSSError? {
    do {
        try body()
        Issue.record("expected a ZGSSError, got success", sourceLocation: sourceLocation)
        return nil
    } catch let error as ZGSSError {
        return error
    } catch {
        Issue.record("expected a ZGSSError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

// SPDX-License-Identifier: MIT
import Testing
import TestRealm
import GSSKit
@testable import SASLGSSAPI

@Suite("MQTT 5 GSSAPI-KERBEROS enhanced authentication helpers", .tags(.kerberos), .needsRealm)
struct MQTTTests {
    @Test func fullExchangeThroughTheHelpers() throws {
        let pair = try SASLPair()
        let method = MQTTGSSAPI.authenticationMethod
        #expect(method == "GSSAPI-KERBEROS")
        var data = try MQTTGSSAPI.connectData(pair.client)
        var action = MQTTGSSAPI.serverHandleConnect(pair.server, method: method, data: data)
        var authPackets = 0
        while case .sendAuth(let challenge) = action {
            authPackets += 1
            guard case .sendAuth(let response) = MQTTGSSAPI.clientHandleAuth(pair.client, reasonCode: 0x18, method: method, data: challenge) else {
                Issue.record("client gave up"); return
            }
            data = response
            action = MQTTGSSAPI.serverHandleAuth(pair.server, reasonCode: 0x18, method: method, data: data)
        }
        #expect(authPackets == 2) // AP-REP, offer
        guard case .accept(let outcome) = action else { Issue.record("not accepted: \(action)"); return }
        #expect(outcome.username == "alice")
        #expect(MQTTGSSAPI.clientJudgeConnack(pair.client, reasonCode: 0x00, method: method) == .connected)
    }

    @Test func otherMethodsAreNotOurs() throws {
        let pair = try SASLPair()
        #expect(MQTTGSSAPI.serverHandleConnect(pair.server, method: "SCRAM-SHA-256", data: [1]) == .notMine)
        #expect(MQTTGSSAPI.serverHandleConnect(pair.server, method: nil, data: nil) == .notMine)
    }

    @Test func garbageInConnectIsNotAuthorized() throws {
        let pair = try SASLPair()
        guard case .refuse(let code, _) = MQTTGSSAPI.serverHandleConnect(pair.server, method: "GSSAPI-KERBEROS", data: [1, 2, 3]) else {
            Issue.record("expected refusal"); return
        }
        #expect(code == 0x87)
    }

    @Test func mismatchedMethodOnAuth() throws {
        let pair = try SASLPair()
        _ = MQTTGSSAPI.serverHandleConnect(pair.server, method: "GSSAPI-KERBEROS", data: try pair.client.start())
        guard case .refuse(let code, _) = MQTTGSSAPI.serverHandleAuth(pair.server, reasonCode: 0x18, method: "PLAIN", data: []) else {
            Issue.record("expected refusal"); return
        }
        #expect(code == 0x8C)
        guard case .refuse(let code2, _) = MQTTGSSAPI.serverHandleAuth(pair.server, reasonCode: 0x19, method: "GSSAPI-KERBEROS", data: []) else {
            Issue.record("expected refusal"); return
        }
        #expect(code2 == 0x82)
        guard case .abort(let code3, _) = MQTTGSSAPI.clientHandleAuth(pair.client, reasonCode: 0x18, method: "PLAIN", data: []) else {
            Issue.record("expected abort"); return
        }
        #expect(code3 == 0x8C)
        guard case .abort(let code4, _) = MQTTGSSAPI.clientHandleAuth(pair.client, reasonCode: 0x00, method: "GSSAPI-KERBEROS", data: []) else {
            Issue.record("expected abort"); return
        }
        #expect(code4 == 0x82)
    }

    @Test func connackJudgement() throws {
        let pair = try SASLPair()
        _ = try pair.client.start()
        // Success before the exchange finished: refused by the client.
        guard case .refused(let early, _) = MQTTGSSAPI.clientJudgeConnack(pair.client, reasonCode: 0x00, method: nil) else {
            Issue.record("early CONNACK accepted"); return
        }
        #expect(early == 0x87)
        guard case .refused(let code, let reason) = MQTTGSSAPI.clientJudgeConnack(pair.client, reasonCode: 0x87, method: nil) else {
            Issue.record("0x87 accepted"); return
        }
        #expect(code == 0x87)
        #expect(reason.contains("not authorized"))
    }

    @Test func absentAuthenticationDataIsEmpty() throws {
        let pair = try SASLPair()
        _ = MQTTGSSAPI.serverHandleConnect(pair.server, method: "GSSAPI-KERBEROS", data: try pair.client.start())
        // The client's empty acknowledgement may come without the property.
        guard case .sendAuth = MQTTGSSAPI.serverHandleAuth(pair.server, reasonCode: 0x18, method: "GSSAPI-KERBEROS", data: nil) else {
            Issue.record("expected the offer"); return
        }
        #expect(pair.server.state == .awaitingReply)
    }
}

/// MQTT 5 re-authentication (AUTH 0x19) keeps the connection's identity.
@Suite("MQTT 5 re-authentication keeps the identity", .tags(.kerberos), .needsRealm)
struct MQTTReauthenticationTests {
    static let method = MQTTGSSAPI.authenticationMethod

    /// A client of `principal` with a keytab of its own (nil: the realm's
    /// default client, alice).
    static func client(_ principal: String?) throws -> SASLGSSAPIClient {
        let realm = try TestRealm.shared()
        var config = clientConfiguration()
        if let principal {
            config.principal = principal
            let name = String(principal.prefix { $0 != "@" })
            config.store = GSSCredentialStore(clientKeytab: realm.keytab(for: name), ccache: "MEMORY:reauth-\(name)")
        }
        return SASLGSSAPIClient(configuration: config)
    }

    static func server() throws -> SASLGSSAPIServer {
        let config = serverConfiguration(layers: .none)
        return SASLGSSAPIServer(configuration: config, credential: try config.makeCredential())
    }

    /// Runs AUTH 0x18 steps from `first` until the server accepts or refuses.
    static func finish(_ client: SASLGSSAPIClient, _ server: SASLGSSAPIServer,
                       from first: MQTTGSSAPI.ServerAction) -> MQTTGSSAPI.ServerAction {
        var action = first
        for _ in 0..<4 {
            guard case .sendAuth(let challenge) = action else { return action }
            guard case .sendAuth(let response) = MQTTGSSAPI.clientHandleAuth(client, reasonCode: 0x18, method: method,
                                                                             data: challenge) else {
                return .refuse(reasonCode: 0, reason: "client gave up")
            }
            action = MQTTGSSAPI.serverHandleAuth(server, reasonCode: 0x18, method: method, data: response)
        }
        return action
    }

    /// The principal of a first, ordinary authentication as the default client.
    static func firstAuthentication() throws -> String {
        let client = try client(nil)
        let server = try server()
        let action = finish(client, server, from: MQTTGSSAPI.serverHandleConnect(server, method: method,
                                                                                 data: try MQTTGSSAPI.connectData(client)))
        guard case .accept(let outcome) = action else { throw SASLError(.denied, "first authentication: \(action)") }
        return outcome.principal
    }

    @Test func samePrincipalReauthenticates() throws {
        let principal = try Self.firstAuthentication()
        #expect(principal == "alice@EXAMPLE.TEST")
        let client = try Self.client(nil)
        let server = try Self.server()
        let first = MQTTGSSAPI.serverHandleReauthenticate(server, principal: principal, method: Self.method,
                                                          data: try MQTTGSSAPI.connectData(client))
        guard case .accept(let outcome) = Self.finish(client, server, from: first) else {
            Issue.record("re-authentication as the same principal refused: \(server.lastError?.message ?? "")"); return
        }
        #expect(outcome.principal == principal)
        #expect(outcome.username == "alice")
        #expect(MQTTGSSAPI.clientJudgeConnack(client, reasonCode: 0x00, method: Self.method) == .connected)
    }

    @Test func anotherPrincipalIsRefusedAtItsFirstToken() throws {
        let principal = try Self.firstAuthentication()
        let bob = try Self.client("bob@EXAMPLE.TEST")
        let server = try Self.server()
        let action = MQTTGSSAPI.serverHandleReauthenticate(server, principal: principal, method: Self.method,
                                                           data: try MQTTGSSAPI.connectData(bob))
        guard case .refuse(let code, let reason) = action else {
            Issue.record("re-authentication as bob was not refused: \(action)"); return
        }
        #expect(code == 0x87)
        #expect(reason.contains("'bob@EXAMPLE.TEST'") && reason.contains("'alice@EXAMPLE.TEST'"))
        #expect(server.state == .failed)
        #expect(server.outcome == nil)
    }

    @Test func principalsCompareByteForByte() throws {
        let client = try Self.client(nil)
        let server = try Self.server()
        let action = MQTTGSSAPI.serverHandleReauthenticate(server, principal: "ALICE@EXAMPLE.TEST", method: Self.method,
                                                           data: try MQTTGSSAPI.connectData(client))
        guard case .refuse(let code, _) = action else { Issue.record("case-folded principal accepted"); return }
        #expect(code == 0x87)
    }

    @Test func otherMethodAndUsedSessionAreRefused() throws {
        let client = try Self.client(nil)
        let server = try Self.server()
        guard case .refuse(let code, _) = MQTTGSSAPI.serverHandleReauthenticate(server, principal: "alice@EXAMPLE.TEST",
                                                                                method: "SCRAM-SHA-256", data: [1]) else {
            Issue.record("other method accepted"); return
        }
        #expect(code == 0x8C)
        _ = MQTTGSSAPI.serverHandleConnect(server, method: Self.method, data: try MQTTGSSAPI.connectData(client))
        guard case .refuse(let used, _) = MQTTGSSAPI.serverHandleReauthenticate(server, principal: "alice@EXAMPLE.TEST",
                                                                                method: Self.method, data: []) else {
            Issue.record("a used session was pinned"); return
        }
        #expect(used == 0x80)
        #expect(throws: SASLError.self) { try server.requirePrincipal("alice@EXAMPLE.TEST") }
    }
}

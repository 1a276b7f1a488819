import Testing
import TestRealm
@testable import SASLGSSAPI

@Suite("MQTT 5 GSSAPI-KERBEROS enhanced authentication helpers")
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

// SPDX-License-Identifier: MIT
internal import CZGSSHeader
import SASLGSSAPI

// MQTT 5 "GSSAPI-KERBEROS" enhanced-authentication decisions over a
// zgss_sasl_t (zgss_mqtt_*); the manual is include/zgss.h.

private let invalid = ZGSSErrorCode.invalidArgument.rawValue
private let methodName: StaticString = "GSSAPI-KERBEROS"

/// Action codes, from include/zgss.h.
private enum MQTTAction {
    static let notMine: Int32 = ZGSS_MQTT_NOT_MINE
    static let sendAuth: Int32 = ZGSS_MQTT_SEND_AUTH
    static let accept: Int32 = ZGSS_MQTT_ACCEPT
    static let refuse: Int32 = ZGSS_MQTT_REFUSE
}

@_cdecl("zgss_mqtt_auth_method")
public func zgss_mqtt_auth_method() -> UnsafePointer<CChar> {
    UnsafeRawPointer(methodName.utf8Start).assumingMemoryBound(to: CChar.self)
}

private func string(_ text: UnsafePointer<CChar>?) -> String? {
    text.map { String(cString: $0) }
}

private func reply(_ handle: SASLHandle, _ action: MQTTGSSAPI.ServerAction,
                   _ out: UnsafeMutablePointer<UnsafePointer<UInt8>?>, _ outLength: UnsafeMutablePointer<Int>,
                   _ reason: UnsafeMutablePointer<Int32>?) -> Int32 {
    out.pointee = nil
    outLength.pointee = 0
    switch action {
    case .notMine:
        return MQTTAction.notMine
    case .sendAuth(let data):
        hand(handle, data, out, outLength)
        reason?.pointee = Int32(MQTTGSSAPI.ReasonCode.continueAuthentication.rawValue)
        return MQTTAction.sendAuth
    case .accept:
        reason?.pointee = 0
        return MQTTAction.accept
    case .refuse(let code, let text):
        handle.localError = SASLError(.denied, text)
        reason?.pointee = Int32(code)
        return MQTTAction.refuse
    }
}

@_cdecl("zgss_mqtt_server_connect")
public func zgss_mqtt_server_connect(_ session: OpaquePointer?, _ method: UnsafePointer<CChar>?,
                                     _ data: UnsafePointer<UInt8>?, _ dataLength: Int,
                                     _ out: UnsafeMutablePointer<UnsafePointer<UInt8>?>?,
                                     _ outLength: UnsafeMutablePointer<Int>?,
                                     _ reason: UnsafeMutablePointer<Int32>?) -> Int32 {
    guard let handle = sasl(session), case .server(let server) = handle.side, let out, let outLength,
          let input = bytes(data, dataLength) else { return invalid }
    return reply(handle, MQTTGSSAPI.serverHandleConnect(server, method: string(method), data: input), out, outLength, reason)
}

@_cdecl("zgss_mqtt_server_reauth")
public func zgss_mqtt_server_reauth(_ session: OpaquePointer?, _ principal: UnsafePointer<CChar>?,
                                    _ method: UnsafePointer<CChar>?,
                                    _ data: UnsafePointer<UInt8>?, _ dataLength: Int,
                                    _ out: UnsafeMutablePointer<UnsafePointer<UInt8>?>?,
                                    _ outLength: UnsafeMutablePointer<Int>?,
                                    _ reason: UnsafeMutablePointer<Int32>?) -> Int32 {
    guard let handle = sasl(session), case .server(let server) = handle.side, let principal = string(principal),
          let out, let outLength, let input = bytes(data, dataLength) else { return invalid }
    let action = MQTTGSSAPI.serverHandleReauthenticate(server, principal: principal, method: string(method), data: input)
    return reply(handle, action, out, outLength, reason)
}

@_cdecl("zgss_mqtt_server_auth")
public func zgss_mqtt_server_auth(_ session: OpaquePointer?, _ reasonCode: Int32, _ method: UnsafePointer<CChar>?,
                                  _ data: UnsafePointer<UInt8>?, _ dataLength: Int,
                                  _ out: UnsafeMutablePointer<UnsafePointer<UInt8>?>?,
                                  _ outLength: UnsafeMutablePointer<Int>?,
                                  _ reason: UnsafeMutablePointer<Int32>?) -> Int32 {
    guard let handle = sasl(session), case .server(let server) = handle.side, let out, let outLength,
          reasonCode >= 0, reasonCode <= 255, let input = bytes(data, dataLength) else { return invalid }
    let action = MQTTGSSAPI.serverHandleAuth(server, reasonCode: UInt8(reasonCode), method: string(method), data: input)
    return reply(handle, action, out, outLength, reason)
}

@_cdecl("zgss_mqtt_client_auth")
public func zgss_mqtt_client_auth(_ session: OpaquePointer?, _ reasonCode: Int32, _ method: UnsafePointer<CChar>?,
                                  _ data: UnsafePointer<UInt8>?, _ dataLength: Int,
                                  _ out: UnsafeMutablePointer<UnsafePointer<UInt8>?>?,
                                  _ outLength: UnsafeMutablePointer<Int>?,
                                  _ reason: UnsafeMutablePointer<Int32>?) -> Int32 {
    guard let handle = sasl(session), case .client(let client) = handle.side, let out, let outLength,
          reasonCode >= 0, reasonCode <= 255, let input = bytes(data, dataLength) else { return invalid }
    // The client's two answers are the server's SEND_AUTH and REFUSE.
    let action: MQTTGSSAPI.ServerAction
    switch MQTTGSSAPI.clientHandleAuth(client, reasonCode: UInt8(reasonCode), method: string(method), data: input) {
    case .sendAuth(let response): action = .sendAuth(response)
    case .abort(let code, let text): action = .refuse(reasonCode: code, reason: text)
    }
    return reply(handle, action, out, outLength, reason)
}

@_cdecl("zgss_mqtt_client_connack")
public func zgss_mqtt_client_connack(_ session: OpaquePointer?, _ reasonCode: Int32,
                                     _ method: UnsafePointer<CChar>?) -> Int32 {
    guard let handle = sasl(session), case .client(let client) = handle.side,
          reasonCode >= 0, reasonCode <= 255 else { return invalid }
    switch MQTTGSSAPI.clientJudgeConnack(client, reasonCode: UInt8(reasonCode), method: string(method)) {
    case .connected:
        return 0
    case .refused(_, let text):
        handle.localError = SASLError(.denied, text)
        return ZGSSErrorCode.denied.rawValue
    }
}

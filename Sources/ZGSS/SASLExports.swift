// SPDX-License-Identifier: MIT
internal import CZGSSHeader
import GSSKit
import SASLGSSAPI

// The SASL GSSAPI C ABI (zgss_sasl_*); the manual is include/zgss.h.

private let invalid = ZGSSErrorCode.invalidArgument.rawValue
private var emptyString: UnsafePointer<CChar> {
    UnsafeRawPointer(("" as StaticString).utf8Start).assumingMemoryBound(to: CChar.self)
}

func saslConfig(_ pointer: OpaquePointer?) -> SASLConfigHandle? {
    Handles.get(pointer, kind: .saslConfig, as: SASLConfigHandle.self)
}

func sasl(_ pointer: OpaquePointer?) -> SASLHandle? {
    Handles.get(pointer, kind: .sasl, as: SASLHandle.self)
}


/// Stores `result` in the handle's output buffer and points the caller at it.
func hand(_ handle: SASLHandle, _ result: [UInt8], _ out: UnsafeMutablePointer<UnsafePointer<UInt8>?>,
          _ outLength: UnsafeMutablePointer<Int>) {
    handle.output.replace(with: result)
    out.pointee = UnsafePointer(handle.output.pointer)
    outLength.pointee = result.count
}

func record(_ handle: SASLHandle, _ error: SASLError) -> Int32 {
    handle.localError = error
    return error.code.rawValue
}

@_cdecl("zgss_sasl_config_new")
public func zgss_sasl_config_new() -> OpaquePointer? {
    Handles.make(SASLConfigHandle(), kind: .saslConfig)
}

@_cdecl("zgss_sasl_config_destroy")
public func zgss_sasl_config_destroy(_ config: OpaquePointer?) {
    Handles.destroy(config, kind: .saslConfig, as: SASLConfigHandle.self)
}

@_cdecl("zgss_sasl_config_set_string")
public func zgss_sasl_config_set_string(_ config: OpaquePointer?, _ option: Int32, _ value: UnsafePointer<CChar>?) -> Int32 {
    guard let handle = saslConfig(config) else { return invalid }
    guard let value else { return handle.setString(option, nil) }
    // Never repaired: invalid bytes would become U+FFFD, and two different
    // names (allowlist entries, principals, paths) one.
    guard let text = String(validatingCString: value) else {
        handle.recordError("SASL option \(option): the value is not valid UTF-8")
        return invalid
    }
    return handle.setString(option, text)
}

@_cdecl("zgss_sasl_config_set_int")
public func zgss_sasl_config_set_int(_ config: OpaquePointer?, _ option: Int32, _ value: Int32) -> Int32 {
    guard let handle = saslConfig(config) else { return invalid }
    return handle.setInt(option, value)
}

@_cdecl("zgss_sasl_config_check_server")
public func zgss_sasl_config_check_server(_ config: OpaquePointer?) -> Int32 {
    guard let handle = saslConfig(config) else { return invalid }
    do throws(SASLError) {
        _ = try handle.serverCredential()
        handle.recordError("")
        return 0
    } catch {
        return error.code.rawValue
    }
}

@_cdecl("zgss_sasl_config_last_error")
public func zgss_sasl_config_last_error(_ config: OpaquePointer?) -> UnsafePointer<CChar> {
    saslConfig(config)?.lastErrorPointer() ?? emptyString
}

@_cdecl("zgss_sasl_client_new")
public func zgss_sasl_client_new(_ config: OpaquePointer?) -> OpaquePointer? {
    guard let handle = saslConfig(config) else { return nil }
    guard let configuration = handle.clientConfiguration() else {
        handle.recordError("a SASL client needs ZGSS_SASL_SERVICE (e.g. \"mqtt@broker.example.com\")")
        return nil
    }
    return Handles.make(SASLHandle(.client(SASLGSSAPIClient(configuration: configuration))), kind: .sasl)
}

@_cdecl("zgss_sasl_server_new")
public func zgss_sasl_server_new(_ config: OpaquePointer?) -> OpaquePointer? {
    guard let handle = saslConfig(config) else { return nil }
    do throws(SASLError) {
        let (configuration, credential) = try handle.serverCredential()
        return Handles.make(SASLHandle(.server(SASLGSSAPIServer(configuration: configuration, credential: credential))),
                            kind: .sasl)
    } catch {
        return nil
    }
}

@_cdecl("zgss_sasl_destroy")
public func zgss_sasl_destroy(_ session: OpaquePointer?) {
    Handles.destroy(session, kind: .sasl, as: SASLHandle.self)
}

@_cdecl("zgss_sasl_client_start")
public func zgss_sasl_client_start(_ session: OpaquePointer?, _ out: UnsafeMutablePointer<UnsafePointer<UInt8>?>?,
                                   _ outLength: UnsafeMutablePointer<Int>?) -> Int32 {
    guard let handle = sasl(session), let out, let outLength else { return invalid }
    guard case .client(let client) = handle.side else {
        return record(handle, SASLError(.wrongState, "zgss_sasl_client_start called on a server"))
    }
    do throws(SASLError) {
        hand(handle, try client.start(), out, outLength)
        return 0
    } catch {
        return record(handle, error)
    }
}

@_cdecl("zgss_sasl_step")
public func zgss_sasl_step(_ session: OpaquePointer?, _ input: UnsafePointer<UInt8>?, _ inputLength: Int,
                           _ out: UnsafeMutablePointer<UnsafePointer<UInt8>?>?,
                           _ outLength: UnsafeMutablePointer<Int>?) -> Int32 {
    guard let handle = sasl(session), let out, let outLength, let data = bytes(input, inputLength) else { return invalid }
    do throws(SASLError) {
        switch handle.side {
        case .client(let client):
            hand(handle, try client.receive(data), out, outLength)
            return 1
        case .server(let server):
            switch try server.receive(data) {
            case .challenge(let token):
                hand(handle, token, out, outLength)
                return 1
            case .success:
                out.pointee = nil
                outLength.pointee = 0
                return 0
            }
        }
    } catch {
        return record(handle, error)
    }
}

@_cdecl("zgss_sasl_status")
public func zgss_sasl_status(_ session: OpaquePointer?) -> Int32 {
    guard let handle = sasl(session) else { return ZGSS_SASL_STATUS_FAILED }
    let (complete, failed): (Bool, Bool) = switch handle.side {
    case .client(let c): (c.state == .complete, c.state == .failed)
    case .server(let s): (s.state == .complete, s.state == .failed)
    }
    return complete ? ZGSS_SASL_STATUS_COMPLETE : failed ? ZGSS_SASL_STATUS_FAILED : ZGSS_SASL_STATUS_IN_PROGRESS
}

@_cdecl("zgss_sasl_is_server")
public func zgss_sasl_is_server(_ session: OpaquePointer?) -> Int32 {
    guard let handle = sasl(session) else { return invalid }
    if case .server = handle.side { return 1 }
    return 0
}

@_cdecl("zgss_sasl_peer_principal")
public func zgss_sasl_peer_principal(_ session: OpaquePointer?) -> UnsafePointer<CChar>? {
    guard let handle = sasl(session) else { return nil }
    switch handle.side {
    case .client(let c): return handle.cString("peer", c.serverPrincipal)
    case .server(let s): return handle.cString("peer", s.clientPrincipal)
    }
}

@_cdecl("zgss_sasl_username")
public func zgss_sasl_username(_ session: OpaquePointer?) -> UnsafePointer<CChar>? {
    guard let handle = sasl(session), case .server(let s) = handle.side else { return nil }
    return handle.cString("username", s.outcome?.username)
}

@_cdecl("zgss_sasl_authzid")
public func zgss_sasl_authzid(_ session: OpaquePointer?) -> UnsafePointer<CChar>? {
    guard let handle = sasl(session), case .server(let s) = handle.side else { return nil }
    return handle.cString("authzid", s.outcome?.authorizationID)
}

@_cdecl("zgss_sasl_layer")
public func zgss_sasl_layer(_ session: OpaquePointer?) -> Int32 {
    guard let handle = sasl(session) else { return invalid }
    switch handle.side {
    case .client(let c): return Int32(c.securityLayer?.rawValue ?? 0)
    case .server(let s): return Int32(s.outcome?.layer.rawValue ?? 0)
    }
}

private typealias Protect = (SASLGSSAPIExchange, [UInt8]) throws(SASLError) -> [UInt8]

/// wrap, unwrap, encode, decode: per-message calls, so the handle stays
/// pinned for the call instead of retaining the session.
private func protect(_ session: OpaquePointer?, _ input: UnsafePointer<UInt8>?, _ length: Int,
                     _ out: UnsafeMutablePointer<UnsafePointer<UInt8>?>?, _ outLength: UnsafeMutablePointer<Int>?,
                     _ body: Protect) -> Int32 {
    Handles.with(session, kind: .sasl, as: SASLHandle.self, otherwise: invalid) { handle in
        guard let out, let outLength, let data = bytes(input, length) else { return invalid }
        do throws(SASLError) {
            hand(handle, try body(handle.exchange, data), out, outLength)
            return 0
        } catch {
            return record(handle, error)
        }
    }
}

@_cdecl("zgss_sasl_wrap")
public func zgss_sasl_wrap(_ session: OpaquePointer?, _ input: UnsafePointer<UInt8>?, _ length: Int,
                           _ out: UnsafeMutablePointer<UnsafePointer<UInt8>?>?, _ outLength: UnsafeMutablePointer<Int>?) -> Int32 {
    protect(session, input, length, out, outLength) { (exchange, data) throws(SASLError) in try exchange.wrap(data) }
}

@_cdecl("zgss_sasl_unwrap")
public func zgss_sasl_unwrap(_ session: OpaquePointer?, _ input: UnsafePointer<UInt8>?, _ length: Int,
                             _ out: UnsafeMutablePointer<UnsafePointer<UInt8>?>?, _ outLength: UnsafeMutablePointer<Int>?) -> Int32 {
    protect(session, input, length, out, outLength) { (exchange, data) throws(SASLError) in try exchange.unwrap(data) }
}

@_cdecl("zgss_sasl_encode")
public func zgss_sasl_encode(_ session: OpaquePointer?, _ input: UnsafePointer<UInt8>?, _ length: Int,
                             _ out: UnsafeMutablePointer<UnsafePointer<UInt8>?>?, _ outLength: UnsafeMutablePointer<Int>?) -> Int32 {
    protect(session, input, length, out, outLength) { (exchange, data) throws(SASLError) in try exchange.encode(data) }
}

@_cdecl("zgss_sasl_decode")
public func zgss_sasl_decode(_ session: OpaquePointer?, _ input: UnsafePointer<UInt8>?, _ length: Int,
                             _ out: UnsafeMutablePointer<UnsafePointer<UInt8>?>?, _ outLength: UnsafeMutablePointer<Int>?) -> Int32 {
    protect(session, input, length, out, outLength) { (exchange, data) throws(SASLError) in try exchange.decode(data) }
}

@_cdecl("zgss_sasl_last_error")
public func zgss_sasl_last_error(_ session: OpaquePointer?) -> UnsafePointer<CChar> {
    guard let handle = sasl(session) else { return emptyString }
    let text = handle.localError?.message ?? handle.machineError?.message ?? ""
    return handle.cString("error", text) ?? emptyString
}

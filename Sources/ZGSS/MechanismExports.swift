// SPDX-License-Identifier: MIT
internal import CZGSSHeader
import ZMTPCodec
import ZMTPGSSAPI

private func mechanism(_ handle: OpaquePointer?) -> MechanismHandle? {
    Handles.get(handle, kind: .mechanism, as: MechanismHandle.self)
}

private let invalid = ZGSSErrorCode.invalidArgument.rawValue

@_cdecl("zgss_mech_new")
public func zgss_mech_new(_ config: OpaquePointer?, _ socketType: Int32,
                          _ routingId: UnsafeRawPointer?, _ routingIdLength: Int) -> OpaquePointer? {
    guard let configHandle = Handles.get(config, kind: .config, as: ConfigHandle.self) else { return nil }
    guard let type = SocketType(rawValue: socketType) else {
        configHandle.recordError("socket type \(socketType) is not supported")
        return nil
    }
    guard routingIdLength <= 255, let id = bytes(routingId, routingIdLength) else {
        configHandle.recordError("routing id must be 0 to 255 bytes")
        return nil
    }
    let configuration = configHandle.configuration()
    if !configuration.options.isServer && configuration.options.servicePrincipal == nil {
        configHandle.recordError("a GSSAPI client needs ZMQ_GSSAPI_SERVICE_PRINCIPAL")
        return nil
    }
    let mech = GSSAPIMechanism(configuration: configuration, socketType: type, routingId: id)
    if let error = mech.lastError { configHandle.recordError(error.message) }
    return Handles.make(MechanismHandle(mech), kind: .mechanism)
}

@_cdecl("zgss_mech_destroy")
public func zgss_mech_destroy(_ mech: OpaquePointer?) {
    Handles.destroy(mech, kind: .mechanism, as: MechanismHandle.self)
}

@_cdecl("zgss_mech_next_command")
public func zgss_mech_next_command(_ mech: OpaquePointer?, _ body: UnsafeMutablePointer<UnsafePointer<UInt8>?>?,
                                   _ bodyLength: UnsafeMutablePointer<Int>?) -> Int32 {
    guard let handle = mechanism(mech), let body, let bodyLength else { return invalid }
    do throws(ZGSSError) {
        return hand(handle, try handle.mechanism.nextHandshakeCommand(), body, bodyLength)
    } catch {
        return error.code.rawValue
    }
}

@_cdecl("zgss_mech_process_command")
public func zgss_mech_process_command(_ mech: OpaquePointer?, _ body: UnsafePointer<UInt8>?, _ length: Int) -> Int32 {
    guard let handle = mechanism(mech), let input = bytes(body, length) else { return invalid }
    do throws(ZGSSError) {
        try handle.mechanism.processHandshakeCommand(input)
        return 0
    } catch {
        return error.code.rawValue
    }
}

@_cdecl("zgss_mech_authorize")
public func zgss_mech_authorize(_ mech: OpaquePointer?, _ allowed: Int32, _ reason: UnsafePointer<CChar>?) -> Int32 {
    guard let handle = mechanism(mech) else { return invalid }
    do throws(ZGSSError) {
        try handle.mechanism.authorize(allowed != 0, reason: reason.map { String(cString: $0) })
        return 0
    } catch {
        return error.code.rawValue
    }
}

@_cdecl("zgss_mech_error_command")
public func zgss_mech_error_command(_ mech: OpaquePointer?, _ reason: UnsafePointer<CChar>?,
                                    _ body: UnsafeMutablePointer<UnsafePointer<UInt8>?>?,
                                    _ bodyLength: UnsafeMutablePointer<Int>?) -> Int32 {
    guard let handle = mechanism(mech), let body, let bodyLength else { return invalid }
    var reasonBytes: [UInt8]?
    if let reason {
        // Up to 256 bytes are looked at: a longer reason is refused.
        var count = 0
        while count < 256 && reason[count] != 0 { count += 1 }
        guard count > 0, count <= 255 else { return invalid }
        reasonBytes = Array(UnsafeRawBufferPointer(start: reason, count: count))
    }
    return hand(handle, handle.mechanism.errorCommand(reason: reasonBytes), body, bodyLength)
}

/// Hands a command body to the caller through the handle's output buffer
/// (valid until the next call on the handle): 1 with a command, 0 and
/// NULL/0 without one.
private func hand(_ handle: MechanismHandle, _ command: [UInt8]?, _ body: UnsafeMutablePointer<UnsafePointer<UInt8>?>,
                  _ bodyLength: UnsafeMutablePointer<Int>) -> Int32 {
    guard let command else {
        body.pointee = nil
        bodyLength.pointee = 0
        return 0
    }
    handle.output.replace(with: command)
    body.pointee = UnsafePointer(handle.output.pointer)
    bodyLength.pointee = command.count
    return 1
}

private typealias Transform = (GSSAPIMechanism, ZMTPMessage) throws(ZGSSError) -> ZMTPMessage
private typealias Precheck = (GSSAPIMechanism) throws(ZGSSError) -> Void

/// encode and decode: per-message calls, so the handle stays pinned for
/// the call instead of retaining the mechanism.
private func transform(_ mech: OpaquePointer?, _ data: UnsafePointer<UInt8>?, _ length: Int, _ flags: Int32,
                       _ out: UnsafeMutablePointer<UnsafePointer<UInt8>?>?, _ outLength: UnsafeMutablePointer<Int>?,
                       _ outFlags: UnsafeMutablePointer<Int32>?, precheck: Precheck? = nil,
                       _ body: Transform) -> Int32 {
    Handles.with(mech, kind: .mechanism, as: MechanismHandle.self, otherwise: invalid) { handle in
        do throws(ZGSSError) {
            // Before the input is copied (encode: refuse a message too
            // large to encrypt).
            if isValidBuffer(data, length) { try precheck?(handle.mechanism) }
            guard let out, let outLength, isValidBuffer(data, length), flags >= 0, flags <= 0x0f else { return invalid }
            // The input's copy is a temporary, released before the result is
            // copied out: zgss holds at most two copies of a large message.
            let result = try body(handle.mechanism,
                                  ZMTPMessage(bytes(data, length) ?? [], flags: MessageFlags(rawValue: UInt8(flags))))
            handle.output.replace(with: result.body)
            out.pointee = UnsafePointer(handle.output.pointer)
            outLength.pointee = result.body.count
            outFlags?.pointee = Int32(result.flags.rawValue)
            return 0
        } catch {
            return error.code.rawValue
        }
    }
}

@_cdecl("zgss_mech_encode")
public func zgss_mech_encode(_ mech: OpaquePointer?, _ data: UnsafePointer<UInt8>?, _ length: Int, _ flags: Int32,
                             _ out: UnsafeMutablePointer<UnsafePointer<UInt8>?>?, _ outLength: UnsafeMutablePointer<Int>?,
                             _ outFlags: UnsafeMutablePointer<Int32>?) -> Int32 {
    transform(mech, data, length, flags, out, outLength, outFlags,
              precheck: { (m) throws(ZGSSError) in try m.checkEncodable(byteCount: length) },
              { (m, message) throws(ZGSSError) in try m.encode(message) })
}

@_cdecl("zgss_mech_decode")
public func zgss_mech_decode(_ mech: OpaquePointer?, _ data: UnsafePointer<UInt8>?, _ length: Int, _ flags: Int32,
                             _ out: UnsafeMutablePointer<UnsafePointer<UInt8>?>?, _ outLength: UnsafeMutablePointer<Int>?,
                             _ outFlags: UnsafeMutablePointer<Int32>?) -> Int32 {
    transform(mech, data, length, flags, out, outLength, outFlags) { (m, message) throws(ZGSSError) in try m.decode(message) }
}

@_cdecl("zgss_mech_status")
public func zgss_mech_status(_ mech: OpaquePointer?) -> Int32 {
    Handles.with(mech, kind: .mechanism, as: MechanismHandle.self, otherwise: ZGSS_STATUS_FAILED) { handle in
        switch handle.mechanism.status {
        case .handshaking: ZGSS_STATUS_HANDSHAKING
        case .awaitingAuthorization: ZGSS_STATUS_AWAITING_AUTHZ
        case .ready: ZGSS_STATUS_READY
        case .failed: ZGSS_STATUS_FAILED
        }
    }
}

@_cdecl("zgss_mech_is_server")
public func zgss_mech_is_server(_ mech: OpaquePointer?) -> Int32 {
    guard let handle = mechanism(mech) else { return invalid }
    return handle.mechanism.configuration.options.isServer ? 1 : 0
}

@_cdecl("zgss_mech_peer_principal")
public func zgss_mech_peer_principal(_ mech: OpaquePointer?) -> UnsafePointer<CChar>? {
    mechanism(mech)?.peerPrincipal
}

@_cdecl("zgss_mech_peer_property")
public func zgss_mech_peer_property(_ mech: OpaquePointer?, _ name: UnsafePointer<CChar>?,
                                    _ value: UnsafeMutablePointer<UnsafePointer<UInt8>?>?,
                                    _ valueLength: UnsafeMutablePointer<Int>?) -> Int32 {
    guard let handle = mechanism(mech), let name, let value, let valueLength else { return invalid }
    guard let storage = handle.property(String(cString: name)) else {
        value.pointee = nil
        valueLength.pointee = 0
        return 0
    }
    value.pointee = UnsafePointer(storage.pointer)
    valueLength.pointee = storage.count
    return 1
}

@_cdecl("zgss_mech_last_error")
public func zgss_mech_last_error(_ mech: OpaquePointer?) -> UnsafePointer<CChar> {
    guard let handle = mechanism(mech) else {
        return UnsafeRawPointer(("" as StaticString).utf8Start).assumingMemoryBound(to: CChar.self)
    }
    return handle.lastError
}

@_cdecl("zgss_mech_peer_closed")
public func zgss_mech_peer_closed(_ mech: OpaquePointer?) -> Int32 {
    guard let handle = mechanism(mech) else { return invalid }
    return handle.mechanism.connectionClosed()?.code.rawValue ?? 0
}

// SPDX-License-Identifier: MIT
internal import CZGSSHeader
import ZMTPGSSAPI
import ZMTPTransport

@_cdecl("zgss_config_new")
public func zgss_config_new() -> OpaquePointer? {
    Handles.make(ConfigHandle(), kind: .config)
}

@_cdecl("zgss_config_destroy")
public func zgss_config_destroy(_ config: OpaquePointer?) {
    Handles.destroy(config, kind: .config, as: ConfigHandle.self)
}

@_cdecl("zgss_config_set")
public func zgss_config_set(_ config: OpaquePointer?, _ option: Int32,
                            _ value: UnsafeRawPointer?, _ length: Int) -> Int32 {
    guard let handle = Handles.get(config, kind: .config, as: ConfigHandle.self) else {
        return ZGSSErrorCode.invalidArgument.rawValue
    }
    guard isValidBuffer(value, length) else {
        handle.recordError("option \(option): NULL value with a non-zero length")
        return ZGSSErrorCode.invalidArgument.rawValue
    }
    if option == ZGSS_HANDSHAKE_MAXMSGSIZE {
        // The host frames ZMTP, so the frame limits are its own.
        handle.recordError("ZGSS_HANDSHAKE_MAXMSGSIZE is a socket option; a host that frames ZMTP itself "
                           + "limits the frames it reads before READY")
        return ZGSSErrorCode.invalidArgument.rawValue
    }
    guard GSSAPIOptions.handles(option) else {
        handle.recordError("option \(option) is unknown or read-only")
        return ZGSSErrorCode.invalidArgument.rawValue
    }
    let buffer = value.map { UnsafeRawBufferPointer(start: $0, count: length) }
    return handle.set(option, buffer)
}

@_cdecl("zgss_config_get")
public func zgss_config_get(_ config: OpaquePointer?, _ option: Int32,
                            _ value: UnsafeMutableRawPointer?, _ length: UnsafeMutablePointer<Int>?) -> Int32 {
    guard let handle = Handles.get(config, kind: .config, as: ConfigHandle.self) else {
        return ZGSSErrorCode.invalidArgument.rawValue
    }
    guard let optionValue = handle.get(option) else {
        handle.recordError("option \(option) is unknown")
        return ZGSSErrorCode.invalidArgument.rawValue
    }
    if let problem = OptionCopy.copy(optionValue, option: option, to: value, length: length) {
        handle.recordError("option \(option): \(problem)")
        return ZGSSErrorCode.invalidArgument.rawValue
    }
    return 0
}

@_cdecl("zgss_config_last_error")
public func zgss_config_last_error(_ config: OpaquePointer?) -> UnsafePointer<CChar> {
    guard let handle = Handles.get(config, kind: .config, as: ConfigHandle.self) else {
        return UnsafeRawPointer(("" as StaticString).utf8Start).assumingMemoryBound(to: CChar.self)
    }
    return handle.lastErrorPointer()
}

/// Copies an option value out with zmq_getsockopt's rules.
enum OptionCopy {
    /// Returns nil on success, or what was wrong.
    static func copy(_ optionValue: GSSAPIOptions.OptionValue, option: Int32, to value: UnsafeMutableRawPointer?,
                     length: UnsafeMutablePointer<Int>?) -> String? {
        guard let value, let length else { return "NULL value or length pointer" }
        switch optionValue {
        case .int(let number):
            guard OptionLength.fitsInt(length.pointee, option: option) else {
                return "an int option needs a buffer of exactly \(OptionLength.int) bytes"
            }
            value.storeBytes(of: number, as: Int32.self)
            length.pointee = OptionLength.int
        case .string(let text):
            let bytes = Array(text.utf8)
            guard length.pointee >= bytes.count + 1 else {
                return "buffer of \(length.pointee) bytes is too small for \(bytes.count + 1)"
            }
            bytes.withUnsafeBytes { value.copyMemory(from: $0.baseAddress ?? UnsafeRawPointer(value), byteCount: bytes.count) }
            value.storeBytes(of: 0, toByteOffset: bytes.count, as: UInt8.self)
            length.pointee = bytes.count + 1
        }
        return nil
    }
}

// SPDX-License-Identifier: MIT
import Glibc
internal import CZGSSHeader
import ZGSSBase
import ZMTPTransport

/// "MAJOR.MINOR.PATCH" from include/zgss.h's ZGSS_VERSION_* (the one
/// place the version lives; tools/build-lib.sh reads the same lines), made
/// once and kept for the life of the process. Written only by the lazy
/// initialiser (which Swift runs once), read-only after: safe to share.
nonisolated(unsafe) let versionText: UnsafePointer<CChar> = {
    let text = "\(ZGSS_VERSION_MAJOR).\(ZGSS_VERSION_MINOR).\(ZGSS_VERSION_PATCH)"
    let bytes = Array(text.utf8CString)
    let storage = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
    storage.initialize(from: bytes, count: bytes.count)
    return UnsafePointer(storage)
}()

/// "MAJOR.MINOR.PATCH". Static storage.
@_cdecl("zgss_version")
public func zgss_version() -> UnsafePointer<CChar> {
    versionText
}

/// 1 for built-in capabilities ("gssapi", "null", "mechanism", "sasl",
/// "mqtt"), else 0.
@_cdecl("zgss_has")
public func zgss_has(_ capability: UnsafePointer<CChar>?) -> Int32 {
    guard let capability else { return 0 }
    switch String(cString: capability) {
    case "gssapi", "null", "mechanism", "sasl", "mqtt", "ipc": return 1
    default: return 0
    }
}

/// Text for a negative ZGSS_E_* code.
@_cdecl("zgss_mech_strerror")
public func zgss_mech_strerror(_ code: Int32) -> UnsafePointer<CChar> {
    let text: StaticString
    if code == 0 {
        text = "success"
    } else if let known = ZGSSErrorCode(rawValue: code) {
        // Exhaustive: a new code cannot be added without its text.
        switch known {
        case .invalidArgument: text = "invalid argument"
        case .again: text = "nothing to do now (try again later)"
        case .protocolViolation: text = "peer broke the ZMTP GSSAPI protocol"
        case .gss: text = "Kerberos (GSS-API) failure"
        case .denied: text = "peer is not authorized"
        case .wrongState: text = "call not valid in the current state"
        case .noMemory: text = "out of memory"
        }
    } else {
        text = "unknown zgss error"
    }
    return UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
}

/// 1 when a session that returned `code` has failed for good, 0 when it is
/// still usable (see zgss_error in include/zgss.h). Unknown negative codes
/// count as fatal.
@_cdecl("zgss_is_fatal")
public func zgss_is_fatal(_ code: Int32) -> Int32 {
    guard code < 0 else { return 0 }
    guard let known = ZGSSErrorCode(rawValue: code) else { return 1 }
    return known.isFatal ? 1 : 0
}

/// The errno of the last failed zgss socket call on this thread.
@_cdecl("zgss_errno")
public func zgss_errno() -> Int32 {
    errno
}

/// Text for an errno value, including libzmq's EFSM, ETERM, ...
@_cdecl("zgss_strerror")
public func zgss_strerror(_ errnum: Int32) -> UnsafePointer<CChar> {
    let text: StaticString
    switch errnum {
    case ZMQErrnoValue.efsm: text = "Operation cannot be accomplished in current state"
    case ZMQErrnoValue.enocompatproto: text = "The protocol is not compatible with the socket type"
    case ZMQErrnoValue.eterm: text = "Context was terminated"
    case ZMQErrnoValue.emthread: text = "No thread available"
    default:
        return UnsafePointer(strerror(errnum))
    }
    return UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
}

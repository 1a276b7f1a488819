#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

let versionString: StaticString = "0.1.0"

/// "MAJOR.MINOR.PATCH". Static storage.
@_cdecl("zgss_version")
public func zgss_version() -> UnsafePointer<CChar> {
    UnsafeRawPointer(versionString.utf8Start).assumingMemoryBound(to: CChar.self)
}

/// 1 for built-in capabilities ("gssapi", "null", "mechanism", "sasl",
/// "mqtt"), else 0.
@_cdecl("zgss_has")
public func zgss_has(_ capability: UnsafePointer<CChar>?) -> Int32 {
    guard let capability else { return 0 }
    switch String(cString: capability) {
    case "gssapi", "null", "mechanism", "sasl", "mqtt": return 1
    default: return 0
    }
}

/// Text for a negative ZGSS_E_* code.
@_cdecl("zgss_mech_strerror")
public func zgss_mech_strerror(_ code: Int32) -> UnsafePointer<CChar> {
    let text: StaticString
    switch code {
    case 0: text = "success"
    case -1: text = "invalid argument"
    case -2: text = "nothing to do now (try again later)"
    case -3: text = "peer broke the ZMTP GSSAPI protocol"
    case -4: text = "Kerberos (GSS-API) failure"
    case -5: text = "peer is not authorized"
    case -6: text = "call not valid in the current state"
    case -7: text = "out of memory"
    default: text = "unknown zgss error"
    }
    return UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
}

/// The errno of the last failed zgss socket call on this thread.
@_cdecl("zgss_errno")
public func zgss_errno() -> Int32 {
    errno
}

/// libzmq's own errno values (ZMQ_HAUSNUMERO + n), used by the socket API.
enum ZMQErrno {
    static let hausnumero: Int32 = 156_384_712
    static let efsm = hausnumero + 51
    static let enocompatproto = hausnumero + 52
    static let eterm = hausnumero + 53
    static let emthread = hausnumero + 54
}

/// Text for an errno value, including libzmq's EFSM, ETERM, ...
@_cdecl("zgss_strerror")
public func zgss_strerror(_ errnum: Int32) -> UnsafePointer<CChar> {
    let text: StaticString
    switch errnum {
    case ZMQErrno.efsm: text = "Operation cannot be accomplished in current state"
    case ZMQErrno.enocompatproto: text = "The protocol is not compatible with the socket type"
    case ZMQErrno.eterm: text = "Context was terminated"
    case ZMQErrno.emthread: text = "No thread available"
    default:
        return UnsafePointer(strerror(errnum))
    }
    return UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
}

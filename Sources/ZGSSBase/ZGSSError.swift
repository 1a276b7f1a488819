// SPDX-License-Identifier: MIT
/// The one error type of zgss's sans-I/O cores (the ZMTP GSSAPI mechanism
/// and the SASL GSSAPI machines). `code` is what the C ABI returns
/// (negative ZGSS_E_*); `message` is the sentence shown to users, with the
/// Kerberos reason when there is one (ZGSS_LAST_ERROR, zgss_*_last_error).
public typealias ZGSSError = CodedError<ZGSSErrorCode>

/// The C ABI's ZGSS_E_* codes. The raw values must equal include/zgss.h's
/// `zgss_error` enum (Tests/ZGSSTests/HeaderConstantsTests checks them).
public enum ZGSSErrorCode: Int32, Sendable, CaseIterable {
    /// A bad argument or option value from the caller (local error).
    case invalidArgument = -1
    /// Nothing to do now: no command to send, or waiting on the peer.
    case again = -2
    /// The peer broke the ZMTP or GSSAPI mechanism protocol.
    case protocolViolation = -3
    /// Kerberos / GSS-API refused (credentials, KDC, tokens).
    case gss = -4
    /// The peer authenticated but is not authorized.
    case denied = -5
    /// The call is not valid in the current state (local error).
    case wrongState = -6
    /// Out of memory.
    case noMemory = -7

    /// Whether a session that returned this code is dead (what
    /// zgss_is_fatal answers). Only `again` and local misuse leave it
    /// usable.
    public var isFatal: Bool {
        switch self {
        case .again, .invalidArgument, .wrongState: false
        case .protocolViolation, .gss, .denied, .noMemory: true
        }
    }
}

extension CodedError where Code == ZGSSErrorCode {
    /// Whether the session that raised it is dead. Only `again` and local
    /// argument errors leave it usable.
    public var isFatal: Bool { code.isFatal }
}

/// An error from the SASL GSSAPI machines. `code` uses the values of the
/// C ABI's negative ZGSS_E_* codes; `message` is a sentence for a human,
/// with the Kerberos reason when there is one.
public struct SASLError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: Int32, Sendable {
        /// A bad argument or configuration from the caller (local).
        case invalidArgument = -1
        /// The peer broke RFC 4752 (malformed or unexpected token).
        case protocolViolation = -3
        /// Kerberos / GSS-API refused (credentials, KDC, tokens).
        case gss = -4
        /// Authenticated, but policy refuses (authzid, mapping, allowlist,
        /// no common security layer).
        case denied = -5
        /// The call is not valid in the current state (local).
        case wrongState = -6
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// Local errors (misuse) leave the session as it was; all others end it.
    public var isFatal: Bool { code != .invalidArgument && code != .wrongState }
}

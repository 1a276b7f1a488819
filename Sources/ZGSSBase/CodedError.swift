// SPDX-License-Identifier: MIT
/// The shape of every error zgss throws: a code a caller branches on and a
/// sentence for people. Each layer picks its own code type:
///   ZGSSError      = CodedError<ZGSSErrorCode>   the mechanism and SASL cores
///                                                (the C ABI's ZGSS_E_* codes)
///   CodecError     = CodedError<CodecErrorKind>  ZMTP parsers
///   TransportError = CodedError<Int32>           sockets (an errno value)
public struct CodedError<Code: Sendable & Equatable>: Error, Equatable, Sendable, CustomStringConvertible {
    public let code: Code
    /// Safe to show to a user; says what went wrong and, where there is
    /// one, the underlying (Kerberos, codec) reason.
    public let message: String

    @inlinable
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

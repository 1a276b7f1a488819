// SPDX-License-Identifier: MIT
public import ZGSSBase
/// Why a byte sequence is not valid ZMTP. Every parser in this module throws
/// this and nothing else (each is declared `throws(CodecError)`); the
/// `reason` is safe to show to a user.
public typealias CodecError = CodedError<CodecErrorKind>

public enum CodecErrorKind: Sendable, Equatable {
    case badSignature
    case unsupportedVersion
    case reservedFlags
    case frameTooLarge
    case malformedCommand
    case unexpectedCommand
    case malformedMetadata
    case truncated
}

extension CodedError where Code == CodecErrorKind {
    public var kind: CodecErrorKind { code }
    public var reason: String { message }
}

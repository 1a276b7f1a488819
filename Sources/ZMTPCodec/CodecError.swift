// SPDX-License-Identifier: MIT
/// Why a byte sequence is not valid ZMTP. Every parser in this module throws
/// this and nothing else (each is declared `throws(CodecError)`); the
/// `reason` is safe to show to a user.
public struct CodecError: Error, Equatable, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        case badSignature
        case unsupportedVersion
        case reservedFlags
        case frameTooLarge
        case malformedCommand
        case unexpectedCommand
        case malformedMetadata
        case truncated
    }
    public let kind: Kind
    public let reason: String

    public init(_ kind: Kind, _ reason: String) {
        self.kind = kind
        self.reason = reason
    }

    public var description: String { reason }
}

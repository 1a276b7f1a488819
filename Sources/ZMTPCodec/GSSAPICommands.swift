// SPDX-License-Identifier: MIT
public import ZGSSBase

/// The GSSAPI mechanism's command bodies, byte for byte as libzmq 4.3.4
/// writes them:
///   INITIATE: `\x08INITIATE`, uint32 BE token length, token
///   MESSAGE:  `\x07MESSAGE`,  uint32 BE token length, wrap token
///   READY:    `\x05READY`, metadata properties
public enum GSSAPICommand {
    public static let initiatePrefix: [UInt8] = [8] + Array("INITIATE".utf8)
    public static let messagePrefix: [UInt8] = [7] + Array("MESSAGE".utf8)
    public static let readyPrefix: [UInt8] = [5] + Array("READY".utf8)

    public static func initiate(token: [UInt8]) -> [UInt8] {
        tokenCommand(prefix: initiatePrefix, token: token)
    }

    public static func message(token: [UInt8]) -> [UInt8] {
        tokenCommand(prefix: messagePrefix, token: token)
    }

    /// Writes `\x07MESSAGE` and the token length at the start of `buffer`
    /// (12 bytes), for callers that build the token in place behind it.
    public static func writeMessageHeader(into buffer: UnsafeMutableRawBufferPointer, tokenCount: Int) {
        precondition(buffer.count >= messagePrefix.count + 4)
        for (index, byte) in messagePrefix.enumerated() { buffer[index] = byte }
        let length = UInt32(truncatingIfNeeded: tokenCount)
        for index in 0..<4 { buffer[messagePrefix.count + index] = UInt8(truncatingIfNeeded: length >> (24 - 8 * UInt32(index))) }
    }

    public static func ready(_ metadata: Metadata) -> [UInt8] {
        var out = readyPrefix
        metadata.encode(into: &out)
        return out
    }

    /// The name of the command in `body`, for error messages ("INITIATE",
    /// "an empty frame", "a non-command").
    public static func describe(_ body: [UInt8]) -> String {
        if body.isEmpty { return "an empty command frame" }
        if let command = try? Command(parsing: body) { return command.name }
        return "a malformed command"
    }

    /// The token of an INITIATE body. The declared length must match the
    /// rest of the body exactly.
    public static func parseInitiate(_ body: [UInt8]) throws(CodecError) -> ArraySlice<UInt8> {
        try parseToken(body, prefix: initiatePrefix, name: "INITIATE")
    }

    /// The wrap token of a MESSAGE body.
    public static func parseMessage(_ body: [UInt8]) throws(CodecError) -> ArraySlice<UInt8> {
        try parseToken(body, prefix: messagePrefix, name: "MESSAGE")
    }

    /// The metadata of a READY body.
    public static func parseReady(_ body: [UInt8]) throws(CodecError) -> Metadata {
        guard body.starts(with: readyPrefix) else {
            throw CodecError(.unexpectedCommand, "expected READY, got \(describe(body))")
        }
        return try Metadata(parsing: body[readyPrefix.count...])
    }

    private static func tokenCommand(prefix: [UInt8], token: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(prefix.count + 4 + token.count)
        out.append(contentsOf: prefix)
        out.appendUInt32BE(UInt32(truncatingIfNeeded: token.count))
        out.append(contentsOf: token)
        return out
    }

    private static func parseToken(_ body: [UInt8], prefix: [UInt8], name: String) throws(CodecError) -> ArraySlice<UInt8> {
        guard body.starts(with: prefix) else {
            throw CodecError(.unexpectedCommand, "expected \(name), got \(describe(body))")
        }
        let lengthAt = prefix.count
        guard body.count >= lengthAt + 4 else {
            throw CodecError(.malformedCommand, "\(name) is too short to hold a token length")
        }
        let declared = UInt64(readUInt32BE(body, at: lengthAt))
        let actual = UInt64(body.count - lengthAt - 4)
        guard declared == actual else {
            throw CodecError(.malformedCommand, "\(name) declares a \(declared)-byte token but carries \(actual) bytes")
        }
        return body[(lengthAt + 4)...]
    }
}

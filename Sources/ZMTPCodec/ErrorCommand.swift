// SPDX-License-Identifier: MIT
public import ZGSSBase
/// The ZMTP 3.x ERROR command: `\x05ERROR`, a 1-byte reason length, the
/// reason. A side that refuses a handshake sends it before closing, so the
/// peer knows it was refused and does not just reconnect. libzmq 4.3.4's
/// CURVE, PLAIN and NULL servers put the ZAP status code there ("400",
/// "500"), and their clients report a 3-digit code from 300 to 500 as
/// ZMQ_EVENT_HANDSHAKE_FAILED_AUTH with that status.
public enum ErrorCommand {
    public static let prefix: [UInt8] = [5] + Array("ERROR".utf8)

    /// The command body for `reason` (at most 255 bytes are kept).
    public static func encode(reason: [UInt8]) -> [UInt8] {
        let kept = reason.prefix(255)
        return prefix + [UInt8(kept.count)] + kept
    }

    /// The reason in an ERROR body. As libzmq reads it, the declared
    /// length must fit in the body; bytes after the reason are ignored.
    public static func parseReason(_ body: [UInt8]) throws(CodecError) -> ArraySlice<UInt8> {
        guard body.starts(with: prefix) else {
            throw CodecError(.unexpectedCommand, "expected ERROR, got \(GSSAPICommand.describe(body))")
        }
        guard body.count > prefix.count else {
            throw CodecError(.malformedCommand, "ERROR has no reason length")
        }
        let start = prefix.count + 1
        let count = Int(body[prefix.count])
        guard body.count - start >= count else {
            throw CodecError(.malformedCommand, "ERROR reason runs past the end of the frame")
        }
        return body[start..<start + count]
    }

    /// The ZAP status (300, 400 or 500) when `reason` is exactly such a
    /// code, as libzmq's clients read it; nil for any other reason.
    public static func zapStatus(_ reason: ArraySlice<UInt8>) -> Int? {
        guard reason.count == 3, let first = reason.first, (UInt8(ascii: "3")...UInt8(ascii: "5")).contains(first),
              reason.dropFirst().allSatisfy({ $0 == UInt8(ascii: "0") }) else { return nil }
        return Int(first - UInt8(ascii: "0")) * 100
    }

    /// The reason as text safe to show: printable ASCII kept, anything
    /// else as `\xNN`.
    public static func displayText(_ reason: ArraySlice<UInt8>) -> String {
        var text = ""
        for byte in reason {
            if byte >= 0x20 && byte < 0x7f && byte != UInt8(ascii: "\\") {
                text.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = String(byte, radix: 16)
                text += "\\x" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return text
    }
}

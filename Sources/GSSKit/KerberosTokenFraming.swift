// SPDX-License-Identifier: MIT

/// The framing of the Kerberos mechanism's context tokens (RFC 2743
/// section 3.1 with RFC 1964 section 1.1's token IDs): what MIT's
/// gss_init_sec_context and gss_accept_sec_context put around an AP-REQ,
/// an AP-REP or a KRB-ERROR.
///
///     60 | DER length of the rest | 06 09 <krb5 mechanism OID> | token ID (2) | message
///
/// Pure bytes in, bytes out: no libkrb5, so it is tested and fuzzed alone.
public enum KerberosTokenFraming {
    /// The two bytes after the mechanism OID.
    public enum TokenID: UInt16, Sendable, CaseIterable {
        case apRequest = 0x0100
        case apReply = 0x0200
        case error = 0x0300
    }

    /// 1.2.840.113554.1.2.2, with its DER tag and length.
    static let mechanismOID: [UInt8] = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02]

    /// The framed token around `message`.
    public static func frame(_ id: TokenID, _ message: UnsafeRawBufferPointer) -> [UInt8] {
        let inner = mechanismOID.count + 2 + message.count
        var out: [UInt8] = [0x60]
        out.reserveCapacity(6 + inner)
        appendLength(inner, to: &out)
        out.append(contentsOf: mechanismOID)
        out.append(UInt8(id.rawValue >> 8))
        out.append(UInt8(id.rawValue & 0xff))
        out.append(contentsOf: message)
        return out
    }

    /// What a framed token holds: its ID and where its message lies in
    /// the token's indices.
    public struct Parsed: Equatable, Sendable {
        public var id: TokenID
        public var message: Range<Int>
    }

    /// Why a token is not a framed Kerberos context token.
    public struct Malformed: Error, Equatable, Sendable {
        public let reason: String
    }

    /// Reads the framing of `token`; the message range is in `token`'s
    /// indices. The DER length must cover the rest of the token exactly
    /// (nothing may trail it), the OID must be Kerberos 5's and the token
    /// ID one of the three above.
    public static func parse(_ token: ArraySlice<UInt8>) throws(Malformed) -> Parsed {
        guard token.count >= 2, token.first == 0x60 else {
            throw Malformed(reason: "not a framed Kerberos token (no 0x60 tag)")
        }
        var at = token.startIndex + 1
        let length = try readLength(token, at: &at)
        guard length == token.endIndex - at else {
            throw Malformed(reason: "the token's length field says \(length) bytes, \(token.endIndex - at) follow")
        }
        guard token.endIndex - at >= mechanismOID.count + 2,
              token[at..<(at + mechanismOID.count)].elementsEqual(mechanismOID) else {
            throw Malformed(reason: "the token is not for the Kerberos 5 mechanism")
        }
        at += mechanismOID.count
        let raw = UInt16(token[at]) << 8 | UInt16(token[at + 1])
        guard let id = TokenID(rawValue: raw) else {
            throw Malformed(reason: "unknown Kerberos token ID 0x\(String(raw, radix: 16))")
        }
        return Parsed(id: id, message: (at + 2)..<token.endIndex)
    }

    static func appendLength(_ length: Int, to out: inout [UInt8]) {
        if length < 0x80 {
            out.append(UInt8(length))
            return
        }
        var digits: [UInt8] = []
        var rest = length
        while rest > 0 {
            digits.insert(UInt8(rest & 0xff), at: 0)
            rest >>= 8
        }
        out.append(0x80 | UInt8(digits.count))
        out.append(contentsOf: digits)
    }

    /// A DER length at `at` (short or long form, at most four length
    /// bytes), moving `at` past it.
    static func readLength(_ bytes: ArraySlice<UInt8>, at: inout Int) throws(Malformed) -> Int {
        guard at < bytes.endIndex else { throw Malformed(reason: "the token ends inside its length field") }
        let first = bytes[at]
        at += 1
        if first < 0x80 { return Int(first) }
        let count = Int(first & 0x7f)
        guard count >= 1, count <= 4 else {
            throw Malformed(reason: "the token's length field has \(count) bytes (1 to 4 accepted)")
        }
        guard bytes.endIndex - at >= count else { throw Malformed(reason: "the token ends inside its length field") }
        var length = 0
        for _ in 0..<count {
            length = length << 8 | Int(bytes[at])
            at += 1
        }
        return length
    }
}

// SPDX-License-Identifier: MIT
public import ZGSSBase
/// The 64-byte ZMTP 3.x greeting.
///
/// Layout: signature (10: `ff`, 8 padding bytes, `7f`), version (2: major,
/// minor), mechanism (20, NUL-padded ASCII), as-server (1), filler (31).
/// libzmq fills the padding with the routing-id length + 1 (a ZMTP 1.0
/// relic) and sends as-server 0 on both GSSAPI sides, so neither is checked.
public struct Greeting: Equatable, Sendable {
    public static let size = 64
    public static let signatureSize = 10

    public var major: UInt8
    public var minor: UInt8
    public var mechanism: String
    public var asServer: Bool

    public init(mechanism: String, asServer: Bool, major: UInt8 = 3, minor: UInt8 = 1) {
        self.mechanism = mechanism
        self.asServer = asServer
        self.major = major
        self.minor = minor
    }

    /// The 10-byte signature zgss sends: `ff`, eight zero bytes... with the
    /// last padding byte 1 (an empty routing id, as libzmq writes it), `7f`.
    public static let signature: [UInt8] = [0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f]

    /// Checks the first 10 bytes a peer sent. Any ZMTP 1.0-style padding is
    /// accepted; only the first byte and the low bit of the tenth matter.
    public static func validateSignature<C: Collection>(_ bytes: C) throws(CodecError) where C.Element == UInt8 {
        guard bytes.count >= signatureSize else {
            throw CodecError(.truncated, "greeting signature needs 10 bytes, got \(bytes.count)")
        }
        let first = bytes[bytes.startIndex]
        let tenth = bytes[bytes.index(bytes.startIndex, offsetBy: 9)]
        guard first == 0xff, tenth & 0x01 == 0x01 else {
            throw CodecError(.badSignature, "peer is not speaking ZMTP 3 (bad greeting signature)")
        }
    }

    public func encoded() -> [UInt8] {
        var out = Greeting.signature
        out.reserveCapacity(Greeting.size)
        out.append(major)
        out.append(minor)
        var name = Array(mechanism.utf8.prefix(20))
        name.append(contentsOf: repeatElement(0, count: 20 - name.count))
        out.append(contentsOf: name)
        out.append(asServer ? 1 : 0)
        out.append(contentsOf: repeatElement(0, count: 31))
        return out
    }

    /// Parses a full 64-byte greeting. ZMTP major version 3 is required
    /// (GSSAPI does not exist in ZMTP 1.0 and 2.0); any minor is accepted.
    public init<C: Collection>(parsing bytes: C) throws(CodecError) where C.Element == UInt8 {
        guard bytes.count >= Greeting.size else {
            throw CodecError(.truncated, "greeting needs 64 bytes, got \(bytes.count)")
        }
        try Greeting.validateSignature(bytes)
        let raw = Array(bytes.prefix(Greeting.size))
        guard raw[10] >= 3 else {
            throw CodecError(.unsupportedVersion, "peer speaks ZMTP \(raw[10]).\(raw[11]); ZMTP 3 or later is required")
        }
        let nameBytes = raw[12..<32].prefix { $0 != 0 }
        guard nameBytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) else {
            throw CodecError(.badSignature, "greeting mechanism name is not printable ASCII")
        }
        self.major = raw[10]
        self.minor = raw[11]
        self.mechanism = String(decoding: nameBytes, as: UTF8.self)
        self.asServer = raw[32] != 0
    }
}

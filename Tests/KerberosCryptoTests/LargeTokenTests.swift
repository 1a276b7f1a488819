// SPDX-License-Identifier: MIT
import Testing
@testable import KerberosCrypto

/// Tokens past 2 GiB. libcrypto's EVP calls count bytes in an `int`: a
/// length conversion there used to trap (kill the process) before the MAC
/// was checked, for a forged token as much as for a real one.
@Suite struct LargeTokenTests {
    static let dataCount = (1 << 31) + 64

    /// One 2^31 + 140-byte buffer serves both checks. First a forged token
    /// behind a plausible header (no key needed to send one; RFC 3962
    /// decrypts before it checks the MAC) is refused; then a genuine
    /// message of 2^31 + 64 bytes seals and opens, and bytes on both sides
    /// of each 1 GiB piece boundary survive.
    @Test func tokensPast2GiB() throws {
        let (client, server) = try GarbageTokenTests.pair(.aes256CtsHmacSha1)
        var token = [UInt8](repeating: 0, count: client.tokenCount(dataCount: Self.dataCount))
        let genuine = try GarbageTokenTests.seal(client, [1])
        token.replaceSubrange(0..<WrapTokenCodec.headerCount, with: genuine[0..<WrapTokenCodec.headerCount])
        #expect(throws: KerberosCryptoError.self) {
            try token.withUnsafeMutableBytes { _ = try server.open($0) }
        }

        token.withUnsafeMutableBytes { _ = $0.initializeMemory(as: UInt8.self, repeating: 0) }
        let marks = [0, (1 << 30) - 1, 1 << 30, (1 << 31) - 1, 1 << 31, Self.dataCount - 1]
        func mark(_ at: Int) -> UInt8 { UInt8(truncatingIfNeeded: at &* 31 &+ 7) }
        for at in marks { token[WrapTokenCodec.dataOffset + at] = mark(at) }
        try token.withUnsafeMutableBytes { try client.seal($0) }
        #expect(marks.contains { token[WrapTokenCodec.dataOffset + $0] != mark($0) }, "sealed in place")
        let data = try token.withUnsafeMutableBytes { try server.open($0) }
        #expect(data.count == Self.dataCount)
        for at in marks { #expect(token[data.lowerBound + at] == mark(at), "byte \(at)") }
        #expect(token[data.lowerBound + 12345] == 0)
    }

    /// Encrypting in pieces gives the bytes one call gives, across messages
    /// (the CBC chain carries over between pieces and between messages).
    @Test(arguments: [Enctype.aes256CtsHmacSha1, .aes128CtsHmacSha256])
    func piecewiseCBCMatchesOneCall(enctype: Enctype) throws {
        let key = (0..<enctype.keyCount).map { UInt8(truncatingIfNeeded: $0 &* 11 &+ 3) }
        let whole = try CTSCipher(key: key, enctype: enctype, encrypting: true)
        let pieces = try CTSCipher(key: key, enctype: enctype, encrypting: true, updateLimit: 32)
        let opener = try CTSCipher(key: key, enctype: enctype, encrypting: false, updateLimit: 48)
        for count in [17, 33, 100, 1000, 4099] {
            let plain = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ count) }
            var a = plain, b = plain
            try a.withUnsafeMutableBytes { try whole.apply($0) }
            try b.withUnsafeMutableBytes { try pieces.apply($0) }
            #expect(a == b, "\(count) bytes")
            try b.withUnsafeMutableBytes { try opener.apply($0) }
            #expect(b == plain, "\(count) bytes back")
        }
        #expect(throws: KerberosCryptoError.self) {
            _ = try CTSCipher(key: key, enctype: enctype, encrypting: true, updateLimit: 40)
        }
    }
}

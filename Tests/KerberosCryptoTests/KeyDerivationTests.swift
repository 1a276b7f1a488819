// SPDX-License-Identifier: MIT
import Testing
@testable import KerberosCrypto
import ZGSSBase

/// RFC 3961 DK with AES, as KerberosCrypto runs it: one key schedule for
/// all the blocks of a key, and the message usages' constants folded once.
@Suite struct KeyDerivationTests {
    func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            out.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return out
    }

    /// RFC 3962 appendix B, iteration count 1: the key is
    /// DK(PBKDF2 output, "kerberos"), one block for AES-128 and two chained
    /// blocks for AES-256.
    @Test(arguments: [
        (Enctype.aes128CtsHmacSha1, "cdedb5281bb2f801565a1122b2563515", "42263c6e89f4fc28b8df68ee09799f15"),
        (Enctype.aes256CtsHmacSha1, "cdedb5281bb2f801565a1122b25635150ad1f7a04bb9f3a333ecc0e2e1f70837",
         "fe697b52bc0d3ce14432ba036a92e65bbb52280990a2fa27883998d72af30161"),
    ])
    func rfc3962StringToKeyDerivation(enctype: Enctype, pbkdf2: String, key: String) throws {
        let derived = try DerivedKeys.dk(bytes(pbkdf2), constant: Array("kerberos".utf8), count: enctype.keyCount,
                                         enctype: enctype)
        #expect(derived == bytes(key))
    }

    /// The folded constants kept for the message usages are n-fold's own.
    @Test func messageUsageConstantsAreNFolded() {
        for usage: UInt32 in 0...30 {
            for kind: UInt8 in [0x99, 0xAA, 0x55] {
                let constant = bigEndianBytes(usage) + [kind]
                #expect(DerivedKeys.foldedConstant(constant) == nfold(constant, to: 16))
            }
        }
    }
}

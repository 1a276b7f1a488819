// SPDX-License-Identifier: MIT
internal import ZGSSBase

/// Keys derived from a protocol key for one key usage: Ke encrypts, Ki
/// authenticates (RFC 3961 DK for the SHA-1 enctypes, RFC 8009
/// KDF-HMAC-SHA2 for the SHA-2 ones).
struct DerivedKeys {
    var encryption: [UInt8]
    var integrity: [UInt8]

    init(base: [UInt8], enctype: Enctype, usage: UInt32) throws(KerberosCryptoError) {
        guard base.count == enctype.keyCount else {
            throw KerberosCryptoError("a \(enctype) key must be \(enctype.keyCount) bytes, not \(base.count)")
        }
        func label(_ kind: UInt8) -> [UInt8] {
            bigEndianBytes(usage) + [kind]
        }
        if enctype.isRFC8009 {
            encryption = try Self.kdfHMACSHA2(base, label: label(0xAA), count: enctype.keyCount, enctype: enctype)
            integrity = try Self.kdfHMACSHA2(base, label: label(0x55), count: enctype.integrityKeyCount, enctype: enctype)
        } else {
            encryption = try Self.dk(base, constant: label(0xAA), count: enctype.keyCount, enctype: enctype)
            integrity = try Self.dk(base, constant: label(0x55), count: enctype.integrityKeyCount, enctype: enctype)
        }
    }

    /// Overwrites both keys (call when done with them).
    mutating func wipe() {
        Secret.wipe(&encryption)
        Secret.wipe(&integrity)
    }

    /// RFC 3961 DK with AES (random-to-key is the identity): encrypt the
    /// constant n-folded to one block, then each output block again, and
    /// keep the first `count` bytes. The result is allocated once at its
    /// final size; the running block is wiped.
    static func dk(_ base: [UInt8], constant: [UInt8], count: Int, enctype: Enctype) throws(KerberosCryptoError) -> [UInt8] {
        var block = foldedConstant(constant)
        defer { Secret.wipe(&block) }
        var out = [UInt8](repeating: 0, count: count)
        var filled = 0
        let failure: KerberosCryptoError? = block.withUnsafeMutableBytes { raw in
            do throws(KerberosCryptoError) {
                try aesEncryptBlock(inPlace: raw, key: base, enctype: enctype, times: (count + 15) / 16) { encrypted in
                    let taken = min(16, count - filled)
                    out.withUnsafeMutableBytes { target in
                        UnsafeMutableRawBufferPointer(rebasing: target[filled..<(filled + taken)])
                            .copyMemory(from: UnsafeRawBufferPointer(rebasing: encrypted[0..<taken]))
                    }
                    filled += taken
                }
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
        return out
    }

    /// The usages GSS-API message tokens derive keys for (RFC 4121: 22-25).
    private static let messageUsages: ClosedRange<UInt32> = 22...25

    /// n-fold of their DK constants (usage, then 0xAA or 0x55), to one AES
    /// block: the same eight blocks for every context, so folded once.
    private static let messageConstants: [[UInt8]: [UInt8]] = {
        var folded: [[UInt8]: [UInt8]] = [:]
        for usage in messageUsages {
            for kind: UInt8 in [0xAA, 0x55] {
                let constant = bigEndianBytes(usage) + [kind]
                folded[constant] = nfold(constant, to: 16)
            }
        }
        return folded
    }()

    static func foldedConstant(_ constant: [UInt8]) -> [UInt8] {
        messageConstants[constant] ?? nfold(constant, to: 16)
    }

    /// RFC 8009 KDF-HMAC-SHA2: HMAC(base, 00000001 | label | 00 | bits(k)),
    /// truncated to `count` bytes. The full digest is wiped.
    static func kdfHMACSHA2(_ base: [UInt8], label: [UInt8], count: Int, enctype: Enctype) throws(KerberosCryptoError) -> [UInt8] {
        let bits = UInt32(count * 8)
        let input = bigEndianBytes(1) + label + [0] + bigEndianBytes(bits)
        let mac = try HMACKey(key: base, for: enctype)
        guard count <= mac.digestCount else { throw KerberosCryptoError("KDF output longer than the HMAC") }
        var digest = [UInt8](repeating: 0, count: 64)
        defer { Secret.wipe(&digest) }
        let failure: KerberosCryptoError? = input.withUnsafeBytes { message in
            digest.withUnsafeMutableBytes { target in
                do throws(KerberosCryptoError) {
                    try mac.authenticate(message, into: target)
                    return nil
                } catch {
                    return error
                }
            }
        }
        if let failure { throw failure }
        return Array(digest[0..<count])
    }
}

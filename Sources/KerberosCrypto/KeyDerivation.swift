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
            [UInt8(truncatingIfNeeded: usage >> 24), UInt8(truncatingIfNeeded: usage >> 16),
             UInt8(truncatingIfNeeded: usage >> 8), UInt8(truncatingIfNeeded: usage), kind]
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
        for i in encryption.indices { encryption[i] = 0 }
        for i in integrity.indices { integrity[i] = 0 }
    }

    /// RFC 3961 DK with AES (random-to-key is the identity): encrypt the
    /// constant n-folded to one block, then each output block again, and
    /// keep the first `count` bytes.
    static func dk(_ base: [UInt8], constant: [UInt8], count: Int, enctype: Enctype) throws(KerberosCryptoError) -> [UInt8] {
        var block = nfold(constant, to: 16)
        var out: [UInt8] = []
        while out.count < count {
            block = try aesEncryptBlock(block, key: base, enctype: enctype)
            out += block
        }
        return Array(out.prefix(count))
    }

    /// RFC 8009 KDF-HMAC-SHA2: HMAC(base, 00000001 | label | 00 | bits(k)),
    /// truncated to `count` bytes.
    static func kdfHMACSHA2(_ base: [UInt8], label: [UInt8], count: Int, enctype: Enctype) throws(KerberosCryptoError) -> [UInt8] {
        let bits = UInt32(count * 8)
        let input = [0, 0, 0, 1] + label + [0,
            UInt8(truncatingIfNeeded: bits >> 24), UInt8(truncatingIfNeeded: bits >> 16),
            UInt8(truncatingIfNeeded: bits >> 8), UInt8(truncatingIfNeeded: bits)]
        let mac = try HMACKey(key: base, for: enctype)
        return Array(try mac.authenticate(input).prefix(count))
    }
}

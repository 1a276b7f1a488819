// SPDX-License-Identifier: MIT
internal import COpenSSL

/// Kerberos encryption (RFC 3961 simplified profile / RFC 8009) for one
/// key usage in one direction, done in place:
///
///     [confounder 16][plaintext][MAC macCount]
///
/// `seal` fills the confounder, computes the MAC and encrypts confounder
/// and plaintext; `open` checks the MAC and decrypts. RFC 3962 MACs the
/// plaintext, RFC 8009 the (zero IV and) ciphertext.
final class UsageCipher {
    static let confounderCount = 16

    let enctype: Enctype
    private let cipher: CTSCipher
    private let mac: HMACKey
    /// Confounders come from libcrypto's DRBG in batches: one RAND_bytes
    /// call (which also asks the kernel for the pid, to notice forks) per
    /// 32 messages instead of per message.
    private var confounders = [UInt8](repeating: 0, count: 512)
    private var confounderOffset = 512

    init(baseKey: [UInt8], enctype: Enctype, usage: UInt32, encrypting: Bool) throws(KerberosCryptoError) {
        var keys = try DerivedKeys(base: baseKey, enctype: enctype, usage: usage)
        defer { keys.wipe() }
        self.enctype = enctype
        self.cipher = try CTSCipher(key: keys.encryption, enctype: enctype, encrypting: encrypting)
        self.mac = try HMACKey(key: keys.integrity, for: enctype)
    }

    deinit { Secret.wipe(&confounders) }

    /// Bytes added around a plaintext.
    var overhead: Int { Self.confounderCount + enctype.macCount }

    func seal(_ buffer: UnsafeMutableRawBufferPointer) throws(KerberosCryptoError) {
        let macCount = enctype.macCount
        guard buffer.count >= overhead + 1, let base = buffer.baseAddress else {
            throw KerberosCryptoError("nothing to encrypt")
        }
        try nextConfounder(into: base)
        let body = UnsafeMutableRawBufferPointer(start: base, count: buffer.count - macCount)
        let tag = UnsafeMutableRawBufferPointer(rebasing: buffer[(buffer.count - macCount)...])
        try withUnsafeTemporaryAllocation(byteCount: 64, alignment: 8) { (digest) throws(KerberosCryptoError) in
            if enctype.isRFC8009 {
                try cipher.apply(body)
                try withZeroIV { (iv) throws(KerberosCryptoError) in
                    try mac.authenticate(iv, UnsafeRawBufferPointer(body), into: digest)
                }
            } else {
                try mac.authenticate(UnsafeRawBufferPointer(body), into: digest)
                try cipher.apply(body)
            }
            tag.copyMemory(from: UnsafeRawBufferPointer(rebasing: digest[0..<macCount]))
        }
    }

    /// Checks and decrypts; returns the plaintext's range in `buffer`.
    func open(_ buffer: UnsafeMutableRawBufferPointer) throws(KerberosCryptoError) -> Range<Int> {
        let macCount = enctype.macCount
        guard buffer.count >= overhead + 1, let base = buffer.baseAddress else {
            throw KerberosCryptoError("ciphertext too short")
        }
        let body = UnsafeMutableRawBufferPointer(start: base, count: buffer.count - macCount)
        let tag = UnsafeRawBufferPointer(rebasing: buffer[(buffer.count - macCount)...])
        let matches = try withUnsafeTemporaryAllocation(byteCount: 64, alignment: 8) { (digest) throws(KerberosCryptoError) -> Bool in
            if enctype.isRFC8009 {
                try withZeroIV { (iv) throws(KerberosCryptoError) in
                    try mac.authenticate(iv, UnsafeRawBufferPointer(body), into: digest)
                }
                guard CRYPTO_memcmp(digest.baseAddress, tag.baseAddress, macCount) == 0 else { return false }
                try cipher.apply(body)
                return true
            }
            try cipher.apply(body)
            try mac.authenticate(UnsafeRawBufferPointer(body), into: digest)
            return CRYPTO_memcmp(digest.baseAddress, tag.baseAddress, macCount) == 0
        }
        guard matches else { throw KerberosCryptoError("integrity check failed (the message was altered or the key is wrong)") }
        return Self.confounderCount..<(buffer.count - macCount)
    }

    private func nextConfounder(into target: UnsafeMutableRawPointer) throws(KerberosCryptoError) {
        if confounderOffset + Self.confounderCount > confounders.count {
            let ok = confounders.withUnsafeMutableBufferPointer { pool in
                RAND_bytes(pool.baseAddress, Int32(pool.count)) == 1
            }
            guard ok else { throw KerberosCryptoError("no random bytes for the confounder") }
            confounderOffset = 0
        }
        confounders.withUnsafeBytes { pool in
            let slice = UnsafeRawBufferPointer(rebasing: pool[confounderOffset..<(confounderOffset + Self.confounderCount)])
            UnsafeMutableRawBufferPointer(start: target, count: Self.confounderCount).copyMemory(from: slice)
        }
        confounderOffset += Self.confounderCount
    }

    private func withZeroIV<R>(_ body: (UnsafeRawBufferPointer) throws(KerberosCryptoError) -> R) throws(KerberosCryptoError) -> R {
        try withUnsafeTemporaryAllocation(byteCount: 16, alignment: 8) { (iv) throws(KerberosCryptoError) -> R in
            iv.initializeMemory(as: UInt8.self, repeating: 0)
            return try body(UnsafeRawBufferPointer(iv))
        }
    }
}

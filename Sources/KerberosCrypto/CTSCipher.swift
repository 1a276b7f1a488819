internal import COpenSSL

/// AES in CBC mode with ciphertext stealing, variant CS3 (the last two
/// blocks always swapped), a zero initial vector, one direction, one key:
/// the cipher of RFC 3962 and RFC 8009. Owns its OpenSSL context.
///
/// Not thread-safe: one connection direction drives it.
final class CTSCipher {
    private let context: OpaquePointer
    private let encrypting: Bool

    init(key: [UInt8], enctype: Enctype, encrypting: Bool) throws(KerberosCryptoError) {
        guard key.count == enctype.keyCount else { throw KerberosCryptoError("AES key of \(key.count) bytes") }
        guard let cipher = Algorithms.cts(enctype) else {
            throw KerberosCryptoError("libcrypto has no \(enctype.ctsCipherName)")
        }
        guard let context = EVP_CIPHER_CTX_new() else { throw KerberosCryptoError("out of memory") }
        self.context = context
        self.encrypting = encrypting
        let iv = [UInt8](repeating: 0, count: 16)
        let ok = key.withUnsafeBufferPointer { keyBytes in
            EVP_CipherInit_ex2(context, cipher, keyBytes.baseAddress, iv, encrypting ? 1 : 0, nil) == 1
        }
        guard ok, copenssl_cipher_set_cs3(context) == 1 else {
            EVP_CIPHER_CTX_free(context)
            throw KerberosCryptoError("cannot set up \(enctype.ctsCipherName)")
        }
    }

    deinit { EVP_CIPHER_CTX_free(context) }

    /// Encrypts or decrypts `buffer` (at least 17 bytes) where it lies,
    /// starting from a zero IV.
    func apply(_ buffer: UnsafeMutableRawBufferPointer) throws(KerberosCryptoError) {
        guard buffer.count > 16, let base = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            throw KerberosCryptoError("ciphertext too short")
        }
        var produced: Int32 = 0
        var tail: Int32 = 0
        let ok = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 16) { iv -> Bool in
            iv.initialize(repeating: 0)
            return EVP_CipherInit_ex2(context, nil, nil, iv.baseAddress, encrypting ? 1 : 0, nil) == 1
                && EVP_CipherUpdate(context, base, &produced, base, Int32(buffer.count)) == 1
                && EVP_CipherFinal_ex(context, base + Int(produced), &tail) == 1
        }
        guard ok, Int(produced + tail) == buffer.count else { throw KerberosCryptoError("AES-CTS failed") }
    }
}

/// One AES block encrypted with a raw key (ECB): key derivation's E().
func aesEncryptBlock(_ block: [UInt8], key: [UInt8], enctype: Enctype) throws(KerberosCryptoError) -> [UInt8] {
    guard let cipher = Algorithms.ecb(enctype) else {
        throw KerberosCryptoError("libcrypto has no \(enctype.ecbCipherName)")
    }
    guard let context = EVP_CIPHER_CTX_new() else { throw KerberosCryptoError("out of memory") }
    defer { EVP_CIPHER_CTX_free(context) }
    var out = [UInt8](repeating: 0, count: 32)
    var produced: Int32 = 0
    let ok = key.withUnsafeBufferPointer { keyBytes in
        EVP_EncryptInit_ex2(context, cipher, keyBytes.baseAddress, nil, nil) == 1
            && EVP_CIPHER_CTX_set_padding(context, 0) == 1
            && EVP_EncryptUpdate(context, &out, &produced, block, Int32(block.count)) == 1
    }
    guard ok, produced == 16 else { throw KerberosCryptoError("AES block encryption failed") }
    return Array(out.prefix(16))
}

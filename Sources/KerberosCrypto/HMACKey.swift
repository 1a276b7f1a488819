internal import COpenSSL

/// A keyed HMAC (SHA-1, SHA-256 or SHA-384) that is re-used for every
/// message: the key schedule (inner and outer pads) is computed once.
/// Owns its OpenSSL MAC context. Not thread-safe.
final class HMACKey {
    private let context: OpaquePointer
    let digestCount: Int

    init(key: [UInt8], digest: String) throws(KerberosCryptoError) {
        guard let mac = Algorithms.hmac else { throw KerberosCryptoError("libcrypto has no HMAC") }
        guard let context = EVP_MAC_CTX_new(mac) else { throw KerberosCryptoError("out of memory") }
        let ok = key.withUnsafeBufferPointer { copenssl_hmac_init(context, digest, $0.baseAddress, $0.count) == 1 }
        guard ok else {
            EVP_MAC_CTX_free(context)
            throw KerberosCryptoError("cannot key HMAC-\(digest)")
        }
        self.context = context
        self.digestCount = Int(EVP_MAC_CTX_get_mac_size(context))
    }

    deinit { EVP_MAC_CTX_free(context) }

    /// HMAC over `first` followed by `second`, written to `out` (at least
    /// `digestCount` bytes). Two parts, not an array: no allocation.
    func authenticate(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0),
                      into out: UnsafeMutableRawBufferPointer) throws(KerberosCryptoError) {
        guard out.count >= digestCount, let target = out.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            throw KerberosCryptoError("MAC buffer too small")
        }
        guard EVP_MAC_init(context, nil, 0, nil) == 1 else { throw KerberosCryptoError("HMAC failed") }
        func feed(_ part: UnsafeRawBufferPointer) -> Bool {
            part.isEmpty || EVP_MAC_update(context, part.baseAddress?.assumingMemoryBound(to: UInt8.self), part.count) == 1
        }
        guard feed(first), feed(second) else { throw KerberosCryptoError("HMAC failed") }
        var written = 0
        guard EVP_MAC_final(context, target, &written, out.count) == 1, written == digestCount else {
            throw KerberosCryptoError("HMAC failed")
        }
    }

    /// One-shot convenience for key derivation.
    func authenticate(_ bytes: [UInt8]) throws(KerberosCryptoError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: digestCount)
        let ok = bytes.withUnsafeBytes { input in
            out.withUnsafeMutableBytes { target in (try? authenticate(input, into: target)) != nil }
        }
        guard ok else { throw KerberosCryptoError("HMAC failed") }
        return out
    }
}

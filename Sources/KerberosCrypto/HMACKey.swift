// SPDX-License-Identifier: MIT
internal import COpenSSL

/// A keyed HMAC (SHA-1, SHA-256 or SHA-384) re-used for every message:
/// the inner and outer hash states after absorbing the padded key are
/// computed once, and each message starts from copies of them (plain
/// struct copies: no allocation, no libcrypto parameter lookups).
/// Not thread-safe.
final class HMACKey {
    private enum States {
        case sha1(inner: SHA_CTX, outer: SHA_CTX)
        case sha256(inner: SHA256_CTX, outer: SHA256_CTX)
        case sha384(inner: SHA512_CTX, outer: SHA512_CTX)
    }

    private var states: States
    let digestCount: Int

    /// Keys HMAC with the hash of `enctype` (SHA-1, SHA-256 or SHA-384).
    init(key: [UInt8], for enctype: Enctype) throws(KerberosCryptoError) {
        let blockCount: Int
        switch enctype {
        case .aes128CtsHmacSha1, .aes256CtsHmacSha1: (blockCount, digestCount) = (64, 20)
        case .aes128CtsHmacSha256: (blockCount, digestCount) = (64, 32)
        case .aes256CtsHmacSha384: (blockCount, digestCount) = (128, 48)
        }
        guard key.count <= blockCount else { throw KerberosCryptoError("HMAC key longer than a block") }
        var inner = [UInt8](repeating: 0x36, count: blockCount)
        var outer = [UInt8](repeating: 0x5c, count: blockCount)
        for (index, byte) in key.enumerated() {
            inner[index] ^= byte
            outer[index] ^= byte
        }
        defer {
            Secret.wipe(&inner)
            Secret.wipe(&outer)
        }
        // The padded key and every state derived from it are as good as the
        // key: the local copies are wiped once they are stored.
        switch enctype {
        case .aes128CtsHmacSha1, .aes256CtsHmacSha1:
            var i = SHA_CTX(), o = SHA_CTX()
            SHA1_Init(&i); SHA1_Update(&i, inner, blockCount)
            SHA1_Init(&o); SHA1_Update(&o, outer, blockCount)
            states = .sha1(inner: i, outer: o)
            Secret.wipe(value: &i); Secret.wipe(value: &o)
        case .aes128CtsHmacSha256:
            var i = SHA256_CTX(), o = SHA256_CTX()
            SHA256_Init(&i); SHA256_Update(&i, inner, blockCount)
            SHA256_Init(&o); SHA256_Update(&o, outer, blockCount)
            states = .sha256(inner: i, outer: o)
            Secret.wipe(value: &i); Secret.wipe(value: &o)
        case .aes256CtsHmacSha384:
            var i = SHA512_CTX(), o = SHA512_CTX()
            SHA384_Init(&i); SHA384_Update(&i, inner, blockCount)
            SHA384_Init(&o); SHA384_Update(&o, outer, blockCount)
            states = .sha384(inner: i, outer: o)
            Secret.wipe(value: &i); Secret.wipe(value: &o)
        }
    }

    deinit { wipe() }

    /// Overwrites the keyed states (all zero bytes: the first case with
    /// zeroed contexts, a valid value). Authenticating afterwards gives
    /// garbage, never the key's MAC. The deinit calls it.
    func wipe() { Secret.wipe(value: &states) }

    /// Whether every byte of the stored states is zero (tests of `wipe`).
    var isWiped: Bool {
        withUnsafeBytes(of: &states) { raw in raw.allSatisfy { $0 == 0 } }
    }

    /// HMAC over `first` followed by `second`, written to `out` (at least
    /// `digestCount` bytes). Two parts, not an array: no allocation.
    func authenticate(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0),
                      into out: UnsafeMutableRawBufferPointer) throws(KerberosCryptoError) {
        guard out.count >= digestCount, let target = out.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            throw KerberosCryptoError("MAC buffer too small")
        }
        // The per-message copies start as the keyed states: wiped after use.
        switch states {
        case .sha1(var inner, var outer):
            SHA1_Update(&inner, first.baseAddress, first.count)
            SHA1_Update(&inner, second.baseAddress, second.count)
            SHA1_Final(target, &inner)
            SHA1_Update(&outer, target, digestCount)
            SHA1_Final(target, &outer)
            Secret.wipe(value: &inner); Secret.wipe(value: &outer)
        case .sha256(var inner, var outer):
            SHA256_Update(&inner, first.baseAddress, first.count)
            SHA256_Update(&inner, second.baseAddress, second.count)
            SHA256_Final(target, &inner)
            SHA256_Update(&outer, target, digestCount)
            SHA256_Final(target, &outer)
            Secret.wipe(value: &inner); Secret.wipe(value: &outer)
        case .sha384(var inner, var outer):
            SHA384_Update(&inner, first.baseAddress, first.count)
            SHA384_Update(&inner, second.baseAddress, second.count)
            SHA384_Final(target, &inner)
            SHA384_Update(&outer, target, digestCount)
            SHA384_Final(target, &outer)
            Secret.wipe(value: &inner); Secret.wipe(value: &outer)
        }
    }
}

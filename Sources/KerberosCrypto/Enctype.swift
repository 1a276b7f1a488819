// SPDX-License-Identifier: MIT
/// The Kerberos encryption types this module implements itself: the AES
/// families of RFC 3962 (HMAC-SHA1) and RFC 8009 (HMAC-SHA2). Any other
/// enctype stays with MIT's gss_wrap / gss_unwrap.
public enum Enctype: Int32, Sendable, CaseIterable {
    case aes128CtsHmacSha1 = 17
    case aes256CtsHmacSha1 = 18
    case aes128CtsHmacSha256 = 19
    case aes256CtsHmacSha384 = 20

    /// Protocol key size in bytes (also the size of the derived Ke).
    var keyCount: Int {
        switch self {
        case .aes128CtsHmacSha1, .aes128CtsHmacSha256: 16
        case .aes256CtsHmacSha1, .aes256CtsHmacSha384: 32
        }
    }

    /// Bytes of the truncated HMAC that ends each ciphertext.
    var macCount: Int {
        switch self {
        case .aes128CtsHmacSha1, .aes256CtsHmacSha1: 12
        case .aes128CtsHmacSha256: 16
        case .aes256CtsHmacSha384: 24
        }
    }

    /// Size of the integrity key Ki (RFC 8009 derives a longer one for SHA-384).
    var integrityKeyCount: Int {
        switch self {
        case .aes128CtsHmacSha1, .aes128CtsHmacSha256: 16
        case .aes256CtsHmacSha1: 32
        case .aes256CtsHmacSha384: 24
        }
    }

    /// RFC 8009: the MAC covers the ciphertext (encrypt-then-MAC) and keys
    /// come from KDF-HMAC-SHA2; RFC 3962 MACs the plaintext and uses DK.
    var isRFC8009: Bool { self == .aes128CtsHmacSha256 || self == .aes256CtsHmacSha384 }

    var ecbCipherName: String { keyCount == 16 ? "AES-128-ECB" : "AES-256-ECB" }
}

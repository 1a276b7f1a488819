internal import COpenSSL

/// libcrypto algorithm objects, fetched once per process: fetching walks
/// OpenSSL's provider store under a lock, too slow to repeat for every
/// connection. Fetched objects are immutable and safe to share between
/// threads; they live as long as the process. Nil when libcrypto lacks one.
enum Algorithms {
    nonisolated(unsafe) static let aes128CBC = EVP_CIPHER_fetch(nil, "AES-128-CBC", nil)
    nonisolated(unsafe) static let aes256CBC = EVP_CIPHER_fetch(nil, "AES-256-CBC", nil)
    nonisolated(unsafe) static let aes128ECB = EVP_CIPHER_fetch(nil, "AES-128-ECB", nil)
    nonisolated(unsafe) static let aes256ECB = EVP_CIPHER_fetch(nil, "AES-256-ECB", nil)

    static func cbc(_ enctype: Enctype) -> OpaquePointer? { enctype.keyCount == 16 ? aes128CBC : aes256CBC }
    static func ecb(_ enctype: Enctype) -> OpaquePointer? { enctype.keyCount == 16 ? aes128ECB : aes256ECB }
}

// SPDX-License-Identifier: MIT
internal import COpenSSL

/// libcrypto algorithm objects, fetched once per process: fetching walks
/// OpenSSL's provider store under a lock, too slow to repeat for every
/// connection. Fetched objects are immutable and safe to share between
/// threads; they live as long as the process. Nil when libcrypto lacks one.
///
/// libcrypto is initialised without its exit-time cleanup: an I/O thread
/// still freeing a connection's contexts while the process exits must not
/// find the providers already torn down (the same hazard KerberosTeardown
/// guards against for libkrb5). When another library initialised libcrypto
/// first, its choice stands.
enum Algorithms {
    private static let ready: Bool = OPENSSL_init_crypto(UInt64(OPENSSL_INIT_NO_ATEXIT), nil) == 1

    private static func cipher(_ name: String) -> OpaquePointer? {
        _ = ready
        return EVP_CIPHER_fetch(nil, name, nil)
    }

    nonisolated(unsafe) static let aes128CBC = cipher("AES-128-CBC")
    nonisolated(unsafe) static let aes256CBC = cipher("AES-256-CBC")
    nonisolated(unsafe) static let aes128ECB = cipher("AES-128-ECB")
    nonisolated(unsafe) static let aes256ECB = cipher("AES-256-ECB")

    static func cbc(_ enctype: Enctype) -> OpaquePointer? { enctype.keyCount == 16 ? aes128CBC : aes256CBC }
    static func ecb(_ enctype: Enctype) -> OpaquePointer? { enctype.keyCount == 16 ? aes128ECB : aes256ECB }
}

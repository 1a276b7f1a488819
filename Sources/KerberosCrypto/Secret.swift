// SPDX-License-Identifier: MIT
internal import COpenSSL

/// Overwriting secrets (keys, key schedules, HMAC states, plaintext
/// scratch) when they are released. OPENSSL_cleanse writes through a
/// pointer the optimizer cannot see through, so the stores stay even when
/// the memory is freed right after; a plain loop of zero stores may be
/// dropped as dead.
///
/// An array is wiped in place only when it is the sole owner of its
/// storage: a copy shares the buffer until one side writes, and wiping a
/// shared array would overwrite a fresh copy instead. Code that handles
/// key bytes therefore passes arrays along without keeping copies.
enum Secret {
    static func wipe(_ raw: UnsafeMutableRawBufferPointer) {
        guard let base = raw.baseAddress, raw.count > 0 else { return }
        OPENSSL_cleanse(base, raw.count)
    }

    static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { wipe($0) }
    }

    /// A value of plain C struct type (a SHA context), or an enum of them.
    static func wipe<T>(value: inout T) {
        withUnsafeMutableBytes(of: &value) { wipe($0) }
    }
}

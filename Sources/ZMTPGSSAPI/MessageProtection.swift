// SPDX-License-Identifier: MIT
import Glibc
import GSSKit
import KerberosCrypto

/// Who protects messages once a connection is ready: KerberosCrypto's own
/// RFC 4121 tokens (AES enctypes, libcrypto with AES-NI/SHA extensions,
/// no allocation and no system call per message), or MIT's gss_wrap /
/// gss_unwrap for anything else. The bytes on the wire are the same.
///
/// `ZGSS_MESSAGE_CRYPTO=mit` in the environment keeps MIT for every
/// connection (read once, at first use).
enum MessageProtection {
    static let nativeAllowed: Bool = {
        guard let value = getenv("ZGSS_MESSAGE_CRYPTO") else { return true }
        return String(cString: value) != "mit"
    }()

    /// Takes the session keys over from `context` when its enctype is one
    /// KerberosCrypto implements. Nil: keep using the context. A throw
    /// means the context was consumed and could not be replaced.
    static func takeOver(_ context: GSSSecurityContext) throws -> WrapTokenCodec? {
        guard WrapTokenCodec.isAvailable, context.messageEnctype() != nil else { return nil }
        var keys = try context.exportSessionKeys()
        return try WrapTokenCodec(keys: &keys)
    }
}

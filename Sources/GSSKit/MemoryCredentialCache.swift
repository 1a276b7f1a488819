// SPDX-License-Identifier: MIT
internal import CGSSAPI

/// A private in-memory credential cache (`MEMORY:` type) with a unique
/// name, destroyed with this object. Backing a client credential with one
/// means tickets got from the KDC are kept in this process only and read
/// back without the file locking of a `FILE:` cache.
///
/// MIT keeps a memory cache's tickets until the cache is destroyed, not
/// when the last handle closes: deinit destroys it, so nothing outlives
/// its owner.
public final class MemoryCredentialCache {
    /// The full name, e.g. `MEMORY:abc123`, for a credential store.
    public let name: String
    private let context: KerberosContext
    private let cache: krb5_ccache

    public init() throws {
        guard let context = KerberosContext() else {
            throw GSSError("krb5_init_context", reason: "cannot initialise Kerberos (check KRB5_CONFIG)")
        }
        var cache: krb5_ccache? = nil
        let code = krb5_cc_new_unique(context.raw, "MEMORY", nil, &cache)
        guard code == 0, let cache else { throw context.error("krb5_cc_new_unique", code) }
        guard let type = krb5_cc_get_type(context.raw, cache), let residual = krb5_cc_get_name(context.raw, cache) else {
            krb5_cc_destroy(context.raw, cache)
            throw GSSError("krb5_cc_get_name", reason: "the new memory cache has no name")
        }
        self.name = String(cString: type) + ":" + String(cString: residual)
        self.context = context
        self.cache = cache
    }

    deinit {
        KerberosTeardown.run { krb5_cc_destroy(context.raw, cache) }
    }

    /// The principal the cache holds tickets for; nil while it is empty.
    public func principal() -> String? {
        var principal: krb5_principal? = nil
        guard krb5_cc_get_principal(context.raw, cache, &principal) == 0, let principal else { return nil }
        defer { krb5_free_principal(context.raw, principal) }
        return context.display(principal)
    }
}

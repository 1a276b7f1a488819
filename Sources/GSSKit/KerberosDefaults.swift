// SPDX-License-Identifier: MIT
internal import CGSSAPI

/// The few plain Kerberos (libkrb5) facts the GSS API does not give:
/// the default realm, the default keytab's name, and whether a keytab holds
/// keys for a principal (so a server can refuse to start with a clear
/// reason instead of failing every client later).
public enum KerberosDefaults {
    /// The default realm from krb5.conf (`[libdefaults] default_realm`),
    /// nil when none is configured or it is not UTF-8 (a repaired copy
    /// could equal a foreign realm's name, whose principals would then pass
    /// for local ones).
    public static func defaultRealm() -> String? {
        let realm: String?? = withContext { context -> String? in
            var realm: UnsafeMutablePointer<CChar>? = nil
            guard krb5_get_default_realm(context, &realm) == 0, let realm else { return nil }
            defer { krb5_free_default_realm(context, realm) }
            return String(validatingCString: realm)
        }
        return realm ?? nil
    }

    /// The acceptor keytab the library uses when none is named: KRB5_KTNAME,
    /// else krb5.conf's `default_keytab_name`, else the built-in default.
    public static func defaultKeytabName() -> String {
        let name: String?? = withContext { context -> String? in
            var buffer = [CChar](repeating: 0, count: 1024)
            guard krb5_kt_default_name(context, &buffer, Int32(buffer.count)) == 0 else { return nil }
            return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return (name ?? nil) ?? "FILE:/etc/krb5.keytab"
    }

    /// Checks that `keytab` can be read and holds at least one key for
    /// `principal` (e.g. `mqtt/host@REALM`), or any key at all when
    /// `principal` is nil. Throws a GSSError whose reason is libkrb5's text
    /// ("Key table file '...' not found", "No key table entry found for
    /// ...", "Permission denied").
    public static func checkKeytab(_ keytab: String, holds principal: String?) throws {
        let failure: (code: Int32, what: String)? = withContext { context -> (Int32, String)? in
            var kt: krb5_keytab? = nil
            var code = krb5_kt_resolve(context, keytab, &kt)
            guard code == 0, let kt else { return (code, "krb5_kt_resolve") }
            defer { krb5_kt_close(context, kt) }
            var entry = krb5_keytab_entry()
            guard let principal else {
                var cursor: krb5_kt_cursor? = nil
                code = krb5_kt_start_seq_get(context, kt, &cursor)
                guard code == 0 else { return (code, "krb5_kt_start_seq_get") }
                defer { krb5_kt_end_seq_get(context, kt, &cursor) }
                code = krb5_kt_next_entry(context, kt, &entry, &cursor)
                guard code == 0 else { return (code, "krb5_kt_next_entry") }
                krb5_free_keytab_entry_contents(context, &entry)
                return nil
            }
            var parsed: krb5_principal? = nil
            code = krb5_parse_name(context, principal, &parsed)
            guard code == 0, let parsed else { return (code, "krb5_parse_name") }
            defer { krb5_free_principal(context, parsed) }
            code = krb5_kt_get_entry(context, kt, parsed, 0, 0, &entry)
            guard code == 0 else { return (code, "krb5_kt_get_entry") }
            krb5_free_keytab_entry_contents(context, &entry)
            return nil
        } ?? (initFailure(), "krb5_init_context")
        if let failure {
            throw GSSError(failure.what, reason: errorText(failure.code, initFailed: failure.what == "krb5_init_context"))
        }
    }

    /// Why krb5_init_context fails (an unreadable or broken krb5.conf).
    private static func initFailure() -> Int32 {
        var context: krb5_context? = nil
        let code = krb5_init_context(&context)
        if let context { krb5_free_context(context) }
        return code
    }

    private static func errorText(_ code: Int32, initFailed: Bool = false) -> String {
        // MIT accepts a NULL context here: it is what is left when
        // krb5_init_context itself failed.
        guard code != 0, let message = krb5_get_error_message(nil, code) else {
            return "cannot initialise Kerberos (check KRB5_CONFIG)"
        }
        defer { krb5_free_error_message(nil, message) }
        let text = String(cString: message)
        return initFailed ? "cannot initialise Kerberos (krb5.conf): " + text : text
    }

    static func withContext<R>(_ body: (krb5_context) -> R) -> R? {
        var context: krb5_context? = nil
        guard krb5_init_context(&context) == 0, let context else { return nil }
        defer { krb5_free_context(context) }
        return body(context)
    }
}

extension KerberosDefaults {
    /// The client keytab the library uses to get tickets without kinit
    /// (KRB5_CLIENT_KTNAME, else krb5.conf's `default_client_keytab_name`),
    /// or nil when it does not exist or holds no keys.
    public static func clientKeytabName() -> String? {
        let name: String?? = withContext { context -> String? in
            var keytab: krb5_keytab? = nil
            guard krb5_kt_client_default(context, &keytab) == 0, let keytab else { return nil }
            defer { krb5_kt_close(context, keytab) }
            guard krb5_kt_have_content(context, keytab) == 0 else { return nil }
            var buffer = [CChar](repeating: 0, count: 1024)
            guard krb5_kt_get_name(context, keytab, &buffer, UInt32(buffer.count)) == 0 else { return nil }
            return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return name ?? nil
    }

    /// The principal of the default credential cache (KRB5CCNAME), e.g.
    /// after kinit; nil when the cache is empty or missing.
    public static func defaultCachePrincipal() -> String? {
        let name: String?? = withContext { context -> String? in
            var cache: krb5_ccache? = nil
            guard krb5_cc_default(context, &cache) == 0, let cache else { return nil }
            defer { krb5_cc_close(context, cache) }
            var principal: krb5_principal? = nil
            guard krb5_cc_get_principal(context, cache, &principal) == 0, let principal else { return nil }
            defer { krb5_free_principal(context, principal) }
            return unparse(context, principal)
        }
        return name ?? nil
    }

    /// The principal of the first entry in `keytab` (the one libkrb5 takes
    /// from a client keytab when no name is asked for), nil when none.
    public static func firstPrincipal(inKeytab keytab: String) -> String? {
        let name: String?? = withContext { context -> String? in
            var kt: krb5_keytab? = nil
            guard krb5_kt_resolve(context, keytab, &kt) == 0, let kt else { return nil }
            defer { krb5_kt_close(context, kt) }
            var cursor: krb5_kt_cursor? = nil
            guard krb5_kt_start_seq_get(context, kt, &cursor) == 0 else { return nil }
            defer { krb5_kt_end_seq_get(context, kt, &cursor) }
            var entry = krb5_keytab_entry()
            guard krb5_kt_next_entry(context, kt, &entry, &cursor) == 0 else { return nil }
            defer { krb5_free_keytab_entry_contents(context, &entry) }
            return unparse(context, entry.principal)
        }
        return name ?? nil
    }

    private static func unparse(_ context: krb5_context, _ principal: krb5_principal) -> String? {
        var text: UnsafeMutablePointer<CChar>? = nil
        guard krb5_unparse_name(context, principal, &text) == 0, let text else { return nil }
        defer { krb5_free_unparsed_name(context, text) }
        // Not UTF-8: nil, never a repaired name that means someone else.
        return String(validatingCString: text)
    }
}

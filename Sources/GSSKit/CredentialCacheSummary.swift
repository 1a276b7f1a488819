// SPDX-License-Identifier: MIT
internal import CGSSAPI

/// What a credential cache holds, for an error message that names it:
/// its full name, its principal, and when the principal's ticket-granting
/// ticket ends. Read once, never kept open.
public struct CredentialCacheSummary: Sendable {
    /// The cache's full name, e.g. `FILE:/tmp/krb5cc_1000`.
    public let name: String
    /// Whose tickets it holds; nil when it is empty or missing.
    public let principal: String?
    /// When the ticket-granting ticket for the principal's own realm ends
    /// (seconds since the epoch); nil when there is none.
    public let ticketsEnd: Int?

    /// Reads the cache `name`, or the default cache (KRB5CCNAME) when nil.
    /// Nil when libkrb5 cannot start or cannot resolve the name.
    public init?(_ name: String?) {
        guard let context = KerberosContext() else { return nil }
        var cache: krb5_ccache? = nil
        let code = name.map { krb5_cc_resolve(context.raw, $0, &cache) } ?? krb5_cc_default(context.raw, &cache)
        guard code == 0, let cache else { return nil }
        defer { krb5_cc_close(context.raw, cache) }
        let type = krb5_cc_get_type(context.raw, cache).map { String(cString: $0) } ?? "FILE"
        let residual = krb5_cc_get_name(context.raw, cache).map { String(cString: $0) } ?? ""
        self.name = type + ":" + residual
        var owner: krb5_principal? = nil
        guard krb5_cc_get_principal(context.raw, cache, &owner) == 0, let owner else {
            principal = nil
            ticketsEnd = nil
            return
        }
        defer { krb5_free_principal(context.raw, owner) }
        let principal = context.display(owner)
        self.principal = principal
        let realm = principal.flatMap { $0.split(separator: "@").last.map(String.init) } ?? ""
        ticketsEnd = Self.ticketGrantingTicketEnd(context, cache, service: "krbtgt/\(realm)@\(realm)")
    }

    private static func ticketGrantingTicketEnd(_ context: KerberosContext, _ cache: krb5_ccache,
                                                service: String) -> Int? {
        var cursor: krb5_cc_cursor? = nil
        guard krb5_cc_start_seq_get(context.raw, cache, &cursor) == 0 else { return nil }
        defer { krb5_cc_end_seq_get(context.raw, cache, &cursor) }
        var end: Int? = nil
        var creds = krb5_creds()
        while krb5_cc_next_cred(context.raw, cache, &cursor, &creds) == 0 {
            if let server = creds.server, context.display(server) == service {
                // MIT reads timestamps as unsigned (they pass 2038).
                end = max(end ?? 0, Int(UInt32(bitPattern: creds.times.endtime)))
            }
            krb5_free_cred_contents(context.raw, &creds)
        }
        return end
    }
}

// SPDX-License-Identifier: MIT
/// Cyrus SASL's rules for the identities a GSSAPI server reports.
public enum SASLIdentity {
    /// The authentication identity Cyrus derives from the client principal:
    /// the name without the realm when the realm is the server's default
    /// realm (quoted as krb5_unparse_name quotes it: `a\/b`, `bo\b`), the
    /// full principal otherwise.
    public static func authenticationID(principal: String, defaultRealm: String?) -> String {
        guard let parsed = try? KerberosPrincipal(parsing: principal) else { return principal }
        if let defaultRealm, !defaultRealm.isEmpty, PrincipalName.sameBytes(parsed.realm, defaultRealm) {
            return parsed.name
        }
        return principal
    }

    /// Whether a client may act as `authorizationID`: only an empty one or
    /// one equal to the authentication identity (Cyrus's default proxy
    /// policy), compared as bytes (an NFD authzid is not the NFC identity).
    /// Returns the effective authorization identity.
    public static func authorize(_ authorizationID: String, authenticationID: String) throws(SASLError) -> String {
        if authorizationID.isEmpty || PrincipalName.sameBytes(authorizationID, authenticationID) { return authenticationID }
        throw SASLError(.denied, "'\(authenticationID)' may not act as authorization identity '\(authorizationID)' (only an empty one or '\(authenticationID)' is accepted)")
    }
}

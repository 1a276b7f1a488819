/// A Kerberos principal split into components and realm, following the
/// krb5 text form: components separated by `/`, the realm after `@`, and
/// `\` escaping the next character.
public struct KerberosPrincipal: Equatable, Sendable, CustomStringConvertible {
    public var components: [String]
    /// Empty when the text named no realm.
    public var realm: String

    public init(components: [String], realm: String) {
        self.components = components
        self.realm = realm
    }

    /// Splits `text`. Throws for empty text, empty components, a second
    /// `@`, or a trailing backslash.
    public init(parsing text: String) throws(SASLError) {
        var components: [String] = []
        var current = ""
        var realm: String? = nil
        var escaped = false
        for ch in text {
            if escaped {
                if realm != nil { realm!.append(ch) } else { current.append(ch) }
                escaped = false
                continue
            }
            switch ch {
            case "\\": escaped = true
            case "/" where realm == nil:
                components.append(current)
                current = ""
            case "@":
                guard realm == nil else {
                    throw SASLError(.invalidArgument, "principal '\(text)' has more than one '@'")
                }
                components.append(current)
                current = ""
                realm = ""
            default:
                if realm != nil { realm!.append(ch) } else { current.append(ch) }
            }
        }
        guard !escaped else { throw SASLError(.invalidArgument, "principal '\(text)' ends with a backslash") }
        if realm == nil { components.append(current) }
        guard !components.isEmpty, !components.contains(where: \.isEmpty) else {
            throw SASLError(.invalidArgument, "principal '\(text)' has an empty name component")
        }
        if let realm, realm.isEmpty {
            throw SASLError(.invalidArgument, "principal '\(text)' has an empty realm after '@'")
        }
        self.components = components
        self.realm = realm ?? ""
    }

    /// Components joined by `/`, without the realm.
    public var name: String { components.joined(separator: "/") }

    public var description: String { realm.isEmpty ? name : name + "@" + realm }

    /// Parses a server principal that must be `service/host@REALM`, the
    /// form EMQX asks for ("mqtt/broker.example.com@EXAMPLE.COM").
    public static func parseService(_ text: String) throws(SASLError) -> KerberosPrincipal {
        let usage = "expected service/host@REALM, e.g. mqtt/broker.example.com@EXAMPLE.COM"
        let principal: KerberosPrincipal
        do throws(SASLError) {
            principal = try KerberosPrincipal(parsing: text)
        } catch {
            throw SASLError(.invalidArgument, "invalid server principal: \(error.message); \(usage)")
        }
        guard principal.components.count == 2 else {
            throw SASLError(.invalidArgument, "invalid server principal '\(text)': \(usage)")
        }
        guard !principal.realm.isEmpty else {
            throw SASLError(.invalidArgument, "invalid server principal '\(text)': no realm; \(usage)")
        }
        return principal
    }
}

/// Cyrus SASL's rules for the identities a GSSAPI server reports.
public enum SASLIdentity {
    /// The authentication identity Cyrus derives from the client principal:
    /// the name without the realm when the realm is the server's default
    /// realm, the full principal otherwise.
    public static func authenticationID(principal: String, defaultRealm: String?) -> String {
        guard let parsed = try? KerberosPrincipal(parsing: principal) else { return principal }
        if let defaultRealm, !defaultRealm.isEmpty, PrincipalName.sameBytes(parsed.realm, defaultRealm) {
            return escapedName(parsed)
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

    private static func escapedName(_ principal: KerberosPrincipal) -> String {
        principal.components.map { component in
            var out = ""
            for ch in component {
                if ch == "/" || ch == "@" || ch == "\\" { out.append("\\") }
                out.append(ch)
            }
            return out
        }.joined(separator: "/")
    }
}

// SPDX-License-Identifier: MIT
/// A Kerberos principal split into components and realm, read and written
/// in the krb5 text form exactly as MIT's `krb5_parse_name` and
/// `krb5_unparse_name` (and so `gss_display_name`) do.
///
/// The text form, byte by byte: `/` separates components, the first `@`
/// starts the realm, and `\` takes the next byte as it is, except `\n`,
/// `\t`, `\b` and `\0`, which stand for newline, tab, backspace and NUL.
/// So `bo\b@R` is the component "bo" + U+0008, not "bob", and `a\/b@R`
/// has one component "a/b". Writing quotes `/`, `@`, `\` and those four
/// control characters again, so `KerberosPrincipal(parsing: p.description)`
/// gives back `p`.
///
/// Components and realm compare as bytes (`==`), never as canonically
/// equivalent Strings.
public struct KerberosPrincipal: Equatable, Sendable, CustomStringConvertible {
    public var components: [String]
    /// Empty when the text named no realm.
    public var realm: String

    public init(components: [String], realm: String) {
        self.components = components
        self.realm = realm
    }

    /// Splits `text` as MIT's krb5_parse_name does. Throws where MIT does
    /// (a trailing backslash, a second `@`, a `/` in the realm) and also,
    /// being stricter, for empty text, an empty component or an empty realm
    /// after `@`.
    public init(parsing text: String) throws(SASLError) {
        func malformed(_ why: String) -> SASLError {
            SASLError(.invalidArgument, "principal '\(text)' \(why)")
        }
        var fields: [[UInt8]] = [[]]
        var inRealm = false
        var bytes = text.utf8.makeIterator()
        while let byte = bytes.next() {
            switch byte {
            case UInt8(ascii: "\\"):
                guard let next = bytes.next() else { throw malformed("ends with a backslash") }
                fields[fields.count - 1].append(Self.unquoted(next))
            case UInt8(ascii: "/"):
                guard !inRealm else { throw malformed("has an unquoted '/' in its realm") }
                fields.append([])
            case UInt8(ascii: "@"):
                guard !inRealm else { throw malformed("has more than one '@'") }
                inRealm = true
                fields.append([])
            default:
                fields[fields.count - 1].append(byte)
            }
        }
        let realmBytes = inRealm ? fields.removeLast() : []
        guard !fields.contains(where: \.isEmpty) else { throw malformed("has an empty name component") }
        if inRealm && realmBytes.isEmpty { throw malformed("has an empty realm after '@'") }
        // A quoted byte is ASCII or the lead byte of a character whose
        // other bytes follow unquoted, so every field is still UTF-8.
        var components: [String] = []
        for field in fields {
            guard let component = String(validating: field, as: UTF8.self) else { throw malformed("is not UTF-8") }
            components.append(component)
        }
        guard let realm = String(validating: realmBytes, as: UTF8.self) else { throw malformed("is not UTF-8") }
        self.components = components
        self.realm = realm
    }

    /// The byte a backslash followed by `byte` stands for.
    private static func unquoted(_ byte: UInt8) -> UInt8 {
        switch byte {
        case UInt8(ascii: "n"): 0x0A
        case UInt8(ascii: "t"): 0x09
        case UInt8(ascii: "b"): 0x08
        case UInt8(ascii: "0"): 0x00
        default: byte
        }
    }

    /// `field` quoted as krb5_unparse_name quotes a component or the realm.
    static func quoted(_ field: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(field.utf8.count)
        for byte in field.utf8 {
            switch byte {
            case UInt8(ascii: "/"), UInt8(ascii: "@"), UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), byte]
            case 0x0A: out += Array(#"\n"#.utf8)
            case 0x09: out += Array(#"\t"#.utf8)
            case 0x08: out += Array(#"\b"#.utf8)
            case 0x00: out += Array(#"\0"#.utf8)
            default: out.append(byte)
            }
        }
        // Only ASCII bytes were inserted: still UTF-8.
        return String(decoding: out, as: UTF8.self)
    }

    /// The components in the text form, without the realm (`a\/b/host`).
    public var name: String { components.map(Self.quoted).joined(separator: "/") }

    /// The whole text form, the realm quoted too (`a\/b/host@REALM`).
    public var description: String { realm.isEmpty ? name : name + "@" + Self.quoted(realm) }

    /// The first control character (Unicode category Cc: U+0000-U+001F,
    /// U+007F-U+009F) in a component or the realm, e.g. the backspace of
    /// `bo\b@R`; nil when there is none.
    public var controlCharacter: Unicode.Scalar? {
        for field in components + [realm] {
            if let scalar = Self.controlCharacter(in: field) { return scalar }
        }
        return nil
    }

    static func controlCharacter(in text: String) -> Unicode.Scalar? {
        text.unicodeScalars.first { $0.properties.generalCategory == .control }
    }

    /// Byte for byte: NFC and NFD spellings are different principals.
    public static func == (a: KerberosPrincipal, b: KerberosPrincipal) -> Bool {
        a.components.count == b.components.count
            && zip(a.components, b.components).allSatisfy { PrincipalName.sameBytes($0, $1) }
            && PrincipalName.sameBytes(a.realm, b.realm)
    }

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

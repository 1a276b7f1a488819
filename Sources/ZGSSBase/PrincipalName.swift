// SPDX-License-Identifier: MIT
/// A Kerberos principal name, or a username mapped from one, compared
/// byte for byte.
///
/// Swift's `String ==` compares by Unicode canonical equivalence: the NFC
/// `jos\u{E9}` equals the NFD `jose\u{301}`, and KELVIN SIGN `\u{212A}ALLE`
/// equals `KALLE`. Kerberos compares names as octets, so those are distinct
/// principals with keys of their own, and an allowlist compared as Strings
/// admits one in place of the other. Every authorization decision compares
/// `PrincipalName`s (or the bytes of Strings), never Strings.
///
/// The bytes are always valid UTF-8: they come from a `String`. Names that
/// arrive as bytes are validated where they become Strings (option values,
/// `gss_display_name` output), and refused there when they are not UTF-8.
public struct PrincipalName: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The UTF-8 bytes of the name, exactly as given (not normalized).
    public let bytes: [UInt8]

    public init(_ text: String) {
        bytes = Array(text.utf8)
    }

    public init(stringLiteral text: String) {
        self.init(text)
    }

    /// The name as text; its `utf8` view gives back `bytes`.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    public var description: String { text }

    /// Whether two Strings hold the same bytes (Swift's `==` would also call
    /// canonically equivalent ones equal).
    public static func sameBytes(_ a: String, _ b: String) -> Bool {
        a.utf8.elementsEqual(b.utf8)
    }

    /// `sameBytes` for optional Strings: nil equals only nil.
    public static func sameBytes(_ a: String?, _ b: String?) -> Bool {
        switch (a, b) {
        case (nil, nil): true
        case let (a?, b?): sameBytes(a, b)
        default: false
        }
    }
}

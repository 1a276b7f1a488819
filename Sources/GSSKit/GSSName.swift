// SPDX-License-Identifier: MIT
internal import CGSSAPI

/// How a name string is to be read, numbered as ZMQ_GSSAPI_NT_* in zmq.h.
public enum GSSNameType: Int32, Sendable, CaseIterable {
    /// `service@host`, e.g. `zmq@localhost` → `zmq/localhost@REALM`.
    case hostbasedService = 0
    /// A user name, e.g. `alice` or `alice@EXAMPLE.TEST`.
    case userName = 1
    /// A Kerberos principal, e.g. `zmq/localhost@EXAMPLE.TEST`.
    case krb5Principal = 2

    var oid: gss_OID {
        switch self {
        case .hostbasedService: cgss_nt_hostbased_service()
        case .userName: cgss_nt_user_name()
        case .krb5Principal: cgss_nt_krb5_principal()
        }
    }
}

/// An imported GSS name. Owns its handle.
public final class GSSName {
    let handle: gss_name_t

    /// Imports `text` as a name of `type`. A string with a NUL inside, or one
    /// the mechanism cannot parse, throws.
    public convenience init(_ text: String, type: GSSNameType) throws {
        try self.init(bytes: Array(text.utf8), type: type)
    }

    /// Imports a name given as bytes (Kerberos names are octets, not
    /// necessarily UTF-8). Empty bytes, a NUL inside, or a name the
    /// mechanism cannot parse throws.
    public init(bytes: [UInt8], type: GSSNameType) throws {
        KerberosTeardown.install()
        guard !bytes.isEmpty, !bytes.contains(0) else {
            throw GSSError("gss_import_name", reason: "invalid name \"\(Self.printable(bytes))\"")
        }
        var minor: OM_uint32 = 0
        var name: gss_name_t? = nil
        let major = GSSBuffers.withInput(bytes) { buffer in
            gss_import_name(&minor, &buffer, type.oid, &name)
        }
        guard cgss_is_error(major) == 0, let name else {
            throw GSSError("gss_import_name(\(Self.printable(bytes)))", major: major, minor: minor)
        }
        self.handle = name
    }

    /// Takes ownership of a name returned by the library.
    init(taking handle: gss_name_t) {
        KerberosTeardown.install()
        self.handle = handle
    }

    deinit {
        var minor: OM_uint32 = 0
        var name: gss_name_t? = handle
        KerberosTeardown.run { gss_release_name(&minor, &name) }
    }

    /// The printable form, e.g. `alice@EXAMPLE.TEST`, with exactly the
    /// bytes Kerberos gave. A name that is not UTF-8 (Kerberos names are
    /// octets) or has a NUL inside throws: repairing it into a String would
    /// turn distinct names into one (`caf\xE9` and `caf\xE8` both into
    /// `caf\u{FFFD}`), and names are compared to decide who gets in.
    public func displayName() throws -> String {
        var minor: OM_uint32 = 0
        var buffer = gss_buffer_desc()
        let major = gss_display_name(&minor, handle, &buffer, nil)
        guard cgss_is_error(major) == 0 else {
            throw GSSError("gss_display_name", major: major, minor: minor)
        }
        var bytes = GSSBuffers.take(&buffer)[...]
        while bytes.last == 0 { bytes = bytes.dropLast() }
        guard !bytes.contains(0), let text = String(validating: bytes, as: UTF8.self) else {
            throw GSSError("gss_display_name", reason: "the name \"\(Self.printable(bytes))\" is not valid UTF-8; "
                           + "zgss refuses such names rather than guess which principal is meant")
        }
        return text
    }

    /// `bytes` for an error message: the text when it is UTF-8 without
    /// control characters, else with every byte that is not printable ASCII
    /// shown as `\xNN`.
    static func printable(_ bytes: some Collection<UInt8>) -> String {
        if let text = String(validating: bytes, as: UTF8.self),
           !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return text
        }
        let digits = Array("0123456789ABCDEF")
        var out = ""
        for byte in bytes {
            if byte >= 0x20 && byte < 0x7F && byte != UInt8(ascii: "\\") {
                out.append(Character(Unicode.Scalar(byte)))
            } else {
                out += "\\x" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0xF)])
            }
        }
        return out
    }

    /// The name canonicalised for Kerberos and displayed, e.g.
    /// `zmq@localhost` (hostbased) → `zmq/localhost@EXAMPLE.TEST`.
    public func canonicalName() throws -> String {
        var minor: OM_uint32 = 0
        var canonical: gss_name_t? = nil
        let major = gss_canonicalize_name(&minor, handle, cgss_mech_krb5(), &canonical)
        guard cgss_is_error(major) == 0, let canonical else {
            throw GSSError("gss_canonicalize_name", major: major, minor: minor)
        }
        return try GSSName(taking: canonical).displayName()
    }
}

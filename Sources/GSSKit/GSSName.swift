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
    public init(_ text: String, type: GSSNameType) throws {
        KerberosTeardown.install()
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, !bytes.contains(0) else {
            throw GSSError("gss_import_name", reason: "invalid name \"\(text)\"")
        }
        var minor: OM_uint32 = 0
        var name: gss_name_t? = nil
        let major = GSSBuffers.withInput(bytes) { buffer in
            gss_import_name(&minor, &buffer, type.oid, &name)
        }
        guard cgss_is_error(major) == 0, let name else {
            throw GSSError("gss_import_name(\(text))", major: major, minor: minor)
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

    /// The printable form, e.g. `alice@EXAMPLE.TEST`.
    public func displayName() throws -> String {
        var minor: OM_uint32 = 0
        var buffer = gss_buffer_desc()
        let major = gss_display_name(&minor, handle, &buffer, nil)
        guard cgss_is_error(major) == 0 else {
            throw GSSError("gss_display_name", major: major, minor: minor)
        }
        let text = GSSBuffers.string(from: buffer)
        GSSBuffers.release(&buffer)
        return text
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

// SPDX-License-Identifier: MIT
internal import CGSSAPI

/// A failed GSS-API call: which call, the major and minor status codes, and
/// the text MIT krb5 gives for both (the minor text carries the Kerberos
/// reason, such as "Cannot contact any KDC for realm 'EXAMPLE.TEST'").
public struct GSSError: Error, CustomStringConvertible, Sendable {
    public let operation: String
    public let major: UInt32
    public let minor: UInt32
    public let majorText: String
    public let minorText: String

    init(_ operation: String, major: OM_uint32, minor: OM_uint32) {
        self.operation = operation
        self.major = major
        self.minor = minor
        self.majorText = GSSError.statusText(major, type: cgss_c_gss_code())
        // A minor code can render as "Success" (an errno of 0 kept by the
        // library): that says nothing, so the major text is used instead.
        let minorText = minor == 0 ? "" : GSSError.statusText(minor, type: cgss_c_mech_code())
        self.minorText = minorText == "Success" ? "" : minorText
    }

    /// An error raised by this wrapper itself (e.g. a name with a NUL).
    init(_ operation: String, reason: String) {
        self.operation = operation
        self.major = 0
        self.minor = 0
        self.majorText = reason
        self.minorText = ""
    }

    /// The Kerberos reason when there is one, else the GSS text.
    public var reason: String {
        minorText.isEmpty ? majorText : minorText
    }

    public var isContextExpired: Bool {
        cgss_routine_error(major) == cgss_s_context_expired()
            || cgss_routine_error(major) == cgss_s_credentials_expired()
    }

    /// Whether the credential itself was refused (none usable, expired,
    /// or its cache now holds another principal): acquiring it again may
    /// help, unlike a refusal by the KDC or the peer.
    public var isCredentialProblem: Bool {
        let routine = cgss_routine_error(major)
        return routine == cgss_s_no_cred() || routine == cgss_s_defective_credential()
            || routine == cgss_s_credentials_expired() || isTicketExpired
    }

    /// Whether Kerberos called a ticket expired ("Ticket expired"): on a
    /// client's first step, its own tickets ended (libkrb5 reports that
    /// as a general failure, not as expired credentials).
    public var isTicketExpired: Bool {
        Int32(bitPattern: minor) == Int32(truncatingIfNeeded: KRB5KRB_AP_ERR_TKT_EXPIRED)
    }

    public var description: String {
        if minorText.isEmpty || minorText == majorText {
            return "\(operation): \(majorText)"
        }
        return "\(operation): \(minorText) (\(majorText))"
    }

    private static func statusText(_ code: OM_uint32, type: OM_uint32) -> String {
        var parts: [String] = []
        var messageContext: OM_uint32 = 0
        var mech = cgss_mech_krb5().pointee
        repeat {
            var minor: OM_uint32 = 0
            var buffer = gss_buffer_desc()
            let major = gss_display_status(&minor, code, Int32(type), &mech, &messageContext, &buffer)
            if cgss_is_error(major) != 0 { break }
            parts.append(GSSBuffers.string(from: buffer))
            GSSBuffers.release(&buffer)
        } while messageContext != 0 && parts.count < 8
        let joined = parts.joined(separator: "; ")
        return joined.isEmpty ? "status 0x\(String(code, radix: 16))" : joined
    }
}

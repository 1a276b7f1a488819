// SPDX-License-Identifier: MIT
internal import CGSSAPI

/// One libkrb5 context, owned. The in-memory Kerberos stores below keep
/// one open for as long as they live: libkrb5 drops its parsed krb5.conf
/// when the last context closes, so an open context also spares every GSS
/// call (each makes a context of its own) a fresh read of the file.
final class KerberosContext {
    let raw: krb5_context

    /// Nil when libkrb5 cannot start (an unreadable krb5.conf).
    init?() {
        KerberosTeardown.install()
        var context: krb5_context? = nil
        guard krb5_init_context(&context) == 0, let context else { return nil }
        raw = context
    }

    deinit {
        KerberosTeardown.run { krb5_free_context(raw) }
    }

    /// libkrb5's text for `code`, as a GSSError of `operation`.
    func error(_ operation: String, _ code: krb5_error_code) -> GSSError {
        guard let message = krb5_get_error_message(raw, code) else {
            return GSSError(operation, reason: "Kerberos error \(code)")
        }
        defer { krb5_free_error_message(raw, message) }
        return GSSError(operation, reason: String(cString: message))
    }

    /// libkrb5's text for `code` in `context` (any context: the text
    /// depends on the code and on what the failing call left there).
    static func text(_ context: krb5_context, _ code: krb5_error_code) -> String {
        guard let message = krb5_get_error_message(context, code) else { return "Kerberos error \(code)" }
        defer { krb5_free_error_message(context, message) }
        return String(cString: message)
    }

    /// The printable form of `principal` (`alice@EXAMPLE.TEST`).
    func display(_ principal: krb5_principal) -> String? {
        var text: UnsafeMutablePointer<CChar>? = nil
        guard krb5_unparse_name(raw, principal, &text) == 0, let text else { return nil }
        defer { krb5_free_unparsed_name(raw, text) }
        return String(cString: text)
    }
}

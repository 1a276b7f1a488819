// SPDX-License-Identifier: MIT
import Glibc

/// Whether a client starts its Kerberos contexts on libkrb5 directly
/// (GSSKit's DirectInitiator: one long-lived libkrb5 context, the same
/// tokens) where it can, or always through MIT's GSS-API. The tokens and
/// the keys are the same either way; the direct route spares the
/// per-call libkrb5 set-up of gss_init_sec_context and the name queries.
///
/// `ZGSS_HANDSHAKE=gssapi` in the environment keeps MIT's GSS-API for
/// every handshake (read once, at first use). Any other value, or none,
/// allows the direct route.
enum DirectHandshake {
    static let allowed: Bool = {
        guard let value = getenv("ZGSS_HANDSHAKE") else { return true }
        return String(cString: value) != "gssapi"
    }()
}

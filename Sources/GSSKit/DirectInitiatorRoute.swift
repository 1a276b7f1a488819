// SPDX-License-Identifier: MIT
internal import CGSSAPI
internal import ZGSSBase
import KerberosCrypto

/// What a Kerberos client needs to start security contexts on libkrb5
/// directly (see DirectInitiator), made once per client credential and
/// shared by its connections: one libkrb5 context kept open, the ticket
/// cache the credential reads, the client principal in it, and the
/// service principal as MIT's gss_import_name would make it.
///
/// Why: every GSS-API call makes and frees a libkrb5 context of its own
/// (a stat and an access of krb5.conf each, about 4 µs), thirteen per
/// handshake with both sides on MIT's GSS-API, six of them the client's.
///
/// Thread-safe: a libkrb5 context must not be used by two threads at
/// once, so every use goes through `withContext`.
public final class DirectInitiatorRoute: @unchecked Sendable {
    private let kerberos: KerberosContext
    private let lock = Lock()
    private let cache: krb5_ccache
    private let client: krb5_principal
    private let server: krb5_principal
    /// The service principal as text, what the GSS path reports as the
    /// peer (MIT's inquired target name is the imported name).
    public let serverName: String

    /// The route for a client whose tickets are in `cacheName` (nil: the
    /// default cache) towards `service` read as `type`, or nil when the
    /// route would not take the cache MIT's GSS-API takes: a cache type
    /// with a collection (MIT then picks a cache per service), an empty
    /// cache, or a name libkrb5 cannot make. The GSS path serves those.
    public init?(cacheName: String?, service: String, type: GSSNameType) {
        KerberosTeardown.install()
        guard let kerberos = KerberosContext() else { return nil }
        var cache: krb5_ccache? = nil
        let opened = cacheName.map { krb5_cc_resolve(kerberos.raw, $0, &cache) } ?? krb5_cc_default(kerberos.raw, &cache)
        guard opened == 0, let cache else { return nil }
        var client: krb5_principal? = nil
        guard krb5_cc_support_switch(kerberos.raw, krb5_cc_get_type(kerberos.raw, cache)) == 0,
              krb5_cc_get_principal(kerberos.raw, cache, &client) == 0, let client else {
            krb5_cc_close(kerberos.raw, cache)
            return nil
        }
        guard Self.requestOnlyImplementedEnctypes(kerberos.raw),
              let server = Self.servicePrincipal(service, type: type, kerberos: kerberos),
              let serverName = kerberos.display(server) else {
            krb5_free_principal(kerberos.raw, client)
            krb5_cc_close(kerberos.raw, cache)
            return nil
        }
        self.kerberos = kerberos
        self.cache = cache
        self.client = client
        self.server = server
        self.serverName = serverName
    }

    deinit {
        KerberosTeardown.run {
            krb5_free_principal(kerberos.raw, server)
            krb5_free_principal(kerberos.raw, client)
            krb5_cc_close(kerberos.raw, cache)
        }
    }

    /// The principal gss_import_name makes of `service`: a hostbased
    /// `service@host` (no `@`: the local host) through
    /// krb5_sname_to_principal, anything else parsed as a principal.
    private static func servicePrincipal(_ service: String, type: GSSNameType,
                                         kerberos: KerberosContext) -> krb5_principal? {
        guard !service.isEmpty, !service.utf8.contains(0) else { return nil }
        var principal: krb5_principal? = nil
        let code: krb5_error_code
        switch type {
        case .hostbasedService:
            let parts = service.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = parts.first, !name.isEmpty else { return nil }
            let host = parts.count > 1 ? String(parts[1]) : nil
            code = host.map { krb5_sname_to_principal(kerberos.raw, $0, String(name), KRB5_NT_SRV_HST, &principal) }
                ?? krb5_sname_to_principal(kerberos.raw, nil, String(name), KRB5_NT_SRV_HST, &principal)
        case .userName, .krb5Principal:
            code = krb5_parse_name(kerberos.raw, service, &principal)
        }
        return code == 0 ? principal : nil
    }

    /// The RFC 4537 enctype list a client sends (when it prefers another
    /// enctype to its ticket's) lets the server choose its subkey's
    /// enctype, which then protects the messages. MIT's initiator sends
    /// its configured list; this route's context sends the same list with
    /// the enctypes KerberosCrypto lacks left out (camellia, des3, rc4), so
    /// a server cannot choose one the route could not use. In a realm that
    /// prefers the SHA-2 enctypes to its service keys' SHA-1 one, the
    /// server still chooses SHA-2, as it would for MIT's initiator.
    /// False: no such enctype is permitted at all.
    private static func requestOnlyImplementedEnctypes(_ context: krb5_context) -> Bool {
        var permittedOut: UnsafeMutablePointer<krb5_enctype>? = nil
        guard krb5_get_permitted_enctypes(context, &permittedOut) == 0, let permitted = permittedOut else { return false }
        var list: [krb5_enctype] = []
        var i = 0
        while permitted[i] != 0 {
            if Enctype(rawValue: permitted[i]) != nil { list.append(permitted[i]) }
            i += 1
        }
        krb5_free_enctypes(context, permitted)
        return setRequestedEnctypes(context, list)
    }

    private static func setRequestedEnctypes(_ context: krb5_context, _ list: [krb5_enctype]) -> Bool {
        guard !list.isEmpty else { return false }
        return krb5_set_default_tgs_enctypes(context, list + [0]) == 0
    }

    /// Tests: the enctype list this route's requests offer the server.
    func requestEnctypes(_ list: [Int32]) -> Bool {
        withContext { context, _, _, _ in Self.setRequestedEnctypes(context, list.map { krb5_enctype($0) }) }
    }

    /// Runs `body` with the route's context, cache and principals, alone.
    func withContext<R>(_ body: (_ context: krb5_context, _ cache: krb5_ccache, _ client: krb5_principal,
                                 _ server: krb5_principal) -> R) -> R {
        lock.withLock { () -> R in body(kerberos.raw, cache, client, server) }
    }
}

// SPDX-License-Identifier: MIT
import ZGSSBase
import GSSKit

/// A frozen set of GSSAPI options plus the credentials they name, acquired
/// once and shared by every connection made with it (libzmq acquires them
/// again for each connection); a client's are acquired again once half of
/// their tickets' lifetime has passed. A server acquires acceptor
/// credentials only, a client initiator credentials only.
///
/// Safe to share between threads: the credential is created under a lock,
/// and MIT krb5 locks its credential records internally.
public final class SecurityConfiguration: Sendable {
    public let options: GSSAPIOptions
    private let cache = PthreadMutex<CachedCredential>(CachedCredential())

    public init(options: GSSAPIOptions) {
        self.options = options
    }

    /// The credential for this side, acquired on first use. A failure is not
    /// cached: a later connection tries again (the keytab may appear).
    /// Returns nil when the defaults (environment) are to be used as they
    /// are and cannot be acquired ahead: a server whose keytab cannot be
    /// copied, or a client with no usable default credential (libkrb5 then
    /// reports why on each connection), when no principal or store option
    /// is set.
    ///
    /// Where it can, the credential reads in-memory copies instead of
    /// files: a server's keytab is snapshotted (and copied again when the
    /// file changes, checked with one stat per call); a client with a
    /// client keytab keeps its tickets in a private memory cache.
    ///
    /// A client credential is replaced once half of its ticket lifetime has
    /// passed (see CredentialLifetime), so a long-lived configuration never
    /// hands out expired tickets. Getting tickets from a client keytab asks
    /// the KDC and may block; after a failure it is not asked again before
    /// a short delay (see AcquisitionBackoff), and the failure, with the
    /// KDC's reason, is what callers get meanwhile.
    public func credential() throws(ZGSSError) -> SharedCredential? {
        let result: Result<SharedCredential?, ZGSSError> = cache.withLock { cached in
            options.isServer ? serverCredential(&cached) : clientCredential(&cached)
        }
        return try result.get()
    }

    private func serverCredential(_ cached: inout CachedCredential) -> Result<SharedCredential?, ZGSSError> {
        if let credential = cached.credential {
            guard let snapshot = cached.snapshot, !snapshot.isCurrent() else { return .success(credential) }
            // The keytab file changed (key rotation): copy it again.
            cached.credential = nil
            cached.snapshot = nil
        }
        if let fast = snapshotAcceptor() {
            cached.credential = fast.credential
            cached.snapshot = fast.snapshot
            return .success(fast.credential)
        }
        guard options.principal != nil || !options.store.isEmpty else { return .success(nil) }
        do {
            let name = try options.principal.map { try GSSName($0, type: options.principalNameType) }
            let credential = SharedCredential(try GSSCredential(name: name, usage: .accept, store: options.store))
            cached.credential = credential
            return .success(credential)
        } catch {
            return .failure(describeAcquisition(error))
        }
    }

    /// The cached client credential while less than half of its lifetime
    /// has passed; else a new one, or the old one while it is still valid
    /// and no new one can be had yet (the KDC is down, say).
    private func clientCredential(_ cached: inout CachedCredential) -> Result<SharedCredential?, ZGSSError> {
        let now = CredentialLifetime.now()
        var stillValid: SharedCredential? = nil
        if let current = cached.credential {
            guard let lifetime = current.lifetime, lifetime.isRenewalDue(at: now) else { return .success(current) }
            if !lifetime.isExpired(at: now) { stillValid = current }
        }
        let clock = AcquisitionBackoff.now()
        if let refusal = cached.backoff.refusal(at: clock) {
            if let stillValid { return .success(stillValid) }
            cached.credential = nil
            return .failure(refusal)
        }
        let attempt = freshClientCredential(now: now)
        switch attempt.result {
        case .success(let fresh?):
            cached.backoff.succeeded()
            cached.credential = fresh
            return .success(fresh)
        case .success(nil):
            cached.backoff.succeeded()
        case .failure(let error):
            if attempt.asksKDC { cached.backoff.failed(error, at: clock) }
        }
        if let stillValid { return .success(stillValid) }
        cached.credential = nil
        return attempt.result
    }

    /// A new client credential. `asksKDC`: getting it may have needed the
    /// KDC, so a failure is not retried at once. Past `keytabLogin`, that
    /// is when a client keytab is named, or a ccache option sits beside a
    /// default client keytab (libkrb5 fills the cache from it); a default
    /// client keytab without the principal's keys is no use to libkrb5.
    private func freshClientCredential(now: Int) -> (result: Result<SharedCredential?, ZGSSError>, asksKDC: Bool) {
        if let login = keytabLogin() {
            do {
                let credential = try GSSCredential(initiatingAs: login.name, clientKeytab: login.keytab,
                                                   cache: MemoryCredentialCache())
                return (shared(credential, remaining: try credential.secondsRemaining(), now: now,
                               cache: credential.memoryStoreName.map(DirectRouteCache.named)), true)
            } catch {
                let reason = (error as? GSSError)?.reason ?? "\(error)"
                let failure = ZGSSError(.gss, "cannot acquire initiator credentials for \"\(login.principal)\" "
                                        + "with the client keytab \(login.keytab): \(reason)")
                // No fallback to a credential libkrb5 would resolve later
                // (a failed resolution leaves it broken for good), except to
                // tickets that a kinit for the same principal left in the
                // default cache, while they last.
                if KerberosDefaults.defaultCachePrincipal() == login.principal,
                   let cached = try? GSSCredential(name: nil, usage: .initiate),
                   let remaining = try? cached.secondsRemaining(), remaining != 0 {
                    return (shared(cached, remaining: remaining, now: now), true)
                }
                return (.failure(failure), true)
            }
        }
        let asksKDC = options.store.clientKeytab != nil
            || (options.store.ccache != nil && KerberosDefaults.clientKeytabName() != nil)
        guard options.principal != nil || !options.store.isEmpty else {
            // A client on a kinit'ed cache: resolving the default
            // principal once, not per connection, still pays. If that
            // fails, each connection asks libkrb5 itself, as before.
            guard let plain = try? GSSCredential(name: nil, usage: .initiate),
                  let remaining = try? plain.secondsRemaining() else { return (.success(nil), asksKDC) }
            return (shared(plain, remaining: remaining, now: now, cache: .defaultCache), asksKDC)
        }
        do {
            let name = try options.principal.map { try GSSName($0, type: options.principalNameType) }
            let credential = try GSSCredential(name: name, usage: .initiate, store: options.store)
            // With a principal option MIT picks the cache that holds it
            // (krb5_cc_cache_match): only MIT's path does that.
            let cache = options.principal == nil ? options.store.ccache.map(DirectRouteCache.named) : nil
            return (shared(credential, remaining: try credential.secondsRemaining(), now: now, cache: cache), asksKDC)
        } catch {
            return (.failure(describeAcquisition(error)), asksKDC)
        }
    }

    /// Which ticket cache a client credential reads, for its direct route.
    private enum DirectRouteCache {
        case defaultCache
        case named(String)

        /// The name DirectInitiatorRoute takes (nil: the default cache).
        var name: String? {
            switch self {
            case .defaultCache: nil
            case .named(let name): name
            }
        }
    }

    /// `credential` with its lifetime, or why it cannot serve (no time
    /// left); with a direct route when the tickets are in `cache` and the
    /// route can be made (see DirectInitiatorRoute).
    private func shared(_ credential: GSSCredential, remaining: UInt32?, now: Int,
                        cache: DirectRouteCache? = nil) -> Result<SharedCredential?, ZGSSError> {
        if remaining == 0 { return .failure(ZGSSError(.gss, expiredTicketsText())) }
        let lifetime = remaining.map { CredentialLifetime(acquired: now, secondsRemaining: $0) }
        var route: DirectInitiatorRoute? = nil
        if DirectHandshake.allowed, let cache, let service = options.servicePrincipal {
            route = DirectInitiatorRoute(cacheName: cache.name, service: service, type: options.servicePrincipalNameType)
        }
        return .success(SharedCredential(credential, lifetime: lifetime, directRoute: route))
    }

    /// Forgets `credential` when it is still the cached one, after libkrb5
    /// refused it (e.g. the cache now holds another principal after a new
    /// kinit): the next `credential()` acquires afresh.
    func credentialRefused(_ credential: SharedCredential) {
        cache.withLock { cached in
            if cached.credential === credential {
                cached.credential = nil
                cached.snapshot = nil
            }
        }
    }

    /// A server credential over an in-memory copy of its keytab file, or
    /// nil when there is no readable file keytab with keys (the caller
    /// then goes the plain way and libkrb5 explains what is wrong).
    private func snapshotAcceptor() -> (credential: SharedCredential, snapshot: KeytabSnapshot?)? {
        let keytab = options.store.keytab ?? KerberosDefaults.defaultKeytabName()
        do {
            let snapshot = try KeytabSnapshot(copying: keytab)
            let name = try options.principal.map { try GSSName($0, type: options.principalNameType) }
            let credential = try GSSCredential(acceptingAs: name, snapshot: snapshot)
            return (SharedCredential(credential), snapshot)
        } catch {
            return nil
        }
    }

    /// The principal and client keytab to get tickets with into a private
    /// memory cache: only when the principal this side would use anyway
    /// (the option, else the default cache's, else the client keytab's
    /// first) has keys in that keytab and no ccache option names another
    /// cache; nil otherwise (the plain way). Asks no KDC. `name` is the
    /// option as imported, not its canonical text parsed again: a hostbased
    /// name whose host maps to no realm only matches keys as imported.
    private func keytabLogin() -> (principal: String, name: GSSName, keytab: String)? {
        guard options.store.ccache == nil,
              let keytab = options.store.clientKeytab ?? KerberosDefaults.clientKeytabName() else { return nil }
        let principal: String?
        let name: GSSName?
        if let option = options.principal {
            name = try? GSSName(option, type: options.principalNameType)
            principal = try? name?.canonicalName()
        } else {
            principal = KerberosDefaults.defaultCachePrincipal() ?? KerberosDefaults.firstPrincipal(inKeytab: keytab)
            name = principal.flatMap { try? GSSName($0, type: .krb5Principal) }
        }
        guard let principal, let name, (try? KerberosDefaults.checkKeytab(keytab, holds: principal)) != nil else {
            return nil
        }
        return (principal, name, keytab)
    }

    /// The service principal a client authenticates to, imported once.
    func targetName() throws(ZGSSError) -> GSSName {
        guard let service = options.servicePrincipal else {
            throw ZGSSError(.invalidArgument, "a GSSAPI client needs ZMQ_GSSAPI_SERVICE_PRINCIPAL")
        }
        let result: Result<GSSName, ZGSSError> = cache.withLock { cached in
            if let target = cached.target { return .success(target.name) }
            do {
                let name = try GSSName(service, type: options.servicePrincipalNameType)
                cached.target = SharedName(name)
                return .success(name)
            } catch {
                return .failure(ZGSSError(.gss, "cannot use service principal \"\(service)\": \(error)"))
            }
        }
        return try result.get()
    }

    private func describeAcquisition(_ error: any Error) -> ZGSSError {
        guard let error = error as? GSSError else { return ZGSSError(.gss, "\(error)") }
        return ZGSSError(.gss, Self.describe(error, options: options))
    }

    /// Why a client credential has no time left, naming the cache, its
    /// principal and what would help.
    private func expiredTicketsText() -> String {
        let summary = CredentialCacheSummary(options.store.ccache)
        let who = summary?.principal ?? options.principal ?? "the default principal"
        var text = "Ticket expired: the Kerberos tickets of \(who)"
        if let summary { text += " in \(summary.name)" }
        text += summary?.ticketsEnd.map { " ended at \(CredentialLifetime.text($0))" } ?? " have expired"
        let keytab = options.store.clientKeytab ?? KerberosDefaults.clientKeytabName()
        if let keytab, (try? KerberosDefaults.checkKeytab(keytab, holds: who)) != nil {
            return text + ", and libkrb5 could not get new ones with the client keytab \(keytab) "
                + "(kinit -k -t \(keytab) \(who) shows why)"
        }
        return text + ", and no client keytab holds keys for \(who) to get new ones: run kinit again, "
            + "or give this client a keytab (ZGSS_CLIENT_KEYTAB or KRB5_CLIENT_KTNAME)"
    }

    static func describe(_ error: GSSError, options: GSSAPIOptions) -> String {
        let who = options.principal.map { "\"\($0)\"" } ?? "the default principal"
        let role = options.isServer ? "acceptor" : "initiator"
        var text = "cannot acquire \(role) credentials for \(who): \(error.reason)"
        if let keytab = options.isServer ? options.store.keytab : options.store.clientKeytab {
            // libkrb5's own word on the file ("Key table file '...' not
            // found", "Permission denied"), when it has one.
            var problem = ""
            do { try KerberosDefaults.checkKeytab(keytab, holds: nil) } catch let error as GSSError {
                problem = ": \(error.reason)"
            } catch {
                problem = ": \(error)"
            }
            text += " (keytab \(keytab)\(problem))"
        }
        return text
    }
}

/// A credential shared between connections (see SecurityConfiguration).
public final class SharedCredential: @unchecked Sendable {
    // MIT krb5 guards each credential record with its own mutex, so using
    // one credential from several threads is safe; nothing here mutates it.
    let credential: GSSCredential
    /// When its tickets end; nil for acceptors (they have none).
    let lifetime: CredentialLifetime?
    /// A client's way to start contexts on libkrb5 directly (see
    /// DirectInitiator); nil: MIT's GSS-API only.
    let directRoute: DirectInitiatorRoute?
    init(_ credential: GSSCredential, lifetime: CredentialLifetime? = nil, directRoute: DirectInitiatorRoute? = nil) {
        self.credential = credential
        self.lifetime = lifetime
        self.directRoute = directRoute
    }

    public var principal: String? { credential.principal() }
    /// The private memory cache or keytab copy it reads, if any.
    public var memoryStoreName: String? { credential.memoryStoreName }
}

/// An imported name shared between connections: MIT krb5 never changes
/// a name after import, so reading it from several threads is safe.
final class SharedName: @unchecked Sendable {
    let name: GSSName
    init(_ name: GSSName) { self.name = name }
}

struct CachedCredential: ~Copyable {
    var credential: SharedCredential?
    /// The keytab copy a server credential reads, checked for changes.
    var snapshot: KeytabSnapshot?
    var target: SharedName?
    /// Spacing of client attempts after a failure that may involve the KDC.
    var backoff = AcquisitionBackoff()
}

import ZGSSBase
import GSSKit
import Synchronization

/// A frozen set of GSSAPI options plus the credentials they name, acquired
/// once and shared by every connection made with it (libzmq acquires them
/// again for each connection). A server acquires acceptor credentials only,
/// a client initiator credentials only.
///
/// Safe to share between threads: the credential is created under a lock,
/// and MIT krb5 locks its credential records internally.
public final class SecurityConfiguration: Sendable {
    public let options: GSSAPIOptions
    private let cache = Mutex<CachedCredential>(CachedCredential())

    public init(options: GSSAPIOptions) {
        self.options = options
    }

    /// The credential for this side, acquired on first use. A failure is not
    /// cached: the next connection tries again (the keytab may appear).
    /// Returns nil when the defaults (environment) are to be used as they
    /// are, which is the case for a client or a server with no principal
    /// and no credential-store options.
    /// May block on the KDC (client keytab).
    public func credential() throws(ZGSSError) -> SharedCredential? {
        let result: Result<SharedCredential?, ZGSSError> = cache.withLock { cached in
            if let credential = cached.credential { return .success(credential) }
            guard options.principal != nil || !options.store.isEmpty else { return .success(nil) }
            do {
                let name = try options.principal.map { try GSSName($0, type: options.principalNameType) }
                let usage: GSSCredentialUsage = options.isServer ? .accept : .initiate
                let credential = SharedCredential(try GSSCredential(name: name, usage: usage, store: options.store))
                cached.credential = credential
                return .success(credential)
            } catch let error as GSSError {
                return .failure(ZGSSError(.gss, Self.describe(error, options: options)))
            } catch {
                return .failure(ZGSSError(.gss, "\(error)"))
            }
        }
        return try result.get()
    }

    /// Imports the service principal a client authenticates to.
    func targetName() throws(ZGSSError) -> GSSName {
        guard let service = options.servicePrincipal else {
            throw ZGSSError(.invalidArgument, "a GSSAPI client needs ZMQ_GSSAPI_SERVICE_PRINCIPAL")
        }
        do {
            return try GSSName(service, type: options.servicePrincipalNameType)
        } catch {
            throw ZGSSError(.gss, "cannot use service principal \"\(service)\": \(error)")
        }
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
    init(_ credential: GSSCredential) { self.credential = credential }

    public var principal: String? { credential.principal() }
}

struct CachedCredential: ~Copyable {
    var credential: SharedCredential?
}

// SPDX-License-Identifier: MIT
internal import CGSSAPI

/// What a credential is for.
public enum GSSCredentialUsage: Sendable {
    /// Start contexts (a client).
    case initiate
    /// Accept contexts (a server). Needs keys in a keytab, nothing else.
    case accept
}

/// Where MIT krb5 finds keys and tickets for one credential, instead of the
/// process environment (KRB5_KTNAME, KRB5_CLIENT_KTNAME, KRB5CCNAME). Lets
/// one process serve two principals from two keytabs.
public struct GSSCredentialStore: Equatable, Sendable {
    /// Acceptor keytab, e.g. `/etc/zmq.keytab` or `FILE:/etc/zmq.keytab`.
    public var keytab: String?
    /// Initiator keytab used to get tickets without kinit.
    public var clientKeytab: String?
    /// Credential cache, e.g. `FILE:/tmp/cc` or `MEMORY:zgss`.
    public var ccache: String?

    public init(keytab: String? = nil, clientKeytab: String? = nil, ccache: String? = nil) {
        self.keytab = keytab
        self.clientKeytab = clientKeytab
        self.ccache = ccache
    }

    public var isEmpty: Bool { keytab == nil && clientKeytab == nil && ccache == nil }

    /// Paths compare as bytes: Swift's `==` would call an NFC and an NFD
    /// spelling of one path equal, though they name two files.
    public static func == (a: GSSCredentialStore, b: GSSCredentialStore) -> Bool {
        func same(_ x: String?, _ y: String?) -> Bool {
            switch (x, y) {
            case (nil, nil): true
            case let (x?, y?): x.utf8.elementsEqual(y.utf8)
            default: false
            }
        }
        return same(a.keytab, b.keytab) && same(a.clientKeytab, b.clientKeytab) && same(a.ccache, b.ccache)
    }
}

/// Acquired GSS credentials. Owns its handle.
public final class GSSCredential {
    let handle: gss_cred_id_t
    // The in-memory store the credential reads (a MemoryCredentialCache or
    // a KeytabSnapshot), released only after the credential itself.
    private let backing: AnyObject?

    /// Acquires credentials for `name` (nil: the default principal, or for a
    /// server any key in the keytab) for one `usage` only. May block: an
    /// initiator credential backed by a client keytab contacts the KDC.
    public convenience init(name: GSSName?, usage: GSSCredentialUsage, store: GSSCredentialStore = GSSCredentialStore()) throws {
        try self.init(name: name, usage: usage, store: store, backing: nil)
    }

    /// Initiator credentials for `name` whose tickets live in `cache` (a
    /// private memory cache) and are got from the KDC with the keys in
    /// `clientKeytab`, again whenever they expire. The credential keeps
    /// the cache alive.
    public convenience init(initiatingAs name: GSSName, clientKeytab: String, cache: MemoryCredentialCache) throws {
        try self.init(name: name, usage: .initiate,
                      store: GSSCredentialStore(clientKeytab: clientKeytab, ccache: cache.name), backing: cache)
    }

    /// Acceptor credentials (for `name`, or any key when nil) that read
    /// keys from `snapshot` instead of the keytab file. The credential
    /// keeps the snapshot alive.
    public convenience init(acceptingAs name: GSSName?, snapshot: KeytabSnapshot) throws {
        try self.init(name: name, usage: .accept, store: GSSCredentialStore(keytab: snapshot.name), backing: snapshot)
    }

    private init(name: GSSName?, usage: GSSCredentialUsage, store: GSSCredentialStore, backing: AnyObject?) throws {
        KerberosTeardown.install()
        self.backing = backing
        var minor: OM_uint32 = 0
        var cred: gss_cred_id_t? = nil
        let gssUsage = usage == .initiate ? cgss_c_initiate() : cgss_c_accept()
        let desiredName = name?.handle ?? cgss_no_name()
        let major: OM_uint32
        if store.isEmpty {
            major = gss_acquire_cred(&minor, desiredName, cgss_c_indefinite(), cgss_no_oid_set(),
                                     gssUsage, &cred, nil, nil)
        } else {
            var pairs: [(String, String)] = []
            if let keytab = store.keytab { pairs.append(("keytab", keytab)) }
            if let clientKeytab = store.clientKeytab { pairs.append(("client_keytab", clientKeytab)) }
            if let ccache = store.ccache { pairs.append(("ccache", ccache)) }
            major = GSSCredential.withKeyValueSet(pairs) { set in
                gss_acquire_cred_from(&minor, desiredName, cgss_c_indefinite(), cgss_no_oid_set(),
                                      gssUsage, set, &cred, nil, nil)
            }
        }
        guard cgss_is_error(major) == 0, let cred else {
            throw GSSError("gss_acquire_cred", major: major, minor: minor)
        }
        self.handle = cred
    }

    deinit {
        var minor: OM_uint32 = 0
        var cred: gss_cred_id_t? = handle
        KerberosTeardown.run { gss_release_cred(&minor, &cred) }
    }

    /// The in-memory store behind this credential (`MEMORY:...`, a private
    /// ticket cache or keytab copy), nil when it reads the usual files.
    public var memoryStoreName: String? {
        if let cache = backing as? MemoryCredentialCache { return cache.name }
        if let snapshot = backing as? KeytabSnapshot { return snapshot.name }
        return nil
    }

    /// The principal these credentials belong to, when the mechanism can say.
    public func principal() -> String? {
        var minor: OM_uint32 = 0
        var name: gss_name_t? = nil
        let major = gss_inquire_cred(&minor, handle, &name, nil, nil, nil)
        guard cgss_is_error(major) == 0, let name else { return nil }
        return try? GSSName(taking: name).displayName()
    }

    /// How many seconds the credential stays valid: 0 once its tickets
    /// have expired, nil when it has no end (an acceptor). For an initiator
    /// whose principal or cache libkrb5 has not chosen yet, it chooses them
    /// now and may get tickets with a client keytab (a KDC request); a
    /// failure there throws, with the KDC's reason.
    public func secondsRemaining() throws -> UInt32? {
        var minor: OM_uint32 = 0
        var lifetime: OM_uint32 = 0
        let major = gss_inquire_cred(&minor, handle, nil, &lifetime, nil, nil)
        if cgss_routine_error(major) == cgss_s_credentials_expired() { return 0 }
        guard cgss_is_error(major) == 0 else { throw GSSError("gss_inquire_cred", major: major, minor: minor) }
        return lifetime == cgss_c_indefinite() ? nil : lifetime
    }

    private static func withKeyValueSet<R>(_ pairs: [(String, String)], _ body: (UnsafePointer<gss_key_value_set_desc>) -> R) -> R {
        var arena = CStringArena()
        defer { arena.release() }
        var elements = pairs.map { gss_key_value_element_desc(key: arena.copy($0.0), value: arena.copy($0.1)) }
        return elements.withUnsafeMutableBufferPointer { buffer in
            var set = gss_key_value_set_desc(count: OM_uint32(buffer.count), elements: buffer.baseAddress)
            return body(&set)
        }
    }
}

/// NUL-terminated copies of Swift strings that live until `release()`.
struct CStringArena {
    private var blocks: [UnsafeMutablePointer<CChar>] = []

    mutating func copy(_ text: String) -> UnsafePointer<CChar> {
        let bytes = text.utf8CString
        let block = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
        for (i, byte) in bytes.enumerated() { block[i] = byte }
        blocks.append(block)
        return UnsafePointer(block)
    }

    mutating func release() {
        for block in blocks { block.deallocate() }
        blocks.removeAll()
    }
}

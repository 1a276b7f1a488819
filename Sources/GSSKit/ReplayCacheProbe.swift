// SPDX-License-Identifier: MIT
import Glibc
internal import CGSSAPI

/// Proves at start-up that a server can write its replay cache.
///
/// An acceptor records every client's authenticator in a replay cache
/// (MIT: `$KRB5RCACHEDIR/krb5_<euid>.rcache2` unless KRB5RCACHENAME,
/// KRB5RCACHETYPE or `default_rcache_name` say otherwise), and opens it only
/// when the first client arrives. A cache the server's user cannot write
/// (a daemon that drops from root to its own user, a root-only directory)
/// therefore lets the server start and then refuses every client with
/// "Permission denied". The probe stores one record the way the acceptor
/// does, so the server can refuse to start instead.
///
/// MIT's public API resolves the cache (krb5_get_server_rcache, the call
/// its GSS acceptor makes) but has no public store since 1.18; the probe
/// looks up `k5_rc_store` and `k5_rc_close`, which libkrb5 exports for its
/// own GSS library, at run time. Without them (another Kerberos) only the
/// resolution is checked. The stored record is a random tag, as unlike
/// any real authenticator's as another random one; it expires with the
/// cache's lifespan (the clock skew).
public enum ReplayCacheProbe {
    /// Opens and writes the default acceptor replay cache. Throws a GSSError
    /// carrying libkrb5's reason, which names the file ("Permission denied
    /// (filename: /var/tmp/krb5_108.rcache2)").
    public static func check() throws {
        guard let context = KerberosContext() else {
            throw GSSError("krb5_init_context", reason: "cannot initialise Kerberos (check KRB5_CONFIG)")
        }
        var cache: OpaquePointer? = nil
        var code = withPiece { piece in krb5_get_server_rcache(context.raw, piece, &cache) }
        guard code == 0, let cache else { throw context.error("krb5_get_server_rcache", code) }
        guard let store = functions.store, let close = functions.close else { return }
        defer { close(context.raw, cache) }
        code = storeRandomRecord(context, cache, store)
        guard code == 0 else { throw context.error("replay cache store", code) }
    }

    typealias Store = @convention(c) (OpaquePointer?, OpaquePointer?, UnsafePointer<krb5_enc_data>?) -> krb5_error_code
    typealias Close = @convention(c) (OpaquePointer?, OpaquePointer?) -> Void

    /// The two libkrb5 functions, looked up once in the already loaded
    /// library (RTLD_NOLOAD: the probe never loads a second libkrb5).
    static let functions: (store: Store?, close: Close?) = {
        guard let library = dlopen("libkrb5.so.3", RTLD_NOW | RTLD_NOLOAD) else { return (nil, nil) }
        let store = dlsym(library, "k5_rc_store").map { unsafeBitCast($0, to: Store.self) }
        let close = dlsym(library, "k5_rc_close").map { unsafeBitCast($0, to: Close.self) }
        return (store, close)
    }()

    /// libkrb5 1.18+ ignores the piece (it once named the cache file after
    /// the service); older versions read its first octets.
    private static func withPiece(_ body: (UnsafePointer<krb5_data>) -> krb5_error_code) -> krb5_error_code {
        var name: [CChar] = Array("zgss".utf8CString)
        return name.withUnsafeMutableBufferPointer { buffer in
            var piece = krb5_data(magic: 0, length: UInt32(buffer.count - 1), data: buffer.baseAddress)
            return withUnsafePointer(to: &piece) { body($0) }
        }
    }

    /// MIT keys a record by the authenticator ciphertext's trailing
    /// checksum-length octets; a random ciphertext gives a random tag.
    private static func storeRandomRecord(_ context: KerberosContext, _ cache: OpaquePointer, _ store: Store) -> krb5_error_code {
        let enctype = krb5_enctype(ENCTYPE_AES256_CTS_HMAC_SHA1_96)
        var ciphertext = (0..<48).map { _ in CChar(bitPattern: UInt8.random(in: 0...255)) }
        return ciphertext.withUnsafeMutableBufferPointer { buffer in
            var authenticator = krb5_enc_data()
            authenticator.enctype = enctype
            authenticator.ciphertext = krb5_data(magic: 0, length: UInt32(buffer.count), data: buffer.baseAddress)
            return withUnsafePointer(to: &authenticator) { store(context.raw, cache, $0) }
        }
    }
}

// SPDX-License-Identifier: MIT
import Glibc
internal import CGSSAPI
import Synchronization

/// An in-memory copy (`MEMORY:` keytab) of an acceptor keytab file, so a
/// server does not open, lock and parse the file for every client. The
/// copy remembers the file's identity (device, inode, size, change and
/// modification times) as it was before reading; `isCurrent()` compares
/// it with the file now, so a rotated or rewritten keytab is noticed and
/// the caller makes a new snapshot.
///
/// Only plain files are copied (`FILE:`, `WRFILE:` or a bare path); other
/// keytab types are used as they are. deinit removes the copied keys and
/// closes the memory keytab.
public final class KeytabSnapshot {
    /// The memory keytab's name, e.g. `MEMORY:zgss-kt-1-…`, for a store.
    public let name: String
    /// The keytab it copies, as given (e.g. `FILE:/etc/zmq.keytab`).
    public let source: String
    /// How many entries (principal, kvno, enctype) were copied.
    public let entryCount: Int
    private let path: String
    private let identity: FileIdentity
    private let context: KerberosContext
    private let keytab: krb5_keytab

    /// The file path behind a keytab name, nil for non-file keytab types.
    public static func filePath(of keytabName: String) -> String? {
        if keytabName.hasPrefix("/") { return keytabName }
        for prefix in ["FILE:", "WRFILE:"] where keytabName.hasPrefix(prefix) {
            let path = String(keytabName.dropFirst(prefix.count))
            return path.isEmpty ? nil : path
        }
        return nil
    }

    /// Copies every entry of the keytab file `source`. Throws when it is
    /// not a file keytab, cannot be read or holds no keys: the caller then
    /// uses the file directly, so libkrb5 reports the problem as before.
    public init(copying source: String) throws {
        guard let path = Self.filePath(of: source) else {
            throw GSSError("keytab snapshot", reason: "\(source) is not a keytab file")
        }
        guard let identity = FileIdentity(path: path) else {
            throw GSSError("keytab snapshot", reason: "cannot stat \(path)")
        }
        guard let context = KerberosContext() else {
            throw GSSError("krb5_init_context", reason: "cannot initialise Kerberos (check KRB5_CONFIG)")
        }
        let name = "MEMORY:zgss-kt-\(getpid())-\(KeytabSnapshot.nextSerial())"
        var memory: krb5_keytab? = nil
        var code = krb5_kt_resolve(context.raw, name, &memory)
        guard code == 0, let memory else { throw context.error("krb5_kt_resolve", code) }
        var file: krb5_keytab? = nil
        code = krb5_kt_resolve(context.raw, "FILE:" + path, &file)
        guard code == 0, let file else {
            krb5_kt_close(context.raw, memory)
            throw context.error("krb5_kt_resolve", code)
        }
        defer { krb5_kt_close(context.raw, file) }
        let copied = Self.copyEntries(context, from: file, to: memory)
        guard case .success(let count) = copied, count > 0 else {
            Self.removeEntries(context, memory)
            krb5_kt_close(context.raw, memory)
            if case .failure(let error) = copied { throw error }
            throw GSSError("keytab snapshot", reason: "\(source) holds no keys")
        }
        self.name = name
        self.source = source
        self.entryCount = count
        self.path = path
        self.identity = identity
        self.context = context
        self.keytab = memory
    }

    deinit {
        KerberosTeardown.run {
            Self.removeEntries(context, keytab)
            krb5_kt_close(context.raw, keytab)
        }
    }

    /// True while the file looks as it did when it was copied. One stat.
    public func isCurrent() -> Bool {
        FileIdentity(path: path) == identity
    }

    private static func copyEntries(_ context: KerberosContext, from file: krb5_keytab,
                                    to memory: krb5_keytab) -> Result<Int, GSSError> {
        var cursor: krb5_kt_cursor? = nil
        var code = krb5_kt_start_seq_get(context.raw, file, &cursor)
        guard code == 0 else { return .failure(context.error("krb5_kt_start_seq_get", code)) }
        defer { krb5_kt_end_seq_get(context.raw, file, &cursor) }
        var count = 0
        while true {
            var entry = krb5_keytab_entry()
            code = krb5_kt_next_entry(context.raw, file, &entry, &cursor)
            if code == KRB5_KT_END { return .success(count) }
            guard code == 0 else { return .failure(context.error("krb5_kt_next_entry", code)) }
            code = krb5_kt_add_entry(context.raw, memory, &entry)
            krb5_free_keytab_entry_contents(context.raw, &entry)
            guard code == 0 else { return .failure(context.error("krb5_kt_add_entry", code)) }
            count += 1
        }
    }

    /// Empties the memory keytab, so no copied key stays behind in the
    /// process whatever libkrb5 does on close.
    private static func removeEntries(_ context: KerberosContext, _ memory: krb5_keytab) {
        while true {
            var cursor: krb5_kt_cursor? = nil
            guard krb5_kt_start_seq_get(context.raw, memory, &cursor) == 0 else { return }
            var entry = krb5_keytab_entry()
            let code = krb5_kt_next_entry(context.raw, memory, &entry, &cursor)
            krb5_kt_end_seq_get(context.raw, memory, &cursor)
            guard code == 0 else { return }
            let removed = krb5_kt_remove_entry(context.raw, memory, &entry)
            krb5_free_keytab_entry_contents(context.raw, &entry)
            guard removed == 0 else { return }
        }
    }

    private static let serial = Atomic<Int>(0)
    private static func nextSerial() -> Int { serial.wrappingAdd(1, ordering: .relaxed).newValue }
}

/// What identifies one version of a file for change detection.
struct FileIdentity: Equatable {
    let device: UInt64
    let inode: UInt64
    let size: Int64
    let modified: (Int, Int)
    let changed: (Int, Int)

    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        modified = (info.st_mtim.tv_sec, info.st_mtim.tv_nsec)
        changed = (info.st_ctim.tv_sec, info.st_ctim.tv_nsec)
    }

    static func == (a: FileIdentity, b: FileIdentity) -> Bool {
        a.device == b.device && a.inode == b.inode && a.size == b.size
            && a.modified == b.modified && a.changed == b.changed
    }
}

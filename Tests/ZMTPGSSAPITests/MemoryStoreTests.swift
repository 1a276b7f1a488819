// SPDX-License-Identifier: MIT
import Foundation
import Testing
import TestRealm
import ZMTPCodec
import GSSKit
@testable import ZMTPGSSAPI

/// Runs one handshake between mechanisms made from two given configurations.
private func handshake(client: SecurityConfiguration, server: SecurityConfiguration) throws -> GSSAPIMechanism {
    let pair = (client: GSSAPIMechanism(configuration: client, socketType: .req),
                server: GSSAPIMechanism(configuration: server, socketType: .rep))
    for _ in 0..<16 {
        var moved = false
        if let body = try pair.client.nextHandshakeCommand() {
            try pair.server.processHandshakeCommand(body)
            moved = true
        }
        if let body = try pair.server.nextHandshakeCommand() {
            try pair.client.processHandshakeCommand(body)
            moved = true
        }
        if !moved { break }
    }
    #expect(pair.client.status == .ready)
    #expect(pair.server.status == .ready)
    return pair.server
}

/// A scratch copy of a realm keytab the test may rewrite.
private func scratchKeytab(copying source: String) throws -> String {
    let path = NSTemporaryDirectory() + "zgss-kt-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).keytab"
    try FileManager.default.copyItem(atPath: source, toPath: path)
    return path
}

/// Replaces `path` with a copy of `source` (a new file, as keytab tools do).
private func replace(_ path: String, with source: String) throws {
    let next = path + ".new"
    try? FileManager.default.removeItem(atPath: next)
    try FileManager.default.copyItem(atPath: source, toPath: next)
    _ = rename(next, path)
}

@Suite("Credentials over in-memory Kerberos stores")
struct MemoryStoreTests {
    @Test(.tags(.kerberos), .needsRealm) func serverReadsACopyOfItsKeytab() throws {
        _ = try TestRealm.shared()
        let server = SecurityConfiguration(options: Sides().server)
        let credential = try #require(try server.credential())
        #expect(credential.memoryStoreName?.hasPrefix("MEMORY:") == true)
        let client = SecurityConfiguration(options: Sides().client)
        #expect(try handshake(client: client, server: server).peerPrincipal == "alice@EXAMPLE.TEST")
    }

    @Test(.tags(.kerberos), .needsRealm) func keytabCopyIsReloadedWhenTheFileChanges() throws {
        let realm = try TestRealm.shared()
        let path = try scratchKeytab(copying: realm.keytab(for: "zmq/localhost"))
        defer { try? FileManager.default.removeItem(atPath: path) }
        var serverOptions = Sides().server
        serverOptions.store.keytab = path
        let server = SecurityConfiguration(options: serverOptions)
        let zmqClient = SecurityConfiguration(options: Sides().client)
        var otherOptions = Sides().client
        otherOptions.servicePrincipal = "other@localhost"
        let otherClient = SecurityConfiguration(options: otherOptions)

        _ = try handshake(client: zmqClient, server: server)
        let first = try #require(try server.credential())

        // Key rotation: the file now holds other/localhost only. The same
        // configuration must notice, serve other/localhost and refuse zmq.
        try replace(path, with: realm.keytab(for: "other/localhost"))
        _ = try handshake(client: otherClient, server: server)
        let second = try #require(try server.credential())
        #expect(first !== second)
        #expect(first.memoryStoreName != second.memoryStoreName)
        let refused = GSSAPIMechanism(configuration: server, socketType: .rep)
        let client = GSSAPIMechanism(configuration: SecurityConfiguration(options: Sides().client), socketType: .req)
        let token = try #require(try client.nextHandshakeCommand())
        #expect(throws: ZGSSError.self) { try refused.processHandshakeCommand(token) }

        // Unchanged file: the copy is kept.
        #expect(try server.credential() === second)
    }

    @Test(.tags(.kerberos), .needsRealm) func missingKeytabIsNotCachedAndStillExplained() throws {
        let realm = try TestRealm.shared()
        let path = NSTemporaryDirectory() + "zgss-kt-later-\(getpid()).keytab"
        try? FileManager.default.removeItem(atPath: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var options = Sides().server
        options.store.keytab = path
        let server = SecurityConfiguration(options: options)
        let error = expectFailure { _ = try server.credential() }
        #expect(error?.mentions("No such file or directory") == true || error?.mentions("not found") == true)
        // The keytab appears later: the same configuration now works.
        try FileManager.default.copyItem(atPath: realm.keytab(for: "zmq/localhost"), toPath: path)
        let credential = try #require(try server.credential())
        #expect(credential.memoryStoreName != nil)
    }

    @Test(.tags(.kerberos), .needsRealm) func clientTicketsLiveInAPrivateMemoryCache() throws {
        _ = try TestRealm.shared()
        let client = SecurityConfiguration(options: Sides().client)
        let credential = try #require(try client.credential())
        let name = try #require(credential.memoryStoreName)
        #expect(name.hasPrefix("MEMORY:"))
        #expect(credential.principal == "alice@EXAMPLE.TEST")
        let server = SecurityConfiguration(options: Sides().server)
        for _ in 0..<3 {
            #expect(try handshake(client: client, server: server).peerPrincipal == "alice@EXAMPLE.TEST")
        }
        #expect(try client.credential() === credential)
    }

    @Test(.tags(.kerberos), .needsRealm) func memoryCacheIsDestroyedWithItsOwner() throws {
        let realm = try TestRealm.shared()
        var name = ""
        var ticketsOnly = GSSCredentialStore()
        do {
            let cache = try MemoryCredentialCache()
            name = cache.name
            ticketsOnly = GSSCredentialStore(clientKeytab: "/nonexistent/zgss.keytab", ccache: name)
            let alice = try GSSName("alice", type: .userName)
            let credential = try GSSCredential(initiatingAs: alice, clientKeytab: realm.clientKeytab, cache: cache)
            let context = GSSSecurityContext(initiatorWith: credential,
                                             target: try GSSName("zmq@localhost", type: .hostbasedService))
            _ = try context.step(nil)
            #expect(cache.principal() == "alice@EXAMPLE.TEST")
            // While it lives, its tickets alone (no usable keytab) suffice.
            _ = try GSSCredential(name: nil, usage: .initiate, store: ticketsOnly)
        }
        // Gone with its owner: the name now resolves to an empty cache.
        #expect(throws: GSSError.self) {
            _ = try GSSCredential(name: nil, usage: .initiate, store: ticketsOnly)
        }
    }

    @Test(.tags(.kerberos), .needsRealm) func keytabCopyIsEmptiedWithItsOwner() throws {
        let realm = try TestRealm.shared()
        var name = ""
        do {
            let snapshot = try KeytabSnapshot(copying: realm.serverKeytab)
            name = snapshot.name
            #expect(snapshot.entryCount > 0)
            #expect(snapshot.isCurrent())
            _ = try GSSCredential(acceptingAs: nil, snapshot: snapshot)
        }
        #expect(throws: GSSError.self) {
            try KerberosDefaults.checkKeytab(name, holds: nil)
        }
    }

    @Test func onlyKeytabFilesAreCopied() {
        #expect(KeytabSnapshot.filePath(of: "FILE:/a/b") == "/a/b")
        #expect(KeytabSnapshot.filePath(of: "WRFILE:/a/b") == "/a/b")
        #expect(KeytabSnapshot.filePath(of: "/a/b") == "/a/b")
        #expect(KeytabSnapshot.filePath(of: "MEMORY:x") == nil)
        #expect(throws: GSSError.self) { _ = try KeytabSnapshot(copying: "MEMORY:nothing") }
    }

    @Test func targetNameIsImportedOnce() throws {
        let client = SecurityConfiguration(options: Sides().client)
        #expect(try client.targetName() === client.targetName())
    }
}

@Suite("Configurations shared through a pool")
struct ConfigurationPoolTests {
    @Test func equalOptionsShareOneConfiguration() {
        let pool = ConfigurationPool(capacity: 2)
        let first = pool.configuration(for: Sides().client)
        #expect(pool.configuration(for: Sides().client) === first)
        var other = Sides().client
        other.servicePrincipal = "other@localhost"
        #expect(pool.configuration(for: other) !== first)
        #expect(pool.count == 2)
    }

    @Test func leastRecentlyUsedIsDroppedFirst() {
        let pool = ConfigurationPool(capacity: 2)
        var a = Sides().client
        a.servicePrincipal = "a@localhost"
        var b = a
        b.servicePrincipal = "b@localhost"
        var c = a
        c.servicePrincipal = "c@localhost"
        let first = pool.configuration(for: a)
        _ = pool.configuration(for: b)
        #expect(pool.configuration(for: a) === first)   // a is now the most recent
        _ = pool.configuration(for: c)                  // drops b
        #expect(pool.count == 2)
        #expect(pool.configuration(for: a) === first)
    }
}

/// Runs kinit with a keytab into `cache` (the realm's krb5.conf comes from
/// the environment).
private func kinit(_ principal: String, keytab: String, cache: String) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["kinit", "-k", "-t", keytab, "-c", cache, principal]
    try process.run()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "kinit \(principal)")
}

@Suite("A cached client credential that goes stale", .tags(.kerberos), .needsRealm)
struct StaleCredentialTests {
    @Test func newKinitAsAnotherPrincipalIsPickedUp() throws {
        let realm = try TestRealm.shared()
        let cache = "FILE:" + NSTemporaryDirectory() + "zgss-cc-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: String(cache.dropFirst(5))) }
        try kinit("alice", keytab: realm.clientKeytab, cache: cache)
        var options = Sides().client
        options.store.ccache = cache
        options.store.clientKeytab = "/nonexistent/zgss.keytab"   // tickets from the cache only
        let client = SecurityConfiguration(options: options)
        let server = SecurityConfiguration(options: Sides().server)
        #expect(try handshake(client: client, server: server).peerPrincipal == "alice@EXAMPLE.TEST")
        let first = try #require(try client.credential())

        // The cache now belongs to bob: libkrb5 refuses the credential bound
        // to alice; the configuration acquires again within the same
        // connection instead of failing it.
        try kinit("bob", keytab: realm.clientKeytab, cache: cache)
        #expect(try handshake(client: client, server: server).peerPrincipal == "bob@EXAMPLE.TEST")
        #expect(try client.credential() !== first)
    }
}

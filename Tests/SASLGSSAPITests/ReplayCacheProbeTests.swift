// SPDX-License-Identifier: MIT
import Foundation
import Testing
import TestRealm
@testable import GSSKit
import SASLGSSAPI

/// The start-up proof that the acceptor's replay cache can be written.
/// (An unwritable one is tested in processes of their own, since the cache
/// directory is process-wide: tests/c/sasl_abi.c, and tests/mqtt with a
/// real mosquitto that drops to its own user.)
@Suite("Replay cache probe")
struct ReplayCacheProbeTests {
    @Test func libkrb5StoreIsFound() {
        // On MIT 1.18+ (Debian 12 has 1.20) the probe really stores; a
        // missing symbol would silently weaken it to name resolution.
        #expect(ReplayCacheProbe.functions.store != nil)
        #expect(ReplayCacheProbe.functions.close != nil)
    }

    @Test(.tags(.kerberos), .needsRealm) func probeWritesTheAcceptorsCache() throws {
        let realm = try TestRealm.shared()
        let file = realm.replayCacheDirectory + "/krb5_\(geteuid()).rcache2"
        try ReplayCacheProbe.check()
        let size = (try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
        #expect(size > 0, "\(file) holds the probe's record")
        try ReplayCacheProbe.check() // a second random record is no replay
    }

    @Test(.tags(.kerberos), .needsRealm) func serverCheckIncludesTheProbe() throws {
        _ = try TestRealm.shared()
        _ = try serverConfiguration().makeCredential()
    }
}

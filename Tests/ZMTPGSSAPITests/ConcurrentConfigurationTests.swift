// SPDX-License-Identifier: MIT
import Foundation
import Testing
import TestRealm
import GSSKit
@testable import ZMTPGSSAPI

/// A configuration is shared by I/O threads: connections on several
/// threads ask it for the credential and the target name at once, most of
/// them while the first is still acquiring. Under ThreadSanitizer
/// (tools/test-sanitizers.sh) this is also the check that its lock orders
/// those threads in a way the sanitizer can see.
@Suite(.tags(.kerberos), .needsRealm) struct ConcurrentConfigurationTests {
    /// What each thread got, kept under a lock.
    final class Seen: @unchecked Sendable {
        private let lock = NSLock()
        private var credentials: Set<ObjectIdentifier> = []
        private var names: Set<ObjectIdentifier> = []
        private var configurations: Set<ObjectIdentifier> = []
        private var failures: [String] = []

        func add(_ credential: SharedCredential?, _ name: GSSName, _ configuration: SecurityConfiguration) {
            lock.withLock {
                credentials.insert(credential.map(ObjectIdentifier.init) ?? ObjectIdentifier(Seen.self))
                names.insert(ObjectIdentifier(name))
                configurations.insert(ObjectIdentifier(configuration))
            }
        }

        func fail(_ text: String) { lock.withLock { failures.append(text) } }

        var summary: (credentials: Int, names: Int, configurations: Int, failures: [String]) {
            lock.withLock { (credentials.count, names.count, configurations.count, failures) }
        }
    }

    @Test func threadsShareOneCredentialNameAndConfiguration() throws {
        _ = try TestRealm.shared()
        let options = Sides().client
        let pool = ConfigurationPool()
        let seen = Seen()
        let start = DispatchSemaphore(value: 0)
        let done = DispatchGroup()
        let threads = 8
        for _ in 0..<threads {
            done.enter()
            Thread {
                start.wait()
                for _ in 0..<50 {
                    let configuration = pool.configuration(for: options)
                    do {
                        seen.add(try configuration.credential(), try configuration.targetName(), configuration)
                    } catch {
                        seen.fail("\(error)")
                    }
                }
                done.leave()
            }.start()
        }
        for _ in 0..<threads { start.signal() }
        #expect(done.wait(timeout: .now() + 120) == .success, "the threads did not finish")
        let summary = seen.summary
        #expect(summary.failures.isEmpty, "\(summary.failures.prefix(3))")
        #expect(summary.configurations == 1 && summary.credentials == 1 && summary.names == 1,
                "\(summary.configurations) configurations, \(summary.credentials) credentials, \(summary.names) names")
    }
}

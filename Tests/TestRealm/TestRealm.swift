// SPDX-License-Identifier: MIT
import Foundation
import Testing
internal import TestRealmBootstrap

/// The throwaway Kerberos realm the Kerberos tests run against: the one
/// place tests get it from.
///
/// The realm's variables (KRB5_CONFIG, KRB5_KTNAME, KRB5_CLIENT_KTNAME,
/// KRB5CCNAME, KRB5RCACHEDIR, ZGSS_TEST_*) are in the environment before
/// any test runs: either the caller set them (`tools/testrealm.py run --
/// swift test`, what tools/test.sh does), or the bootstrap in
/// Tests/TestRealmBootstrap started a realm before main and exported them
/// there (nothing here calls setenv while tests run in parallel).
///
/// Tests that need the realm carry `.tags(.kerberos), .needsRealm`.
/// Without a realm (no krb5kdc, or ZGSS_NO_TEST_REALM=1) they are reported
/// as skipped with the reason, the pure tests run, and the test process's
/// last line on stderr says that the Kerberos tests did not run. Under CI
/// (CI set to anything but "", "false" or "0") or with ZGSS_REQUIRE_REALM=1
/// they run and fail with the reason instead: in CI a test that needs a
/// missing tool fails loudly. A test that calls `shared()` without the tag
/// fails without a realm too, so a forgotten tag is noticed.
public struct TestRealm: Sendable {
    public let realm: String
    public let directory: String
    public let kdcPort: Int

    public var serverKeytab: String { directory + "/server.keytab" }
    public var clientKeytab: String { directory + "/client.keytab" }
    public var downClientKeytab: String { directory + "/down-client.keytab" }
    /// The keytab holding only `principal` (e.g. "zmq/localhost").
    public func keytab(for principal: String) -> String {
        directory + "/keytabs/" + principal.replacingOccurrences(of: "/", with: "_") + ".keytab"
    }

    /// Adds principal `name` to the realm with a random key and writes the
    /// key to `keytabs/<tag>.keytab`, whose path it returns. `name` is raw
    /// bytes, so a test can use a name in a chosen Unicode normal form or one
    /// that is not UTF-8 at all (see `testrealm.py add`). An existing name
    /// is only exported again.
    public func addPrincipal(_ name: [UInt8], tag: String) throws -> String {
        let keytab = directory + "/keytabs/" + tag + ".keytab"
        let hex = name.map { byte in String(byte >> 4, radix: 16) + String(byte & 0xF, radix: 16) }.joined()
        // kadmin.local locks the database: one at a time.
        try Self.adminLock.withLock {
            _ = try Self.runHarness(["add", "--dir", directory, "--realm", realm, "--keytab", keytab, "--hex", hex])
        }
        return keytab
    }

    /// The realm; throws, naming the reason, when there is none.
    public static func shared() throws -> TestRealm {
        try resolved.get()
    }

    /// Why this process has no realm, or nil when it has one.
    public static var unavailableReason: String? {
        zgss_test_realm_unavailable().map { String(cString: $0) }
    }

    /// Whether a missing realm fails the Kerberos tests (CI, or
    /// ZGSS_REQUIRE_REALM=1) instead of skipping them.
    public static var isRequired: Bool {
        zgss_test_realm_required() != 0
    }

    /// KRB5RCACHEDIR: where acceptors keep their replay cache.
    public var replayCacheDirectory: String { directory + "/rcache" }

    public static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    private static let adminLock = NSLock()

    /// Read once, from the environment the process started with.
    private static let resolved: Result<TestRealm, any Error> = Result {
        if let reason = unavailableReason {
            throw RealmFailure("no Kerberos realm: \(reason)")
        }
        let env = ProcessInfo.processInfo.environment
        guard let dir = env["ZGSS_TEST_DIR"], let realm = env["ZGSS_TEST_REALM"],
              let port = env["ZGSS_TEST_KDC_PORT"].flatMap(Int.init), env["KRB5_CONFIG"] != nil else {
            throw RealmFailure("no Kerberos realm: ZGSS_TEST_DIR, ZGSS_TEST_REALM, ZGSS_TEST_KDC_PORT and KRB5_CONFIG must all be set")
        }
        return TestRealm(realm: realm, directory: dir, kdcPort: port)
    }

    @discardableResult
    static func runHarness(_ arguments: [String]) throws -> Data {
        let script = repositoryRoot.appendingPathComponent("tools/testrealm.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script] + arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw RealmFailure("testrealm.py \(arguments.joined(separator: " ")) failed: \(String(decoding: errors, as: UTF8.self))")
        }
        return data
    }
}

public struct RealmFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension Tag {
    /// Needs the Kerberos realm (a KDC, keytabs, krb5.conf).
    @Tag public static var kerberos: Self
}

extension Trait where Self == ConditionTrait {
    /// Runs the test when the realm is there, or when it must be (CI,
    /// ZGSS_REQUIRE_REALM=1: then `TestRealm.shared()` fails with the
    /// reason). Otherwise the test is skipped and says why.
    public static var needsRealm: Self {
        let reason = TestRealm.unavailableReason ?? ""
        return .enabled(if: TestRealm.unavailableReason == nil || TestRealm.isRequired,
                        Comment(rawValue: "no Kerberos realm (\(reason)); tools/setup.sh installs krb5-kdc, "
                                + "CI=true makes this a failure"))
    }
}

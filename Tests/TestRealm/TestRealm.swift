import Foundation

/// The throwaway Kerberos realm the Kerberos tests run against.
///
/// When the test process runs under `tools/testrealm.py run -- ...` the
/// realm's environment is already set and is used as it is. Otherwise the
/// first use starts one with `tools/testrealm.py start`, exports its
/// environment into this process and stops it at exit. A missing KDC or
/// tool is a test failure, never a skip.
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

    /// The shared realm, started on first use.
    public static func shared() throws -> TestRealm {
        try lock.withLock {
            if let realm = current { return realm }
            let realm = try start()
            current = realm
            return realm
        }
    }

    public static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    nonisolated(unsafe) private static var current: TestRealm?
    nonisolated(unsafe) private static var ownedDirectory: String?
    private static let lock = NSLock()
    private static let adminLock = NSLock()

    private static func start() throws -> TestRealm {
        let env = ProcessInfo.processInfo.environment
        if let dir = env["ZGSS_TEST_DIR"], let realm = env["ZGSS_TEST_REALM"],
           let port = env["ZGSS_TEST_KDC_PORT"].flatMap(Int.init) {
            return TestRealm(realm: realm, directory: dir, kdcPort: port)
        }
        let dir = NSTemporaryDirectory() + "zgss-swift-realm-\(getpid())"
        let output = try runHarness(["start", "--dir", dir])
        guard let json = try JSONSerialization.jsonObject(with: output) as? [String: Any],
              let vars = json["env"] as? [String: String],
              let realm = json["realm"] as? String,
              let port = json["kdc_port"] as? Int else {
            throw RealmFailure("testrealm.py start printed no usable JSON: \(String(decoding: output, as: UTF8.self))")
        }
        for (key, value) in vars { setenv(key, value, 1) }
        ownedDirectory = dir
        atexit {
            if let dir = TestRealm.ownedDirectory { _ = try? TestRealm.runHarness(["stop", "--dir", dir]) }
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

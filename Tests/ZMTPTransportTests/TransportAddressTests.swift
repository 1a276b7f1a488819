// SPDX-License-Identifier: MIT
import Testing
@testable import ZMTPTransport

/// bind/connect endpoint parsing across transports (pure: no file, no
/// socket), with the errno classes libzmq 4.3.4 answers.
@Suite("Transport address parsing")
struct TransportAddressTests {
    @Test func tcpStillParsesAsBefore() throws {
        #expect(try TransportAddress(parsing: "tcp://127.0.0.1:5555", forBind: false)
            == .tcp(Endpoint(host: "127.0.0.1", port: 5555)))
    }

    @Test(arguments: [
        ("ipc:///tmp/a.sock", "/tmp/a.sock", IPCPath.Kind.file),
        ("ipc://relative/path", "relative/path", .file),
        ("ipc://@name", "@name", .abstract),
        ("ipc://*", "*", .wildcard),
        ("ipc://*anything", "*anything", .wildcard),
    ])
    func ipcBindForms(text: String, path: String, kind: IPCPath.Kind) throws {
        guard case .ipc(let parsed) = try TransportAddress(parsing: text, forBind: true) else {
            Issue.record("\(text) is not ipc")
            return
        }
        #expect(parsed.text == path)
        #expect(parsed.kind == kind)
    }

    /// For connect, `*` is an ordinary (relative) file name, as in libzmq.
    @Test func connectTakesTheStarLiterally() throws {
        guard case .ipc(let parsed) = try TransportAddress(parsing: "ipc://*", forBind: false) else {
            Issue.record("not ipc")
            return
        }
        #expect(parsed.kind == .file)
    }

    @Test func abstractNameStartsWithANulByte() throws {
        let path = try IPCPath(resolved: "@abc")
        #expect(path.socketPathBytes == [0, 97, 98, 99])
        #expect(path.endpointText == "ipc://@abc")
        #expect(try IPCPath(resolved: "/x").socketPathBytes == Array("/x".utf8))
    }

    /// sun_path holds 108 bytes: 107 fit (no room left for a NUL beyond
    /// that), 108 are ENAMETOOLONG, counted in UTF-8 bytes.
    @Test(arguments: [true, false])
    func pathLengthLimit(forBind: Bool) throws {
        let fits = "/" + String(repeating: "a", count: 106)
        #expect(throws: Never.self) { try TransportAddress(parsing: "ipc://" + fits, forBind: forBind) }
        #expect(throws: TransportAddress.ParseError.self) {
            try TransportAddress(parsing: "ipc://" + fits + "a", forBind: forBind)
        }
        let multibyte = String(repeating: "é", count: 54)  // 108 bytes, 54 characters
        #expect {
            try TransportAddress(parsing: "ipc://" + multibyte, forBind: forBind)
        } throws: { error in
            if case .nameTooLong = error as? TransportAddress.ParseError { return true }
            return false
        }
    }

    @Test(arguments: ["inproc://a", "inproc://zeromq.zap.01", "inproc://*", "inproc://x://y"])
    func inprocNames(text: String) throws {
        let name = String(text.dropFirst("inproc://".count))
        #expect(try TransportAddress(parsing: text, forBind: true) == .inproc(name))
        #expect(try TransportAddress(parsing: text, forBind: false) == .inproc(name))
    }

    @Test(arguments: ["", "inproc", "inproc://", "ipc://", "ipc://@", "://x", "tcp://", "foo://", "tcp://host"])
    func malformed(text: String) {
        #expect {
            try TransportAddress(parsing: text, forBind: true)
        } throws: { error in
            if case .malformed = error as? TransportAddress.ParseError { return true }
            return false
        }
    }

    @Test(arguments: ["tipc://{5560,0,0}", "vmci://1:2", "pgm://eth0;239.1.1.1:5555", "epgm://e;1.2.3.4:5",
                      "norm://1,127.0.0.1:5", "udp://127.0.0.1:5", "ws://127.0.0.1:5", "wss://h:5", "nosuch://x",
                      "TCP://127.0.0.1:5"])
    func unsupportedTransports(text: String) {
        #expect {
            try TransportAddress(parsing: text, forBind: true)
        } throws: { error in
            if case .unsupportedTransport = error as? TransportAddress.ParseError { return true }
            return false
        }
    }
}

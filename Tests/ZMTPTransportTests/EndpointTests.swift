// SPDX-License-Identifier: MIT
import Testing
@testable import ZMTPTransport

@Suite("Endpoint parsing")
struct EndpointTests {
    @Test(arguments: [
        ("tcp://127.0.0.1:5555", "127.0.0.1", 5555, false),
        ("tcp://localhost:1", "localhost", 1, false),
        ("tcp://[::1]:65535", "::1", 65535, true),
        ("tcp://*:5555", "*", 5555, false),
        ("tcp://*:*", "*", 0, false),
        ("tcp://*:0", "*", 0, false),
        ("tcp://[::]:0", "::", 0, true),
    ])
    func bindForms(text: String, host: String, port: Int, v6: Bool) throws {
        let endpoint = try Endpoint(parsing: text, forBind: true)
        #expect(endpoint.host == host)
        #expect(Int(endpoint.port) == port)
        #expect(endpoint.isIPv6Literal == v6)
    }

    @Test(arguments: [
        "tcp://*:5555", "tcp://127.0.0.1:0", "tcp://127.0.0.1:*", "tcp://[*]:5",
    ])
    func connectRefusesWildcards(text: String) {
        #expect(throws: Endpoint.ParseError.self) { try Endpoint(parsing: text, forBind: false) }
    }

    @Test(arguments: [
        "", "tcp://", "tcp://host", "tcp://:5555", "tcp://host:", "tcp://host:65536",
        "tcp://host:-1", "tcp://host:12a", "tcp://::1:5555", "tcp://[::1]5555", "tcp://[::1:5555",
        "tcp://a;b:5", "127.0.0.1:5555", "tcp://h o:5", "tcp://host:123456",
    ])
    func malformed(text: String) {
        #expect(throws: Endpoint.ParseError.self) { try Endpoint(parsing: text, forBind: true) }
    }

    @Test(arguments: ["ipc:///tmp/x", "inproc://a", "udp://1.2.3.4:5"])
    func otherTransports(text: String) {
        #expect {
            try Endpoint(parsing: text, forBind: true)
        } throws: { error in
            if case .unsupportedTransport = error as? Endpoint.ParseError { return true }
            return false
        }
    }

    @Test func formatting() {
        #expect(Endpoint.format(address: "127.0.0.1", port: 5) == "tcp://127.0.0.1:5")
        #expect(Endpoint.format(address: "::1", port: 7) == "tcp://[::1]:7")
    }

    @Test func resolvesNumericAddresses() throws {
        let v4 = try SocketAddress.resolve(Endpoint(parsing: "tcp://127.0.0.1:5555", forBind: false))
        #expect(v4.first?.endpointText == "tcp://127.0.0.1:5555")
        let v6 = try SocketAddress.resolve(Endpoint(parsing: "tcp://[::1]:80", forBind: false))
        #expect(v6.first?.endpointText == "tcp://[::1]:80")
        let any = try SocketAddress.resolve(Endpoint(parsing: "tcp://*:0", forBind: true))
        #expect(any.first?.endpointText == "tcp://0.0.0.0:0")
    }
}

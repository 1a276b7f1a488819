// SPDX-License-Identifier: MIT
import CZGSSHeader
import Testing
import ZMTPCodec
import ZMTPGSSAPI
@testable import ZMTPTransport

/// Sockets of one context with equal GSSAPI options share a configuration
/// (and so its credentials); other options or another context do not.
@Suite("GSSAPI configuration shared by a context's sockets")
struct ConfigurationSharingTests {
    func client(_ context: ZContext, service: String) throws -> ZSocket {
        let socket = try context.socket(type: SocketType.req.rawValue)
        let bytes = Array(service.utf8)
        var failure: TransportError?
        bytes.withUnsafeBytes { raw in
            do { try socket.setOption(ZMQ_GSSAPI_SERVICE_PRINCIPAL, raw) } catch let error as TransportError { failure = error } catch {}
        }
        if let failure { throw failure }
        return socket
    }

    func configuration(_ socket: ZSocket) -> SecurityConfiguration? {
        let mode = socket.state.monitor.withLock { socket.state.options.security() }
        if case .gssapi(let configuration) = mode { return configuration }
        return nil
    }

    @Test func secondSocketReusesTheConfiguration() throws {
        let context = ZContext()
        let other = ZContext()
        defer { context.terminate(); other.terminate() }
        let first = try client(context, service: "zmq@localhost")
        let second = try client(context, service: "zmq@localhost")
        let different = try client(context, service: "other@localhost")
        let elsewhere = try client(other, service: "zmq@localhost")
        defer { for socket in [first, second, different, elsewhere] { socket.close() } }
        let shared = try #require(configuration(first))
        #expect(configuration(second) === shared)
        #expect(configuration(different) !== shared)
        #expect(configuration(elsewhere) !== shared)
    }
}

// SPDX-License-Identifier: MIT
import CZGSSHeader
import Glibc
import Testing
@testable import ZMTPTransport

/// zgss_socket_monitor's events through real sockets of one context (NULL
/// security; tests/zmqapi/monitor_*.c compare the sequences with stock
/// libzmq, GSSAPI included).
@Suite struct SocketMonitorTests {

    /// A watcher PAIR connected to `socket`'s monitor.
    private func watch(_ context: ZContext, _ socket: ZSocket, _ name: String, events: UInt64 = 0xFFFF) throws -> ZSocket {
        try socket.monitor(endpoint: name, events: events)
        let watcher = try context.socket(type: ZMQ_PAIR)
        try setInt(watcher, ZMQ_RCVTIMEO, 10_000)
        try setInt(watcher, ZMQ_LINGER, 0)
        try watcher.connect(name)
        return watcher
    }

    private func next(_ watcher: ZSocket) throws -> (event: UInt16, value: UInt32, endpoint: String) {
        let head = try watcher.receive(flags: 0)
        #expect(head.count == 6)
        let endpoint = try watcher.receive(flags: 0)
        var event: UInt16 = 0
        var value: UInt32 = 0
        withUnsafeMutableBytes(of: &event) { $0.copyBytes(from: head[0..<2]) }
        withUnsafeMutableBytes(of: &value) { $0.copyBytes(from: head[2..<6]) }
        return (event, value, String(decoding: endpoint, as: UTF8.self))
    }

    @Test func statusCodeOfAnErrorCommand() {
        func error(_ reason: String) -> [UInt8] { [5] + Array("ERROR".utf8) + [UInt8(reason.utf8.count)] + Array(reason.utf8) }
        #expect(Connection.statusCode(ofError: error("400")) == 400)
        #expect(Connection.statusCode(ofError: error("300")) == 300)
        #expect(Connection.statusCode(ofError: error("500")) == 500)
        #expect(Connection.statusCode(ofError: error("200")) == nil)
        #expect(Connection.statusCode(ofError: error("410")) == nil)
        #expect(Connection.statusCode(ofError: error("4000")) == nil)
        #expect(Connection.statusCode(ofError: error("no")) == nil)
        #expect(Connection.statusCode(ofError: [5] + Array("READY".utf8) + [3] + Array("400".utf8)) == nil)
        #expect(Connection.statusCode(ofError: []) == nil)
    }

    @Test func refusesWhatLibzmqRefuses() throws {
        let context = ZContext()
        let socket = try context.socket(type: ZMQ_PULL)
        #expect(failureErrno(of: { () throws(TransportError) in try socket.monitor(endpoint: "tcp://127.0.0.1:1", events: 0xFFFF) })
                == EPROTONOSUPPORT)
        #expect(failureErrno(of: { () throws(TransportError) in try socket.monitor(endpoint: "inproc://m", events: 0x10000) })
                == EINVAL)
        let holder = try context.socket(type: ZMQ_PAIR)
        try holder.bind("inproc://taken")
        #expect(failureErrno(of: { () throws(TransportError) in try socket.monitor(endpoint: "inproc://taken", events: 0xFFFF) })
                == EADDRINUSE)
        // Stopping a monitor that does not run is fine, as in libzmq.
        try socket.monitor(endpoint: nil, events: 0)
        socket.close()
        holder.close()
        context.terminate()
    }

    /// A bound socket's inproc peer takes messages from the moment it
    /// connects, before the NULL handshake on the stream pair has run (as
    /// libzmq's inproc pipe does): a monitor's first event is not lost.
    @Test func boundInprocPeerTakesMessagesAtOnce() throws {
        let context = ZContext()
        let push = try context.socket(type: ZMQ_PUSH)
        try push.bind("inproc://at-once")
        let pull = try context.socket(type: ZMQ_PULL)
        try setInt(pull, ZMQ_RCVTIMEO, 10_000)
        try pull.connect("inproc://at-once")
        try push.send(Array("first".utf8), flags: ZSocket.dontWait)
        #expect(try pull.receive(flags: 0) == Array("first".utf8))
        push.close()
        pull.close()
        context.terminate()
    }

    /// ipc://: the server's and client's events, the mask, the endpoint
    /// texts, DISCONNECTED when the peer goes, CLOSED at unbind and
    /// MONITOR_STOPPED when the monitor is stopped.
    @Test func ipcSequence() throws {
        let context = ZContext()
        let server = try context.socket(type: ZMQ_PULL)
        let client = try context.socket(type: ZMQ_PUSH)
        let serverEvents = try watch(context, server, "inproc://server-events")
        // The client's monitor asks for the handshake only.
        let clientEvents = try watch(context, client, "inproc://client-events",
                                     events: UInt64(MonitorEvent.handshakeSucceeded.rawValue))
        let path = "ipc://@zgss-monitor-\(getpid())"
        try server.bind(path)
        var event = try next(serverEvents)
        #expect(event.event == MonitorEvent.listening.rawValue && event.endpoint == path)
        try client.connect(path)
        event = try next(clientEvents)
        #expect(event.event == MonitorEvent.handshakeSucceeded.rawValue && event.value == 0 && event.endpoint == path)
        #expect(try next(serverEvents).event == MonitorEvent.accepted.rawValue)
        event = try next(serverEvents)
        #expect(event.event == MonitorEvent.handshakeSucceeded.rawValue && event.endpoint == path)
        client.close()
        #expect(try next(serverEvents).event == MonitorEvent.disconnected.rawValue)
        try server.removeEndpoint(path)
        #expect(try next(serverEvents).event == MonitorEvent.closed.rawValue)
        try server.monitor(endpoint: nil, events: 0)
        event = try next(serverEvents)
        #expect(event.event == MonitorEvent.monitorStopped.rawValue && event.value == 0 && event.endpoint.isEmpty)
        server.close()
        serverEvents.close()
        clientEvents.close()
        context.terminate()
    }
}

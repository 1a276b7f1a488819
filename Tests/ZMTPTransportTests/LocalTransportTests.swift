// SPDX-License-Identifier: MIT
import CZGSSHeader
import Glibc
import Testing
@testable import ZMTPTransport

/// ipc:// and inproc:// through real sockets of one context (NULL
/// security: no realm needed; the C tests in tests/zmqapi compare the same
/// behaviour with stock libzmq, GSSAPI over ipc:// included).
@Suite struct LocalTransportTests {

    private func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// ipc://* makes DIR/socket in a fresh directory and removes both when
    /// the socket's I/O thread closes the listener.
    @Test func wildcardIPCCleansUp() throws {
        let context = ZContext()
        let pull = try context.socket(type: ZMQ_PULL)
        try setInt(pull, ZMQ_RCVTIMEO, 10_000)
        try pull.bind("ipc://*")
        let text = try endpoint(pull)
        #expect(text.hasPrefix("ipc:///") && text.hasSuffix("/socket"))
        let file = String(text.dropFirst("ipc://".count))
        let directory = String(file.dropLast("/socket".count))
        #expect(exists(file))
        let push = try context.socket(type: ZMQ_PUSH)
        try push.connect(text)
        try push.send(Array("over ipc".utf8), flags: 0)
        #expect(try pull.receive(flags: 0) == Array("over ipc".utf8))
        push.close()
        pull.close()
        context.terminate()
        #expect(!exists(file))
        #expect(!exists(directory))
    }

    /// A fixed path: a stale socket file is replaced at bind; a regular
    /// file is left alone (EADDRINUSE), unlike libzmq which deletes it.
    @Test func fixedPathReplacesOnlyASocket() throws {
        var template = Array("/tmp/zgss-ipc-test-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { $0.baseAddress.map { mkdtemp($0) != nil } ?? false }
        #expect(made)
        let directory = SocketAddress.string(template)
        defer { rmdir(directory) }
        let context = ZContext()
        defer { context.terminate() }
        let first = try context.socket(type: ZMQ_PULL)
        try first.bind("ipc://\(directory)/s")
        first.close()
        let second = try context.socket(type: ZMQ_PULL)
        #expect(failureErrno { () throws(TransportError) in try second.bind("ipc://\(directory)/s") } == 0)
        second.close()
        let regular = "\(directory)/file"
        let fd = open(regular, O_CREAT | O_WRONLY, 0o600)
        #expect(fd >= 0)
        close(fd)
        let third = try context.socket(type: ZMQ_PULL)
        #expect(failureErrno { () throws(TransportError) in try third.bind("ipc://\(regular)") } == EADDRINUSE)
        #expect(exists(regular))
        third.close()
        unlink(regular)
        unlink("\(directory)/s")
    }

    /// Connect before bind, EADDRINUSE, and a message either way.
    @Test func inprocNames() throws {
        let context = ZContext()
        defer { context.terminate() }
        let a = try context.socket(type: ZMQ_PAIR)
        let b = try context.socket(type: ZMQ_PAIR)
        let c = try context.socket(type: ZMQ_PAIR)
        for socket in [a, b] { try setInt(socket, ZMQ_RCVTIMEO, 10_000) }
        try b.connect("inproc://name")
        try b.send(Array("early".utf8), flags: 0)
        try a.bind("inproc://name")
        #expect(try a.receive(flags: 0) == Array("early".utf8))
        try a.send(Array("back".utf8), flags: 0)
        #expect(try b.receive(flags: 0) == Array("back".utf8))
        #expect(failureErrno { () throws(TransportError) in try c.bind("inproc://name") } == EADDRINUSE)
        a.close()
        #expect(failureErrno { () throws(TransportError) in try c.bind("inproc://name") } == 0)
        for socket in [b, c] { socket.close() }
    }

    /// A connect nobody binds leaves its far end waiting in the registry;
    /// terminating the context closes that end, so the connecting end
    /// reads end-of-file (no descriptor is left behind).
    @Test func unboundInprocConnectIsReleased() throws {
        let registry = InprocRegistry()
        let own = try registry.connect("nobody") { _, _ in
            Issue.record("nothing is bound")
            return false
        }
        defer { close(own.fd) }
        var byte: UInt8 = 0
        #expect(read(own.fd, &byte, 1) == -1)  // open, nothing to read (non-blocking)
        registry.closeWaiting()
        #expect(read(own.fd, &byte, 1) == 0)
    }
}

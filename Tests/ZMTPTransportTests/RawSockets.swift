// SPDX-License-Identifier: MIT
import Glibc
@testable import ZMTPTransport

// Raw TCP endpoints for tests that play a misbehaving or refusing peer
// byte by byte.

/// A blocking TCP client on 127.0.0.1 that writes raw bytes.
final class RawPeer {
    let fd: Int32

    struct Failure: Error { let what: String }

    /// Wraps a connected fd (e.g. from accept); `close()` closes it.
    init(adopting fd: Int32) {
        self.fd = fd
    }

    init(port: UInt16) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(what: "socket") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard status == 0 else {
            closeDescriptor(fd)
            throw Failure(what: "connect: errno \(errno)")
        }
    }

    /// One send(2) for the whole batch.
    func send(_ bytes: [UInt8]) throws {
        let sent = bytes.withUnsafeBytes { sendBytes(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == bytes.count else { throw Failure(what: "send wrote \(sent) of \(bytes.count) bytes") }
    }

    /// Reads exactly `count` bytes; nil when they do not all arrive within
    /// `milliseconds` (of silence) or the other side closes first.
    func receive(count: Int, milliseconds: Int32) -> [UInt8]? {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: count)
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while received.count < count {
            guard poll(&descriptor, 1, milliseconds) > 0 else { return nil }
            let wanted = count - received.count
            let got = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, wanted, 0) }
            guard got > 0 else { return nil }
            received += buffer[0..<got]
        }
        return received
    }

    /// Reads (and discards) until the other side closes; false on timeout.
    func waitForClose(milliseconds: Int32) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while poll(&descriptor, 1, milliseconds) > 0 {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return true }
        }
        return false
    }

    func close() { closeDescriptor(fd) }
}

private func closeDescriptor(_ fd: Int32) { close(fd) }
private func sendBytes(_ fd: Int32, _ base: UnsafeRawPointer?, _ count: Int, _ flags: Int32) -> Int {
    send(fd, base, count, flags)
}

/// A listening TCP socket on 127.0.0.1 (a free port) for raw servers.
final class RawListener {
    let fd: Int32
    let port: UInt16

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard fd >= 0, bound else { throw RawPeer.Failure(what: "cannot listen on 127.0.0.1") }
        port = UInt16(bigEndian: address.sin_port)
    }

    /// For `milliseconds`, accepts every connection, writes `reply`, reads
    /// what the peer sends for 200 ms (so that closing sends no reset) and
    /// closes it. Returns how many connections came.
    func answerEveryConnection(with reply: [UInt8], forMilliseconds milliseconds: Int64) -> Int {
        let end = Clock.now + milliseconds
        var count = 0
        while Clock.now < end {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, Int32(max(0, end - Clock.now))) > 0 else { continue }
            let connection = accept(fd, nil, nil)
            guard connection >= 0 else { continue }
            count += 1
            _ = reply.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            let peer = RawPeer(adopting: connection)
            _ = peer.waitForClose(milliseconds: 200)
            peer.close()
        }
        return count
    }

    func close() { closeListener(fd) }
}

private func closeListener(_ fd: Int32) { close(fd) }

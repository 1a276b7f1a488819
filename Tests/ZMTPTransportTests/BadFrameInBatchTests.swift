#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Testing
import ZMTPCodec
@testable import ZMTPTransport

/// A peer's good messages that arrive in the same read as a bad frame are
/// delivered before the connection drops (they were complete and valid;
/// only what follows the bad frame is lost). NULL security over TCP
/// loopback, a raw peer that writes everything with one send(2).
@Suite struct BadFrameInBatchTests {
    static let pull: Int32 = 7

    @Test func messagesBeforeAMalformedFrameAreDelivered() throws {
        let context = ZContext()
        let pull = try context.socket(type: Self.pull)
        defer {
            pull.close()
            context.terminate()
        }
        var timeout: Int32 = 10_000
        try withUnsafeBytes(of: &timeout) { try pull.setOption(SocketOption.receiveTimeout, $0) }
        try pull.bind("tcp://127.0.0.1:*")
        guard case .string(let endpoint) = try pull.option(SocketOption.lastEndpoint),
              let port = endpoint.split(separator: ":").last.flatMap({ UInt16($0) }) else {
            Issue.record("no endpoint")
            return
        }

        // Greeting, READY, five messages (one of them multipart), then a
        // frame whose flags use reserved bits: all in one write.
        var batch = Greeting(mechanism: "NULL", asServer: false).encoded()
        var ready: [UInt8] = []
        Metadata([Metadata.Property(name: "Socket-Type", value: Array("PUSH".utf8))]).encode(into: &ready)
        batch += Frame(body: Command.encode(name: "READY", data: ready), isCommand: true).encoded()
        for index in 0..<4 {
            batch += Frame(body: Array("message \(index)".utf8)).encoded()
        }
        batch += Frame(body: Array("part one".utf8), more: true).encoded()
        batch += Frame(body: Array("part two".utf8)).encoded()
        batch += [0xf0, 3, 1, 2, 3]

        let peer = try RawPeer(port: port)
        defer { peer.close() }
        try peer.send(batch)

        var received: [[UInt8]] = []
        for _ in 0..<4 {
            received.append(try pull.receive(flags: 0))
        }
        #expect(received.map { String(decoding: $0, as: UTF8.self) } == (0..<4).map { "message \($0)" })
        let first = try pull.receive(flags: 0)
        let more = try pull.option(SocketOption.receiveMore)
        let second = try pull.receive(flags: 0)
        #expect(first == Array("part one".utf8) && more == .int(1) && second == Array("part two".utf8))
        // And then the connection is dropped, with the reason.
        #expect(peer.waitForClose(milliseconds: 10_000))
        guard case .string(let reason) = try pull.option(1004) else { return }
        #expect(reason.contains("reserved bits"))
    }
}

/// A blocking TCP client on 127.0.0.1 that writes raw bytes.
final class RawPeer {
    let fd: Int32

    struct Failure: Error { let what: String }

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

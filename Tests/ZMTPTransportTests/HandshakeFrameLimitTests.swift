// SPDX-License-Identifier: MIT
import CZGSSHeader
import Glibc
import Testing
import ZMTPCodec
@testable import ZMTPTransport

/// Before a peer is ready (greeting, INITIATE, READY, ERROR) its frames
/// have a small limit of their own (ZGSS_HANDSHAKE_MAXMSGSIZE, 128 KiB by
/// default), so an unauthenticated peer cannot make this side hold the
/// 256 MiB a ready peer may send; after READY, ZMQ_MAXMSGSIZE (or the
/// default) applies. NULL-mechanism connections back to back, and one
/// socket over TCP for the handshake timeout.
@Suite("Handshake frame limit")
struct HandshakeFrameLimitTests {
    static let defaultLimit = 128 << 10

    func make(_ type: SocketType, maxMessageSize: Int = -1,
              handshakeLimit: Int = Int(SocketOptions.defaultHandshakeMaxMessageSize)) -> Connection {
        Connection(id: 1, fd: -1, targetIndex: nil, peerText: "test", socketType: type, security: .null,
                   routingId: [], handshakeDeadline: nil, maxMessageSize: maxMessageSize,
                   handshakeMaxMessageSize: handshakeLimit)
    }

    func pump(_ a: Connection, _ b: Connection) throws -> [ConnectionEvent] {
        var seenB: [ConnectionEvent] = []
        for _ in 0..<8 {
            let fromA = a.takeOutput()
            let fromB = b.takeOutput()
            if fromA.isEmpty && fromB.isEmpty { break }
            seenB += try b.receive(fromA[...])
            _ = try a.receive(fromB[...])
        }
        return seenB
    }

    func failure(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let error as ConnectionFailure {
            return error.reason
        } catch {
            return "\(error)"
        }
    }

    func greeting() -> [UInt8] { Greeting(mechanism: "NULL", asServer: false).encoded() }

    /// A READY command from a PUSH peer whose metadata is `padding` bytes
    /// longer than it needs to be (an X- property, as ZMQ_METADATA sends).
    func ready(padding: Int = 0) -> [UInt8] {
        var properties = [Metadata.Property(name: "Socket-Type", value: Array("PUSH".utf8))]
        if padding > 0 { properties.append(Metadata.Property(name: "X-Pad", value: [UInt8](repeating: 0x70, count: padding))) }
        var data: [UInt8] = []
        Metadata(properties).encode(into: &data)
        return Frame(body: Command.encode(name: "READY", data: data), isCommand: true).encoded()
    }

    func longHeader(_ size: UInt64, command: Bool) -> [UInt8] {
        var out: [UInt8] = []
        Frame.appendHeader(to: &out, bodyCount: Int(size), more: false, isCommand: command)
        return out
    }

    @Test func aHugeHandshakeCommandIsRefusedFromItsHeader() throws {
        let pull = make(.pull)
        let reason = failure { _ = try pull.receive((greeting() + longHeader(250 << 20, command: true))[...]) }
        let text = try #require(reason, "a 250 MiB command frame before READY was not refused")
        #expect(text.contains("262144000-byte command frame before the NULL handshake completed"), "\(text)")
        #expect(text.contains("limited to \(Self.defaultLimit) bytes (ZGSS_HANDSHAKE_MAXMSGSIZE)"), "\(text)")
    }

    @Test func aHandshakeFrameJustOverTheLimitIsRefused() throws {
        // 128 KiB of metadata: a READY no handshake needs.
        let pull = make(.pull)
        let reason = failure { _ = try pull.receive((greeting() + ready(padding: Self.defaultLimit))[...]) }
        #expect(reason?.contains("ZGSS_HANDSHAKE_MAXMSGSIZE") == true, "\(reason ?? "accepted")")
        #expect(!pull.isReady)
    }

    @Test func afterReadyTheNormalLimitApplies() throws {
        let push = make(.push)
        let pull = make(.pull)
        _ = try pump(push, pull)
        #expect(pull.isReady)
        let big = [UInt8](repeating: 0x42, count: 3 * Self.defaultLimit)
        try push.send([big])
        let events = try pump(push, pull)
        guard case .message(let parts) = events.first else {
            Issue.record("a \(big.count)-byte message after READY was not delivered")
            return
        }
        #expect(parts.array == [big])
    }

    @Test func theLimitSwitchesBetweenFramesOfOneRead() throws {
        // READY and a large data frame in the same read: the data frame is
        // read under the normal limit, the READY under the small one.
        let pull = make(.pull)
        let big = [UInt8](repeating: 0x43, count: 3 * Self.defaultLimit)
        let events = try pull.receive((greeting() + ready() + Frame(body: big).encoded())[...])
        #expect(events.count == 2)
        guard events.count == 2, case .message(let parts) = events[1] else { return }
        #expect(parts.array == [big])
    }

    @Test func theHandshakeLimitIsConfigurable() throws {
        let bytesOfAPlainReady = ready().count - 2
        // Too small for a plain READY: refused, with the limit named.
        let tight = make(.pull, handshakeLimit: bytesOfAPlainReady - 1)
        let reason = failure { _ = try tight.receive((greeting() + ready())[...]) }
        #expect(reason?.contains("limited to \(bytesOfAPlainReady - 1) bytes") == true, "\(reason ?? "accepted")")
        // Just enough.
        let exact = make(.pull, handshakeLimit: bytesOfAPlainReady)
        _ = try exact.receive((greeting() + ready())[...])
        #expect(exact.isReady)
        // Larger: a READY with 200 KiB of metadata passes.
        let roomy = make(.pull, handshakeLimit: 1 << 20)
        _ = try roomy.receive((greeting() + ready(padding: 200 << 10))[...])
        #expect(roomy.isReady)
    }

    @Test func zmqMaxMsgSizeAppliesAfterReadyAndIsNamed() throws {
        let push = make(.push)
        let pull = make(.pull, maxMessageSize: 1000)
        _ = try pump(push, pull)
        let reason = failure { _ = try pull.receive(longHeader(5000, command: false)[...]) }
        #expect(reason?.contains("5000-byte frame; the limit is 1256 bytes (ZMQ_MAXMSGSIZE 1000") == true,
                "\(reason ?? "accepted")")
    }

    @Test func theLargestMaxMsgSizeDoesNotOverflow() throws {
        // ZMQ_MAXMSGSIZE takes any int64_t; INT64_MAX + 256 used to trap.
        let push = make(.push)
        let pull = make(.pull, maxMessageSize: Int.max)
        _ = try pump(push, pull)
        #expect(pull.isReady)
    }

    @Test func handshakeProgressSaysWhatArrived() throws {
        let pull = make(.pull)
        #expect(pull.handshakeProgress() == "nothing")
        _ = try pull.receive(greeting()[0..<12])
        #expect(pull.handshakeProgress() == "12 of the 64 greeting bytes")
        _ = try pull.receive(greeting()[12...])
        #expect(pull.handshakeProgress() == "its greeting")
        #expect(pull.unfinishedFrameNote() == nil)
        _ = try pull.receive((longHeader(100_000, command: true) + [UInt8](repeating: 0, count: 4096))[...])
        #expect(pull.handshakeProgress() == "its greeting and 4096 of the 100000 bytes of a command frame")
        #expect(pull.unfinishedFrameNote() == "stopped 4096 bytes into a 100000-byte command frame")
    }

    /// Over TCP: a peer that sends its greeting and then trickles a
    /// handshake frame is dropped at ZMQ_HANDSHAKE_IVL (trickling does not
    /// extend it), and the socket says what the peer had sent.
    @Test func aTricklingPeerIsDroppedAtTheHandshakeInterval() throws {
        let context = ZContext()
        let pull = try context.socket(type: 7)
        defer {
            pull.close()
            context.terminate()
        }
        var interval: Int32 = 400
        try withUnsafeBytes(of: &interval) { try pull.setOption(ZMQ_HANDSHAKE_IVL, $0) }
        try pull.bind("tcp://127.0.0.1:0")
        guard case .string(let endpoint) = try pull.option(ZMQ_LAST_ENDPOINT),
              let port = UInt16(endpoint.split(separator: ":").last ?? "") else {
            Issue.record("no endpoint")
            return
        }
        let peer = try RawPeer(port: port)
        defer { peer.close() }
        let started = Clock.now
        try peer.send(greeting() + longHeader(100_000, command: true))
        var closed = false
        while Clock.now - started < 10_000 && !closed {
            if (try? peer.send([0])) == nil { break }
            closed = peer.waitForClose(milliseconds: 50)
        }
        let elapsed = Clock.now - started
        #expect(elapsed >= 350 && elapsed < 5000, "dropped after \(elapsed) ms")
        // The I/O thread publishes the reason in its next round.
        var reason = ""
        while Clock.now - started < 10_000 {
            if case .string(let text) = try pull.option(1004), !text.isEmpty {
                reason = text
                break
            }
            usleep(20_000)
        }
        #expect(reason.contains("timed out after 400 ms; the peer had sent its greeting and ")
                && reason.contains(" of the 100000 bytes of a command frame"),
                "ZGSS_LAST_ERROR: \(reason)")
    }
}

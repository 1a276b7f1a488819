// SPDX-License-Identifier: MIT
import Foundation
import Testing
import TestRealm
import ZMTPCodec
import GSSKit
@testable import ZMTPGSSAPI

/// Compares zgss's handshake with a real libzmq 4.3.4 capture
/// (Tests/Fixtures/libzmq-4.3.4, made by tools/capture_libzmq.py). Kerberos
/// tokens differ on every run, so the comparison is of everything else:
/// the command sequence and the exact plaintext inside each wrap.
@Suite("Byte-compatibility with libzmq 4.3.4 captures", .tags(.kerberos), .needsRealm)
struct LibzmqFixtureTests {
    struct Capture {
        let wraps: [(dir: String, plaintext: [UInt8])]
        let frameLabels: [String: [String]]
    }

    static func load(_ name: String) throws -> Capture {
        let url = TestRealm.repositoryRoot.appendingPathComponent("Tests/Fixtures/libzmq-4.3.4/\(name)/capture.json")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let wraps = (json["wraps"] as? [[String: Any]] ?? []).map { wrap in
            (dir: wrap["dir"] as? String ?? "", plaintext: hexBytes(wrap["plaintext_hex"] as? String ?? ""))
        }
        var labels: [String: [String]] = [:]
        for (dir, frames) in json["frames"] as? [String: [[String: Any]]] ?? [:] {
            labels[dir] = frames.compactMap { $0["label"] as? String }.filter { $0.hasPrefix("frame") }
        }
        return Capture(wraps: wraps, frameLabels: labels)
    }

    static func hexBytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex, let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex),
              let byte = UInt8(hex[index..<next], radix: 16) {
            out.append(byte)
            index = next
        }
        return out
    }

    /// The plaintext inside the wrap of a MESSAGE body, opened with the
    /// receiving side's context.
    static func plaintext(of body: [UInt8], openedBy mechanism: GSSAPIMechanism) throws -> [UInt8] {
        let token = try GSSAPICommand.parseMessage(body)
        let context = try #require(mechanism.context)
        return try context.unwrap(token).message
    }

    @Test func encryptedReqRepHandshakeMatches() throws {
        let capture = try Self.load("req-rep-encrypted")
        // The capture's client-side frames: INITIATE, EMPTY, MESSAGE (READY).
        let c2s = try #require(capture.frameLabels["c2s"])
        #expect(c2s.prefix(3).map { $0.split(separator: " ").dropFirst(2).joined(separator: " ") }
                == ["command INITIATE", "EMPTY command", "command MESSAGE"])

        let pair = try MechanismPair(Sides(), clientType: .req, serverType: .rep, mitClient: true, mitServer: true)
        try pair.run()
        let bodies = pair.transcript.map(\.body)
        #expect(bodies[2].isEmpty)
        // READY plaintexts (flags byte 0 + READY body), both directions.
        // The wrap itself is lossless (see the round-trip tests).
        let libzmqServerReady = try #require(capture.wraps.first { $0.dir == "s2c" }).plaintext
        let libzmqClientReady = try #require(capture.wraps.first { $0.dir == "c2s" }).plaintext
        #expect([0] + pair.server.readyBody() == libzmqServerReady)
        #expect([0] + pair.client.readyBody() == libzmqClientReady)
        // And the READY that crossed is a MESSAGE whose token is plaintext + 60.
        #expect(bodies[3].count == 12 + 60 + libzmqServerReady.count)

        // Data: REQ sends an empty delimiter with MORE, then "hello".
        let delimiter = try pair.client.encode(ZMTPMessage([], flags: .more))
        let hello = try pair.client.encode(ZMTPMessage(Array("hello".utf8)))
        let dataWraps = capture.wraps.filter { $0.dir == "c2s" }.dropFirst().map(\.plaintext)
        #expect(try Self.plaintext(of: delimiter.body, openedBy: pair.server) == dataWraps.first)
        #expect(try Self.plaintext(of: hello.body, openedBy: pair.server) == dataWraps.dropFirst().first)
    }

    @Test func plaintextReadyBodiesMatchByteForByte() throws {
        let root = TestRealm.repositoryRoot.appendingPathComponent("Tests/Fixtures/libzmq-4.3.4/req-rep-plaintext")
        let c2s = try [UInt8](Data(contentsOf: root.appendingPathComponent("c2s.bin")))
        let s2c = try [UInt8](Data(contentsOf: root.appendingPathComponent("s2c.bin")))
        func frames(_ bytes: [UInt8]) throws -> [Frame] {
            var decoder = FrameDecoder()
            decoder.append(bytes.dropFirst(Greeting.size))
            var out: [Frame] = []
            while let frame = try decoder.next() { out.append(frame) }
            return out
        }
        let libzmqClient = try frames(c2s)
        let libzmqServer = try frames(s2c)
        let pair = try MechanismPair(Sides(plaintext: true), clientType: .req, serverType: .rep)
        try pair.run()
        let ours = pair.transcript.map(\.body)
        // Client: INITIATE, empty, READY. Server: INITIATE, READY.
        #expect(libzmqClient[1].body.isEmpty && libzmqClient[1].isCommand)
        #expect(ours[4] == libzmqClient[2].body)
        #expect(ours[3] == libzmqServer[1].body)
    }
}

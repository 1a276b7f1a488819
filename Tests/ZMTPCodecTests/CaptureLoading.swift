// SPDX-License-Identifier: MIT
// Loads the libzmq 4.3.4 captures in Tests/Fixtures/libzmq-4.3.4 and runs a
// direction of one through Greeting + FrameDecoder, as the engine would.
import Foundation
import Testing
@testable import ZMTPCodec

/// One recorded TCP connection between two stock libzmq 4.3.4 peers.
struct Capture {
    struct Chunk: Decodable { let kind: String; let dir: String?; let offset: Int?; let len: Int? }
    struct Span: Decodable { let start: Int; let end: Int; let label: String }
    struct Wrap: Decodable { let dir: String; let token_offset: Int; let token_len: Int; let plaintext_hex: String }
    struct Index: Decodable { let chunks: [Chunk]; let frames: [String: [Span]]; let wraps: [Wrap] }

    let name: String
    let bytes: [String: [UInt8]]  // "c2s" / "s2c"
    let index: Index

    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/libzmq-4.3.4")

    static func load(_ name: String) throws -> Capture {
        let folder = directory.appendingPathComponent(name)
        let c2s = try Data(contentsOf: folder.appendingPathComponent("c2s.bin"))
        let s2c = try Data(contentsOf: folder.appendingPathComponent("s2c.bin"))
        let json = try Data(contentsOf: folder.appendingPathComponent("capture.json"))
        return Capture(name: name, bytes: ["c2s": [UInt8](c2s), "s2c": [UInt8](s2c)],
                       index: try JSONDecoder().decode(Index.self, from: json))
    }

    /// The reads as they crossed the recording proxy, in order.
    func recordedChunks(_ dir: String) -> [Range<Int>] {
        index.chunks.compactMap { chunk in
            guard chunk.kind == "data", chunk.dir == dir, let offset = chunk.offset, let len = chunk.len else { return nil }
            return offset..<offset + len
        }
    }

    /// The frame spans the capture script found (independently of this codec).
    func frameSpans(_ dir: String) -> [Span] {
        index.frames[dir, default: []].filter { $0.label.hasPrefix("frame ") }
    }

    /// The exact `gss_wrap` input for the token at `offset` (seen by the spy).
    func wrapPlaintext(_ dir: String, tokenOffset: Int) -> Wrap? {
        index.wraps.first { $0.dir == dir && $0.token_offset == tokenOffset }
    }
}

/// A direction decoded: the greeting, then each frame with its stream offset.
struct DecodedDirection: Equatable {
    var greeting: Greeting
    var frames: [Frame]
    var offsets: [Int]
}

/// Feeds `chunks` of `bytes` to a greeting reader and then a FrameDecoder.
/// The signature is checked as soon as 10 bytes are in, as libzmq does.
func decodeDirection(_ bytes: [UInt8], chunks: [Range<Int>]) throws -> DecodedDirection {
    var pending: [UInt8] = []
    var greeting: Greeting?
    var decoder = FrameDecoder()
    var frames: [Frame] = []
    var offsets: [Int] = []
    var offset = Greeting.size
    for chunk in chunks {
        if greeting == nil {
            pending += bytes[chunk]
            if pending.count >= Greeting.signatureSize { try Greeting.validateSignature(pending) }
            guard pending.count >= Greeting.size else { continue }
            greeting = try Greeting(parsing: pending)
            decoder.append(pending[Greeting.size...])
        } else {
            decoder.append(bytes[chunk])
        }
        while let frame = try decoder.next() {
            frames.append(frame)
            offsets.append(offset)
            offset += frame.encoded().count
        }
    }
    let parsed = try #require(greeting, "stream ended inside the greeting")
    #expect(decoder.bufferedByteCount == 0, "bytes left over after the last frame")
    return DecodedDirection(greeting: parsed, frames: frames, offsets: offsets)
}

/// Splits `count` bytes into ranges of at most `size`.
func fixedChunks(_ count: Int, size: Int) -> [Range<Int>] {
    stride(from: 0, to: count, by: size).map { $0..<min(count, $0 + size) }
}

/// A krb5 mechanism token (RFC 2743 §3.1 framing): `60`, DER length, the
/// krb5 OID, then the 2-byte TOK_ID. Returns the TOK_ID, checking the DER
/// length covers exactly the rest of the token.
func krb5TokenID(_ token: ArraySlice<UInt8>) throws -> [UInt8] {
    let t = Array(token)
    try #require(t.count > 2 && t[0] == 0x60, "not an RFC 2743 initial-context token")
    var at = 1
    var length = 0
    if t[1] < 0x80 {
        length = Int(t[1])
        at = 2
    } else {
        let octets = Int(t[1] & 0x7f)
        try #require(octets >= 1 && octets <= 3 && t.count > 2 + octets)
        for i in 0..<octets { length = length << 8 | Int(t[2 + i]) }
        at = 2 + octets
    }
    #expect(length == t.count - at, "DER length \(length) vs \(t.count - at) bytes present")
    let krb5OID = hex("06 09 2a 86 48 86 f7 12 01 02 02")
    try #require(t.count >= at + krb5OID.count + 2)
    #expect(Array(t[at..<at + krb5OID.count]) == krb5OID, "mechanism OID is not krb5")
    return Array(t[at + krb5OID.count..<at + krb5OID.count + 2])
}

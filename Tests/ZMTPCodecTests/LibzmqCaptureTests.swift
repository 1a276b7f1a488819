// SPDX-License-Identifier: MIT
// Real libzmq 4.3.4 GSSAPI traffic (Tests/Fixtures/libzmq-4.3.4) decoded
// with this codec. The handshake every capture must show:
//   C→S INITIATE (AP-REQ), S→C INITIATE (AP-REP), C→S empty command `04 00`,
//   S→C and C→S READY (wrapped in MESSAGE when encrypted), then data.
import Testing
import ZGSSBase
@testable import ZMTPCodec

/// One message part as the application sees it.
struct Part: Equatable, CustomStringConvertible {
    var more = false
    var command = false
    var payload: [UInt8]
    var description: String { "\(more ? "MORE " : "")\(command ? "CMD " : "")\(payload)" }
}

struct CaptureExpectation: CustomTestStringConvertible, Sendable {
    var name: String
    var client: SocketType
    var server: SocketType
    var clientEncrypted: Bool
    var serverEncrypted: Bool
    /// Identity property in each READY (nil: absent).
    var clientIdentity: [UInt8]?
    var serverIdentity: [UInt8]?
    /// nil: the client never reached READY (the plaintext mismatch).
    var c2sParts: [Part]?
    var s2cParts: [Part]

    var testDescription: String { name }

    static let all: [CaptureExpectation] = [
        .init(name: "req-rep-encrypted", client: .req, server: .rep, clientEncrypted: true, serverEncrypted: true,
              clientIdentity: [], serverIdentity: nil,
              c2sParts: [Part(more: true, payload: []), Part(payload: ascii("hello"))],
              s2cParts: [Part(more: true, payload: []), Part(payload: ascii("world"))]),
        .init(name: "req-rep-plaintext", client: .req, server: .rep, clientEncrypted: false, serverEncrypted: false,
              clientIdentity: [], serverIdentity: nil,
              c2sParts: [Part(more: true, payload: []), Part(payload: ascii("hello"))],
              s2cParts: [Part(more: true, payload: []), Part(payload: ascii("world"))]),
        .init(name: "dealer-router-encrypted", client: .dealer, server: .router, clientEncrypted: true, serverEncrypted: true,
              clientIdentity: ascii("client-1"), serverIdentity: [],
              c2sParts: [Part(more: true, payload: []), Part(more: true, payload: ascii("part1")), Part(payload: ascii("part2"))],
              s2cParts: [Part(more: true, payload: []), Part(more: true, payload: ascii("reply1")), Part(payload: ascii("reply2"))]),
        // The SUB's subscription reaches the wrap as a bare topic, flags 0.
        .init(name: "pub-sub-encrypted", client: .sub, server: .pub, clientEncrypted: true, serverEncrypted: true,
              clientIdentity: nil, serverIdentity: nil,
              c2sParts: [Part(payload: ascii("topic"))], s2cParts: []),
        .init(name: "pub-sub-plaintext", client: .sub, server: .pub, clientEncrypted: false, serverEncrypted: false,
              clientIdentity: nil, serverIdentity: nil,
              c2sParts: [Part(command: true, payload: hex("09") + ascii("SUBSCRIBE") + ascii("topic"))],
              s2cParts: (0..<10).map { Part(payload: ascii("topic \($0)")) }),
        .init(name: "plaintext-mismatch", client: .req, server: .rep, clientEncrypted: false, serverEncrypted: true,
              clientIdentity: [], serverIdentity: nil, c2sParts: nil, s2cParts: []),
    ]
}

@Suite struct LibzmqCaptureTests {
    /// RFC 4121 wrap-token overhead libzmq's aes256-cts tokens showed.
    static let wrapOverhead = 60

    @Test(arguments: CaptureExpectation.all)
    func chunkingDoesNotMatter(expected: CaptureExpectation) throws {
        let capture = try Capture.load(expected.name)
        for dir in ["c2s", "s2c"] {
            let bytes = try #require(capture.bytes[dir])
            let recorded = try decodeDirection(bytes, chunks: capture.recordedChunks(dir))
            #expect(try decodeDirection(bytes, chunks: [0..<bytes.count]) == recorded, "\(dir) in one read")
            #expect(try decodeDirection(bytes, chunks: fixedChunks(bytes.count, size: 1)) == recorded, "\(dir) byte at a time")
            #expect(try decodeDirection(bytes, chunks: fixedChunks(bytes.count, size: 7)) == recorded, "\(dir) 7 at a time")
        }
    }

    @Test(arguments: CaptureExpectation.all)
    func framesMatchTheCaptureAndReEncodeByteExact(expected: CaptureExpectation) throws {
        let capture = try Capture.load(expected.name)
        for dir in ["c2s", "s2c"] {
            let bytes = try #require(capture.bytes[dir])
            let decoded = try decodeDirection(bytes, chunks: capture.recordedChunks(dir))
            let spans = capture.frameSpans(dir)
            #expect(spans.count == decoded.frames.count, "\(dir) frame count")
            for (i, (frame, span)) in zip(decoded.frames, spans).enumerated() {
                #expect(decoded.offsets[i] == span.start, "\(dir) frame \(i + 1) start")
                #expect(Array(bytes[span.start..<span.end]) == frame.encoded(), "\(dir) frame \(i + 1) re-encoded")
            }
        }
    }

    @Test(arguments: CaptureExpectation.all)
    func greetings(expected: CaptureExpectation) throws {
        let capture = try Capture.load(expected.name)
        for dir in ["c2s", "s2c"] {
            let bytes = try #require(capture.bytes[dir])
            let greeting = try Greeting(parsing: bytes)
            #expect(greeting == Greeting(mechanism: "GSSAPI", asServer: false), "\(dir): libzmq sends as-server 0 on both sides")
            // Byte 9 is the sender's routing-id length + 1 ("client-1": 9).
            let routingIDLength = dir == "c2s" && expected.client == .dealer ? 8 : 0
            #expect(bytes[8] == UInt8(routingIDLength + 1), "\(dir) signature padding")
            // Apart from that byte, zgss's greeting is what libzmq sent.
            var ours = Greeting(mechanism: "GSSAPI", asServer: false).encoded()
            ours[8] = bytes[8]
            #expect(Array(bytes[0..<Greeting.size]) == ours, "\(dir) greeting bytes")
        }
    }

    @Test(arguments: CaptureExpectation.all)
    func clientToServer(expected: CaptureExpectation) throws {
        let capture = try Capture.load(expected.name)
        let bytes = try #require(capture.bytes["c2s"])
        let decoded = try decodeDirection(bytes, chunks: capture.recordedChunks("c2s"))
        try #require(decoded.frames.count >= 2)

        let initiate = decoded.frames[0]
        #expect(initiate.isCommand && !initiate.more)
        #expect(initiate.body.count > 255, "the AP-REQ INITIATE needs a long frame")
        #expect(try krb5TokenID(GSSAPICommand.parseInitiate(initiate.body)) == hex("01 00"), "AP-REQ")

        #expect(decoded.frames[1] == Frame(body: [], isCommand: true), "the client's empty command frame")
        #expect(throws: CodecError.self) { try Command(parsing: decoded.frames[1].body) }

        guard let parts = expected.c2sParts else {
            #expect(decoded.frames.count == 2, "the mismatched client stops after the empty frame")
            return
        }
        try checkReadyAndData(capture, dir: "c2s", frames: Array(decoded.frames[2...]), offsets: Array(decoded.offsets[2...]),
                              encrypted: expected.clientEncrypted, initiator: true,
                              type: expected.client, identity: expected.clientIdentity, parts: parts)
    }

    @Test(arguments: CaptureExpectation.all)
    func serverToClient(expected: CaptureExpectation) throws {
        let capture = try Capture.load(expected.name)
        let bytes = try #require(capture.bytes["s2c"])
        let decoded = try decodeDirection(bytes, chunks: capture.recordedChunks("s2c"))
        try #require(decoded.frames.count >= 2)

        let initiate = decoded.frames[0]
        #expect(initiate.isCommand && !initiate.more)
        #expect(try krb5TokenID(GSSAPICommand.parseInitiate(initiate.body)) == hex("02 00"), "AP-REP")

        if !expected.clientEncrypted && expected.serverEncrypted {
            // What the plaintext client trips over: MESSAGE where it wants READY.
            let error = #expect(throws: CodecError.self) { try GSSAPICommand.parseReady(decoded.frames[1].body) }
            #expect(error?.reason == "expected READY, got MESSAGE")
        }
        try checkReadyAndData(capture, dir: "s2c", frames: Array(decoded.frames[1...]), offsets: Array(decoded.offsets[1...]),
                              encrypted: expected.serverEncrypted, initiator: false,
                              type: expected.server, identity: expected.serverIdentity, parts: expected.s2cParts)
    }

    /// `frames` starts at the sender's READY; the rest are its data.
    func checkReadyAndData(_ capture: Capture, dir: String, frames: [Frame], offsets: [Int], encrypted: Bool,
                           initiator: Bool, type: SocketType, identity: [UInt8]?, parts: [Part]) throws {
        try #require(!frames.isEmpty)
        var sequence: UInt64?
        var seen: [Part] = []
        for (frame, offset) in zip(frames, offsets) {
            if encrypted {
                let token = try GSSAPICommand.parseMessage(frame.body)
                #expect(!frame.more, "MORE travels inside the wrap")
                #expect(Array(token.prefix(4)) == [0x05, 0x04, initiator ? 0x06 : 0x07, 0xff], "RFC 4121 wrap header")
                // The 8-byte SND_SEQ goes up by one per token.
                let seq = readUInt64BE(token, at: token.startIndex + 8)
                if let previous = sequence { #expect(seq == previous &+ 1) }
                sequence = seq
                let tokenOffset = offset + Frame.headerSize(forBodyCount: frame.body.count) + GSSAPICommand.messagePrefix.count + 4
                let wrap = try #require(capture.wrapPlaintext(dir, tokenOffset: tokenOffset), "no spy record at \(tokenOffset)")
                let plain = hex(wrap.plaintext_hex)
                #expect(wrap.token_len == token.count)
                #expect(token.count == plain.count + Self.wrapOverhead)
                let flags = try #require(plain.first)
                #expect(flags & ~0x03 == 0, "4.3.4 inner flags are MORE and COMMAND only")
                seen.append(Part(more: flags & 0x01 != 0, command: flags & 0x02 != 0, payload: Array(plain.dropFirst())))
            } else {
                seen.append(Part(more: frame.more, command: frame.isCommand, payload: frame.body))
            }
        }
        // READY: a command frame outside; inside the wrap its flags byte is 0.
        #expect(frames[0].isCommand)
        let ready = seen.removeFirst()
        #expect(!ready.more && ready.command == !encrypted)
        let metadata = try GSSAPICommand.parseReady(ready.payload)
        #expect(metadata["Socket-Type"] == Array(type.name.utf8))
        #expect(metadata["Identity"] == identity)
        #expect((identity != nil) == type.sendsIdentity)
        #expect(metadata.properties.count == (identity == nil ? 1 : 2))
        // Re-encoding the parsed READY gives libzmq's bytes back.
        #expect(GSSAPICommand.ready(metadata) == ready.payload)

        #expect(seen == parts)
        for frame in frames.dropFirst() where encrypted {
            #expect(!frame.isCommand, "data MESSAGEs travel in ordinary frames")
        }
    }
}

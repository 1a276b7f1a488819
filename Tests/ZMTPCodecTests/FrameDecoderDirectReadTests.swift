// SPDX-License-Identifier: MIT
// FrameDecoder.receiveIntoBody: the I/O thread reads the rest of a large
// frame from the socket straight into the frame's body. What it offers
// must stop at the frame's end, grow as `append` grows a body, and give
// the same frames as feeding the same bytes through `append`.
import Testing
import ZGSSBase
import TestSupport
@testable import ZMTPCodec

@Suite struct FrameDecoderDirectReadTests {
    /// The body of a test frame: a pattern that shows misplaced bytes.
    static func body(_ size: Int, seed: Int = 0) -> [UInt8] {
        (0..<size).map { UInt8(truncatingIfNeeded: ($0 &+ seed) &* 7 &+ ($0 >> 8)) }
    }

    /// Feeds `stream` as a socket would: while a frame body lacks at least
    /// `directMinimum` bytes, reads of up to `chunk` bytes go into it
    /// directly; everything else goes through `append` in `chunk`s.
    /// Returns the frames and the largest room ever offered past the
    /// collected frame's end (must be 0).
    static func feed(_ stream: [UInt8], chunk: Int, directMinimum: Int) throws -> (frames: [Frame], overshoot: Int, direct: Int) {
        var decoder = FrameDecoder()
        var frames: [Frame] = []
        var start = 0
        var overshoot = 0
        var direct = 0
        while start < stream.count {
            let missing = decoder.missingBodyByteCount
            if missing >= directMinimum {
                let written = decoder.receiveIntoBody(upTo: chunk) { room in
                    overshoot = max(overshoot, room.count - missing)
                    let count = min(room.count, stream.count - start)
                    stream[start..<start + count].withUnsafeBytes { room.copyMemory(from: $0) }
                    return count
                }
                start += written
                direct += written
            } else {
                let end = min(stream.count, start + chunk)
                decoder.append(stream[start..<end])
                start = end
            }
            while let frame = try decoder.next() { frames.append(frame) }
        }
        return (frames, overshoot, direct)
    }

    @Test("frames read into their bodies equal frames appended", arguments: [1, 1000, 65_536, 1 << 20])
    func directReadsGiveTheSameFrames(chunk: Int) throws {
        let sent = [
            Frame(body: Self.body(200_000), more: true),
            Frame(body: Self.body(5, seed: 1)),
            Frame(body: Self.body(40_000, seed: 2)),
            Frame(body: Self.body((1 << 20) + 3, seed: 3), isCommand: true),
            Frame(body: []),
            Frame(body: Self.body(3 << 20, seed: 4)),
        ]
        var stream: [UInt8] = []
        for frame in sent { frame.encode(into: &stream) }
        let result = try Self.feed(stream, chunk: chunk, directMinimum: 1)
        #expect(result.frames == sent)
        #expect(result.overshoot <= 0, "offered \(result.overshoot) bytes past a frame's end")
        // The large bodies' rest took the direct path: most of the bytes
        // with reads smaller than those bodies, some with 1 MiB reads.
        #expect(result.direct > (chunk <= 65_536 ? 4 << 20 : 0))
    }

    @Test func nothingIsOfferedWithoutAFrameBeingCollected() throws {
        var decoder = FrameDecoder()
        var called = false
        #expect(decoder.receiveIntoBody(upTo: 100) { _ in called = true; return 0 } == 0)
        // A small frame's body is buffered, not collected.
        decoder.append([0x00, 10, 1, 2])
        #expect(decoder.missingBodyByteCount == 0)
        #expect(decoder.receiveIntoBody(upTo: 100) { _ in called = true; return 0 } == 0)
        #expect(!called)
        #expect(try decoder.next() == nil)
    }

    @Test func aFailedDecoderOffersNothing() throws {
        var decoder = FrameDecoder(maxFrameSize: 1 << 20)
        decoder.append([0x02, 0, 0, 0, 0, 0, 0x20, 0, 0])  // 2 MiB declared, over the limit
        #expect(throws: CodecError.self) { try decoder.next() }
        #expect(decoder.missingBodyByteCount == 0)
        var called = false
        #expect(decoder.receiveIntoBody(upTo: 100) { _ in called = true; return 0 } == 0)
        #expect(!called)
    }

    @Test func aShortReadKeepsWhatArrivedAndOffersTheRest() throws {
        var decoder = FrameDecoder()
        let body = Self.body(100_000)
        let stream = Frame(body: body).encoded()
        decoder.append(stream[0..<1000])
        #expect(try decoder.next() == nil)
        #expect(decoder.missingBodyByteCount == 100_000 - (1000 - 9))
        // A read that returns nothing (EAGAIN) changes nothing.
        #expect(decoder.receiveIntoBody(upTo: 1 << 20) { _ in 0 } == 0)
        #expect(decoder.missingBodyByteCount == 100_000 - 991)
        var offered: [Int] = []
        var start = 1000
        while start < stream.count {
            let written = decoder.receiveIntoBody(upTo: 1 << 20) { room in
                offered.append(room.count)
                let count = min(room.count, 7777)
                stream[start..<start + count].withUnsafeBytes { room.copyMemory(from: $0) }
                return count
            }
            start += written
        }
        #expect(offered.first == 100_000 - 991)
        #expect(zip(offered, offered.dropFirst()).allSatisfy { $0 - $1 == 7777 })
        #expect(try decoder.next() == Frame(body: body))
        #expect(decoder.bufferedByteCount == 0)
    }

    /// A peer that declares a huge frame and sends a little of it costs
    /// what it sent, whichever path its bytes took.
    @Test func aLargeDeclaredFrameReservesWhatArrived() throws {
        var decoder = FrameDecoder()
        decoder.append(FrameDecoderMemoryTests.longHeader(250 << 20, command: true))
        #expect(try decoder.next() == nil)
        #expect(decoder.missingBodyByteCount == 250 << 20)
        var received = 0
        while received < 1 << 20 {
            received += decoder.receiveIntoBody(upTo: 1 << 16) { room in
                room.initializeMemory(as: UInt8.self, repeating: 0xa5)
                return room.count
            }
        }
        #expect(decoder.bufferedByteCount == 9 + (1 << 20))
        #expect(decoder.reservedByteCount <= 3 << 20, "holds \(decoder.reservedByteCount) bytes for 1 MiB received")
    }
}

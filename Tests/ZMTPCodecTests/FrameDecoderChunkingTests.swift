// SPDX-License-Identifier: MIT
// The decoder must return the same frames however the stream is cut.
import Testing
import TestSupport
@testable import ZMTPCodec

@Suite struct FrameDecoderChunkingTests {
    /// A random mix of frames around the interesting sizes.
    static func randomFrames(count: Int, using rng: inout SeededGenerator) -> [Frame] {
        let sizes = [0, 1, 2, 8, 9, 254, 255, 256, 257, 1000]
        return (0..<count).map { _ in
            let size = Bool.random(using: &rng) ? sizes.randomElement(using: &rng)! : Int.random(in: 0...600, using: &rng)
            let body = (0..<size).map { _ in UInt8.random(in: 0...255, using: &rng) }
            // MORE and COMMAND together are invalid; pick at most one.
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: return Frame(body: body, more: true)
            case 1: return Frame(body: body, isCommand: true)
            default: return Frame(body: body)
            }
        }
    }

    /// Feeds `chunks` in order, draining after each one, as a socket reader would.
    static func decode(_ chunks: [ArraySlice<UInt8>], maxFrameSize: Int = FrameDecoder.defaultMaxFrameSize) throws -> [Frame] {
        var decoder = FrameDecoder(maxFrameSize: maxFrameSize)
        var frames: [Frame] = []
        for chunk in chunks {
            decoder.append(chunk)
            while let frame = try decoder.next() { frames.append(frame) }
        }
        #expect(decoder.bufferedByteCount == 0)
        return frames
    }

    static func split(_ bytes: [UInt8], maxChunk: Int, using rng: inout SeededGenerator) -> [ArraySlice<UInt8>] {
        var chunks: [ArraySlice<UInt8>] = []
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + Int.random(in: 0...maxChunk, using: &rng))
            chunks.append(bytes[start..<end])  // empty chunks are allowed too
            start = end
        }
        return chunks
    }

    @Test func wholeStreamDecodesToTheFramesEncoded() throws {
        var rng = SeededGenerator(seed: 1)
        let frames = Self.randomFrames(count: 200, using: &rng)
        let stream = frames.flatMap { $0.encoded() }
        #expect(try Self.decode([stream[...]]) == frames)
    }

    @Test func byteAtATimeGivesTheSameFrames() throws {
        var rng = SeededGenerator(seed: 2)
        let frames = Self.randomFrames(count: 60, using: &rng)
        let stream = frames.flatMap { $0.encoded() }
        let chunks = stream.indices.map { stream[$0..<$0 + 1] }
        #expect(try Self.decode(chunks) == frames)
    }

    @Test(arguments: [3, 10, 64, 700, 5000])
    func randomChunkingsGiveTheSameFrames(maxChunk: Int) throws {
        var rng = SeededGenerator(seed: 0xC0DEC + UInt64(maxChunk))
        for round in 0..<40 {
            let frames = Self.randomFrames(count: Int.random(in: 1...40, using: &rng), using: &rng)
            let stream = frames.flatMap { $0.encoded() }
            let chunks = Self.split(stream, maxChunk: maxChunk, using: &rng)
            #expect(try Self.decode(chunks) == frames, "round \(round), max chunk \(maxChunk)")
        }
    }

    @Test func nothingIsReturnedUntilTheLastByteOfAFrame() throws {
        var rng = SeededGenerator(seed: 3)
        for frame in Self.randomFrames(count: 30, using: &rng) {
            let bytes = frame.encoded()
            var decoder = FrameDecoder()
            for i in 0..<bytes.count - 1 {
                decoder.append(bytes[i..<i + 1])
                #expect(try decoder.next() == nil, "byte \(i) of \(bytes.count)")
            }
            decoder.append(bytes[(bytes.count - 1)...])
            #expect(try decoder.next() == frame)
            #expect(try decoder.next() == nil)
        }
    }

    @Test func bufferCompactionKeepsPartialFrames() throws {
        // Many frames totalling well over 64 KiB, with a frame always split
        // across reads, so the decoder compacts while a partial frame is held.
        var rng = SeededGenerator(seed: 4)
        let frames = (0..<400).map { i in
            Frame(body: (0..<Int.random(in: 200...900, using: &rng)).map { UInt8(truncatingIfNeeded: $0 &+ i) })
        }
        let stream = frames.flatMap { $0.encoded() }
        var chunks: [ArraySlice<UInt8>] = []
        var start = 0
        while start < stream.count {
            let end = min(stream.count, start + 40_001)
            chunks.append(stream[start..<end])
            start = end
        }
        #expect(try Self.decode(chunks) == frames)
    }

    @Test func nonMinimalLongEncodingIsAccepted() throws {
        // A LONG header may carry a small size; libzmq reads it the same way.
        var decoder = FrameDecoder()
        decoder.append(hex("02 00 00 00 00 00 00 00 03 61 62 63"))
        #expect(try decoder.next() == Frame(body: ascii("abc")))
    }
}

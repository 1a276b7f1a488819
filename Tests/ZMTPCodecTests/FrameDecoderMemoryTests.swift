// SPDX-License-Identifier: MIT
// What the decoder holds in memory: a frame is collected as its bytes
// arrive (never the declared size up front, never past it), large buffers
// are let go once drained, and the limit can change between frames.
import Testing
import ZGSSBase
import TestSupport
@testable import ZMTPCodec

@Suite struct FrameDecoderMemoryTests {
    /// A LONG frame header declaring `size` bytes.
    static func longHeader(_ size: UInt64, command: Bool = false) -> [UInt8] {
        var out: [UInt8] = [command ? 0x06 : 0x02]
        out.appendUInt64BE(size)
        return out
    }

    @Test func aLargeDeclaredFrameCostsWhatArrivedNotWhatWasDeclared() throws {
        var decoder = FrameDecoder()
        decoder.append(Self.longHeader(250 << 20, command: true))
        #expect(try decoder.next() == nil)
        let chunk = [UInt8](repeating: 0xa5, count: 1 << 16)
        for _ in 0..<16 {
            decoder.append(chunk)
            #expect(try decoder.next() == nil)
        }
        // 1 MiB arrived of 250 MiB declared.
        #expect(decoder.bufferedByteCount == 9 + (1 << 20))
        #expect(decoder.reservedByteCount <= 3 << 20, "holds \(decoder.reservedByteCount) bytes for 1 MiB received")
        let unfinished = try #require(decoder.unfinishedFrame)
        #expect(unfinished.header == FrameHeader(flags: 0x06, size: 250 << 20))
        #expect(unfinished.received == 1 << 20)
    }

    /// A body of up to FrameDecoder.firstReservation arriving in 64 KiB
    /// reads is collected into the one allocation made with its first
    /// read: its capacity is its size from then on.
    @Test func aBodyOfUpToOneMebibyteIsReservedWhole() throws {
        for size in [70_000, 1 << 20] {
            var decoder = FrameDecoder()
            let body = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 13) }
            let stream = Frame(body: body).encoded()
            var capacities: Set<Int> = []
            var start = 0
            var frames: [Frame] = []
            while start < stream.count {
                let end = min(stream.count, start + (1 << 16))
                decoder.append(stream[start..<end])
                while let frame = try decoder.next() { frames.append(frame) }
                if decoder.unfinishedFrame != nil { capacities.insert(decoder.reservedByteCount) }
                start = end
            }
            #expect(frames == [Frame(body: body)])
            #expect(capacities.count == 1, "the body was reallocated: capacities \(capacities.sorted())")
            #expect((capacities.first ?? 0) >= size)
        }
    }

    @Test func aCollectedBodyNeverGrowsPastItsDeclaredSize() throws {
        let size = 100_003
        let body = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let stream = Frame(body: body, more: true).encoded() + Frame(body: ascii("tail")).encoded()
        var decoder = FrameDecoder()
        var frames: [Frame] = []
        var start = 0
        var largest = 0
        while start < stream.count {
            let end = min(stream.count, start + 1000)
            decoder.append(stream[start..<end])
            largest = max(largest, decoder.reservedByteCount)
            while let frame = try decoder.next() { frames.append(frame) }
            start = end
        }
        #expect(frames == [Frame(body: body, more: true), Frame(body: ascii("tail"))])
        // The body's capacity stops at its size; the buffer beside it
        // holds a header and at most one 1000-byte read.
        #expect(largest <= size + 4096, "held \(largest) bytes for a \(size)-byte frame")
        #expect(decoder.reservedByteCount <= FrameDecoder.keptCapacity)
    }

    @Test func aLargeBufferIsReleasedOnceDrained() throws {
        // 2 MiB of small frames in one append: the buffer grows to hold
        // them, and does not keep that capacity once they are taken.
        let frames = (0..<8192).map { Frame(body: [UInt8](repeating: UInt8($0 & 0xff), count: 254)) }
        var decoder = FrameDecoder()
        decoder.append(frames.flatMap { $0.encoded() })
        #expect(decoder.reservedByteCount >= 2 << 20)
        var taken = 0
        while try decoder.next() != nil { taken += 1 }
        #expect(taken == frames.count)
        #expect(decoder.reservedByteCount <= FrameDecoder.keptCapacity)
    }

    @Test func theLimitCanChangeBetweenFrames() throws {
        var decoder = FrameDecoder(maxFrameSize: 300)
        let big = Frame(body: [UInt8](repeating: 1, count: 5000))
        decoder.append(Frame(body: ascii("small"), isCommand: true).encoded() + big.encoded())
        #expect(try decoder.next() == Frame(body: ascii("small"), isCommand: true))
        // Raised before the big frame's header is read: it passes.
        decoder.setMaxFrameSize(10_000)
        #expect(try decoder.next() == big)
        decoder.setMaxFrameSize(300)
        decoder.append(big.encoded())
        let error = #expect(throws: CodecError.self) { try decoder.next() }
        #expect(error?.kind == .frameTooLarge)
        #expect(decoder.refusedHeader == FrameHeader(flags: 0x02, size: 5000))
    }

    @Test func aRefusedFrameIsRefusedFromItsHeader() throws {
        var decoder = FrameDecoder(maxFrameSize: 128 << 10)
        decoder.append(Self.longHeader(250 << 20, command: true))
        #expect(throws: CodecError.self) { try decoder.next() }
        #expect(decoder.refusedHeader?.size == 250 << 20)
        #expect(decoder.refusedHeader?.isCommand == true)
        // A failed decoder takes no more bytes.
        decoder.append([UInt8](repeating: 0, count: 1 << 16))
        #expect(decoder.bufferedByteCount == 9)
    }

    @Test func takeRemainingReturnsAFrameBeingCollected() throws {
        var decoder = FrameDecoder()
        let header = Self.longHeader(100_000)
        let part = [UInt8](repeating: 3, count: 50_000)
        decoder.append(header + part)
        #expect(try decoder.next() == nil)
        decoder.append(ascii("ab"))
        #expect(decoder.unfinishedFrame?.received == 50_002)
        #expect(decoder.takeRemaining() == header + part + ascii("ab"))
        #expect(decoder.bufferedByteCount == 0)
        #expect(decoder.unfinishedFrame == nil)
    }

    @Test(arguments: [700, 5000, 70_000])
    func largeFramesCutAnywhereGiveTheSameFrames(maxChunk: Int) throws {
        var rng = SeededGenerator(seed: 0x1A26E + UInt64(maxChunk))
        for round in 0..<6 {
            let frames = (0..<8).map { i -> Frame in
                let size = Bool.random(using: &rng) ? Int.random(in: 30_000...300_000, using: &rng)
                    : Int.random(in: 0...2000, using: &rng)
                let body = (0..<size).map { UInt8(truncatingIfNeeded: $0 &+ i &* 31) }
                return i % 3 == 0 ? Frame(body: body, isCommand: true) : Frame(body: body, more: i % 3 == 1)
            }
            let stream = frames.flatMap { $0.encoded() }
            let chunks = FrameDecoderChunkingTests.split(stream, maxChunk: maxChunk, using: &rng)
            #expect(try FrameDecoderChunkingTests.decode(chunks) == frames, "round \(round)")
        }
    }
}

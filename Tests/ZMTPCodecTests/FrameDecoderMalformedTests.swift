// SPDX-License-Identifier: MIT
// What the decoder refuses, what it merely waits on, and how it fails.
import Testing
@testable import ZMTPCodec

@Suite struct FrameDecoderMalformedTests {
    static func firstError(_ bytes: [UInt8], maxFrameSize: Int = FrameDecoder.defaultMaxFrameSize) -> CodecError? {
        var decoder = FrameDecoder(maxFrameSize: maxFrameSize)
        decoder.append(bytes)
        do {
            while try decoder.next() != nil {}
            return nil
        } catch {
            return error   // FrameDecoder.next() throws(CodecError)
        }
    }

    @Test(arguments: [UInt8(0x08), 0x10, 0x20, 0x40, 0x80, 0x09, 0x0e, 0xff])
    func reservedFlagBitsAreRefused(flags: UInt8) {
        // Refused from the two header bytes alone; no body needed.
        #expect(Self.firstError([flags, 0x05])?.kind == .reservedFlags)
    }

    @Test func shortSizeOverTheLimitIsRefused() throws {
        #expect(Self.firstError(hex("00 65"), maxFrameSize: 100)?.kind == .frameTooLarge)
        var decoder = FrameDecoder(maxFrameSize: 100)
        decoder.append(hex("00 64") + [UInt8](repeating: 1, count: 100))
        #expect(try decoder.next()?.body.count == 100)
    }

    @Test func longSizeOverTheLimitIsRefused() throws {
        #expect(Self.firstError(hex("02 00 00 00 00 00 00 04 01"), maxFrameSize: 1024)?.kind == .frameTooLarge)
        var decoder = FrameDecoder(maxFrameSize: 1024)
        decoder.append(hex("02 00 00 00 00 00 00 04 00") + [UInt8](repeating: 1, count: 1024))
        #expect(try decoder.next()?.body.count == 1024)
    }

    @Test func fourGiBIsRefusedBeforeAnyBodyArrives() {
        var decoder = FrameDecoder()
        decoder.append(hex("02 00 00 00 01 00 00 00 00"))  // 0x1_0000_0000 bytes
        let error = #expect(throws: CodecError.self) { try decoder.next() }
        #expect(error?.kind == .frameTooLarge)
        #expect(decoder.bufferedByteCount == 9)  // only the header was ever held
    }

    @Test(arguments: [hex("06 ff ff ff ff ff ff ff ff"), hex("02 80 00 00 00 00 00 00 00"),
                      hex("02 7f ff ff ff ff ff ff ff")])
    func hugeSizesDoNotOverflow(header: [UInt8]) {
        #expect(Self.firstError(header)?.kind == .frameTooLarge)
    }

    @Test func defaultLimitIs256MiB() {
        #expect(FrameDecoder().maxFrameSize == 256 << 20)
        #expect(Self.firstError(hex("02 00 00 00 00 10 00 00 01"))?.kind == .frameTooLarge)
        // Exactly at the limit is only waited on.
        #expect(Self.firstError(hex("02 00 00 00 00 10 00 00 00")) == nil)
    }

    @Test func truncatedFramesMeanNeedMoreNotError() throws {
        let cases: [[UInt8]] = [
            [], hex("00"), hex("04"), hex("02"), hex("02 00 00 00 00 00 00 01"),
            hex("00 05 61 62 63 64"), hex("02 00 00 00 00 00 00 01 00") + [UInt8](repeating: 0, count: 255),
        ]
        for bytes in cases {
            var decoder = FrameDecoder()
            decoder.append(bytes)
            #expect(try decoder.next() == nil, "\(bytes.count) bytes")
            #expect(decoder.bufferedByteCount == bytes.count)
        }
    }

    @Test func commandFrameWithMoreIsRefused() {
        #expect(Self.firstError(hex("05 05") + ascii("\u{5}READ"))?.kind == .malformedCommand)
        #expect(Self.firstError(hex("07 00 00 00 00 00 00 00 00"))?.kind == .malformedCommand)
    }

    @Test func moreOnDataFramesIsFine() throws {
        var decoder = FrameDecoder()
        decoder.append(hex("01 00 00 02 68 69"))
        #expect(try decoder.next() == Frame(body: [], more: true))
        #expect(try decoder.next() == Frame(body: ascii("hi")))
    }

    @Test func errorComesAfterTheGoodFramesBeforeIt() throws {
        var decoder = FrameDecoder()
        decoder.append(hex("00 01 61 08 00"))
        #expect(try decoder.next() == Frame(body: ascii("a")))
        #expect(throws: CodecError.self) { try decoder.next() }
    }

    @Test func decoderStaysFailed() {
        var decoder = FrameDecoder()
        decoder.append(hex("40 00"))
        let first = #expect(throws: CodecError.self) { try decoder.next() }
        decoder.append(hex("00 01 61"))
        let second = #expect(throws: CodecError.self) { try decoder.next() }
        #expect(first == second)
        _ = decoder.takeRemaining()
        decoder.append(hex("00 00"))
        let third = #expect(throws: CodecError.self) { try decoder.next() }
        #expect(third == first)
    }

    @Test func errorsNameTheProblem() {
        #expect(Self.firstError(hex("02 00 00 00 01 00 00 00 00"))?.reason.contains("4294967296") == true)
        #expect(Self.firstError(hex("80 00"))?.reason.contains("0x80") == true)
    }

    @Test func negativeLimitRefusesEverythingButEmptyFrames() throws {
        // A nonsensical limit from a caller must not trap.
        var decoder = FrameDecoder(maxFrameSize: -1)
        decoder.append(hex("00 00"))
        #expect(try decoder.next() == Frame(body: []))
        decoder.append(hex("00 01 61"))
        #expect(throws: CodecError.self) { try decoder.next() }
    }
}

@Suite struct FrameDecoderTakeRemainingTests {
    @Test func returnsBytesAfterTheFramesTaken() throws {
        var decoder = FrameDecoder()
        decoder.append(hex("04 00 00 03 61 62"))  // a frame, then a partial one
        #expect(try decoder.next() == Frame(body: [], isCommand: true))
        #expect(try decoder.next() == nil)
        #expect(decoder.takeRemaining() == hex("00 03 61 62"))
        #expect(decoder.bufferedByteCount == 0)
        #expect(decoder.takeRemaining() == [])
    }

    @Test func decoderIsUsableAfterwards() throws {
        var decoder = FrameDecoder()
        decoder.append(hex("00 01 61 ff ff"))
        #expect(try decoder.next() == Frame(body: ascii("a")))
        #expect(decoder.takeRemaining() == hex("ff ff"))
        decoder.append(hex("00 01 62"))
        #expect(try decoder.next() == Frame(body: ascii("b")))
    }

    @Test func onAFreshDecoderReturnsEverything() {
        var decoder = FrameDecoder()
        decoder.append(hex("01 02 03"))
        decoder.append(hex("04"))
        #expect(decoder.takeRemaining() == hex("01 02 03 04"))
    }
}

// SPDX-License-Identifier: MIT
// Frame headers as written: flags byte, then a 1-byte or 8-byte size.
import Testing
@testable import ZMTPCodec

@Suite struct FrameEncodingTests {
    @Test func shortFrame() {
        #expect(Frame(body: ascii("hello")).encoded() == hex("00 05") + ascii("hello"))
    }

    @Test func emptyFrames() {
        #expect(Frame(body: []).encoded() == hex("00 00"))
        // The GSSAPI client's empty command frame.
        #expect(Frame(body: [], isCommand: true).encoded() == hex("04 00"))
    }

    @Test func flagBits() {
        #expect(Frame(body: [7], more: true).encoded() == hex("01 01 07"))
        #expect(Frame(body: [7], isCommand: true).encoded() == hex("04 01 07"))
        #expect(Frame(body: [7], more: false, isCommand: false).encoded() == hex("00 01 07"))
    }

    @Test func boundaryBetweenShortAndLong() {
        let at255 = Frame(body: [UInt8](repeating: 0xaa, count: 255)).encoded()
        #expect(Array(at255[0..<2]) == hex("00 ff"))
        #expect(at255.count == 2 + 255)

        let at256 = Frame(body: [UInt8](repeating: 0xbb, count: 256)).encoded()
        #expect(Array(at256[0..<9]) == hex("02 00 00 00 00 00 00 01 00"))
        #expect(at256.count == 9 + 256)
        #expect(at256[9...].allSatisfy { $0 == 0xbb })

        #expect(Frame.headerSize(forBodyCount: 0) == 2)
        #expect(Frame.headerSize(forBodyCount: 255) == 2)
        #expect(Frame.headerSize(forBodyCount: 256) == 9)
    }

    @Test func longFrameKeepsMoreAndCommandBits() {
        let body = [UInt8](repeating: 1, count: 733)
        // libzmq's INITIATE from the client: LONG|COMMAND, size 0x2dd.
        #expect(Array(Frame(body: body, isCommand: true).encoded()[0..<9]) == hex("06 00 00 00 00 00 00 02 dd"))
        #expect(Array(Frame(body: body, more: true).encoded()[0..<9]) == hex("03 00 00 00 00 00 00 02 dd"))
    }

    @Test func longSizeIsBigEndianOverAllEightBytes() {
        var out: [UInt8] = []
        Frame.appendHeader(to: &out, bodyCount: 0x0102_0304_0506, more: false, isCommand: false)
        #expect(out == hex("02 00 00 01 02 03 04 05 06"))
    }

    @Test func encodeIntoAppendsTheSameBytes() {
        var out: [UInt8] = [0xee]
        let frames = [Frame(body: ascii("a"), more: true), Frame(body: [UInt8](repeating: 2, count: 300)),
                      Frame(body: [], isCommand: true)]
        for frame in frames { frame.encode(into: &out) }
        #expect(out == [0xee] + frames.flatMap { $0.encoded() })
    }

    @Test func appendHeaderMatchesEncoded() {
        for count in [0, 1, 254, 255, 256, 257, 70_000] {
            for (more, command) in [(false, false), (true, false), (false, true)] {
                var header: [UInt8] = []
                Frame.appendHeader(to: &header, bodyCount: count, more: more, isCommand: command)
                #expect(header.count == Frame.headerSize(forBodyCount: count))
                let frame = Frame(body: [UInt8](repeating: 0, count: count), more: more, isCommand: command)
                #expect(Array(frame.encoded()[0..<header.count]) == header)
            }
        }
    }
}

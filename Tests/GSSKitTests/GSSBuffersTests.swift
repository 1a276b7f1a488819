// SPDX-License-Identifier: MIT
import CGSSAPI
import Glibc
import Testing
@testable import GSSKit

/// Zero-length GSS buffers: empty input still points somewhere (some
/// mechanisms insist), empty output reads as no bytes, and MIT's malloc(0)
/// output is freed.
@Suite struct GSSBuffersTests {
    @Test func anEmptyOutputBufferReadsAsNoBytes() {
        #expect(GSSBuffers.bytes(from: gss_buffer_desc()) == [])
        #expect(GSSBuffers.string(from: gss_buffer_desc()) == "")
        var byte: UInt8 = 0x41
        withUnsafeMutablePointer(to: &byte) { pointer in
            let empty = gss_buffer_desc(length: 0, value: UnsafeMutableRawPointer(pointer))
            #expect(GSSBuffers.bytes(from: empty) == [], "a length of 0 reads nothing, whatever value points to")
        }
    }

    @Test func stringsLoseTrailingNulsOnly() {
        var text: [UInt8] = Array("a\u{0}b".utf8) + [0, 0]
        text.withUnsafeMutableBytes { raw in
            let buffer = gss_buffer_desc(length: raw.count, value: raw.baseAddress)
            #expect(GSSBuffers.string(from: buffer) == "a\u{0}b")
            #expect(GSSBuffers.bytes(from: buffer) == Array("a\u{0}b".utf8) + [0, 0])
        }
    }

    @Test func anEmptyInputIsAZeroLengthBufferWithAValue() {
        let fromArray = GSSBuffers.withInput([UInt8]()) { buffer in (buffer.length, buffer.value != nil) }
        #expect(fromArray == (0, true))
        let fromSlice = GSSBuffers.withInput([UInt8(1)][1...]) { buffer in (buffer.length, buffer.value != nil) }
        #expect(fromSlice == (0, true))
        // Contiguous but with no address at all (what a C caller's NULL, 0
        // becomes): still a non-NULL value.
        let fromNull = GSSBuffers.withInput(UnsafeBufferPointer<UInt8>(start: nil, count: 0)) { buffer in
            (buffer.length, buffer.value != nil)
        }
        #expect(fromNull == (0, true))
        // No contiguous storage: copied, and still a non-NULL value.
        let lazy = EmptyCollection<UInt8>().lazy.map { $0 }
        let fromLazy = GSSBuffers.withInput(lazy) { buffer in (buffer.length, buffer.value != nil) }
        #expect(fromLazy == (0, true))
    }

    @Test func aNonEmptyInputPointsAtItsBytes() {
        let read = { (buffer: inout gss_buffer_desc) -> [UInt8] in GSSBuffers.bytes(from: buffer) }
        #expect(GSSBuffers.withInput([1, 2, 3] as [UInt8], read) == [1, 2, 3])
        #expect(GSSBuffers.withInput(([0, 1, 2, 3] as [UInt8])[1...], read) == [1, 2, 3])
        #expect(GSSBuffers.withInput((1...3).lazy.map { UInt8($0) }, read) == [1, 2, 3])
    }

    @Test func aZeroLengthOutputFromMallocIsFreedAndCleared() {
        // MIT's unwrap of an empty message hands out malloc(0); release
        // frees it (LeakSanitizer / valgrind would see it otherwise) and
        // leaves no dangling value behind.
        var buffer = gss_buffer_desc(length: 0, value: malloc(0) ?? malloc(1))
        #expect(GSSBuffers.take(&buffer) == [])
        #expect(buffer.value == nil && buffer.length == 0)
        var wiped = gss_buffer_desc(length: 0, value: malloc(1))
        #expect(GSSBuffers.takeWiping(&wiped) == [])
        #expect(wiped.value == nil)
    }

    @Test func aFilledOutputIsCopiedAndReleased() throws {
        let value = try #require(malloc(3))
        value.storeBytes(of: (UInt8(7), UInt8(8), UInt8(9)), as: (UInt8, UInt8, UInt8).self)
        var buffer = gss_buffer_desc(length: 3, value: value)
        #expect(GSSBuffers.takeWiping(&buffer) == [7, 8, 9])
        #expect(buffer.value == nil && buffer.length == 0, "gss_release_buffer cleared it")
    }
}

// SPDX-License-Identifier: MIT
import CZGSSHeader
import Glibc
import Testing
@testable import ZGSS

/// The C boundary's byte helpers: how a caller's (pointer, length) pair is
/// checked and copied (InputBytes.swift), and the handle-owned output
/// buffers whose pointers C callers keep until the next call (OwnedBytes).
@Suite struct BoundaryBytesTests {
    @Test func aBufferPairIsValidOnlyWithANonNegativeLengthAndStorage() {
        var byte: UInt8 = 7
        withUnsafePointer(to: &byte) { pointer in
            #expect(isValidBuffer(pointer, 1))
            #expect(isValidBuffer(pointer, 0))
            // A size_t above Int.max arrives as a negative Int.
            #expect(!isValidBuffer(pointer, -1))
            #expect(!isValidBuffer(pointer, Int.min))
        }
        #expect(isValidBuffer(nil, 0), "NULL with length 0 is the empty input")
        #expect(!isValidBuffer(nil, 1))
        #expect(!isValidBuffer(nil, -1))
    }

    @Test func bytesCopiesTheCallersInputOrRefusesIt() {
        let source: [UInt8] = [1, 2, 3, 0, 5]
        let copied = source.withUnsafeBytes { bytes($0.baseAddress, $0.count) }
        #expect(copied == source, "the copy keeps embedded NULs")
        let prefix = source.withUnsafeBytes { bytes($0.baseAddress, 2) }
        #expect(prefix == [1, 2])
        #expect(source.withUnsafeBytes { bytes($0.baseAddress, 0) } == [])
        #expect(bytes(nil, 0) == [])
        #expect(bytes(nil, 4) == nil)
        #expect(source.withUnsafeBytes { bytes($0.baseAddress, -5) } == nil)
    }

    @Test func ownedBytesHoldTheirContentsAtAStablePointerUntilReplaced() {
        let owned = OwnedBytes(capacity: 4)
        #expect(owned.count == 0)
        owned.replace(with: [1, 2, 3])
        let pointer = owned.pointer
        #expect(Array(UnsafeBufferPointer(start: owned.pointer, count: owned.count)) == [1, 2, 3])
        owned.replace(with: [9])
        #expect(owned.pointer == pointer, "a smaller replacement reuses the storage")
        #expect(owned.count == 1 && owned.pointer[0] == 9)
        // The bytes past the new contents were zeroed, not left behind.
        #expect(owned.pointer[1] == 0 && owned.pointer[2] == 0)
    }

    @Test func ownedBytesGrowForLargerContents() {
        let owned = OwnedBytes(capacity: 2)
        let large = (0..<1000).map { UInt8(truncatingIfNeeded: $0) }
        owned.replace(with: large)
        #expect(owned.count == 1000)
        #expect(Array(UnsafeBufferPointer(start: owned.pointer, count: owned.count)) == large)
        owned.replace(with: [])
        #expect(owned.count == 0)
        #expect(UnsafeBufferPointer(start: owned.pointer, count: 1000).allSatisfy { $0 == 0 },
                "replacing zeroes what the buffer held")
    }

    @Test func ownedBytesCopyCollectionsWithoutContiguousStorage() {
        let owned = OwnedBytes()
        owned.replace(with: (1...5).lazy.map { UInt8($0 * 2) })
        #expect(Array(UnsafeBufferPointer(start: owned.pointer, count: owned.count)) == [2, 4, 6, 8, 10])
    }

    @Test func ownedBytesCanEndInANulThatIsNotCounted() {
        let owned = OwnedBytes(capacity: 3)
        owned.replace(with: Array("abc".utf8), nulTerminated: true)
        #expect(owned.count == 3)
        #expect(String(cString: owned.cString) == "abc")
        owned.replace(with: Array("".utf8), nulTerminated: true)
        #expect(String(cString: owned.cString) == "")
    }

    @Test func anOwnedCStringDropsEmbeddedNuls() {
        // A C string cannot carry a NUL: the text is kept without them
        // instead of being cut at the first one.
        let text = OwnedCString("ab\u{0}cd")
        let empty = OwnedCString("")
        // The pointer lives as long as its owner (a handle, in the library).
        withExtendedLifetime((text, empty)) {
            #expect(String(cString: text.pointer) == "abcd")
            #expect(text.text == "ab\u{0}cd")
            #expect(String(cString: empty.pointer) == "")
        }
    }

    @Test func strerrorNamesLibzmqsOwnErrnosAndFallsBackToTheSystems() {
        // libzmq's own errno values (ZMQ_HAUSNUMERO + n), as libzmq words them.
        #expect(String(cString: zgss_strerror(EFSM)) == "Operation cannot be accomplished in current state")
        #expect(String(cString: zgss_strerror(ENOCOMPATPROTO)) == "The protocol is not compatible with the socket type")
        #expect(String(cString: zgss_strerror(ETERM)) == "Context was terminated")
        #expect(String(cString: zgss_strerror(EMTHREAD)) == "No thread available")
        #expect(String(cString: zgss_strerror(EINVAL)) == String(cString: strerror(EINVAL)))
        #expect(String(cString: zgss_strerror(EAGAIN)) == String(cString: strerror(EAGAIN)))
    }

    @Test func hasAnswersForTheDocumentedCapabilitiesOnly() {
        for capability in ["gssapi", "null", "mechanism", "sasl", "mqtt"] {
            #expect(zgss_has(capability) == 1, "\(capability)")
        }
        for capability in ["curve", "plain", "GSSAPI", ""] {
            #expect(zgss_has(capability) == 0, "\(capability)")
        }
        #expect(zgss_has(nil) == 0, "NULL is an answer, not a crash")
    }
}

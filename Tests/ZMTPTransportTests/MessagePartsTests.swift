// SPDX-License-Identifier: MIT
import Testing
import ZMTPCodec
@testable import ZMTPTransport

/// The received-message container: one part kept bare, several in an
/// array, and the same answers either way.
@Suite("MessageParts")
struct MessagePartsTests {
    @Test func onePartIsACollectionOfOne() {
        let parts = MessageParts([1, 2, 3])
        #expect(parts.count == 1)
        #expect(parts.first == [1, 2, 3])
        #expect(parts.array == [[1, 2, 3]])
        #expect(Array(parts) == [[1, 2, 3]])
    }

    @Test func anArrayOfOneIsStoredAsOnePart() {
        #expect(MessageParts([[UInt8]]([[7]])).array == [[7]])
        #expect(MessageParts([[UInt8]]([[7]])).count == 1)
    }

    @Test func severalPartsKeepTheirOrder() {
        let parts = MessageParts([[1], [], [2, 3]] as [[UInt8]])
        #expect(parts.count == 3)
        #expect(parts[1].isEmpty)
        #expect(parts.firstIndex(where: { $0.isEmpty }) == 1)
        #expect(Array(parts.dropFirst()) == [[], [2, 3]])
    }

    @Test func noPartsIsEmpty() {
        let parts = MessageParts([[UInt8]]())
        #expect(parts.isEmpty)
        #expect(parts.first == nil)
        #expect(parts.array.isEmpty)
    }

    @Test func droppingLeadingParts() {
        let one = MessageParts([9])
        #expect(one.dropping(first: 0).array == [[9]])
        #expect(one.dropping(first: 1).isEmpty)
        let three = MessageParts([[1], [], [2]] as [[UInt8]])
        #expect(three.dropping(first: 2).array == [[2]])
        #expect(three.dropping(first: 3).isEmpty)
        #expect(three.dropping(first: 1).array == [[], [2]])
    }

    @Test func prependingAPart() {
        #expect(MessageParts([5]).prepending([1]).array == [[1], [5]])
        #expect(MessageParts([[5], [6]] as [[UInt8]]).prepending([1]).array == [[1], [5], [6]])
        #expect(MessageParts([[UInt8]]()).prepending([1]).array == [[1]])
    }

    /// The connection hands a single-frame message over as one part and a
    /// multipart one with every part, in order.
    @Test func theConnectionDeliversBothShapes() throws {
        let connections = ConnectionTests()
        let push = connections.make(.push)
        let pull = connections.make(.pull)
        _ = try connections.pump(push, pull)
        try push.send([[0x61]])
        try push.send([[0x62], [], [0x63]])
        let messages = connections.messages(try connections.pump(push, pull).b)
        #expect(messages == [[[0x61]], [[0x62], [], [0x63]]])
    }
}

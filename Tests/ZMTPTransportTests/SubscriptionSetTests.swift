// SPDX-License-Identifier: MIT
import Testing
@testable import ZMTPTransport

@Suite("Subscription trie")
struct SubscriptionSetTests {
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func emptySetMatchesNothing() {
        let set = SubscriptionSet()
        #expect(!set.matches(bytes("anything")))
        #expect(!set.matches([]))
        #expect(set.isEmpty)
    }

    @Test func emptyTopicMatchesEverything() {
        var set = SubscriptionSet()
        do { let r = set.add([]); #expect(r) }
        #expect(set.matches([]))
        #expect(set.matches(bytes("x")))
        #expect(set.topics == [[]])
    }

    @Test func prefixMatching() {
        var set = SubscriptionSet()
        set.add(bytes("weather."))
        set.add(bytes("news"))
        #expect(set.matches(bytes("weather.paris")))
        #expect(set.matches(bytes("weather.")))
        #expect(!set.matches(bytes("weather")))
        #expect(set.matches(bytes("newsflash")))
        #expect(!set.matches(bytes("new")))
        #expect(!set.matches(bytes("sports")))
        #expect(set.matches([0x6e, 0x65, 0x77, 0x73, 0x00, 0xff]))
    }

    @Test func countsReferencesLikeLibzmq() {
        var set = SubscriptionSet()
        do { let r = set.add(bytes("a")); #expect(r) }
        do { let r = set.add(bytes("a")); #expect(!r) }
        do { let r = set.remove(bytes("a")); #expect(!r) }
        #expect(set.matches(bytes("abc")))
        do { let r = set.remove(bytes("a")); #expect(r) }
        #expect(!set.matches(bytes("abc")))
        do { let r = set.remove(bytes("a")); #expect(!r) }
        #expect(set.count == 0)
    }

    @Test func removingALongerTopicKeepsTheShorter() {
        var set = SubscriptionSet()
        set.add(bytes("ab"))
        set.add(bytes("abcd"))
        set.remove(bytes("abcd"))
        #expect(set.matches(bytes("abc")))
        #expect(set.contains(bytes("ab")))
        #expect(!set.contains(bytes("abc")))
        do { let r = set.remove(bytes("zzz")); #expect(!r) }
        #expect(set.topics == [bytes("ab")])
    }

    @Test func binaryTopicsAndListing() {
        var set = SubscriptionSet()
        set.add([0x00, 0x01])
        set.add([0xff])
        set.add([0x00])
        #expect(set.topics == [[0x00], [0x00, 0x01], [0xff]])
        #expect(set.matches([0x00, 0x02]))
        #expect(!set.matches([0x01]))
        #expect(set.count == 3)
    }
}

@Suite("FIFO")
struct FIFOTests {
    @Test func orderAndCompaction() {
        var queue = FIFO<Int>()
        for i in 0..<5000 { queue.push(i) }
        for i in 0..<4000 { #expect(queue.pop() == i) }
        #expect(queue.count == 1000)
        #expect(queue.first == 4000)
        for i in 4000..<5000 { #expect(queue.pop() == i) }
        #expect(queue.pop() == nil)
        #expect(queue.isEmpty)
    }
}

@Suite("Subscription trie, wide nodes")
struct SubscriptionSetWideTests {
    /// Every byte value as a one-byte topic: the root has 256 children,
    /// each found by its byte; removing half leaves the other half.
    @Test func everyByteValueAsATopic() {
        var set = SubscriptionSet()
        for byte in (0...255).reversed() {
            let added = set.add([UInt8(byte), 7])
            #expect(added)
        }
        #expect(set.count == 256)
        for byte in 0...255 {
            #expect(set.matches([UInt8(byte), 7, 1]))
            #expect(!set.matches([UInt8(byte), 8]))
        }
        for byte in stride(from: 0, through: 255, by: 2) {
            let removed = set.remove([UInt8(byte), 7])
            #expect(removed)
        }
        for byte in 0...255 { #expect(set.matches([UInt8(byte), 7]) == (byte % 2 == 1)) }
        #expect(set.topics == stride(from: 1, through: 255, by: 2).map { [UInt8($0), 7] })
    }
}

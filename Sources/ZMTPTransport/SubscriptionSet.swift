// SPDX-License-Identifier: MIT
/// A set of byte-string topics with prefix matching, stored as a trie.
///
/// Each topic carries a count, as in libzmq's SUB: subscribing twice needs
/// two unsubscribes. `add` and `remove` say whether the topic appeared or
/// disappeared, which is when a SUB tells its peers. A PUB keeps one set
/// per peer and uses `contains` to add a topic at most once.
public struct SubscriptionSet: Sendable, Equatable {
    /// A trie node. Its children are found by a linear search of `bytes`
    /// (most nodes have one or a few): a PUB looks up every message it
    /// sends, and hashing each byte cost more than the rest of the lookup.
    struct Node: Sendable, Equatable {
        var count = 0
        var bytes: [UInt8] = []
        var children: [Int] = []

        func child(_ byte: UInt8) -> Int? {
            for index in bytes.indices where bytes[index] == byte { return children[index] }
            return nil
        }
    }

    private var nodes: [Node] = [Node()]
    private var live = 0

    public init() {}

    /// An empty set made once: what a property holds while its own set is
    /// moved out for a change (Connection.changeSubscriptions).
    static let placeholder = SubscriptionSet()

    /// Number of distinct topics present.
    public var count: Int { live }
    public var isEmpty: Bool { live == 0 }

    /// Adds one reference to `topic`; true when it was absent before.
    @discardableResult
    public mutating func add(_ topic: some Collection<UInt8>) -> Bool {
        var index = 0
        for byte in topic {
            if let next = nodes[index].child(byte) {
                index = next
            } else {
                nodes.append(Node())
                let next = nodes.count - 1
                nodes[index].bytes.append(byte)
                nodes[index].children.append(next)
                index = next
            }
        }
        nodes[index].count += 1
        if nodes[index].count == 1 { live += 1; return true }
        return false
    }

    /// Drops one reference to `topic`; true when it is now absent. Removing
    /// an absent topic changes nothing and returns false.
    @discardableResult
    public mutating func remove(_ topic: some Collection<UInt8>) -> Bool {
        guard let index = find(topic), nodes[index].count > 0 else { return false }
        nodes[index].count -= 1
        if nodes[index].count == 0 { live -= 1; return true }
        return false
    }

    /// Whether `topic` itself is present (not a prefix test).
    public func contains(_ topic: some Collection<UInt8>) -> Bool {
        guard let index = find(topic) else { return false }
        return nodes[index].count > 0
    }

    /// Whether some present topic is a prefix of `message` (the empty topic
    /// matches everything).
    public func matches(_ message: some Collection<UInt8>) -> Bool {
        var index = 0
        if nodes[0].count > 0 { return true }
        for byte in message {
            guard let next = nodes[index].child(byte) else { return false }
            index = next
            if nodes[index].count > 0 { return true }
        }
        return false
    }

    /// Every present topic, once each, in byte order.
    public var topics: [[UInt8]] {
        var out: [[UInt8]] = []
        var path: [UInt8] = []
        collect(0, &path, &out)
        return out
    }

    private func collect(_ index: Int, _ path: inout [UInt8], _ out: inout [[UInt8]]) {
        if nodes[index].count > 0 { out.append(path) }
        for (byte, child) in zip(nodes[index].bytes, nodes[index].children).sorted(by: { $0.0 < $1.0 }) {
            path.append(byte)
            collect(child, &path, &out)
            path.removeLast()
        }
    }

    private func find(_ topic: some Collection<UInt8>) -> Int? {
        var index = 0
        for byte in topic {
            guard let next = nodes[index].child(byte) else { return nil }
            index = next
        }
        return index
    }
}

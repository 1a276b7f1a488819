// SPDX-License-Identifier: MIT

/// The parts of one received message, first to last. Most messages have
/// one part; that one is kept without an array around it, so a received
/// single-part message costs one heap block (its body) instead of two.
/// The blocks are made by the I/O thread and freed by the application
/// thread: each one saved is a malloc, a cross-thread free and a cache
/// miss less per message.
struct MessageParts: RandomAccessCollection, Sendable {
    private enum Storage: Sendable {
        case one([UInt8])
        case many([[UInt8]])
    }

    private var storage: Storage

    /// A message of one part.
    init(_ body: [UInt8]) {
        storage = .one(body)
    }

    /// A message of any number of parts (one is stored as `init(_:)` does).
    init(_ parts: [[UInt8]]) {
        storage = parts.count == 1 ? .one(parts[0]) : .many(parts)
    }

    var startIndex: Int { 0 }

    var endIndex: Int {
        switch storage {
        case .one: 1
        case .many(let parts): parts.count
        }
    }

    subscript(position: Int) -> [UInt8] {
        switch storage {
        case .one(let body):
            precondition(position == 0, "MessageParts: index out of range")
            return body
        case .many(let parts):
            return parts[position]
        }
    }

    /// `body` applied to the first part's bytes in place; nil when there
    /// is no part.
    func withFirstPart<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R? {
        switch storage {
        case .one(let part): part.withUnsafeBufferPointer(body)
        case .many(let parts): parts.first?.withUnsafeBufferPointer(body)
        }
    }

    /// The parts as an array (one is allocated for a single part).
    var array: [[UInt8]] {
        switch storage {
        case .one(let body): [body]
        case .many(let parts): parts
        }
    }

    /// The parts after the first `count` (a single part left is kept bare:
    /// a REQ's reply, delimiter and body, becomes its body with no array).
    func dropping(first count: Int) -> MessageParts {
        switch storage {
        case .one(let body): count == 0 ? MessageParts(body) : MessageParts([[UInt8]]())
        case .many(let parts) where parts.count - count == 1: MessageParts(parts[count])
        case .many(let parts): MessageParts(Array(parts.dropFirst(count)))
        }
    }

    /// `part` followed by these parts (a ROUTER's routing id in front):
    /// one array made, not one for the parts and another for the result.
    func prepending(_ part: [UInt8]) -> MessageParts {
        switch storage {
        case .one(let body):
            return MessageParts([part, body])
        case .many(var parts):
            parts.insert(part, at: 0)
            return MessageParts(parts)
        }
    }
}

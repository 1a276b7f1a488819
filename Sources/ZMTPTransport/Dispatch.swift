// SPDX-License-Identifier: MIT
/// What one routing pass assigned: each connection's messages in one
/// batch, in the order they were taken from the outbox, so that the I/O
/// thread encodes them under one pass through the connection's lock (a
/// PUSH with one peer routes thousands of messages per pass, a PUB to ten
/// subscribers ten batches). Order is kept per connection, the only order
/// a peer can see.
struct Dispatch {
    struct Batch {
        let connection: Connection
        /// Each message's parts.
        var messages: [[[UInt8]]]
    }

    private(set) var batches: [Batch] = []
    private(set) var messageCount = 0

    var isEmpty: Bool { messageCount == 0 }

    /// A connection has at most one batch here, and making it records its
    /// index on the connection: an index that does not lead back to the
    /// connection is an earlier dispatch's.
    mutating func append(_ parts: [[UInt8]], to connection: Connection) {
        messageCount += 1
        let index = connection.dispatchIndex
        if index < batches.count, batches[index].connection === connection {
            batches[index].messages.append(parts)
        } else {
            connection.dispatchIndex = batches.count
            batches.append(Batch(connection: connection, messages: [parts]))
        }
    }
}

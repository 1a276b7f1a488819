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

    /// Tells this dispatch's batch indices (kept on the connections) from
    /// an earlier one's.
    let pass: UInt64
    private(set) var batches: [Batch] = []
    private(set) var messageCount = 0

    /// `pass`: a number no other dispatch of these connections' loop had.
    init(pass: UInt64 = 0) {
        self.pass = pass
    }

    var isEmpty: Bool { messageCount == 0 }

    mutating func append(_ parts: [[UInt8]], to connection: Connection) {
        messageCount += 1
        if connection.dispatchPass == pass, connection.dispatchIndex < batches.count,
           batches[connection.dispatchIndex].connection === connection {
            batches[connection.dispatchIndex].messages.append(parts)
        } else {
            connection.dispatchPass = pass
            connection.dispatchIndex = batches.count
            batches.append(Batch(connection: connection, messages: [parts]))
        }
    }
}

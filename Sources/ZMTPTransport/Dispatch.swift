// SPDX-License-Identifier: MIT
/// What one routing pass assigned, in the order it was taken from the
/// outbox: consecutive messages for the same connection share one batch,
/// so that the I/O thread encodes them under one pass through the
/// connection's lock (a PUSH with one peer routes thousands of messages
/// per pass, all to that peer). Messages for different connections keep
/// their relative order only per connection, as before.
struct Dispatch {
    struct Batch {
        let connection: Connection
        /// Each message's parts.
        var messages: [[[UInt8]]]
    }

    private(set) var batches: [Batch] = []
    private(set) var messageCount = 0

    var isEmpty: Bool { messageCount == 0 }

    mutating func append(_ parts: [[UInt8]], to connection: Connection) {
        messageCount += 1
        if let last = batches.indices.last, batches[last].connection === connection {
            batches[last].messages.append(parts)
        } else {
            batches.append(Batch(connection: connection, messages: [parts]))
        }
    }
}

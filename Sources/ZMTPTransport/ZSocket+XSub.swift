// SPDX-License-Identifier: MIT

/// XSUB's send side, as libzmq 4.3.4's xsub_t: "\x01topic" adds a
/// subscription (counted, resent to peers that connect later; an XSUB
/// does not filter what it receives, unlike a SUB) and is always forwarded, so that an XPUB with
/// ZMQ_XPUB_VERBOSE sees each one; "\x00topic" removes one count and is
/// forwarded only when the topic is gone; anything else is data for every
/// peer. A multipart message is judged by its first part and forwarded
/// whole.
extension ZSocket {
    /// Whether the message goes to the peers (the socket's lock held).
    func xsubForwards(_ parts: [[UInt8]]) -> Bool {
        guard let first = parts.first, let marker = first.first, marker <= 1 else { return true }
        let topic = first.dropFirst()
        if marker == 1 {
            state.subscriptions.add(topic)
            return true
        }
        return state.subscriptions.remove(topic)
    }
}

extension SocketState {
    /// SUB and XSUB (lock held): the topics to send a peer that has just
    /// become ready. The subscription messages still queued (a SUB's
    /// `subscriptionMessages`, an XSUB's outbox) will reach it too, since
    /// it is ready before they are handed out; so their effect is taken
    /// back out of the set here, or the peer would get them twice, and in
    /// the wrong order.
    func topicsForNewPeers() -> [[UInt8]] {
        var pending: [[UInt8]] = []
        if type == .sub {
            pending = subscriptionMessages
        } else {
            outbox.forEach { message in
                if let first = message.parts.first, let marker = first.first, marker <= 1 { pending.append(first) }
            }
        }
        guard !pending.isEmpty else { return subscriptions.topics }
        var before = subscriptions
        for message in pending.reversed() {
            guard let marker = message.first else { continue }
            if marker == 1 { before.remove(message.dropFirst()) } else { before.add(message.dropFirst()) }
        }
        return before.topics
    }
}

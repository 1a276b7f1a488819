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

// SPDX-License-Identifier: MIT
import ZMTPCodec

/// XPUB: subscriptions from peers reach the application as messages
/// ("\x01topic", "\x00topic"), as in libzmq 4.3.4's xpub_t: a subscription
/// only when no peer had the topic yet, a cancel unless another peer still
/// has it (a cancel for a topic the peer never had is passed on too);
/// ZMQ_XPUB_VERBOSE passes every subscription, ZMQ_XPUB_VERBOSER every
/// cancel too. A peer that goes away cancels its topics the same way.
/// Other messages (an XSUB's data) reach the application as they are.
extension IOLoop {
    func xpubSubscription(_ subscribe: Bool, _ topic: [UInt8], from connection: Connection) {
        let others = connections.values.contains { $0.id != connection.id && $0.subscriptions.contains(topic) }
        let had = connection.subscriptions.contains(topic)
        let notify: Bool
        if subscribe {
            if !had { connection.changeSubscriptions { $0.add(topic) } }
            notify = (!had && !others) || xpub.verboseSubscribe
        } else {
            if had { connection.changeSubscriptions { $0.remove(topic) } }
            notify = !(had && others) || xpub.verboseCancel
        }
        guard notify else { return }
        queueForApplication(Incoming(source: connection.id, routingId: connection.routingId,
                               parts: MessageParts([subscribe ? 1 : 0] + topic), metadata: connection.messageMetadata))
    }

    /// A data message from a peer: each part that starts with 0x01 or 0x00
    /// is a subscription or cancel (libzmq looks at every part); the other
    /// parts go to the application as one message.
    func xpubReceived(_ parts: MessageParts, from connection: Connection) {
        var data: [[UInt8]] = []
        for part in parts {
            if let marker = part.first, marker <= 1 {
                xpubSubscription(marker == 1, Array(part.dropFirst()), from: connection)
            } else {
                data.append(part)
            }
        }
        guard !data.isEmpty else { return }
        queueForApplication(Incoming(source: connection.id, routingId: connection.routingId, parts: MessageParts(data),
                               metadata: connection.messageMetadata))
    }

    /// A ready peer was dropped (already out of `connections`): its topics
    /// that no other peer has are cancelled (all of them when verboser).
    func xpubPeerGone(_ connection: Connection) {
        for topic in connection.subscriptions.topics {
            let others = connections.values.contains { $0.subscriptions.contains(topic) }
            guard !others || xpub.verboseCancel else { continue }
            queueForApplication(Incoming(source: connection.id, routingId: [], parts: MessageParts([0] + topic), metadata: nil))
        }
    }

    /// ZMQ_XPUB_WELCOME_MSG: the first message a new peer gets.
    func welcome(_ connection: Connection) {
        guard !xpub.welcome.isEmpty, connections[connection.id] != nil, connection.isReady else { return }
        _ = deliver([xpub.welcome], to: connection, flush: false)
    }
}

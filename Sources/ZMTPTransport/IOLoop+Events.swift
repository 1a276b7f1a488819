// SPDX-License-Identifier: MIT
import ZMTPCodec
internal import ZGSSBase

/// What the I/O thread does with a connection's events, per socket type.
extension IOLoop {
    func handle(_ event: consuming ConnectionEvent, from connection: Connection) {
        switch consume event {
        case .ready:
            becameReady(connection)
            if type == .xpub { welcome(connection) }
        case .message(let parts):
            received(parts, from: connection)
        case .subscribe(let topic):
            if type == .pub { subscribe(connection, to: topic) }
            if type == .xpub { xpubSubscription(true, topic, from: connection) }
        case .cancel(let topic):
            if type == .pub { unsubscribe(connection, from: topic) }
            if type == .xpub { xpubSubscription(false, topic, from: connection) }
        }
    }

    /// A PUB peer's subscription: kept per connection (for routing) and
    /// noted for the socket-wide set the sending thread filters with
    /// (SocketState.peerSubscriptions), published with the next round.
    private func subscribe(_ connection: Connection, to topic: [UInt8]) {
        guard !connection.subscriptions.contains(topic) else { return }
        connection.changeSubscriptions { $0.add(topic) }
        subscriptionChanges.append((connection, topic, true))
    }

    private func unsubscribe(_ connection: Connection, from topic: [UInt8]) {
        if connection.changeSubscriptions({ $0.remove(topic) }) { subscriptionChanges.append((connection, topic, false)) }
    }

    private func becameReady(_ connection: Connection) {
        if connection.isInproc { inprocSettled += 1 }
        if type == .pair, connections.values.contains(where: { $0.id != connection.id && $0.isReady }) {
            drop(connection, reason: "a PAIR socket talks to one peer and already has one")
            return
        }
        if type == .router { connection.routingId = routingIdentity(for: connection) }
        if let target = connection.targetIndex, target < targets.count { targets[target].handshakeFailures = 0 }
        if let principal = connection.peerPrincipal { self.principal = principal }
        readied.append(connection.id)
        if !connection.isInproc { state.emit(.handshakeSucceeded, value: 0, endpoint: eventEndpoint(connection)) }
    }

    /// The peer's Identity when it sent a fresh one, else 5 bytes: 0x00 and
    /// a 32-bit counter, as libzmq generates them.
    private func routingIdentity(for connection: Connection) -> [UInt8] {
        let identity = connection.peerIdentity
        if !identity.isEmpty, !connections.values.contains(where: { $0.id != connection.id && $0.routingId == identity }) {
            return identity
        }
        let number = nextRoutingNumber
        nextRoutingNumber &+= 1
        return [0] + bigEndianBytes(number)
    }

    /// A message for the application, published with the round.
    func queueForApplication(_ message: consuming Incoming) {
        // moved out meanwhile (see OutputBuffer.appendToTail)
        var queue = FIFO<Incoming>()
        swap(&queue, &incoming)
        queue.push(message)
        swap(&queue, &incoming)
        queuedForApplication += 1
    }

    /// A connection leaves: messages it queued may still wait in the
    /// inbox, pointing to its metadata without a reference of their own.
    func retireMetadata(of connection: Connection) {
        guard let metadata = connection.messageMetadata else { return }
        retiring.append((metadata, queuedForApplication))
    }

    private func received(_ parts: consuming MessageParts, from connection: Connection) {
        switch type {
        case .pub:
            guard parts.count == 1, let body = parts.first else { return }
            subscriptionMessage(body, from: connection)
        case .push:
            return
        case .xpub:
            xpubReceived(parts, from: connection)
        default:
            queueForApplication(Incoming(source: connection.id, routingId: connection.routingId, parts: parts,
                                   metadata: connection.messageMetadata))
        }
    }

    /// A peer's data message to a PUB: `\x01topic` subscribes, `\x00topic`
    /// cancels, anything else is dropped, as libzmq's PUB does. (A stock
    /// 4.3.4 SUB's encrypted bare topic arrives as `.subscribe`: the
    /// mechanism knows that rule, see GSSAPIMechanism.decode.)
    private func subscriptionMessage(_ body: [UInt8], from connection: Connection) {
        let topic = Array(body.dropFirst())
        switch body.first {
        case 1:
            subscribe(connection, to: topic)
        case 0:
            unsubscribe(connection, from: topic)
        default:
            return
        }
    }
}

// SPDX-License-Identifier: MIT
import Glibc

/// An endpoint zgss_unbind / zgss_disconnect took away, for the I/O thread.
enum EndpointRemoval: Sendable {
    /// A listener, by its ZMQ_LAST_ENDPOINT text.
    case listener(String)
    /// A connect() endpoint, by the text it was given as.
    case target(String)
}

/// zgss_unbind and zgss_disconnect. As in libzmq 4.3.4 both are one
/// operation (socket_base_t::term_endpoint): either removes a bound or a
/// connected endpoint, named as it was given or, failing that, by its
/// resolved form (so "tcp://*:5555" names what "tcp://0.0.0.0:5555" is).
/// Unbinding closes the listener and the connections accepted through
/// it; disconnecting closes the connection and stops reconnecting. What
/// was queued for those connections is lost. The call returns once the
/// I/O thread has done it (one round of its loop).
extension ZSocket {
    public func removeEndpoint(_ text: String) throws(TransportError) {
        var resolved: String?
        if case .tcp(let endpoint) = try Self.parse(text, forBind: true), endpoint.port != 0,
           let addresses = try? SocketAddress.resolve(endpoint) {
            resolved = addresses.first?.endpointText
        }
        let result: Result<Void, TransportError> = state.monitor.withLock {
            if state.terminated { return .failure(.terminated) }
            if let index = Self.find(text, resolved, in: state.boundEndpoints) {
                let name = state.boundEndpoints.remove(at: index)
                state.endpointRemovals.append(.listener(name))
                return .success(())
            }
            if let index = Self.find(text, resolved, in: state.connectedEndpoints) {
                let name = state.connectedEndpoints.remove(at: index)
                state.connectEndpoints -= 1
                state.endpointRemovals.append(.target(name))
                state.signalEvents()
                return .success(())
            }
            return .failure(TransportError(ENOENT, "endpoint \(text) is neither bound nor connected on this socket"))
        }
        try result.get()
        state.waker.wake()
        // Wait until the I/O thread has closed the listener, so that the
        // port can be bound again at once, as after libzmq's unbind.
        state.monitor.withLock {
            while !state.endpointRemovals.isEmpty && !state.ioFinished && !state.terminated {
                _ = state.monitor.wait(until: nil)
            }
        }
    }

    private static func find(_ text: String, _ resolved: String?, in names: [String]) -> Int? {
        if let index = names.firstIndex(of: text) { return index }
        guard let resolved else { return nil }
        return names.firstIndex(of: resolved)
    }

    /// Context options that are new sockets' defaults (ZContext.socket,
    /// before the socket is published).
    func applyContextDefaults(_ settings: ContextSettings) {
        state.monitor.withLock {
            // libzmq's XSUB does not wait for its subscriptions to leave.
            if type == .xsub { state.options.linger = 0 }
            if !settings.blocky { state.options.linger = 0 }
            if settings.ipv6 { state.options.ipv6 = 1 }
        }
    }
}

extension IOLoop {
    /// Carries out zgss_unbind / zgss_disconnect (in sync, lock held, after
    /// new listeners and targets were taken over).
    func takeEndpointRemovals() {
        guard !state.endpointRemovals.isEmpty else { return }
        for removal in state.endpointRemovals {
            switch removal {
            case .listener(let text):
                guard let index = listeners.firstIndex(where: { $0.text == text }) else { continue }
                let fd = listeners[index].fd
                // shutDown also removes an ipc://* socket file and its
                // directory.
                listeners[index].shutDown()
                listeners.remove(at: index)
                closedListeners.append((fd, text))
                for (id, listenerFD) in acceptedBy where listenerFD == fd {
                    if let connection = connections[id] { drop(connection, reason: nil, local: true) }
                    acceptedBy[id] = nil
                }
            case .target(let text):
                guard let index = targets.firstIndex(where: { $0.request.text == text && !$0.request.addresses.isEmpty })
                else { continue }
                if let fd = targets[index].pendingFD { close(fd) }
                targets[index].pendingFD = nil
                if let id = targets[index].connection, let connection = connections[id] {
                    drop(connection, reason: nil, local: true)
                }
                // A retired target: no addresses, never due (its index
                // stays, since connections refer to targets by index).
                targets[index].connection = nil
                targets[index].request.addresses = []
                targets[index].nextAttempt = Int64.max
            }
        }
        // The dropped peers leave the socket's view now, not at the next
        // publish: when the caller's unbind or disconnect returns, its
        // peers are gone from ZMQ_EVENTS and from routing. (Publish
        // removes them again, which does nothing.)
        for gone in removed {
            state.removePeer(id: gone.id)
            if state.routes[gone.routingId] == gone.id { state.routes[gone.routingId] = nil }
        }
        state.endpointRemovals = []
        state.wakeReceivers()
    }
}

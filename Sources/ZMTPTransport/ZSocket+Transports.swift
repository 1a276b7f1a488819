// SPDX-License-Identifier: MIT
import Glibc
import ZMTPCodec

/// bind and connect per transport: tcp:// and ipc:// listen and connect
/// through the I/O thread (ipc:// is ZMTP over a Unix domain socket,
/// security included, reconnecting as tcp:// does); inproc:// goes
/// through the context's InprocRegistry.
extension ZSocket {
    static func parse(_ text: String, forBind: Bool) throws(TransportError) -> TransportAddress {
        do {
            return try TransportAddress(parsing: text, forBind: forBind)
        } catch {
            switch error {
            case .unsupportedTransport(let name):
                throw TransportError(EPROTONOSUPPORT,
                                     "transport \"\(name)\" is not supported (tcp://, ipc:// and inproc:// are)")
            case .nameTooLong(let reason):
                throw TransportError(ENAMETOOLONG, reason)
            case .malformed(let reason):
                throw .invalid(reason)
            }
        }
    }

    func bindTCP(_ endpoint: Endpoint, text: String) throws(TransportError) {
        let addresses = try SocketAddress.resolve(endpoint)
        guard let address = addresses.first else { throw .invalid("no address for \(text)") }
        if state.monitor.withLock({ state.terminated }) { throw .terminated }
        let (fd, local) = try Net.listen(on: address)
        publish(Listener(fd: fd, text: local.endpointText))
    }

    func bindIPC(_ path: IPCPath) throws(TransportError) {
        if state.monitor.withLock({ state.terminated }) { throw .terminated }
        publish(try IPCListening.listen(path))
    }

    private func publish(_ listener: Listener) {
        state.monitor.withLock {
            state.lastEndpoint = listener.text
            state.boundEndpoints.append(listener.text)
            state.newListeners.append(listener)
        }
        Trace.log("bound \(listener.text)")
        state.waker.wake()
    }

    func connect(_ text: String, addresses: [SocketAddress]) throws(TransportError) {
        let terminated: Bool = state.monitor.withLock {
            if state.terminated { return true }
            state.lastEndpoint = text
            state.connectEndpoints += 1
            state.connectedEndpoints.append(text)
            state.newTargets.append(ConnectRequest(text: text, addresses: addresses))
            return false
        }
        if terminated { throw .terminated }
        state.waker.wake()
    }

    func bindInproc(_ name: String, text: String) throws(TransportError) {
        if state.monitor.withLock({ state.terminated || state.closing }) { throw .terminated }
        let early = try context.inproc.bind(name, to: self)
        state.monitor.withLock {
            state.lastEndpoint = text
            state.newStreams += early
        }
        state.waker.wake()
    }

    func connectInproc(_ name: String, text: String) throws(TransportError) {
        if state.monitor.withLock({ state.terminated || state.closing }) { throw .terminated }
        let own = try context.inproc.connect(name) { binder, stream in binder.takeInproc(stream) }
        let accepted: Bool = state.monitor.withLock {
            guard !state.terminated && !state.ioFinished else { return false }
            state.lastEndpoint = text
            state.connectEndpoints += 1
            state.newStreams.append(own)
            return true
        }
        guard accepted else {
            Glibc.close(own.fd)
            throw .terminated
        }
        state.waker.wake()
    }

    /// The binder's side of an inproc connect: false when this socket is
    /// closing and will not take new peers.
    private func takeInproc(_ stream: InprocStream) -> Bool {
        let taken: Bool = state.monitor.withLock {
            guard !state.closing && !state.ioFinished else { return false }
            state.newStreams.append(stream)
            return true
        }
        if taken { state.waker.wake() }
        return taken
    }
}

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
        let (terminated, backlog) = state.monitor.withLock { (state.terminated, state.options.backlog) }
        if terminated { throw .terminated }
        let fd: Int32, local: SocketAddress
        do {
            (fd, local) = try Net.listen(on: address, backlog: backlog)
        } catch {
            // As libzmq: the listening socket that failed is closed (its
            // fd is gone by now: the value is -1), then the bind fails.
            state.emit(.closed, fd: -1, endpoint: text)
            state.emit(.bindFailed, value: UInt32(bitPattern: error.errno), endpoint: text)
            throw error
        }
        publish(Listener(fd: fd, text: local.endpointText))
    }

    func bindIPC(_ path: IPCPath, text: String) throws(TransportError) {
        let (terminated, backlog) = state.monitor.withLock { (state.terminated, state.options.backlog) }
        if terminated { throw .terminated }
        do {
            publish(try IPCListening.listen(path, backlog: backlog))
        } catch {
            state.emit(.bindFailed, value: UInt32(bitPattern: error.errno), endpoint: text)
            throw error
        }
    }

    private func publish(_ listener: Listener) {
        state.monitor.withLock {
            state.lastEndpoint = listener.text
            state.boundEndpoints.append(listener.text)
            state.newListeners.append(listener)
        }
        Trace.log("bound \(listener.text)")
        state.emit(.listening, fd: listener.fd, endpoint: listener.text)
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
            state.inprocUnready += early.count
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
            state.inprocUnready += 1
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
            state.inprocUnready += 1
            return true
        }
        if taken { state.waker.wake() }
        return taken
    }
}

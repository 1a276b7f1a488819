// SPDX-License-Identifier: MIT
public import ZGSSBase
internal import CZGSSHeader
import Glibc
public import ZMTPCodec
import ZMTPGSSAPI

/// A zmq-shaped socket: options, bind/connect, send/recv with libzmq's
/// per-type semantics. The application side lives here; the sockets, the
/// handshakes and the frames are on the socket's I/O thread (`IOLoop`),
/// except that a message with nothing queued ahead of it is encoded and
/// written by the sending thread itself (ZSocket+Direct.swift).
///
/// Thread rules follow libzmq: one thread at a time per socket. Calls
/// lock the shared state briefly; blocking calls wait on its condition
/// variable and honour ZMQ_SNDTIMEO / ZMQ_RCVTIMEO and ZMQ_DONTWAIT.
public final class ZSocket: @unchecked Sendable {
    public static let dontWait: Int32 = ZMQ_DONTWAIT
    public static let sendMore: Int32 = ZMQ_SNDMORE

    public let type: SocketType
    let state: SocketState
    let context: ZContext

    // Application-side state, also guarded by state.monitor (see
    // ZSocket+Messages.swift).
    var sendParts: [[UInt8]] = []
    var receiveParts = FIFO<[UInt8]>()
    var receiveMore = false
    /// The properties of the message whose parts are being received.
    var receiveMetadata: MessageMetadata?
    var awaitingReply = false
    var replyEnvelope: (connection: UInt64, parts: [[UInt8]])?
    private(set) var closed = false
    /// The read buffer of the thread reading its peer itself
    /// (ZSocket+ApplicationRead.swift; only the one thread that is at it,
    /// `SocketState.applicationWaiting`, touches it).
    var applicationReadBuffer: [UInt8] = []

    init(type: SocketType, context: ZContext, waker: LoopWaker) {
        self.type = type
        self.context = context
        self.state = SocketState(type: type, waker: waker)
        state.options.pool = context.configurations
    }

    // MARK: options

    public func setOption(_ option: Int32, _ value: UnsafeRawBufferPointer?) throws(TransportError) {
        let result: Result<Void, TransportError> = state.monitor.withLock {
            if state.terminated { return .failure(.terminated) }
            switch option {
            case ZMQ_SUBSCRIBE, ZMQ_UNSUBSCRIBE:
                guard type == .sub else { return .failure(.invalid("ZMQ_SUBSCRIBE is for SUB sockets")) }
                let topic = value.map { Array($0) } ?? []
                if option == ZMQ_SUBSCRIBE {
                    // Every subscribe goes out, as libzmq 4.3.4's SUB sends
                    // them (an XPUB with ZMQ_XPUB_VERBOSE counts each);
                    // a cancel only when the topic's count reaches zero.
                    state.subscriptions.add(topic)
                    state.subscriptionMessages.append([1] + topic)
                } else if state.subscriptions.remove(topic) {
                    state.subscriptionMessages.append([0] + topic)
                }
                state.waker.wake()
                return .success(())
            case let xpubOption where XPubOptions.handles(xpubOption):
                guard type == .xpub else { return .failure(.invalid("option \(option) is for XPUB sockets")) }
                do throws(TransportError) {
                    // a copy, so that `options` is never changed in place
                    // across a call (see OutputBuffer.appendToTail)
                    var options = state.options
                    try options.xpub.set(option, value)
                    state.options = options
                    return .success(())
                } catch {
                    return .failure(error)
                }
            default:
                do throws(TransportError) {
                    var options = state.options
                    try options.set(option, value)
                    state.options = options
                    return .success(())
                } catch {
                    return .failure(error)
                }
            }
        }
        try result.get()
    }

    public func option(_ option: Int32) throws(TransportError) -> SocketOptionValue {
        switch option {
        case ZMQ_EVENTS: return .int(Int32(try events().rawValue))
        case ZMQ_FD: return .int(try eventDescriptor())
        default: break
        }
        let value: SocketOptionValue? = state.monitor.withLock {
            switch option {
            case ZMQ_RCVMORE: .int(receiveMore ? 1 : 0)
            case ZMQ_TYPE: .int(type.rawValue)
            case ZMQ_LAST_ENDPOINT: .string(state.lastEndpoint)
            case ZGSS_LAST_ERROR: .string(state.lastError)
            case ZGSS_PEER_PRINCIPAL: .string(state.peerPrincipal)
            default: state.options.get(option)
            }
        }
        guard let value else { throw .invalid("unknown option \(option)") }
        return value
    }

    // MARK: endpoints

    /// Listens on a tcp://, ipc:// or inproc:// endpoint (ZSocket+Transports.swift).
    public func bind(_ text: String) throws(TransportError) {
        switch try Self.parse(text, forBind: true) {
        case .tcp(let endpoint): try bindTCP(endpoint, text: text)
        case .ipc(let path): try bindIPC(path, text: text)
        case .inproc(let name): try bindInproc(name, text: text)
        }
    }

    /// Connects to a tcp://, ipc:// or inproc:// endpoint (ZSocket+Transports.swift).
    public func connect(_ text: String) throws(TransportError) {
        switch try Self.parse(text, forBind: false) {
        case .tcp(let endpoint): try connect(text, addresses: try SocketAddress.resolve(endpoint))
        case .ipc(let path): try connect(text, addresses: [SocketAddress(unixPath: path)])
        case .inproc(let name): try connectInproc(name, text: text)
        }
    }

    // MARK: close

    /// Stops the socket. Pending messages are still sent for ZMQ_LINGER
    /// milliseconds by the I/O thread; this call does not wait for that
    /// (zgss_ctx_term does, as in libzmq).
    public func close() {
        let first: Bool = state.monitor.withLock {
            if closed { return false }
            closed = true
            state.closing = true
            let linger = state.options.linger
            state.lingerDeadline = linger < 0 ? nil : Clock.now + Int64(linger)
            state.wakeReceivers()
            return true
        }
        guard first else { return }
        context.inproc.release(self)
        state.waker.wake()
        context.socketClosed(self)
    }

    func markTerminated() {
        state.monitor.withLock {
            state.terminated = true
            state.signalEvents()
            state.wakeReceivers()
        }
        // zgss_ctx_term stops monitors at once, as libzmq's does.
        stopMonitor()
    }
}

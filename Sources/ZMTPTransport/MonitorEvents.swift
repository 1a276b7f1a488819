// SPDX-License-Identifier: MIT
internal import CZGSSHeader
internal import ZGSSBase

/// A monitor event number (zmq.h's ZMQ_EVENT_*, from include/zgss.h: the
/// one place they are written), what a monitor's first frame carries.
public struct MonitorEvent: RawRepresentable, Sendable, Equatable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    private init(_ value: Int32) { rawValue = UInt16(truncatingIfNeeded: value) }

    public static let connected = MonitorEvent(ZMQ_EVENT_CONNECTED)
    public static let connectDelayed = MonitorEvent(ZMQ_EVENT_CONNECT_DELAYED)
    public static let connectRetried = MonitorEvent(ZMQ_EVENT_CONNECT_RETRIED)
    public static let listening = MonitorEvent(ZMQ_EVENT_LISTENING)
    public static let bindFailed = MonitorEvent(ZMQ_EVENT_BIND_FAILED)
    public static let accepted = MonitorEvent(ZMQ_EVENT_ACCEPTED)
    public static let acceptFailed = MonitorEvent(ZMQ_EVENT_ACCEPT_FAILED)
    public static let closed = MonitorEvent(ZMQ_EVENT_CLOSED)
    public static let closeFailed = MonitorEvent(ZMQ_EVENT_CLOSE_FAILED)
    public static let disconnected = MonitorEvent(ZMQ_EVENT_DISCONNECTED)
    public static let monitorStopped = MonitorEvent(ZMQ_EVENT_MONITOR_STOPPED)
    public static let handshakeFailedNoDetail = MonitorEvent(ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL)
    public static let handshakeSucceeded = MonitorEvent(ZMQ_EVENT_HANDSHAKE_SUCCEEDED)
    public static let handshakeFailedProtocol = MonitorEvent(ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL)
    public static let handshakeFailedAuth = MonitorEvent(ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)

    /// ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND: what a libzmq 4.3.4
    /// GSSAPI peer reports when an ERROR arrives instead of the next
    /// handshake command.
    public static let unexpectedCommand = UInt32(truncatingIfNeeded: ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND)
}

/// A socket's monitor: a PAIR socket bound to an inproc:// endpoint that
/// gets each event as two parts, 6 bytes (event number as a native
/// uint16, value as a native uint32) and the endpoint text, as libzmq's
/// version 1 monitor sends them. Events come from the application thread
/// (bind) and the I/O thread; `lock` keeps each pair of parts together.
/// Sends never block: an event nobody can take is lost, and the socket
/// that is watched never waits for its watcher.
final class SocketMonitor: @unchecked Sendable {
    let pair: ZSocket
    let mask: UInt32
    private let lock = Lock()

    init(pair: ZSocket, mask: UInt32) {
        self.pair = pair
        self.mask = mask
    }

    func wants(_ event: MonitorEvent) -> Bool { mask & UInt32(event.rawValue) != 0 }

    func publish(_ event: MonitorEvent, value: UInt32, endpoint: String) {
        guard wants(event) else { return }
        var head = [UInt8](repeating: 0, count: 6)
        withUnsafeBytes(of: event.rawValue) { head.replaceSubrange(0..<2, with: $0) }
        withUnsafeBytes(of: value) { head.replaceSubrange(2..<6, with: $0) }
        lock.withLock {
            do throws(TransportError) {
                try pair.send(head, flags: ZSocket.dontWait | ZSocket.sendMore)
                try pair.send(Array(endpoint.utf8), flags: ZSocket.dontWait)
            } catch {
                // A first part taken without its second must not stay
                // to head the next event.
                pair.state.monitor.withLock { pair.sendParts = [] }
                Trace.log("monitor event \(event) lost: \(error.reason)")
            }
        }
    }
}

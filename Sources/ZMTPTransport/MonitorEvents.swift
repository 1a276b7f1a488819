// SPDX-License-Identifier: MIT
internal import ZGSSBase

/// libzmq 4.3.4's monitor events (zmq.h ZMQ_EVENT_*), the numbers a
/// monitor's first frame carries.
public enum MonitorEvent: UInt16, Sendable {
    case connected = 0x0001
    case connectDelayed = 0x0002
    case connectRetried = 0x0004
    case listening = 0x0008
    case bindFailed = 0x0010
    case accepted = 0x0020
    case acceptFailed = 0x0040
    case closed = 0x0080
    case closeFailed = 0x0100
    case disconnected = 0x0200
    case monitorStopped = 0x0400
    case handshakeFailedNoDetail = 0x0800
    case handshakeSucceeded = 0x1000
    case handshakeFailedProtocol = 0x2000
    case handshakeFailedAuth = 0x4000

    /// ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND: what a libzmq 4.3.4
    /// GSSAPI peer reports when an ERROR arrives instead of the next
    /// handshake command.
    public static let unexpectedCommand: UInt32 = 0x1000_0001
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

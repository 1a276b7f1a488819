// SPDX-License-Identifier: MIT
import Glibc
internal import CZGSSHeader

/// zgss_socket_monitor: libzmq 4.3.4's zmq_socket_monitor (version 1
/// events). The events a failed handshake reports carry only a number, as
/// in libzmq; the sentence that says why (the Kerberos text, the refused
/// principal) is in ZGSS_LAST_ERROR before the event is sent, so a program
/// that reads the event can read the reason next.
extension ZSocket {
    /// Starts (or, with nil, stops) sending `events` to a PAIR socket bound
    /// to the inproc:// `endpoint`. A monitor already running is stopped
    /// first, with ZMQ_EVENT_MONITOR_STOPPED if it asked for it.
    public func monitor(endpoint: String?, events: UInt64) throws(TransportError) {
        if state.monitor.withLock({ state.terminated }) { throw .terminated }
        guard events >> 16 == 0 else {
            throw .invalid("monitor events \(events) has bits beyond the 16 version 1 events")
        }
        guard let endpoint else {
            stopMonitor()
            return
        }
        guard case .inproc = try Self.parse(endpoint, forBind: true) else {
            throw TransportError(EPROTONOSUPPORT, "a monitor endpoint must be inproc:// (not \(endpoint))")
        }
        stopMonitor()
        let pair = try context.socket(type: ZMQ_PAIR)
        do {
            var linger: Int32 = 0
            try withUnsafeBytes(of: &linger) { (bytes) throws(TransportError) in try pair.setOption(ZMQ_LINGER, bytes) }
            try pair.bind(endpoint)
        } catch {
            pair.close()
            throw error
        }
        let monitor = SocketMonitor(pair: pair, mask: UInt32(events))
        state.monitor.withLock { state.socketMonitor = monitor }
    }

    /// Ends the monitor, telling its watcher (ZMQ_EVENT_MONITOR_STOPPED,
    /// value 0, no endpoint) when it asked for that.
    func stopMonitor() {
        let monitor: SocketMonitor? = state.monitor.withLock {
            let monitor = state.socketMonitor
            state.socketMonitor = nil
            return monitor
        }
        guard let monitor else { return }
        monitor.publish(.monitorStopped, value: 0, endpoint: "")
        monitor.pair.close()
    }
}

extension SocketState {
    /// Sends an event to the monitor, if one is running and wants it. Call
    /// without the lock held.
    func emit(_ event: MonitorEvent, value: UInt32, endpoint: String) {
        guard let monitor = self.monitor.withLock({ socketMonitor }) else { return }
        monitor.publish(event, value: value, endpoint: endpoint)
    }

    func emit(_ event: MonitorEvent, fd: Int32, endpoint: String) {
        emit(event, value: UInt32(bitPattern: fd), endpoint: endpoint)
    }
}

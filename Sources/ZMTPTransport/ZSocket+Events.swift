// SPDX-License-Identifier: MIT
import Glibc
internal import CZGSSHeader

/// ZMQ_EVENTS bits: what a socket can do without blocking.
public struct SocketEvents: OptionSet, Sendable {
    public let rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }

    public static let pollIn = SocketEvents(rawValue: Int16(ZMQ_POLLIN))
    public static let pollOut = SocketEvents(rawValue: Int16(ZMQ_POLLOUT))
}

/// ZMQ_EVENTS and ZMQ_FD, with libzmq's edge-triggered contract: the
/// descriptor (a pipe's read end) becomes readable when the events may
/// have changed and stays so until ZMQ_EVENTS is read. Who signals: the
/// I/O thread when it publishes messages or peers (publishLocked) and when
/// routing frees room in the outbox; `markTerminated`. Signal and reset
/// both happen with `state.monitor` locked, so a change made after a
/// ZMQ_EVENTS read always signals again: no wake-up is lost. The pipe
/// holds at most one byte (`eventsSignalled`).
extension ZSocket {
    /// ZMQ_FD: the socket's event descriptor, made on first use.
    public func eventDescriptor() throws(TransportError) -> Int32 {
        let result: Result<Int32, TransportError> = state.monitor.withLock {
            do throws(TransportError) {
                try checkUsable()
                return .success(try eventSignalLocked().readFD)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// ZMQ_EVENTS: what the socket can do now; resets the event descriptor.
    public func events() throws(TransportError) -> SocketEvents {
        let result: Result<SocketEvents, TransportError> = state.monitor.withLock {
            do throws(TransportError) {
                try checkUsable()
            } catch {
                return .failure(error)
            }
            // A program that polls needs the I/O thread to read.
            stopApplicationReads()
            if state.eventsSignalled, let signal = state.eventSignal {
                signal.drain()
                state.eventsSignalled = false
            }
            var events: SocketEvents = []
            if canReceiveNow() { events.insert(.pollIn) }
            if canSendNow() { events.insert(.pollOut) }
            return .success(events)
        }
        return try result.get()
    }

    /// The lock held.
    private func checkUsable() throws(TransportError) {
        if closed { throw TransportError(ENOTSOCK, "the socket is closed") }
        if state.terminated { throw .terminated }
    }

    /// The lock held. A new descriptor starts readable: its user has not
    /// read ZMQ_EVENTS since it existed.
    private func eventSignalLocked() throws(TransportError) -> Waker {
        if let signal = state.eventSignal { return signal }
        guard let signal = Waker() else {
            throw TransportError(EMFILE, "cannot create the ZMQ_FD pipe (no file descriptor left)")
        }
        state.eventSignal = signal
        state.eventsSignalled = false
        state.signalEvents()
        return signal
    }

    /// ZMQ_POLLIN (the lock held): a receive with ZMQ_DONTWAIT would
    /// return a part. Drops the messages at the inbox's head that `accept`
    /// would drop, as receive does, so they do not count.
    private func canReceiveNow() -> Bool {
        if !receiveParts.isEmpty { return true }
        switch type {
        case .pub, .push: return false
        case .req where !awaitingReply: return false
        case .rep where replyEnvelope != nil: return false
        default: break
        }
        while let head = state.inbox.first {
            if admits(head) { return true }
            _ = state.takeFromInbox()
            if state.resumeReading() { state.waker.wake() }
        }
        return false
    }

    /// ZMQ_POLLOUT (the lock held): a send would not block, by libzmq
    /// 4.3.4's rules. REQ and REP count a message as received only once
    /// its last part has been read, as libzmq does.
    private func canSendNow() -> Bool {
        switch type {
        case .sub, .pull: return false
        case .pub, .xpub, .router, .xsub: return true
        case .rep: return replyEnvelope != nil && receiveParts.isEmpty
        case .req where awaitingReply || !receiveParts.isEmpty: return false
        default: break
        }
        // The rule `send` itself waits on: a peer or a connect() endpoint,
        // and room under ZMQ_SNDHWM.
        return !state.sendMustWait
    }
}

extension SocketState {
    /// Tells a ZMQ_FD user that the events may have changed (the lock
    /// held); free when nobody asked for ZMQ_FD or a signal is pending.
    func signalEvents() {
        guard let eventSignal, !eventsSignalled else { return }
        eventsSignalled = true
        eventSignal.wake()
    }
}

// SPDX-License-Identifier: MIT
import Glibc
import Synchronization
import ZMTPCodec

/// A receiving thread that reads its socket's peer itself while it waits.
///
/// Handed over by the I/O thread, a message costs two thread wake-ups: the
/// I/O thread's, woken by the peer's bytes, and the receiving thread's,
/// woken by the I/O thread. Here the receiving thread polls the peer's fd
/// and reads it, and the I/O thread leaves POLLIN off that fd meanwhile:
/// one wake-up per message, a round trip 15-30 µs shorter on loopback.
///
/// Only for REQ and REP with one ready peer (a request and its reply are
/// one message in flight, so the I/O thread reading ahead while the
/// application works gains nothing), and only while that thread would
/// otherwise block. The connection stays the application's (sticky
/// `Connection.applicationReads`) while its thread comes back to receive
/// within `IOLoop.applicationReadLease`; after that the I/O thread takes
/// the fd back, so heartbeats, a peer's hang-up and ZMQ_EVENTS work as
/// before. Everything the I/O thread does not see this way it is told:
/// a failure (`applicationReadFailed`), output left to write (a PONG), a
/// hang-up (the fd handed back).
///
/// Order: `Connection.readLock` serializes the two readers of one fd, and
/// each queues what it decoded before it lets go (the I/O thread
/// publishes under it), so messages reach the inbox in the order they
/// came. Fd lifetime: the I/O thread that closes the connection while this
/// thread polls only shuts the fd down; this thread closes it
/// (OutputBuffer.endApplicationRead).
extension SocketType {
    /// Whether a thread blocked in a receive reads its peer itself.
    var receiverReadsPeer: Bool { self == .req || self == .rep }
}

extension ZSocket {
    /// The connection this thread may read now, or nil (the lock held).
    func applicationReadCandidate() -> Connection? {
        guard type.receiverReadsPeer, !state.applicationWaiting.load(ordering: .relaxed), state.inbox.isEmpty,
              state.peersById.count == 1, let connection = state.peersById.values.first,
              connection.isReady, !connection.isInproc,
              !connection.applicationReadRefused.load(ordering: .acquiring) else { return nil }
        // Messages read from another connection still point to its
        // metadata, which that connection keeps alive.
        if let previous = state.applicationReadConnection, previous !== connection, state.applicationReadQueued > 0 {
            return nil
        }
        if state.applicationWaker == nil {
            guard let waker = Waker() else { return nil }
            state.applicationWaker = waker
        }
        return connection
    }

    /// Waits up to `timeout` milliseconds (-1: no limit) for `connection`'s
    /// next bytes, reads them and queues the messages in the inbox. Called
    /// with the lock held; releases it meanwhile. Returns early, having
    /// queued nothing, when `wakeReceivers` is called (the caller checks
    /// its conditions again).
    @discardableResult
    func readAsApplication(_ connection: Connection, timeout: Int32) -> Bool {
        guard let waker = state.applicationWaker, connection.beginApplicationRead() else {
            // Closed by the I/O thread, which will publish that.
            connection.applicationReadRefused.store(true, ordering: .releasing)
            return false
        }
        state.applicationReadConnection = connection
        connection.applicationReads.store(true, ordering: .releasing)
        // Counted as a waiter, so that the I/O thread's publishing wakes it.
        state.messageWaiters += 1
        state.applicationWaiting.store(true, ordering: .sequentiallyConsistent)
        var buffer: [UInt8] = []
        swap(&buffer, &applicationReadBuffer)
        if buffer.isEmpty { buffer = [UInt8](repeating: 0, count: 1 << 16) }
        var end = Connection.ApplicationReadEnd.drained
        state.monitor.withoutLock {
            var fds = [pollfd(fd: connection.fd, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: waker.readFD, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&fds, 2, timeout)
            if ready > 0 && fds[1].revents != 0 { waker.drain() }
            guard ready > 0 && fds[0].revents != 0 else { return }
            connection.readLock.withLock {
                var events: [ConnectionEvent] = []
                end = connection.readAvailable(into: &buffer, events: &events)
                if case .failed(let failure) = end {
                    connection.applicationReadFailure = failure
                    state.applicationReadFailed.store(true, ordering: .releasing)
                }
                guard !events.isEmpty else { return }
                state.monitor.withLock { queue(events, from: connection) }
            }
        }
        swap(&buffer, &applicationReadBuffer)
        connection.endApplicationRead()
        state.applicationWaiting.store(false, ordering: .sequentiallyConsistent)
        state.messageWaiters -= 1
        var handBack = false
        if case .drained = end {} else { handBack = true }
        if handBack {
            // For good: the I/O thread reads the hang-up or drops the
            // connection for its failure.
            connection.applicationReadRefused.store(true, ordering: .releasing)
            connection.applicationReads.store(false, ordering: .releasing)
        }
        // A PONG the decoding queued, the fd handed back, or an I/O thread
        // that does not look at the lease any more (this thread waited
        // long): the I/O thread's turn.
        let unscheduled = !connection.leaseCheckScheduled.exchange(true, ordering: .sequentiallyConsistent)
        if connection.flushDirect() || handBack || unscheduled { state.waker.wake() }
        return true
    }

    /// Queues the messages among `events` as the I/O thread's `received`
    /// does for REQ and REP (the lock held). Other threads blocked in a
    /// receive on this socket are woken for them.
    private func queue(_ events: [ConnectionEvent], from connection: Connection) {
        var queued = false
        var inbox = FIFO<Incoming>()
        swap(&inbox, &state.inbox)
        for event in events {
            guard case .message(let parts) = event else { continue }
            var incoming = Incoming(source: connection.id, routingId: connection.routingId, parts: parts,
                                    metadata: connection.messageMetadata)
            incoming.readByApplication = true
            inbox.push(incoming)
            state.applicationReadQueued += 1
            state.messagesReadByApplication += 1
            queued = true
        }
        swap(&inbox, &state.inbox)
        if queued {
            state.signalEvents()
            // (This thread counts as one of the waiters.)
            if state.messageWaiters > 1 { state.monitor.broadcast() }
        }
    }

    /// Gives the fd back to the I/O thread (ZMQ_EVENTS: a program that
    /// polls the socket needs the I/O thread to read). The lock held.
    func stopApplicationReads() {
        guard let connection = state.applicationReadConnection,
              connection.applicationReads.exchange(false, ordering: .acquiringAndReleasing) else { return }
        state.waker.wake()
    }
}

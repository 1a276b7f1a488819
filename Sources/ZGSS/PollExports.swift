// SPDX-License-Identifier: MIT
import Glibc
internal import CZGSSHeader
import ZMTPTransport

// zgss_poll (see "Polling" in include/zgss.h): libzmq's zmq_poll over
// zgss sockets and raw file descriptors. Sockets are waited on through
// their ZMQ_FD descriptors and judged by ZMQ_EVENTS, so a wake-up whose
// events turn out unchanged (the descriptor signals "may have changed")
// only sends the call back to sleep.

private func pollFailure(_ code: Int32) -> Int32 {
    errno = code
    return -1
}

/// Milliseconds on the monotonic clock.
private func monotonicMillis() -> Int64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
}

@_cdecl("zgss_poll")
public func zgss_poll(_ items: UnsafeMutableRawPointer?, _ count: Int32, _ timeout: Int) -> Int32 {
    if count < 0 { return pollFailure(EINVAL) }
    if count == 0 { return sleepWithoutItems(timeout) }
    guard let items else { return pollFailure(EFAULT) }
    let list = items.assumingMemoryBound(to: zgss_pollitem_t.self)
    let total = Int(count)
    // Every socket is checked before anything waits: a dead one fails the
    // whole call, as in libzmq. The objects stay retained until we return.
    var sockets: [ZSocket?] = []
    sockets.reserveCapacity(total)
    for index in 0..<total {
        guard let raw = list[index].socket else {
            sockets.append(nil)
            continue
        }
        guard let socket = Handles.get(OpaquePointer(raw), kind: .socket, as: ZSocket.self) else {
            return pollFailure(ENOTSOCK)
        }
        sockets.append(socket)
    }
    var descriptors = [pollfd](repeating: pollfd(fd: -1, events: 0, revents: 0), count: total)
    for index in 0..<total {
        let wanted = list[index].events
        if let socket = sockets[index] {
            do {
                descriptors[index].fd = try socket.eventDescriptor()
            } catch {
                return pollFailure(error.errno)
            }
            // Any change may matter, whatever is asked for: wait for the
            // signal and let ZMQ_EVENTS say what it was.
            descriptors[index].events = wanted != 0 ? Int16(POLLIN) : 0
        } else {
            descriptors[index].fd = list[index].fd
            descriptors[index].events = systemEvents(wanted)
        }
    }
    // The first pass does not wait: the descriptors say only what changed
    // since ZMQ_EVENTS was last read, so what is already there is found by
    // reading ZMQ_EVENTS, not by waiting.
    var firstPass = true
    var deadline: Int64?
    while true {
        var wait: Int32 = -1
        if firstPass {
            wait = 0
        } else if let deadline {
            wait = Int32(clamping: max(0, deadline - monotonicMillis()))
        }
        if poll(&descriptors, nfds_t(total), wait) < 0 { return pollFailure(errno) }
        var ready: Int32 = 0
        for index in 0..<total {
            var revents: Int16 = 0
            if let socket = sockets[index] {
                do {
                    revents = list[index].events & (try socket.events()).rawValue
                } catch {
                    return pollFailure(error.errno)
                }
            } else {
                revents = zmqEvents(descriptors[index].revents)
            }
            list[index].revents = revents
            if revents != 0 { ready += 1 }
        }
        if timeout == 0 || ready > 0 { return ready }
        if firstPass {
            firstPass = false
            if timeout > 0 {
                let now = monotonicMillis()
                deadline = timeout > Int(Int64.max - now) ? nil : now + Int64(timeout)
            }
            continue
        }
        if let deadline, monotonicMillis() >= deadline { return 0 }
    }
}

/// libzmq's answer to an empty item list: sleep for the timeout.
private func sleepWithoutItems(_ timeout: Int) -> Int32 {
    if timeout == 0 { return 0 }
    let wait = timeout < 0 ? -1 : Int32(clamping: timeout)
    if poll(nil, 0, wait) < 0 { return pollFailure(errno) }
    return 0
}

/// ZMQ_POLLIN/OUT/PRI as poll(2) events.
private func systemEvents(_ wanted: Int16) -> Int16 {
    var events: Int32 = 0
    if Int32(wanted) & ZMQ_POLLIN != 0 { events |= POLLIN }
    if Int32(wanted) & ZMQ_POLLOUT != 0 { events |= POLLOUT }
    if Int32(wanted) & ZMQ_POLLPRI != 0 { events |= POLLPRI }
    return Int16(events)
}

/// poll(2)'s answer as zmq_pollitem_t bits: anything beyond IN, OUT and
/// PRI (POLLERR, POLLHUP, POLLNVAL) is ZMQ_POLLERR.
private func zmqEvents(_ revents: Int16) -> Int16 {
    let raw = Int32(revents)
    var events: Int32 = 0
    if raw & POLLIN != 0 { events |= ZMQ_POLLIN }
    if raw & POLLOUT != 0 { events |= ZMQ_POLLOUT }
    if raw & POLLPRI != 0 { events |= ZMQ_POLLPRI }
    if raw & ~(POLLIN | POLLOUT | POLLPRI) != 0 { events |= ZMQ_POLLERR }
    return Int16(events)
}

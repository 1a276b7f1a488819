// SPDX-License-Identifier: MIT
import Glibc
internal import ZGSSBase

/// One I/O thread of a context: it runs the loops of one or more sockets
/// with a single poll(2) over all their descriptors and one wake-up pipe.
///
/// A round: sync the loops that are due (woken by their sockets, events
/// from the last poll, or a deadline reached), poll every loop's
/// descriptors and the pipe, then finish the round of each loop that had
/// events or reached its deadline; those are due next. A loop that nothing
/// happened to keeps the descriptors it asked for, and costs the round
/// only its share of the poll. Everything below `inbox` belongs to this
/// thread alone.
final class IOThread: @unchecked Sendable {
    /// What other threads hand over (`inbox`).
    private struct Inbox {
        var added: [IOLoop] = []
        var woken: [LoopWaker] = []
        var stopping = false
    }

    let waker: Waker
    private let inbox = PthreadMutex(Inbox())
    /// Strong: a thread that exits on its own still reports to the pool
    /// after it has left the pool's list (the cycle ends with `retire`).
    let pool: IOThreadPool
    /// Loops assigned to this thread and not finished (guarded by the
    /// pool's lock: it picks the thread with the fewest).
    var loopCount = 0

    private var loops: [IOLoop] = []
    private var byWaker: [ObjectIdentifier: IOLoop] = [:]
    private var due: [IOLoop] = []
    private var round: UInt64 = 0
    private var fds: [pollfd] = []  // reused from round to round
    /// fds[starts[i] ..< starts[i + 1]] are loops[i]'s.
    private var starts: [Int] = []

    init(pool: IOThreadPool, waker: Waker) {
        self.pool = pool
        self.waker = waker
    }

    /// Hands a new socket's loop to this thread (the pool counted it).
    func attach(_ loop: IOLoop) {
        inbox.withLock { $0.added.append(loop) }
        waker.wake()
    }

    /// A socket has work for its loop (LoopWaker.wake).
    func post(_ loopWaker: LoopWaker) {
        inbox.withLock { $0.woken.append(loopWaker) }
        waker.wake()
    }

    /// The context is terminating: once the thread has no loops it exits
    /// instead of waiting for more.
    func stop() {
        inbox.withLock { $0.stopping = true }
        waker.wake()
    }

    func run() {
        var idleSince = Clock.now
        while true {
            let taken = inbox.withLock { inbox -> Inbox in
                defer {
                    inbox.added.removeAll()
                    inbox.woken.removeAll()
                }
                return inbox
            }
            for loop in taken.added {
                loops.append(loop)
                byWaker[ObjectIdentifier(loop.state.waker)] = loop
                due.append(loop)
            }
            for loopWaker in taken.woken {
                loopWaker.taken()
                if let loop = byWaker[ObjectIdentifier(loopWaker)] { due.append(loop) }
            }
            beginDueRounds()
            if loops.isEmpty {
                // Parked: exit when the context stops or after a while
                // without work, unless the pool assigned a loop meanwhile.
                let now = Clock.now
                if taken.stopping || now - idleSince >= pool.idleMillis {
                    if pool.retire(self) { return }
                }
                var pipe = pollfd(fd: waker.readFD, events: Int16(POLLIN), revents: 0)
                let wait = taken.stopping ? 10 : max(1, pool.idleMillis - (now - idleSince))
                if poll(&pipe, 1, Int32(clamping: wait)) > 0 { waker.drain() }
                continue
            }
            pollLoops()
            idleSince = Clock.now
        }
    }

    /// Syncs each due loop once; a finished loop leaves the thread.
    private func beginDueRounds() {
        guard !due.isEmpty else { return }
        // A loop can be due twice (woken, and had events): the round
        // number marks the ones already begun, with no set to allocate.
        round &+= 1
        var finished: Set<ObjectIdentifier> = []
        for loop in due where loop.begunInRound != round {
            loop.begunInRound = round
            if !loop.beginRound() { finished.insert(ObjectIdentifier(loop)) }
        }
        due.removeAll(keepingCapacity: true)
        guard !finished.isEmpty else { return }
        for loop in loops where finished.contains(ObjectIdentifier(loop)) {
            byWaker[ObjectIdentifier(loop.state.waker)] = nil
        }
        loops.removeAll { finished.contains(ObjectIdentifier($0)) }
        // The loops (and through them their sockets) are released here.
        pool.loopsEnded(self, count: finished.count)
    }

    /// One poll over every loop's descriptors and the pipe; the loops
    /// with events or past their deadline finish their round.
    private func pollLoops() {
        // A local array (swapped back at the end), so that no access to a
        // property spans the calls into the loops.
        var fds: [pollfd] = []
        swap(&fds, &self.fds)
        defer { swap(&fds, &self.fds) }
        fds.removeAll(keepingCapacity: true)
        starts.removeAll(keepingCapacity: true)
        fds.append(pollfd(fd: waker.readFD, events: Int16(POLLIN), revents: 0))
        var deadline = Int64.max
        for loop in loops {
            starts.append(fds.count)
            fds.append(contentsOf: loop.pollFDs)
            deadline = min(deadline, loop.deadline)
        }
        starts.append(fds.count)
        let timeout = Int32(clamping: max(0, deadline - Clock.now))
        let ready = poll(&fds, nfds_t(fds.count), timeout)
        if ready > 0 && fds[0].revents != 0 { waker.drain() }
        let now = Clock.now
        fds.withUnsafeBufferPointer { all in
            for (index, loop) in loops.enumerated() {
                let mine = UnsafeBufferPointer(rebasing: all[starts[index] ..< starts[index + 1]])
                guard now >= loop.deadline || (ready > 0 && mine.contains { $0.revents != 0 }) else { continue }
                loop.finishRound(mine)
                due.append(loop)
            }
        }
    }
}

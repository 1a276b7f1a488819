// SPDX-License-Identifier: MIT
import Glibc

/// A context's I/O threads. A thread whose socket has finished parks for a
/// while and then runs the next socket's loop, so a short-lived socket
/// (connect, one request, close) costs no thread creation: no clone, no
/// fresh stack to fault in, no exit. A parked thread holds no socket and no
/// Kerberos state. Past `maxParked`, or after `idleMillis` without work, a
/// thread exits on its own; `stop` (zgss_ctx_term) ends and joins the rest,
/// so a terminated context leaves no thread behind.
final class IOThreadPool: @unchecked Sendable {
    static let maxParked = 8
    static let idleMillis: Int64 = 2000

    // All guarded by monitor.
    private let monitor = Monitor()
    private var parked = 0
    private var handed: [IOLoop] = []
    /// Threads that `stop` must join (a thread that leaves on its own
    /// removes itself and detaches).
    private var threads: [UInt64: pthread_t] = [:]
    private var nextKey: UInt64 = 0
    private var stopping = false

    /// Threads started and not yet at their end.
    private var alive = 0

    /// How many threads this pool has created, and how many are still
    /// running or parked (tests).
    var created: Int { monitor.withLock { Int(nextKey) } }
    var running: Int { monitor.withLock { alive } }
    /// How many parked threads have no loop handed to them yet (tests).
    var idle: Int { monitor.withLock { parked - handed.count } }

    /// What a new thread starts with.
    private final class Start {
        let pool: IOThreadPool
        let loop: IOLoop
        let key: UInt64
        init(pool: IOThreadPool, loop: IOLoop, key: UInt64) {
            self.pool = pool
            self.loop = loop
            self.key = key
        }
    }

    /// Runs `loop` on a parked thread, or on a new one when none is
    /// parked. False when no thread could be had.
    func start(_ loop: IOLoop) -> Bool {
        monitor.withLock {
            // Every handed loop needs a parked thread of its own to take it.
            if parked > handed.count {
                handed.append(loop)
                // One parked thread is enough; waking them all would only
                // send the rest back to sleep.
                monitor.signal()
                return true
            }
            // Created with the lock held, so the thread is registered
            // before it can park or leave.
            nextKey += 1
            let start = Unmanaged.passRetained(Start(pool: self, loop: loop, key: nextKey)).toOpaque()
            var thread = pthread_t()
            let status = pthread_create(&thread, nil, { raw in
                guard let raw else { return nil }
                let start = Unmanaged<Start>.fromOpaque(raw).takeRetainedValue()
                start.pool.work(first: start.loop, key: start.key)
                return nil
            }, start)
            guard status == 0 else {
                Unmanaged<Start>.fromOpaque(start).release()
                return false
            }
            threads[nextKey] = thread
            alive += 1
            return true
        }
    }

    /// Ends the parked threads and waits for every thread to exit. Call it
    /// once no loop runs any more (ZContext.terminate does).
    func stop() {
        let joinable: [pthread_t] = monitor.withLock {
            stopping = true
            monitor.broadcast()
            defer { threads = [:] }
            return Array(threads.values)
        }
        for thread in joinable { pthread_join(thread, nil) }
    }

    /// A thread's life: run a loop, park, run the next one handed over.
    private func work(first: IOLoop, key: UInt64) {
        var next: IOLoop? = first
        while let loop = next {
            next = nil
            loop.run()
            // `loop`, and through it the socket, is released here, before
            // the thread parks.
            next = park(key)
        }
        monitor.withLock { alive -= 1 }
    }

    /// Waits for a loop to run; nil when the thread is to exit.
    private func park(_ key: UInt64) -> IOLoop? {
        monitor.withLock {
            if !stopping && parked < Self.maxParked {
                parked += 1
                let deadline = Clock.now + Self.idleMillis
                while handed.isEmpty && !stopping && monitor.wait(until: deadline) {}
                parked -= 1
            }
            if !handed.isEmpty { return handed.removeFirst() }
            if !stopping {
                threads[key] = nil
                pthread_detach(pthread_self())
            }
            return nil
        }
    }
}

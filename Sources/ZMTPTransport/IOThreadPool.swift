// SPDX-License-Identifier: MIT
import Glibc

/// A context's I/O threads: at most `maxThreads`, each running the loops
/// of one or more sockets (IOThread). A new socket's loop goes to the
/// thread with the fewest loops, or to a new thread while there are fewer
/// than `maxThreads` and every thread has a loop. So two busy sockets
/// (a PUSH and a PULL in one process) still run on two cores, while a
/// hundred sockets share a few threads instead of needing a hundred (fewer
/// wake-ups, context switches and thread creations; one thread's wake-up
/// serves every socket on it that has work).
///
/// A thread left with no loops waits `idleMillis` for the next socket and
/// then exits; `stop` (zgss_ctx_term) ends and joins the rest, so a
/// terminated context leaves no thread behind.
final class IOThreadPool: @unchecked Sendable {
    /// One per CPU, and at least two.
    static let maxThreads = max(2, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    /// How long a thread with no loops waits for one before it exits.
    let idleMillis: Int64

    init(idleMillis: Int64 = 2000) {
        self.idleMillis = idleMillis
    }

    // All guarded by monitor.
    private let monitor = Monitor()
    private var threads: [IOThread] = []
    /// Threads that `stop` must join (a thread that exits on its own
    /// detaches and leaves this table).
    private var joinable: [ObjectIdentifier: pthread_t] = [:]
    private var stopping = false
    private var createdCount = 0
    /// Threads started and not yet at their end.
    private var alive = 0

    /// How many threads this pool has created, how many are still
    /// running, and how many of those have no loop (tests).
    var created: Int { monitor.withLock { createdCount } }
    var running: Int { monitor.withLock { alive } }
    var idle: Int { monitor.withLock { threads.count { $0.loopCount == 0 } } }

    /// Why no thread could run a loop (no thread runs and none could be
    /// started).
    enum StartFailure: Error {
        /// No descriptor for a new thread's wake-up pipe.
        case noDescriptor
        /// pthread_create failed.
        case noThread
    }

    /// Runs `loop` on one of the threads.
    func start(_ loop: IOLoop) throws(StartFailure) {
        let thread = try assign().get()
        loop.state.waker.bind(to: thread)
        thread.attach(loop)
    }

    /// The thread with the fewest loops, counting the new one in; a new
    /// thread when that one is busy and the pool may grow.
    private func assign() -> Result<IOThread, StartFailure> {
        monitor.withLock {
            let least = threads.min { $0.loopCount < $1.loopCount }
            if let least, least.loopCount == 0 || threads.count >= Self.maxThreads {
                least.loopCount += 1
                return .success(least)
            }
            switch spawn() {
            case .success(let thread):
                thread.loopCount = 1
                return .success(thread)
            case .failure(let failure):
                // No new thread: share one that runs.
                guard let least else { return .failure(failure) }
                least.loopCount += 1
                return .success(least)
            }
        }
    }

    /// A started thread (the lock held, so it is registered before it can
    /// retire).
    private func spawn() -> Result<IOThread, StartFailure> {
        guard let waker = Waker() else { return .failure(.noDescriptor) }
        let thread = IOThread(pool: self, waker: waker)
        let start = Unmanaged.passRetained(thread).toOpaque()
        var handle = pthread_t()
        let status = pthread_create(&handle, nil, { raw in
            guard let raw else { return nil }
            let thread = Unmanaged<IOThread>.fromOpaque(raw).takeRetainedValue()
            thread.run()
            thread.exited()
            return nil
        }, start)
        guard status == 0 else {
            Unmanaged<IOThread>.fromOpaque(start).release()
            return .failure(.noThread)
        }
        threads.append(thread)
        joinable[ObjectIdentifier(thread)] = handle
        createdCount += 1
        alive += 1
        return .success(thread)
    }

    /// `count` of `thread`'s loops have finished.
    func loopsEnded(_ thread: IOThread, count: Int) {
        monitor.withLock { thread.loopCount -= count }
    }

    /// A thread with no loops asks to exit: true (and it is no longer
    /// picked) unless a loop was assigned to it meanwhile.
    func retire(_ thread: IOThread) -> Bool {
        monitor.withLock {
            guard thread.loopCount == 0 else { return false }
            threads.removeAll { $0 === thread }
            if !stopping, joinable.removeValue(forKey: ObjectIdentifier(thread)) != nil {
                pthread_detach(pthread_self())
            }
            return true
        }
    }

    fileprivate func threadExited() {
        monitor.withLock { alive -= 1 }
    }

    /// Ends the idle threads and waits for every thread to exit. Call it
    /// once no loop runs any more (ZContext.terminate does).
    func stop() {
        let (running, handles): ([IOThread], [pthread_t]) = monitor.withLock {
            stopping = true
            defer { joinable = [:] }
            return (threads, Array(joinable.values))
        }
        for thread in running { thread.stop() }
        for handle in handles { pthread_join(handle, nil) }
    }
}

extension IOThread {
    /// The thread's last act (it holds no loop by now).
    fileprivate func exited() {
        pool.threadExited()
    }
}

// SPDX-License-Identifier: MIT
import Glibc

/// A pthread mutex with one condition variable on the monotonic clock:
/// what Swift's `Mutex` lacks (waiting with a deadline).
final class Monitor: @unchecked Sendable {
    // Both live at fixed heap addresses for their whole life, as pthread
    // requires; all access goes through the pthread calls.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>

    init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Runs `body` with the lock released; the caller holds it before and
    /// holds it again after.
    func withoutLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_unlock(mutex)
        defer { pthread_mutex_lock(mutex) }
        return try body()
    }

    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Waits (the lock held) until woken or `deadline` (Clock.now
    /// milliseconds; nil waits without limit). Returns false on timeout.
    /// Spurious wake-ups happen: callers re-check their condition.
    @discardableResult
    func wait(until deadline: Int64?) -> Bool {
        guard let deadline else {
            pthread_cond_wait(condition, mutex)
            return true
        }
        var time = timespec(tv_sec: Int(deadline / 1000), tv_nsec: Int(deadline % 1000) * 1_000_000)
        return pthread_cond_timedwait(condition, mutex, &time) != ETIMEDOUT
    }

    func broadcast() {
        pthread_cond_broadcast(condition)
    }

    /// Wakes one waiter (for waiters that are interchangeable).
    func signal() {
        pthread_cond_signal(condition)
    }
}

/// Milliseconds on the monotonic clock.
enum Clock {
    static var now: Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }

    /// Nanoseconds on the monotonic clock.
    static var nanoseconds: Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }

    /// The deadline for a zmq-style timeout: nil for -1 (forever).
    static func deadline(afterMillis timeout: Int32) -> Int64? {
        timeout < 0 ? nil : now + Int64(timeout)
    }
}

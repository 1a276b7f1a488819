// SPDX-License-Identifier: MIT
import Glibc

/// A plain pthread mutex, for state that two threads share briefly (a
/// connection's codec and output buffer). `Monitor` is the variant with a
/// condition variable.
final class Lock: @unchecked Sendable {
    // Lives at a fixed heap address for its whole life, as pthread requires.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    @inline(__always)
    func withLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Releases the lock (held by the caller) around `body`.
    @inline(__always)
    func whileUnlocked<T>(_ body: () -> T) -> T {
        pthread_mutex_unlock(mutex)
        defer { pthread_mutex_lock(mutex) }
        return body()
    }
}

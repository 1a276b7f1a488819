// SPDX-License-Identifier: MIT
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A value guarded by a pthread mutex, with the `withLock` of
/// Synchronization's `Mutex`, for state that I/O threads share.
///
/// Why not `Mutex`: on Linux a contended `Mutex` waits and wakes inside
/// the toolchain's uninstrumented Synchronization library (futex calls),
/// so ThreadSanitizer sees no ordering between two threads that took
/// turns holding it and reports races that are not there, which would
/// bury real ones. ThreadSanitizer intercepts pthread mutexes.
final class PthreadMutex<Value: ~Copyable>: @unchecked Sendable {
    // A fixed heap address for the mutex's whole life, as pthread requires.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    init(_ value: consuming Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func withLock<R, E: Error>(_ body: (inout Value) throws(E) -> R) throws(E) -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}

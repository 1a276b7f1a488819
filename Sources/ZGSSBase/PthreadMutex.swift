// SPDX-License-Identifier: MIT
import Glibc

/// A value guarded by a pthread mutex, with the `withLock` of
/// Synchronization's `Mutex`: the one lock type of the library (`Monitor`
/// in ZMTPTransport adds a condition variable).
///
/// Why not `Mutex`: on Linux a contended `Mutex` waits and wakes inside
/// the toolchain's uninstrumented Synchronization library (futex calls),
/// so ThreadSanitizer sees no ordering between two threads that took
/// turns holding it and reports races that are not there, which would
/// bury real ones. ThreadSanitizer intercepts pthread mutexes.
public final class PthreadMutex<Value: ~Copyable>: @unchecked Sendable {
    // A fixed heap address for the mutex's whole life, as pthread requires.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    public init(_ value: consuming Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    @inline(__always)
    public func withLock<R, E: Error>(_ body: (inout Value) throws(E) -> R) throws(E) -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }

    /// Releases the lock (held by the caller, inside `withLock`) around
    /// `body`, and takes it again before returning.
    @inline(__always)
    public func whileUnlocked<R>(_ body: () -> R) -> R {
        pthread_mutex_unlock(mutex)
        defer { pthread_mutex_lock(mutex) }
        return body()
    }
}

/// A mutex that guards no value of its own, only a critical section.
public typealias Lock = PthreadMutex<Void>

extension PthreadMutex where Value == Void {
    public convenience init() { self.init(()) }

    /// The critical section alone. It does not go through `value`: an
    /// inout access to a zero-sized stored property has the address of
    /// whatever follows the object, which ThreadSanitizer then reports as
    /// a race with that other memory.
    @inline(__always)
    public func withLock<R, E: Error>(_ body: () throws(E) -> R) throws(E) -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}

// SPDX-License-Identifier: MIT
import Glibc

/// Spaces out a configuration's attempts to get tickets from the KDC after
/// one failed, so that a KDC outage does not turn every reconnect of every
/// socket into a KDC request (libzmq asks on each connection). The first
/// retry waits 1 s, each further failure doubles the wait up to 8 s, so
/// the KDC's return is noticed within 8 s. Until an attempt is due, the
/// last failure (with the KDC's own reason) is reported again.
struct AcquisitionBackoff: Sendable {
    static let firstDelay: Int64 = 1000
    static let longestDelay: Int64 = 8000

    private(set) var failures = 0
    /// Monotonic milliseconds (see `now()`) before which nobody asks again.
    private(set) var nextAttempt: Int64 = 0
    private(set) var lastError: ZGSSError?

    /// The last failure, repeated, while the next attempt is not due at
    /// `now`; nil when asking is allowed.
    func refusal(at now: Int64) -> ZGSSError? {
        guard let lastError, now < nextAttempt else { return nil }
        let seconds = (nextAttempt - now + 999) / 1000
        return ZGSSError(lastError.code, lastError.message + " (asking again in \(seconds) s)")
    }

    mutating func failed(_ error: ZGSSError, at now: Int64) {
        let delay = min(Self.firstDelay << Int64(min(failures, 16)), Self.longestDelay)
        failures += 1
        nextAttempt = now + delay
        lastError = error
    }

    mutating func succeeded() {
        self = AcquisitionBackoff()
    }

    /// A monotonic clock in milliseconds.
    static func now() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }
}

// SPDX-License-Identifier: MIT
// The I/O thread's wake-up pipe: a wake while one is pending writes
// nothing, and no wake is ever lost (a loop that drains, then takes up
// the posted work, then polls, always sees all of it).
import Testing
import Glibc
import Synchronization
import ZGSSBase
@testable import ZMTPTransport

@Suite struct WakerTests {
    /// Bytes waiting in the pipe now (FIONREAD).
    static func waiting(_ waker: Waker) -> Int32 {
        var count: Int32 = 0
        _ = ioctl(waker.readFD, UInt(FIONREAD), &count)
        return count
    }

    @Test func aPendingWakeIsNotWrittenAgain() throws {
        let waker = try #require(Waker())
        #expect(Self.waiting(waker) == 0)
        waker.wake()
        waker.wake()
        waker.wake()
        #expect(Self.waiting(waker) == 1)
        waker.drain()
        #expect(Self.waiting(waker) == 0)
        // Drained: the next wake writes again.
        waker.wake()
        #expect(Self.waiting(waker) == 1)
    }

    /// Four threads post work (a counter under a lock, as the socket's
    /// state is) and wake; one thread runs the I/O loop's order: poll,
    /// drain, take up what was posted, poll again. A lost wake-up leaves
    /// work posted while the loop sleeps: its poll then times out (10 s),
    /// which fails the test. Ten rounds: a drain that cleared the flag
    /// before reading the pipe lost a wake-up in about two rounds of three.
    @Test func noWakeIsLostUnderContention() throws {
        for round in 0..<10 {
            let lost = try Self.contend()
            #expect(lost == 0, "round \(round): the loop slept with work posted: a wake-up was lost")
            if lost != 0 { break }
        }
    }

    /// One round of `noWakeIsLostUnderContention`; returns how many times
    /// the loop found work posted after its poll timed out.
    static func contend() throws -> Int {
        let waker = try #require(Waker())
        let shared = Shared()
        let producers = 4
        let each = 10_000
        let consumer = PeerThread {
            var taken = 0
            while taken < producers * each {
                var fd = pollfd(fd: waker.readFD, events: Int16(POLLIN), revents: 0)
                if poll(&fd, 1, 10_000) == 0 {
                    // Asleep with work posted and no byte to wake it.
                    if shared.posted.withLock({ $0 }) > taken { shared.lost.add(1, ordering: .relaxed) }
                    return
                }
                waker.drain()
                taken = shared.posted.withLock { $0 }
            }
        }
        let threads = (0..<producers).map { _ in
            PeerThread {
                for _ in 0..<each {
                    shared.posted.withLock { $0 += 1 }
                    waker.wake()
                }
            }
        }
        for thread in threads { thread.join() }
        consumer.join()
        return shared.lost.load(ordering: .relaxed)
    }

    /// What the threads share. The count is under a pthread mutex, as the
    /// socket's state is (ThreadSanitizer sees through pthread_mutex_lock,
    /// not through the standard library's Mutex, and would report the
    /// counter's accesses as racing).
    final class Shared: Sendable {
        /// Work posted so far.
        let posted = PthreadMutex<Int>(0)
        /// Times the loop slept with work posted.
        let lost = Atomic<Int>(0)
    }
}

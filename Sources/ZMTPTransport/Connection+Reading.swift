// SPDX-License-Identifier: MIT
import Glibc

/// Reading the fd, by the I/O thread (IOLoop.read) or by a REQ or REP
/// thread blocked in a receive (ZSocket+ApplicationRead.swift). Both hold
/// `readLock` where both may read.
extension Connection {
    /// What one read of the fd gave.
    enum ReadStep {
        /// Bytes, decoded into the caller's events; `more`: the read
        /// filled what it was offered, so the fd may hold more. A failure
        /// is a bad frame after the events (complete and valid, to be
        /// delivered before the connection drops).
        case decoded(more: Bool, failure: ConnectionFailure?)
        /// Nothing to read now.
        case drained
        /// The peer hung up or the read failed.
        case closed
    }

    /// One read: the rest of a large frame straight into its own buffer,
    /// anything else through `buffer`; then decodes it, appending to
    /// `events`.
    func readStep(into buffer: inout [UInt8], events: inout [ConnectionEvent]) -> ReadStep {
        let direct = readIntoFrame(minimum: buffer.count, limit: IOLoop.largestFrameRead)
        let offered = direct?.offered ?? buffer.count
        switch direct?.result ?? Net.read(fd, into: &buffer) {
        case .data(let count):
            var failure: ConnectionFailure?
            do {
                try receive(direct == nil ? buffer[0..<count] : buffer[0..<0], into: &events)
            } catch {
                failure = error
            }
            return .decoded(more: count == offered, failure: failure)
        case .wouldBlock:
            return .drained
        case .closed, .failed:
            return .closed
        }
    }

    /// How a read for the application ended.
    enum ApplicationReadEnd {
        /// The fd has nothing more for now.
        case drained
        /// The peer hung up or the read failed: the I/O thread reads the
        /// fd again and drops the connection with its reason.
        case closed
        /// A frame was bad: the I/O thread drops the connection with this.
        case failed(ConnectionFailure)
    }

    /// Reads what the fd holds now (at most 16 reads, as the I/O thread
    /// does) and decodes it into `events`. The caller holds `readLock` and
    /// has begun an application read (so the fd is open).
    func readAvailable(into buffer: inout [UInt8], events: inout [ConnectionEvent]) -> ApplicationReadEnd {
        for _ in 0..<16 {
            switch readStep(into: &buffer, events: &events) {
            case .decoded(let more, let failure):
                if let failure { return .failed(failure) }
                if !more { return .drained }
            case .drained:
                return .drained
            case .closed:
                return .closed
            }
        }
        return .drained
    }
}

// SPDX-License-Identifier: MIT
import Glibc

/// Reading for the application thread (ZSocket+ApplicationRead.swift).
extension Connection {
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

    /// Reads what the fd holds now and decodes it into `events`, as the
    /// I/O thread's read does (IOLoop.service), large frames straight into
    /// their bodies. The caller holds `readLock` and has begun an
    /// application read (so the fd is open).
    func readAvailable(into buffer: inout [UInt8], events: inout [ConnectionEvent]) -> ApplicationReadEnd {
        for _ in 0..<16 {
            let direct = readIntoFrame(minimum: buffer.count, limit: IOLoop.largestFrameRead)
            let offered = direct?.offered ?? buffer.count
            switch direct?.result ?? Net.read(fd, into: &buffer) {
            case .data(let count):
                do {
                    try receive(direct == nil ? buffer[0..<count] : buffer[0..<0], into: &events)
                } catch {
                    return .failed(error)
                }
                if count < offered { return .drained }
            case .wouldBlock:
                return .drained
            case .closed, .failed:
                return .closed
            }
        }
        return .drained
    }
}

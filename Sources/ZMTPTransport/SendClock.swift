// SPDX-License-Identifier: MIT
import Synchronization

/// Tells a stream of sends from single ones, over all of one context's
/// sockets (ZContext.sendClock). A send that comes `streamGap` or more
/// after the context's previous send is a single message: the application
/// thread writes it at once (ZSocket+Direct.swift). One closer behind
/// another is part of a stream: it is left to the I/O thread, which writes
/// whatever has gathered, many messages per write(2).
///
/// Judged per context, not per socket: one thread feeding many sockets in
/// turn (a PUSH per worker, say) sends a stream although each socket sees
/// a message only now and then, and writing each of those itself cost it
/// a system call per message (a quarter of the throughput at 100 sockets,
/// issue 16). The price: in a context that is busy streaming, another
/// socket's occasional message takes the I/O thread's hand-off too, as
/// every message does in libzmq. REQ and REP never ask (they alternate
/// with their peer, so their sends are always written at once).
final class SendClock: Sendable {
    /// Sends closer together than this (nanoseconds) are a stream.
    static let streamGap: Int64 = 50_000

    /// When the context last sent (Clock.nanoseconds). Threads race only
    /// to store times a few nanoseconds apart; either result is right.
    private let last = Atomic<Int64>(Int64.min / 2)

    init() {}

    /// Records a send at `now` and says whether it begins a burst (comes
    /// `streamGap` or more after the previous one).
    func startsBurst(at now: Int64) -> Bool {
        now - last.exchange(now, ordering: .relaxed) >= Self.streamGap
    }
}

// SPDX-License-Identifier: MIT
import Synchronization

/// How a socket's application threads tell its I/O loop that there is
/// work (SocketState.waker). The loop shares an I/O thread with other
/// sockets' loops, so a wake names the loop: it joins the thread's list
/// of loops to sync, once until the thread takes the list, and the
/// thread's one Waker byte covers every loop woken meanwhile. A thread
/// fed by several sockets at once is woken once for all of them, and
/// syncs only the loops that were woken or have events of their own.
final class LoopWaker: @unchecked Sendable {
    /// On the thread's list and not yet taken from it.
    private let listed = Atomic<Bool>(false)
    /// Set once, before the socket is handed to the application (and so
    /// before any wake), by `bind`; read-only afterwards.
    private var thread: IOThread?

    init() {}

    func bind(to thread: IOThread) {
        self.thread = thread
    }

    /// Callers post their work (under the socket's lock, or into a
    /// connection's output under its lock) before they call this.
    func wake() {
        guard let thread, !listed.exchange(true, ordering: .sequentiallyConsistent) else { return }
        thread.post(self)
    }

    /// The I/O thread took this loop from its list: called before the
    /// loop syncs, so a wake from now on lists it again and work posted
    /// before this call is seen by that sync.
    func taken() {
        listed.store(false, ordering: .sequentiallyConsistent)
    }
}

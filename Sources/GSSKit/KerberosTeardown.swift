// SPDX-License-Identifier: MIT
import Glibc
internal import ZGSSBase

/// Frees Kerberos objects safely while the process exits.
///
/// libkrb5 destroys its global mutexes (memory caches, memory keytabs) in
/// its library destructor, which runs during exit(). An object released
/// on another thread at that moment (an I/O thread finishing after
/// zmq_ctx_term returned, say) would lock a destroyed mutex and abort.
/// Every release goes through `run`: an atexit handler, which runs before
/// library destructors, waits for releases in progress and then turns
/// later ones into no-ops (the memory goes with the process).
enum KerberosTeardown {
    private struct Gate {
        var exiting = false
        var busy = 0
    }

    private static let gate = PthreadMutex(Gate())
    private static let installed: Bool = {
        atexit { KerberosTeardown.close() }
        return true
    }()

    /// Registers the exit handler; called when an owning object is made.
    static func install() {
        _ = installed
    }

    /// Runs `release` unless the process is exiting.
    static func run(_ release: () -> Void) {
        let allowed = gate.withLock { gate -> Bool in
            if gate.exiting { return false }
            gate.busy += 1
            return true
        }
        guard allowed else { return }
        defer { gate.withLock { $0.busy -= 1 } }
        release()
    }

    private static func close() {
        while true {
            let idle = gate.withLock { gate -> Bool in
                gate.exiting = true
                return gate.busy == 0
            }
            if idle { return }
            usleep(100)
        }
    }
}

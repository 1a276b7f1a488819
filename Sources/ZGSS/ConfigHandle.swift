// SPDX-License-Identifier: MIT
import ZGSSBase
import ZMTPGSSAPI

/// What `zgss_config_t` points at: options being set, and the frozen
/// SecurityConfiguration (with its cached credentials) that mechanisms are
/// made from. Setting an option starts a new frozen configuration.
final class ConfigHandle: Sendable {
    struct State: ~Copyable {
        var options = GSSAPIOptions()
        var frozen: SecurityConfiguration?
        var lastError = ""
    }

    let state = PthreadMutex(State())
    let lastErrorText = PthreadMutex(OwnedCStringBox())

    func set(_ option: Int32, _ value: UnsafeRawBufferPointer?) -> Int32 {
        state.withLock { state in
            do throws(ZGSSError) {
                try state.options.set(option, value)
                state.frozen = nil
                state.lastError = ""
                return 0
            } catch {
                state.lastError = error.message
                return error.code.rawValue
            }
        }
    }

    func get(_ option: Int32) -> GSSAPIOptions.OptionValue? {
        state.withLock { $0.options.get(option) }
    }

    func recordError(_ text: String) {
        state.withLock { $0.lastError = text }
    }

    /// The configuration mechanisms are built from, taken from a pool
    /// shared by the whole process: hosts often make a config per
    /// connection, and equal options then still reuse the credentials and
    /// tickets the last config acquired.
    static let pool = ConfigurationPool()

    func configuration() -> SecurityConfiguration {
        state.withLock { state in
            if let frozen = state.frozen { return frozen }
            let frozen = ConfigHandle.pool.configuration(for: state.options)
            state.frozen = frozen
            return frozen
        }
    }

    func lastErrorPointer() -> UnsafePointer<CChar> {
        let text = state.withLock { $0.lastError }
        return lastErrorText.withLock { box in
            box.value = OwnedCString(text)
            return box.value.pointer
        }
    }
}

/// Holder so a non-Sendable C string can live in a Mutex.
struct OwnedCStringBox: ~Copyable, @unchecked Sendable {
    var value = OwnedCString("")
}

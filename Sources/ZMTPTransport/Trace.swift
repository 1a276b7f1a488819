// SPDX-License-Identifier: MIT
import Glibc

/// Handshake tracing to stderr, on when the environment has ZGSS_TRACE=1.
enum Trace {
    static let enabled: Bool = {
        guard let value = getenv("ZGSS_TRACE") else { return false }
        return String(cString: value) == "1"
    }()

    static func log(_ message: @autoclosure () -> String) {
        guard enabled else { return }
        let line = Array("zgss: \(message())\n".utf8)
        line.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) }
    }
}

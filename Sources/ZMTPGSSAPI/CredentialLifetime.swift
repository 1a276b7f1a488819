// SPDX-License-Identifier: MIT
import Glibc

/// How long a shared client credential may serve, on the wall clock that
/// Kerberos stamps its tickets with (seconds since the epoch).
///
/// A credential is renewed once half of its lifetime has passed (MIT's
/// own rule for tickets it gets from a client keytab), so every connection
/// gets a security context that lasts at least half a ticket lifetime, and
/// a KDC that is down at renewal time costs nothing while the old
/// credential is still valid.
struct CredentialLifetime: Equatable, Sendable {
    /// When the credential was acquired.
    let acquired: Int
    /// When its tickets end.
    let expires: Int

    init(acquired: Int, secondsRemaining: UInt32) {
        self.acquired = acquired
        self.expires = acquired + Int(secondsRemaining)
    }

    /// From when on a new credential should be got.
    var renewal: Int { acquired + (expires - acquired) / 2 }

    func isRenewalDue(at now: Int) -> Bool { now >= renewal }

    func isExpired(at now: Int) -> Bool { now >= expires }

    /// The wall clock now, in seconds since the epoch.
    static func now() -> Int { Int(time(nil)) }

    /// `seconds` since the epoch as UTC text, e.g. "2026-12-06 12:15:16 UTC".
    static func text(_ seconds: Int) -> String {
        var moment = time_t(seconds)
        var parts = tm()
        guard gmtime_r(&moment, &parts) != nil else { return "\(seconds) s after the epoch" }
        var buffer = [CChar](repeating: 0, count: 32)
        let count = strftime(&buffer, buffer.count, "%Y-%m-%d %H:%M:%S UTC", &parts)
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

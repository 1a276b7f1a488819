// SPDX-License-Identifier: MIT
/// Frozen configurations shared by everything made with equal options, so
/// a new socket (or mechanism host) with the same GSSAPI settings reuses
/// the credentials, tickets and keytab copy the last one already has
/// instead of acquiring them again.
///
/// Keeps at most `capacity` configurations; the least recently used one
/// is dropped first (its credentials go when no connection uses them).
/// Only configurations are kept, never failures: a credential that could
/// not be acquired is tried again by a later connection (after a short,
/// growing delay when the KDC may be involved: see AcquisitionBackoff).
public final class ConfigurationPool: Sendable {
    public let capacity: Int
    private let entries = PthreadMutex<[SecurityConfiguration]>([])

    public init(capacity: Int = 16) {
        self.capacity = max(1, capacity)
    }

    /// The pooled configuration for `options`, made on first use.
    public func configuration(for options: GSSAPIOptions) -> SecurityConfiguration {
        entries.withLock { entries in
            if let index = entries.firstIndex(where: { $0.options == options }) {
                let found = entries.remove(at: index)
                entries.append(found)
                return found
            }
            let made = SecurityConfiguration(options: options)
            if entries.count >= capacity { entries.removeFirst() }
            entries.append(made)
            return made
        }
    }

    /// How many configurations are pooled now.
    public var count: Int { entries.withLock { $0.count } }
}

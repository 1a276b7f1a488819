// SPDX-License-Identifier: MIT
/// A failure of the Kerberos message crypto. `reason` is one sentence.
public struct KerberosCryptoError: Error, Sendable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

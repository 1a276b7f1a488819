// SPDX-License-Identifier: MIT
/// A message as a ZMTP stack hands it to a mechanism: a body plus the
/// frame-level flags. SUBSCRIBE and CANCEL come from libzmq master's flags
/// byte (0x04, 0x08); libzmq 4.3.4 never sends them.
public struct MessageFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let more = MessageFlags(rawValue: 0x01)
    public static let command = MessageFlags(rawValue: 0x02)
    public static let subscribe = MessageFlags(rawValue: 0x04)
    public static let cancel = MessageFlags(rawValue: 0x08)
}

public struct ZMTPMessage: Equatable, Sendable {
    public var body: [UInt8]
    public var flags: MessageFlags

    public init(_ body: [UInt8], flags: MessageFlags = []) {
        self.body = body
        self.flags = flags
    }
}

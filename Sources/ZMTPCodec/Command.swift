// SPDX-License-Identifier: MIT
public import ZGSSBase
/// A ZMTP command body: a 1-byte name length, the name, then data.
public struct Command: Equatable, Sendable {
    public var name: String
    public var data: ArraySlice<UInt8>

    public init(name: String, data: ArraySlice<UInt8>) {
        self.name = name
        self.data = data
    }

    /// Parses a command frame body. An empty body is not a command (the
    /// GSSAPI client's empty frame is handled by the mechanism, not here).
    public init(parsing body: [UInt8]) throws(CodecError) {
        guard let nameLength = body.first, nameLength > 0 else {
            throw CodecError(.malformedCommand, body.isEmpty ? "empty command frame" : "command with an empty name")
        }
        guard body.count >= 1 + Int(nameLength) else {
            throw CodecError(.malformedCommand, "command name runs past the end of the frame")
        }
        let nameBytes = body[1..<1 + Int(nameLength)]
        guard nameBytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) else {
            throw CodecError(.malformedCommand, "command name is not printable ASCII")
        }
        self.name = String(decoding: nameBytes, as: UTF8.self)
        self.data = body[(1 + Int(nameLength))...]
    }

    /// Encodes `name` + `data` as a command body.
    public static func encode(name: String, data: [UInt8]) -> [UInt8] {
        let nameBytes = Array(name.utf8.prefix(255))
        var out: [UInt8] = []
        out.reserveCapacity(1 + nameBytes.count + data.count)
        out.append(UInt8(nameBytes.count))
        out.append(contentsOf: nameBytes)
        out.append(contentsOf: data)
        return out
    }

    /// True when `body` starts with the command prefix for `name`.
    public static func hasName(_ body: [UInt8], _ name: StaticString) -> Bool {
        let count = name.utf8CodeUnitCount
        guard body.count >= 1 + count, body[0] == UInt8(count) else { return false }
        return name.withUTF8Buffer { nameBytes in
            for i in 0..<count where body[1 + i] != nameBytes[i] { return false }
            return true
        }
    }
}

// SPDX-License-Identifier: MIT
public import ZGSSBase

/// ZMTP metadata as carried by READY: a sequence of properties, each a 1-byte
/// name length, the name, a 4-byte big-endian value length and the value.
public struct Metadata: Equatable, Sendable {
    public struct Property: Equatable, Sendable {
        public var name: String
        public var value: [UInt8]
        public init(name: String, value: [UInt8]) {
            self.name = name
            self.value = value
        }
    }

    public var properties: [Property]

    public init(_ properties: [Property] = []) {
        self.properties = properties
    }

    /// The first value under `name`, compared without regard to ASCII case
    /// (ZMTP property names are case-insensitive). The comparison is on UTF-8
    /// bytes: Unicode folding or canonical equivalence would let a peer's
    /// U+212A KELVIN SIGN stand for the `k` in `Socket-Type`.
    public subscript(name: String) -> [UInt8]? {
        properties.first { Metadata.asciiCaseInsensitiveEqual($0.name, name) }?.value
    }

    static func asciiCaseInsensitiveEqual(_ a: String, _ b: String) -> Bool {
        func folded(_ byte: UInt8) -> UInt8 { (0x41...0x5a).contains(byte) ? byte | 0x20 : byte }
        return a.utf8.elementsEqual(b.utf8) { folded($0) == folded($1) }
    }

    /// Parses the whole of `bytes` as properties; trailing bytes that do not
    /// form a full property are an error.
    public init<C: Collection>(parsing bytes: C) throws(CodecError) where C.Element == UInt8, C.Index == Int {
        var properties: [Property] = []
        var index = bytes.startIndex
        let end = bytes.endIndex
        while index < end {
            let nameLength = Int(bytes[index])
            index += 1
            guard nameLength > 0 else {
                throw CodecError(.malformedMetadata, "metadata property with an empty name")
            }
            guard end - index >= nameLength + 4 else {
                throw CodecError(.malformedMetadata, "metadata property name runs past the end")
            }
            let nameBytes = bytes[index..<index + nameLength]
            index += nameLength
            let valueLength = readUInt32BE(bytes, at: index)
            index += 4
            guard UInt64(end - index) >= UInt64(valueLength) else {
                throw CodecError(.malformedMetadata, "metadata value of \(valueLength) bytes runs past the end")
            }
            let value = Array(bytes[index..<index + Int(valueLength)])
            index += Int(valueLength)
            properties.append(Property(name: String(decoding: nameBytes, as: UTF8.self), value: value))
        }
        self.properties = properties
    }

    public func encode(into out: inout [UInt8]) {
        for property in properties {
            let name = Array(property.name.utf8.prefix(255))
            out.append(UInt8(name.count))
            out.append(contentsOf: name)
            out.appendUInt32BE(UInt32(truncatingIfNeeded: property.value.count))
            out.append(contentsOf: property.value)
        }
    }
}

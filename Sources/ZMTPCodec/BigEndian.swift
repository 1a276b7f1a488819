/// Network byte order helpers. Readers take a collection and an offset the
/// caller has already bounds-checked.
@inlinable
func readUInt32BE<C: Collection>(_ bytes: C, at offset: C.Index) -> UInt32 where C.Element == UInt8 {
    var value: UInt32 = 0
    var index = offset
    for _ in 0..<4 {
        value = (value << 8) | UInt32(bytes[index])
        index = bytes.index(after: index)
    }
    return value
}

@inlinable
func readUInt64BE<C: Collection>(_ bytes: C, at offset: C.Index) -> UInt64 where C.Element == UInt8 {
    var value: UInt64 = 0
    var index = offset
    for _ in 0..<8 {
        value = (value << 8) | UInt64(bytes[index])
        index = bytes.index(after: index)
    }
    return value
}

extension Array where Element == UInt8 {
    @inlinable
    mutating func appendUInt32BE(_ value: UInt32) {
        append(UInt8(truncatingIfNeeded: value >> 24))
        append(UInt8(truncatingIfNeeded: value >> 16))
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value))
    }

    @inlinable
    mutating func appendUInt64BE(_ value: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) {
            append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }
}

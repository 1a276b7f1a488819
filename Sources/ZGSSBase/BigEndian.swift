// SPDX-License-Identifier: MIT
/// Network byte order (big-endian) readers and writers: the one set that
/// every module uses for length prefixes, sequence numbers and key-derivation
/// constants (ZMTP frames and commands, RFC 4121 wrap tokens, RFC 3961 key
/// derivation, RFC 4752 security layers, routing identities).
///
/// The readers and `store…` writers take a collection and the index of the
/// first octet; the caller has already checked that the octets are there
/// (going past the end is a programming error and traps, as indexing does).

/// The 16-bit big-endian integer at `offset`.
@inlinable
public func readUInt16BE<C: Collection>(_ bytes: C, at offset: C.Index) -> UInt16 where C.Element == UInt8 {
    readBigEndian(bytes, at: offset, octets: 2)
}

/// The 24-bit big-endian integer at `offset` (SASL's max-buffer field).
@inlinable
public func readUInt24BE<C: Collection>(_ bytes: C, at offset: C.Index) -> UInt32 where C.Element == UInt8 {
    readBigEndian(bytes, at: offset, octets: 3)
}

/// The 32-bit big-endian integer at `offset`.
@inlinable
public func readUInt32BE<C: Collection>(_ bytes: C, at offset: C.Index) -> UInt32 where C.Element == UInt8 {
    readBigEndian(bytes, at: offset, octets: 4)
}

/// The 64-bit big-endian integer at `offset`.
@inlinable
public func readUInt64BE<C: Collection>(_ bytes: C, at offset: C.Index) -> UInt64 where C.Element == UInt8 {
    readBigEndian(bytes, at: offset, octets: 8)
}

@inlinable
func readBigEndian<T: FixedWidthInteger & UnsignedInteger, C: Collection>(
    _ bytes: C, at offset: C.Index, octets: Int
) -> T where C.Element == UInt8 {
    var value: T = 0
    var index = offset
    for _ in 0..<octets {
        value = (value << 8) | T(bytes[index])
        index = bytes.index(after: index)
    }
    return value
}

extension Array where Element == UInt8 {
    /// Appends `value` as 2 big-endian octets.
    @inlinable
    public mutating func appendUInt16BE(_ value: UInt16) {
        appendBigEndian(value, octets: 2)
    }

    /// Appends the low 24 bits of `value` as 3 big-endian octets (SASL's
    /// max-buffer field; the caller keeps `value` below 2^24).
    @inlinable
    public mutating func appendUInt24BE(_ value: UInt32) {
        appendBigEndian(value, octets: 3)
    }

    /// Appends `value` as 4 big-endian octets.
    @inlinable
    public mutating func appendUInt32BE(_ value: UInt32) {
        appendBigEndian(value, octets: 4)
    }

    /// Appends `value` as 8 big-endian octets.
    @inlinable
    public mutating func appendUInt64BE(_ value: UInt64) {
        appendBigEndian(value, octets: 8)
    }

    @inlinable
    mutating func appendBigEndian<T: FixedWidthInteger & UnsignedInteger>(_ value: T, octets: Int) {
        for shift in stride(from: (octets - 1) * 8, through: 0, by: -8) {
            append(UInt8(truncatingIfNeeded: value >> shift))
        }
    }
}

extension MutableCollection where Element == UInt8 {
    /// Overwrites the 2 octets at `offset` with `value`, big-endian.
    @inlinable
    public mutating func storeUInt16BE(_ value: UInt16, at offset: Index) {
        storeBigEndian(value, at: offset, octets: 2)
    }

    /// Overwrites the 4 octets at `offset` with `value`, big-endian.
    @inlinable
    public mutating func storeUInt32BE(_ value: UInt32, at offset: Index) {
        storeBigEndian(value, at: offset, octets: 4)
    }

    /// Overwrites the 8 octets at `offset` with `value`, big-endian.
    @inlinable
    public mutating func storeUInt64BE(_ value: UInt64, at offset: Index) {
        storeBigEndian(value, at: offset, octets: 8)
    }

    @inlinable
    mutating func storeBigEndian<T: FixedWidthInteger & UnsignedInteger>(_ value: T, at offset: Index, octets: Int) {
        var index = offset
        for shift in stride(from: (octets - 1) * 8, through: 0, by: -8) {
            self[index] = UInt8(truncatingIfNeeded: value >> shift)
            index = self.index(after: index)
        }
    }
}

/// `value` as 4 big-endian octets.
@inlinable
public func bigEndianBytes(_ value: UInt32) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(4)
    out.appendUInt32BE(value)
    return out
}

// SPDX-License-Identifier: MIT
/// n-fold (RFC 3961 section 5.1): stretches or shrinks `input` to `count`
/// bytes. The input is repeated lcm(count, input.count) / input.count times,
/// each copy rotated right by 13 more bits than the one before, and the
/// result is cut into `count`-byte numbers that are added with one's-
/// complement (end-around carry) arithmetic. Runs for every derived key
/// (four per security context and side), so the copies are not made: each
/// rotated byte is added straight into its column of the sum.
func nfold(_ input: [UInt8], to count: Int) -> [UInt8] {
    precondition(!input.isEmpty && count > 0)
    func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
    let length = input.count
    let total = count * length / gcd(count, length)
    // One's-complement sum of the count-byte chunks, most significant first.
    var sum = [Int](repeating: 0, count: count)
    var column = 0
    for copy in 0..<(total / length) {
        for index in 0..<length {
            sum[column] += Int(rotatedByte(input, bits: 13 * copy, at: index))
            column = column + 1 == count ? 0 : column + 1
        }
    }
    var carry = 0
    repeat {
        for i in stride(from: count - 1, through: 0, by: -1) {
            let value = sum[i] + carry
            sum[i] = value & 0xff
            carry = value >> 8
        }
    } while carry != 0
    return sum.map { UInt8($0) }
}

/// Byte `index` of `bytes` taken as one big-endian bit string rotated right
/// by `bits`: the bit at position p (0 = most significant bit of byte 0)
/// moves to p + bits. Its high bits come from the byte `bits / 8` places
/// before it, its low bits from the one before that.
func rotatedByte(_ bytes: [UInt8], bits: Int, at index: Int) -> UInt8 {
    let count = bytes.count
    let byteShift = (bits / 8) % count
    let bitShift = UInt8(bits % 8)
    let near = bytes[(index - byteShift + count) % count]
    guard bitShift != 0 else { return near }
    let far = bytes[(index - byteShift - 1 + 2 * count) % count]
    return near >> bitShift | far << (8 - bitShift)
}

// SPDX-License-Identifier: MIT
/// n-fold (RFC 3961 section 5.1): stretches or shrinks `input` to `count`
/// bytes. The input is repeated lcm(count, input.count) / input.count times,
/// each copy rotated right by 13 more bits than the one before, and the
/// result is cut into `count`-byte numbers that are added with one's-
/// complement (end-around carry) arithmetic. Runs once per derived key, so
/// it favours plainness over speed.
func nfold(_ input: [UInt8], to count: Int) -> [UInt8] {
    precondition(!input.isEmpty && count > 0)
    func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
    let total = count * input.count / gcd(count, input.count)
    var stretched: [UInt8] = []
    stretched.reserveCapacity(total)
    for copy in 0..<(total / input.count) {
        stretched += rotatedRight(input, bits: 13 * copy)
    }
    // One's-complement sum of the count-byte chunks, most significant first.
    var sum = [Int](repeating: 0, count: count)
    for chunk in stride(from: 0, to: total, by: count) {
        for i in 0..<count { sum[i] += Int(stretched[chunk + i]) }
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

/// `bytes` as one big-endian bit string, rotated right by `bits`: the bit at
/// position p (0 = most significant bit of byte 0) moves to p + bits.
func rotatedRight(_ bytes: [UInt8], bits: Int) -> [UInt8] {
    let count = bytes.count
    let byteShift = (bits / 8) % count
    let bitShift = UInt8(bits % 8)
    return (0..<count).map { index in
        // Output byte `index` takes its high bits from the byte byteShift
        // places before it and its low bits from the one before that.
        let near = bytes[(index - byteShift + count) % count]
        let far = bytes[(index - byteShift - 1 + 2 * count) % count]
        return bitShift == 0 ? near : near >> bitShift | far << (8 - bitShift)
    }
}

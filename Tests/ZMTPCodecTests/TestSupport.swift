// Helpers shared by the codec tests: hex literals, a seeded generator for
// the property-style loops, and codec-error matching.
@testable import ZMTPCodec

/// Bytes from a hex string; spaces are ignored ("ff 00 7f").
func hex(_ text: String) -> [UInt8] {
    let digits = Array(text.unicodeScalars.filter { $0 != " " && $0 != "\n" })
    precondition(digits.count % 2 == 0, "odd number of hex digits in test literal")
    var out: [UInt8] = []
    var i = 0
    while i < digits.count {
        out.append(UInt8(String(digits[i]) + String(digits[i + 1]), radix: 16)!)
        i += 2
    }
    return out
}

/// ASCII bytes of a string literal.
func ascii(_ text: String) -> [UInt8] { Array(text.utf8) }

/// SplitMix64: tiny, deterministic, good enough to pick sizes and chunkings.
/// A fixed seed makes every failure reproducible.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

// SPDX-License-Identifier: MIT
// Helpers shared by the codec tests: hex literals and codec-error matching
// (the seeded generator comes from the TestSupport target).
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


// SPDX-License-Identifier: MIT
// Shared by the harnesses in fuzz/stack/ (compiled into each one's module).
//
// A stack harness reads its input as a small script: a header byte that
// picks a configuration, then operations, each an opcode byte and its
// arguments. Reading past the end gives zeros and empty byte strings, so
// every input is a valid script and the fuzzer may cut it anywhere.

import Glibc

struct FuzzInput {
    private let bytes: [UInt8]
    private var index = 0

    init(_ data: UnsafePointer<UInt8>, _ size: Int) {
        bytes = Array(UnsafeBufferPointer(start: data, count: size))
    }

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isEmpty: Bool { index >= bytes.count }

    mutating func byte() -> UInt8 {
        guard index < bytes.count else { return 0 }
        defer { index += 1 }
        return bytes[index]
    }

    mutating func u16() -> Int { Int(byte()) << 8 | Int(byte()) }

    mutating func bool() -> Bool { byte() & 1 == 1 }

    /// A length-prefixed byte string: one length byte; 0xff means a
    /// two-byte length follows (so most strings cost one byte).
    mutating func data() -> [UInt8] {
        var count = Int(byte())
        if count == 0xff { count = u16() }
        return take(count)
    }

    mutating func take(_ count: Int) -> [UInt8] {
        let end = min(bytes.count, index + count)
        defer { index = end }
        return Array(bytes[min(index, end)..<end])
    }

    /// Everything not read yet.
    mutating func rest() -> [UInt8] { take(bytes.count - index) }
}

/// One damage the script applies to genuine bytes from the real peer:
/// flip a byte, cut the tail, drop a byte, insert a byte, or duplicate a
/// prefix. Returns the bytes and whether they still equal the original.
func mutate(_ original: [UInt8], _ input: inout FuzzInput) -> (bytes: [UInt8], changed: Bool) {
    var bytes = original
    let kind = input.byte() % 5
    let position = input.u16()
    let value = input.byte()
    switch kind {
    case 0:
        if !bytes.isEmpty { bytes[position % bytes.count] ^= value == 0 ? 0x01 : value }
    case 1:
        bytes.removeLast(bytes.isEmpty ? 0 : position % bytes.count + 1)
    case 2:
        if !bytes.isEmpty { bytes.remove(at: position % bytes.count) }
    case 3:
        bytes.insert(value, at: position % (bytes.count + 1))
    default:
        bytes += bytes.prefix(position % (bytes.count + 1))
    }
    return (bytes, bytes != original)
}

/// Stops the fuzzer with a finding: libFuzzer saves the input that got
/// here. (A Swift trap, not exit: exit would look like a clean end.)
func finding(_ message: String) -> Never {
    fatalError("FUZZ FINDING: \(message)")
}

/// With ZGSS_FUZZ_TRACE=1 a harness says how far each input got (run the
/// binary on seed files to check that they reach what they are for).
let tracing = getenv("ZGSS_FUZZ_TRACE") != nil

func trace(_ line: @autoclosure () -> String) {
    if tracing { fputs(line() + "\n", stderr) }
}

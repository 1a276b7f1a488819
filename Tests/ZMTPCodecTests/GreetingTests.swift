// SPDX-License-Identifier: MIT
// The 64-byte greeting: the bytes zgss writes, and which peers it accepts.
import Testing
import TestSupport
@testable import ZMTPCodec

@Suite struct GreetingEncodingTests {
    @Test func layoutIsByteExact() {
        let bytes = Greeting(mechanism: "GSSAPI", asServer: false).encoded()
        #expect(bytes.count == 64)
        // Signature: ff, padding whose last byte is 1 (empty routing id), 7f.
        #expect(Array(bytes[0..<10]) == hex("ff 00 00 00 00 00 00 00 01 7f"))
        #expect(Array(bytes[10..<12]) == [3, 1])
        #expect(Array(bytes[12..<18]) == ascii("GSSAPI"))
        #expect(Array(bytes[18..<32]) == [UInt8](repeating: 0, count: 14))
        #expect(bytes[32] == 0)
        #expect(Array(bytes[33..<64]) == [UInt8](repeating: 0, count: 31))
    }

    @Test func asServerIsByte32() {
        let client = Greeting(mechanism: "GSSAPI", asServer: false).encoded()
        let server = Greeting(mechanism: "GSSAPI", asServer: true).encoded()
        #expect(server[32] == 1)
        // Nothing else differs.
        for i in 0..<64 where i != 32 { #expect(client[i] == server[i], "byte \(i)") }
    }

    @Test func matchesLibzmqCaptureForEmptyRoutingID() {
        // What a stock libzmq 4.3.4 GSSAPI peer sent (Tests/Fixtures README).
        let captured = hex("ff 00 00 00 00 00 00 00 01 7f 03 01")
            + ascii("GSSAPI") + [UInt8](repeating: 0, count: 14 + 1 + 31)
        #expect(Greeting(mechanism: "GSSAPI", asServer: false).encoded() == captured)
    }

    @Test func twentyCharacterMechanismFillsTheFieldWithoutNUL() {
        let name = "ABCDEFGHIJKLMNOPQRST"
        let bytes = Greeting(mechanism: name, asServer: false).encoded()
        #expect(Array(bytes[12..<32]) == ascii(name))
        #expect(bytes[32] == 0)
    }
}

@Suite struct GreetingParsingTests {
    static func greeting(signature: [UInt8] = Greeting.signature, major: UInt8 = 3, minor: UInt8 = 1,
                         mechanism: [UInt8] = ascii("GSSAPI"), asServer: UInt8 = 0) -> [UInt8] {
        var bytes = signature + [major, minor] + mechanism
        bytes += [UInt8](repeating: 0, count: 32 - bytes.count)
        bytes.append(asServer)
        bytes += [UInt8](repeating: 0, count: 31)
        return bytes
    }

    @Test(arguments: ["GSSAPI", "NULL", "PLAIN", "CURVE", "X"], [false, true])
    func roundTrip(mechanism: String, asServer: Bool) throws {
        let original = Greeting(mechanism: mechanism, asServer: asServer)
        let parsed = try Greeting(parsing: original.encoded())
        #expect(parsed == original)
        #expect(parsed.major == 3 && parsed.minor == 1)
    }

    @Test func acceptsLibzmqLegacySignature() throws {
        // libzmq writes routing-id length + 1 into byte 9 (ZMTP 1.0 relic).
        let bytes = Self.greeting(signature: hex("ff 00 00 00 00 00 00 00 04 7f"))
        try Greeting.validateSignature(bytes[0..<10])
        let parsed = try Greeting(parsing: bytes)
        #expect(parsed.mechanism == "GSSAPI")
        #expect(parsed.asServer == false)
    }

    @Test func acceptsAnyPadding() throws {
        var rng = SeededGenerator(seed: 0x6772_6565)
        for _ in 0..<200 {
            var signature: [UInt8] = [0xff]
            for _ in 0..<8 { signature.append(UInt8.random(in: 0...255, using: &rng)) }
            // Only the low bit of byte 10 is checked.
            signature.append(UInt8.random(in: 0...127, using: &rng) << 1 | 1)
            let parsed = try Greeting(parsing: Self.greeting(signature: signature))
            #expect(parsed.mechanism == "GSSAPI")
        }
    }

    @Test func signatureAloneIsEnoughToValidate() throws {
        // libzmq sends its first 10 bytes and waits; they must be checkable alone.
        try Greeting.validateSignature(hex("ff 00 00 00 00 00 00 00 09 7f"))
    }

    @Test(arguments: [UInt8(0x00), 0x7f, 0xfe, 0x01])
    func rejectsBadFirstByte(first: UInt8) {
        var signature = Greeting.signature
        signature[0] = first
        let error = #expect(throws: CodecError.self) { try Greeting(parsing: Self.greeting(signature: signature)) }
        #expect(error?.kind == .badSignature)
        #expect(throws: CodecError.self) { try Greeting.validateSignature(signature) }
    }

    @Test(arguments: [UInt8(0x7e), 0x00, 0xfe])
    func rejectsTenthByteWithoutLowBit(tenth: UInt8) {
        var signature = Greeting.signature
        signature[9] = tenth
        let error = #expect(throws: CodecError.self) { try Greeting(parsing: Self.greeting(signature: signature)) }
        #expect(error?.kind == .badSignature)
    }

    @Test(arguments: [UInt8(0), 1, 2])
    func rejectsZMTPBeforeVersion3(major: UInt8) {
        let error = #expect(throws: CodecError.self) { try Greeting(parsing: Self.greeting(major: major, minor: 0)) }
        #expect(error?.kind == .unsupportedVersion)
    }

    @Test func acceptsZMTP30AndLaterMinors() throws {
        #expect(try Greeting(parsing: Self.greeting(minor: 0)).minor == 0)
        #expect(try Greeting(parsing: Self.greeting(minor: 2)).minor == 2)
    }

    @Test func rejectsEveryTruncation() {
        let full = Self.greeting()
        for count in 0..<64 {
            let error = #expect(throws: CodecError.self) { try Greeting(parsing: full[0..<count]) }
            #expect(error?.kind == .truncated, "length \(count)")
        }
        for count in 0..<10 {
            let error = #expect(throws: CodecError.self) { try Greeting.validateSignature(full[0..<count]) }
            #expect(error?.kind == .truncated, "signature length \(count)")
        }
    }

    @Test func ignoresBytesAfterTheGreeting() throws {
        // A greeting and the first frame can arrive in one read.
        let bytes = Self.greeting() + hex("04 00")
        #expect(try Greeting(parsing: bytes).mechanism == "GSSAPI")
        #expect(try Greeting(parsing: bytes[0..<64]).mechanism == "GSSAPI")
    }

    @Test(arguments: [hex("c3 a9"), hex("47 53 ff"), hex("01"), hex("47 7f"), hex("20 80")])
    func rejectsNonPrintableMechanismName(name: [UInt8]) {
        let error = #expect(throws: CodecError.self) { try Greeting(parsing: Self.greeting(mechanism: name)) }
        #expect(error?.kind == .badSignature)
    }

    @Test func anyNonZeroAsServerByteIsTrue() throws {
        #expect(try Greeting(parsing: Self.greeting(asServer: 0x80)).asServer)
        #expect(try !Greeting(parsing: Self.greeting(asServer: 0)).asServer)
    }
}

// SPDX-License-Identifier: MIT
// INITIATE, MESSAGE and READY bodies exactly as libzmq 4.3.4 writes them.
import Testing
import ZGSSBase
import TestSupport
@testable import ZMTPCodec

@Suite struct GSSAPICommandEncodingTests {
    @Test func initiate() {
        #expect(GSSAPICommand.initiate(token: hex("60 82 02 cc"))
            == hex("08") + ascii("INITIATE") + hex("00 00 00 04 60 82 02 cc"))
    }

    @Test func initiateWithLongToken() {
        let token = [UInt8](repeating: 0x6e, count: 720)
        let body = GSSAPICommand.initiate(token: token)
        #expect(Array(body[9..<13]) == hex("00 00 02 d0"))
        #expect(body.count == 733)  // the captured client INITIATE frame size
    }

    @Test func message() {
        #expect(GSSAPICommand.message(token: hex("05 04 06 ff"))
            == hex("07") + ascii("MESSAGE") + hex("00 00 00 04 05 04 06 ff"))
    }

    @Test func emptyTokens() {
        #expect(GSSAPICommand.initiate(token: []) == hex("08") + ascii("INITIATE") + hex("00 00 00 00"))
        #expect(GSSAPICommand.message(token: []) == hex("07") + ascii("MESSAGE") + hex("00 00 00 00"))
    }

    @Test func ready() {
        let body = GSSAPICommand.ready(Metadata([.init(name: "Socket-Type", value: ascii("REP"))]))
        // The plaintext READY a stock REP sends (frame `04 19`).
        #expect(body == hex("05") + ascii("READY") + hex("0b") + ascii("Socket-Type") + hex("00 00 00 03") + ascii("REP"))
        #expect(body.count == 0x19)
        #expect(GSSAPICommand.ready(Metadata()) == hex("05") + ascii("READY"))
    }

    @Test func prefixes() {
        #expect(GSSAPICommand.initiatePrefix == hex("08 49 4e 49 54 49 41 54 45"))
        #expect(GSSAPICommand.messagePrefix == hex("07 4d 45 53 53 41 47 45"))
        #expect(GSSAPICommand.readyPrefix == hex("05 52 45 41 44 59"))
    }
}

@Suite struct GSSAPICommandParsingTests {
    @Test func roundTrips() throws {
        var rng = SeededGenerator(seed: 6)
        for count in [0, 1, 99, 255, 256, 720, 70_000] {
            let token = (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
            #expect(Array(try GSSAPICommand.parseInitiate(GSSAPICommand.initiate(token: token))) == token)
            #expect(Array(try GSSAPICommand.parseMessage(GSSAPICommand.message(token: token))) == token)
        }
        let metadata = Metadata([.init(name: "Socket-Type", value: ascii("DEALER")), .init(name: "Identity", value: ascii("client-1"))])
        #expect(try GSSAPICommand.parseReady(GSSAPICommand.ready(metadata)) == metadata)
    }

    static func withDeclaredLength(_ declared: UInt32, token: [UInt8], prefix: [UInt8] = GSSAPICommand.initiatePrefix) -> [UInt8] {
        var body = prefix
        body.appendUInt32BE(declared)
        return body + token
    }

    /// (declared token length, bytes actually present)
    static let mismatches: [(UInt32, Int)] = [(2, 3), (4, 3), (0, 1), (1, 0), (0xFFFF_FFFF, 3), (0x8000_0000, 0), (0x1_0000 + 3, 3)]

    @Test(arguments: mismatches)
    func declaredLengthMustMatch(declared: UInt32, actual: Int) {
        let token = [UInt8](repeating: 0x60, count: actual)
        for prefix in [GSSAPICommand.initiatePrefix, GSSAPICommand.messagePrefix] {
            let body = Self.withDeclaredLength(declared, token: token, prefix: prefix)
            let error = #expect(throws: CodecError.self) {
                prefix == GSSAPICommand.initiatePrefix ? try GSSAPICommand.parseInitiate(body) : try GSSAPICommand.parseMessage(body)
            }
            #expect(error?.kind == .malformedCommand)
        }
    }

    @Test func declaredLengthErrorSaysBoth() {
        let error = #expect(throws: CodecError.self) {
            try GSSAPICommand.parseInitiate(Self.withDeclaredLength(0xFFFF_FFFF, token: hex("60 01 02")))
        }
        #expect(error?.reason == "INITIATE declares a 4294967295-byte token but carries 3 bytes")
    }

    @Test func tooShortForALength() {
        for cut in 0..<4 {
            let body = GSSAPICommand.initiatePrefix + [UInt8](repeating: 0, count: cut)
            let error = #expect(throws: CodecError.self) { try GSSAPICommand.parseInitiate(body) }
            #expect(error?.kind == .malformedCommand)
        }
    }

    @Test func wrongCommandNames() {
        let message = GSSAPICommand.message(token: [1])
        let initiate = GSSAPICommand.initiate(token: [1])
        let ready = GSSAPICommand.ready(Metadata())

        var error = #expect(throws: CodecError.self) { try GSSAPICommand.parseInitiate(message) }
        #expect(error?.kind == .unexpectedCommand)
        #expect(error?.reason == "expected INITIATE, got MESSAGE")

        error = #expect(throws: CodecError.self) { try GSSAPICommand.parseMessage(ready) }
        #expect(error?.reason == "expected MESSAGE, got READY")

        error = #expect(throws: CodecError.self) { try GSSAPICommand.parseReady(initiate) }
        #expect(error?.reason == "expected READY, got INITIATE")

        // The plaintext-mismatch case: a plaintext client receives a wrapped READY.
        error = #expect(throws: CodecError.self) { try GSSAPICommand.parseReady(message) }
        #expect(error?.kind == .unexpectedCommand)

        error = #expect(throws: CodecError.self) { try GSSAPICommand.parseInitiate(hex("05") + ascii("ERROR") + hex("03 62 61 64")) }
        #expect(error?.reason == "expected INITIATE, got ERROR")

        // Same letters, wrong length byte: not INITIATE.
        error = #expect(throws: CodecError.self) { try GSSAPICommand.parseInitiate(hex("09") + ascii("INITIATE") + hex("00 00 00 00")) }
        #expect(error?.kind == .unexpectedCommand)
    }

    @Test func emptyBody() {
        for parse in [{ _ = try GSSAPICommand.parseInitiate([]) }, { _ = try GSSAPICommand.parseMessage([]) },
                      { _ = try GSSAPICommand.parseReady([]) }] as [() throws -> Void] {
            let error = #expect(throws: CodecError.self) { try parse() }
            #expect(error?.kind == .unexpectedCommand)
            #expect(error?.reason.hasSuffix("got an empty command frame") == true)
        }
    }

    @Test func describe() {
        #expect(GSSAPICommand.describe([]) == "an empty command frame")
        #expect(GSSAPICommand.describe(GSSAPICommand.initiate(token: [])) == "INITIATE")
        #expect(GSSAPICommand.describe(hex("09") + ascii("SUBSCRIBE") + ascii("topic")) == "SUBSCRIBE")
        #expect(GSSAPICommand.describe(hex("00")) == "a malformed command")
        #expect(GSSAPICommand.describe(hex("08 49 4e")) == "a malformed command")
        #expect(GSSAPICommand.describe(hex("01 07")) == "a malformed command")
    }

    @Test func readyWithBadMetadata() {
        let error = #expect(throws: CodecError.self) {
            try GSSAPICommand.parseReady(GSSAPICommand.readyPrefix + hex("0b") + ascii("Socket-Type") + hex("00 00 00 09") + ascii("REQ"))
        }
        #expect(error?.kind == .malformedMetadata)
    }
}

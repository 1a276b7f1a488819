// SPDX-License-Identifier: MIT
// Command bodies: a 1-byte name length, the name, then the data.
import Testing
@testable import ZMTPCodec

@Suite struct CommandTests {
    @Test func parsesNameAndData() throws {
        let command = try Command(parsing: hex("05") + ascii("READY") + hex("0b") + ascii("Socket-Type"))
        #expect(command.name == "READY")
        #expect(Array(command.data) == hex("0b") + ascii("Socket-Type"))
    }

    @Test func nameFillingTheBodyLeavesEmptyData() throws {
        let command = try Command(parsing: hex("09") + ascii("SUBSCRIBE"))
        #expect(command.name == "SUBSCRIBE")
        #expect(command.data.isEmpty)
    }

    @Test func emptyBodyIsNotACommand() {
        let error = #expect(throws: CodecError.self) { try Command(parsing: []) }
        #expect(error?.kind == .malformedCommand)
        #expect(error?.reason == "empty command frame")
    }

    @Test func zeroLengthNameIsRefused() {
        for body in [hex("00"), hex("00 41 42")] {
            let error = #expect(throws: CodecError.self) { try Command(parsing: body) }
            #expect(error?.kind == .malformedCommand)
        }
    }

    @Test func nameLongerThanBodyIsRefused() {
        for body in [hex("05") + ascii("READ"), hex("01"), hex("ff") + ascii("x")] {
            let error = #expect(throws: CodecError.self) { try Command(parsing: body) }
            #expect(error?.kind == .malformedCommand)
        }
    }

    @Test(arguments: [hex("01 00"), hex("01 1f"), hex("01 7f"), hex("01 80"), hex("02 c3 a9"), hex("03 41 0a 42")])
    func nonPrintableNamesAreRefused(body: [UInt8]) {
        let error = #expect(throws: CodecError.self) { try Command(parsing: body) }
        #expect(error?.kind == .malformedCommand)
    }

    @Test func printableEdgesAreAccepted() throws {
        #expect(try Command(parsing: hex("02 20 7e")).name == " ~")
    }

    @Test func encodeRoundTrips() throws {
        let body = Command.encode(name: "PING", data: hex("00 0a"))
        #expect(body == hex("04") + ascii("PING") + hex("00 0a"))
        let parsed = try Command(parsing: body)
        #expect(parsed == Command(name: "PING", data: hex("00 0a")[...]))
    }

    @Test func dataIsASliceOfTheBody() throws {
        let parsed = try Command(parsing: hex("01 41 10 20"))
        #expect(parsed.data.startIndex == 2)
        #expect(parsed.data.first == 0x10)
    }

    @Test func hasNameMatchesOnlyTheExactPrefix() {
        let ready = hex("05") + ascii("READY") + hex("0b")
        #expect(Command.hasName(ready, "READY"))
        #expect(Command.hasName(hex("05") + ascii("READY"), "READY"))
        #expect(!Command.hasName(ready, "READ"))      // length byte differs
        #expect(!Command.hasName(ready, "MESSAGE"))
        #expect(!Command.hasName(hex("05") + ascii("ready"), "READY"))  // names are case-sensitive
        #expect(!Command.hasName(hex("05") + ascii("READ"), "READY"))   // too short
        #expect(!Command.hasName([], "READY"))
        #expect(!Command.hasName(hex("04") + ascii("READY"), "READY"))
    }
}

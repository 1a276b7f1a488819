// SPDX-License-Identifier: MIT
// The ZMTP ERROR command: `\x05ERROR`, a 1-byte reason length, the reason.
import Testing
@testable import ZMTPCodec

@Suite struct ErrorCommandTests {
    @Test func encodesAsLibzmqsCurveServerDoes() {
        // curve_server.cpp's produce_error: "\5ERROR", 3, the status code.
        #expect(ErrorCommand.encode(reason: ascii("400")) == hex("05") + ascii("ERROR") + hex("03") + ascii("400"))
        #expect(ErrorCommand.encode(reason: []) == hex("05") + ascii("ERROR") + hex("00"))
        #expect(ErrorCommand.encode(reason: [UInt8](repeating: 0x41, count: 300)).count == 6 + 1 + 255)
    }

    @Test func parsesTheReason() throws {
        #expect(Array(try ErrorCommand.parseReason(ErrorCommand.encode(reason: ascii("500")))) == ascii("500"))
        #expect(try ErrorCommand.parseReason(hex("05") + ascii("ERROR") + hex("00")).isEmpty)
        // As libzmq reads it: bytes after the declared reason are ignored.
        #expect(Array(try ErrorCommand.parseReason(hex("05") + ascii("ERROR") + hex("01") + ascii("xy"))) == ascii("x"))
    }

    @Test func refusesMalformedBodies() {
        let bodies: [[UInt8]] = [
            hex("05") + ascii("ERROR"),                      // no length byte
            hex("05") + ascii("ERROR") + hex("04") + ascii("400"), // reason runs past the end
            hex("05") + ascii("READY") + hex("00"),          // another command
            [],
        ]
        for body in bodies {
            #expect(throws: CodecError.self) { try ErrorCommand.parseReason(body) }
        }
    }

    @Test func readsZapStatusCodesOnly() {
        #expect(ErrorCommand.zapStatus(ascii("300")[...]) == 300)
        #expect(ErrorCommand.zapStatus(ascii("400")[...]) == 400)
        #expect(ErrorCommand.zapStatus(ascii("500")[...]) == 500)
        for other in ["200", "600", "401", "40", "4000", "GSSAPI handshake failed", ""] {
            #expect(ErrorCommand.zapStatus(ascii(other)[...]) == nil)
        }
    }

    @Test func displayTextEscapesWhatIsNotPrintable() {
        #expect(ErrorCommand.displayText(ascii("400")[...]) == "400")
        #expect(ErrorCommand.displayText((ascii("a") + hex("00 0a ff") + ascii("\\"))[...]) == "a\\x00\\x0a\\xff\\x5c")
    }
}

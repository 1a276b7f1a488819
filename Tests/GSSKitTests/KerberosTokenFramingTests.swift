// SPDX-License-Identifier: MIT
import Testing
@testable import GSSKit

/// The RFC 2743 framing around Kerberos context tokens: what is framed
/// reads back, and a token with anything out of place is refused.
@Suite("Kerberos context token framing")
struct KerberosTokenFramingTests {
    private static func frame(_ id: KerberosTokenFraming.TokenID, _ message: [UInt8]) -> [UInt8] {
        message.withUnsafeBytes { KerberosTokenFraming.frame(id, $0) }
    }

    @Test(arguments: [0, 1, 114, 115, 116, 200, 255, 256, 65_535, 70_000])
    func framedMessagesReadBack(size: Int) throws {
        let message = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        for id in KerberosTokenFraming.TokenID.allCases {
            let token = Self.frame(id, message)
            let parsed = try KerberosTokenFraming.parse(token[...])
            #expect(parsed.id == id)
            #expect(Array(token[parsed.message]) == message)
            // A slice that does not start at 0 gives indices in the slice.
            let padded = [0xAA] + token
            let inner = try KerberosTokenFraming.parse(padded[1...])
            #expect(Array(padded[inner.message]) == message)
        }
    }

    @Test func theShortAndLongLengthFormsAreDERs() {
        // 2 + 11 + 114 = 127 bytes inside: short form; one more: 0x81.
        #expect(Self.frame(.apRequest, Array(repeating: 0, count: 114))[1] == 0x7f)
        #expect(Self.frame(.apRequest, Array(repeating: 0, count: 115))[1...2] == [0x81, 0x80])
        #expect(Self.frame(.apRequest, Array(repeating: 0, count: 300))[1...3] == [0x82, 0x01, 0x39])
    }

    @Test func theFramingOfAnMITTokenIsRead() throws {
        // The start of a real AP-REP token from MIT's gss_accept_sec_context.
        let token: [UInt8] = [0x60, 0x0f, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02,
                              0x02, 0x00, 0x6f, 0x00]
        let parsed = try KerberosTokenFraming.parse(token[...])
        #expect(parsed.id == .apReply)
        #expect(parsed.message == 15..<17)
    }

    @Test func malformedTokensAreRefusedWithAReason() {
        let good = Self.frame(.apReply, [1, 2, 3])
        var cases: [(String, [UInt8])] = [
            ("empty", []),
            ("one byte", [0x60]),
            ("wrong tag", [0x61] + good.dropFirst()),
            ("trailing byte", good + [0]),
            ("missing byte", Array(good.dropLast())),
            ("indefinite length", [0x60, 0x80] + good.dropFirst(2)),
            ("five length bytes", [0x60, 0x85, 0, 0, 0, 0, 16] + good.dropFirst(2)),
            ("length cut short", [0x60, 0x82, 0x01]),
            ("only the OID", Array(good.prefix(13))),
        ]
        var wrongOID = good
        wrongOID[12] = 0x03
        cases.append(("wrong OID", wrongOID))
        var unknownID = good
        unknownID[13] = 0x04
        cases.append(("unknown token ID", unknownID))
        for (name, token) in cases {
            #expect(throws: KerberosTokenFraming.Malformed.self, "\(name)") {
                _ = try KerberosTokenFraming.parse(token[...])
            }
        }
    }
}

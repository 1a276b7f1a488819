// SPDX-License-Identifier: MIT
import Testing
import TestRealm
import GSSKit

@Suite("GSS display names keep their bytes or are refused", .tags(.kerberos), .needsRealm)
struct DisplayNameBytesTests {
    /// "caf\xE9" and "caf\xE8" (Latin-1) used to display as the same
    /// "caf\u{FFFD}@EXAMPLE.TEST"; now neither displays at all.
    @Test func namesThatAreNotUTF8DoNotDisplay() throws {
        _ = try TestRealm.shared()
        for last: UInt8 in [0xE9, 0xE8] {
            let name = try GSSName(bytes: Array("caf".utf8) + [last] + Array("@EXAMPLE.TEST".utf8), type: .krb5Principal)
            let error = #expect(throws: GSSError.self) { _ = try name.displayName() }
            #expect(error?.reason.contains("not valid UTF-8") == true)
        }
    }

    @Test func utf8NamesDisplayWithTheirOwnBytes() throws {
        _ = try TestRealm.shared()
        for text in ["jose\u{301}@EXAMPLE.TEST", "jos\u{E9}@EXAMPLE.TEST", "\u{212A}ALLE@EXAMPLE.TEST"] {
            let shown = try GSSName(text, type: .krb5Principal).displayName()
            #expect(Array(shown.utf8) == Array(text.utf8))
        }
    }
}

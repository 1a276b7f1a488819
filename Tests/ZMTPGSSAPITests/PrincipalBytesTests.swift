// SPDX-License-Identifier: MIT
import CZGSSHeader
import Testing
import TestRealm
import GSSKit
@testable import ZMTPGSSAPI

// "jos\u{E9}" (NFC) and "jose\u{301}" (NFD) are equal Swift Strings, and so
// are "\u{212A}ALLE" (KELVIN SIGN) and "KALLE"; Kerberos holds each pair for
// two principals. Literals keep these tests compiling against the old
// String-typed allowlist.

@Suite("ZGSS_ALLOW_PRINCIPAL compares bytes (no Kerberos)")
struct AllowOptionBytesTests {
    private func setString(_ options: inout GSSAPIOptions, _ bytes: [UInt8]) throws {
        var copy = options
        try bytes.withUnsafeBytes { raw in try copy.set(ZGSS_ALLOW_PRINCIPAL, raw) }
        options = copy
    }

    @Test func bothSpellingsAreKeptAsTwoEntries() throws {
        var options = GSSAPIOptions()
        try setString(&options, Array("jos\u{E9}@EXAMPLE.TEST".utf8))
        try setString(&options, Array("jose\u{301}@EXAMPLE.TEST".utf8))
        try setString(&options, Array("jose\u{301}@EXAMPLE.TEST".utf8))
        #expect(options.allowedPrincipals.count == 2)
        guard case .string(let text) = options.get(ZGSS_ALLOW_PRINCIPAL) else {
            Issue.record("no string back"); return
        }
        #expect(Array(text.utf8) == Array("jos\u{E9}@EXAMPLE.TEST\njose\u{301}@EXAMPLE.TEST".utf8))
    }

    @Test(arguments: [[0x63, 0x61, 0x66, 0xE9], [0x63, 0x61, 0x66, 0xE8], [0xFF], [0x61, 0xC3]] as [[UInt8]])
    func entriesThatAreNotUTF8AreRefused(_ bytes: [UInt8]) {
        var options = GSSAPIOptions()
        #expect(throws: ZGSSError.self) { try setString(&options, bytes) }
        #expect(options.allowedPrincipals.isEmpty)
    }

    @Test func anEmptyEntryIsRefusedAndKeepsTheList() throws {
        var options = GSSAPIOptions()
        try setString(&options, Array("bob@EXAMPLE.TEST".utf8))
        #expect(throws: ZGSSError.self) { try setString(&options, []) }
        #expect(throws: ZGSSError.self) { try setString(&options, [0]) }
        #expect(options.allowedPrincipals == [PrincipalName("bob@EXAMPLE.TEST")])
    }

    @Test func equivalentSpellingsDoNotSharePooledConfigurations() {
        var nfc = GSSAPIOptions()
        nfc.selected = true
        nfc.isServer = true
        nfc.allowedPrincipals = ["jos\u{E9}@EXAMPLE.TEST"]
        var nfd = nfc
        nfd.allowedPrincipals = ["jose\u{301}@EXAMPLE.TEST"]
        #expect(nfc != nfd)
        let pool = ConfigurationPool()
        let first = pool.configuration(for: nfc)
        let second = pool.configuration(for: nfd)
        #expect(first !== second)
        #expect(second.options.allowedPrincipals == ["jose\u{301}@EXAMPLE.TEST"])
        #expect(pool.configuration(for: nfc) === first)

        // Paths too: two spellings name two files.
        var keytabNFC = nfc
        keytabNFC.store.keytab = "/srv/jos\u{E9}.keytab"
        var keytabNFD = nfc
        keytabNFD.store.keytab = "/srv/jose\u{301}.keytab"
        #expect(keytabNFC != keytabNFD)
        var principalK = nfc
        principalK.principal = "\u{212A}ALLE@EXAMPLE.TEST"
        var principalKelvin = nfc
        principalKelvin.principal = "KALLE@EXAMPLE.TEST"
        #expect(principalK != principalKelvin)
    }
}

@Suite("ZGSS_ALLOW_PRINCIPAL against a real KDC: names are octets", .tags(.kerberos), .needsRealm)
struct AllowlistKerberosTests {
    /// Options for a client that authenticates as `name` (raw bytes) from
    /// a keytab of its own.
    static func client(_ name: [UInt8], tag: String) throws -> Sides {
        let realm = try TestRealm.shared()
        var sides = Sides()
        sides.client.store.clientKeytab = try realm.addPrincipal(name, tag: tag)
        sides.client.store.ccache = "MEMORY:zgss-\(tag)"
        return sides
    }

    @Test func nfdPrincipalIsRefusedByItsNFCSpelling() throws {
        var sides = try Self.client(Array("jose\u{301}".utf8), tag: "zmq-nfd-jose")
        sides.server.allowedPrincipals = ["jos\u{E9}@EXAMPLE.TEST"]
        let refused = try MechanismPair(sides)
        let error = try #require(expectFailure { try refused.run() })
        #expect(error.code == .denied)
        #expect(error.mentions("not in the allowed list"))
        #expect(refused.server.status == .failed)

        // Its own spelling admits it, with those very bytes as its name.
        sides.server.allowedPrincipals = ["jose\u{301}@EXAMPLE.TEST"]
        let admitted = try MechanismPair(sides)
        try admitted.run()
        #expect(admitted.server.status == .ready)
        #expect(admitted.server.peerPrincipal.map { Array($0.utf8) } == Array("jose\u{301}@EXAMPLE.TEST".utf8))
    }

    @Test func kelvinSignPrincipalIsNotKalle() throws {
        var sides = try Self.client(Array("\u{212A}ALLE".utf8), tag: "zmq-kelvin-kalle")
        sides.server.allowedPrincipals = ["KALLE@EXAMPLE.TEST"]
        let pair = try MechanismPair(sides)
        let error = try #require(expectFailure { try pair.run() })
        #expect(error.code == .denied)
    }

    /// "caf\xE9" (Latin-1, not UTF-8) used to display as "caf\u{FFFD}", the
    /// same as "caf\xE8" and as the valid name "caf\u{FFFD}" itself.
    @Test func principalThatIsNotUTF8IsRefused() throws {
        var sides = try Self.client(Array("caf".utf8) + [0xE9], tag: "zmq-latin1-cafe")
        sides.server.allowedPrincipals = ["caf\u{FFFD}@EXAMPLE.TEST"]
        let pair = try MechanismPair(sides)
        let error = try #require(expectFailure { try pair.run() })
        #expect(error.mentions("caf\\xE9@EXAMPLE.TEST"))
        #expect(error.mentions("not valid UTF-8"))
        #expect(pair.server.status == .failed)
        #expect(pair.server.peerPrincipal == nil)
    }
}

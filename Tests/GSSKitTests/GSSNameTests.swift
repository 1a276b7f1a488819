// SPDX-License-Identifier: MIT
import Testing
import TestRealm
@testable import GSSKit

/// GSSName imports each name type and displays and canonicalises it with
/// the test realm's krb5.conf (its default realm).
@Suite("GSS names: import, display, canonical form", .tags(.kerberos), .needsRealm)
struct GSSNameTests {
    var realm: String { get throws { try TestRealm.shared().realm } }

    @Test func aHostbasedServiceBecomesAServicePrincipal() throws {
        let name = try GSSName("zmq@localhost", type: .hostbasedService)
        #expect(try name.displayName() == "zmq@localhost", "display shows the name as imported")
        #expect(try name.canonicalName() == "zmq/localhost@" + realm)
    }

    @Test func aUserNameGainsTheDefaultRealm() throws {
        let name = try GSSName("alice", type: .userName)
        #expect(try name.displayName() == "alice")
        #expect(try name.canonicalName() == "alice@" + realm)
    }

    @Test(arguments: ["alice", "zmq/localhost"])
    func aKerberosPrincipalRoundTrips(_ base: String) throws {
        let text = base + "@" + (try realm)
        let name = try GSSName(text, type: .krb5Principal)
        #expect(try name.displayName() == text)
        #expect(try name.canonicalName() == text)
        // Bytes in, the same bytes out.
        let fromBytes = try GSSName(bytes: Array(text.utf8), type: .krb5Principal)
        #expect(Array(try fromBytes.displayName().utf8) == Array(text.utf8))
    }

    @Test func aPrincipalWithoutARealmGetsTheDefaultOne() throws {
        let name = try GSSName("bob", type: .krb5Principal)
        #expect(try name.canonicalName() == "bob@" + realm)
    }

    @Test func emptyNamesAndNamesWithANulAreRefusedBeforeKerberosSeesThem() throws {
        _ = try TestRealm.shared()
        for type in GSSNameType.allCases {
            let empty = #expect(throws: GSSError.self) { try GSSName(bytes: [], type: type) }
            #expect(empty?.operation == "gss_import_name")
            #expect(empty?.reason == "invalid name \"\"")
            let nul = #expect(throws: GSSError.self) { try GSSName("alice\u{0}@EVIL", type: type) }
            #expect(nul?.reason == "invalid name \"alice\\x00@EVIL\"", "the NUL is shown, not swallowed")
            #expect(nul?.major == 0, "refused by the wrapper, not by Kerberos")
        }
    }

    @Test func kerberosRefusalsCarryTheKerberosReason() throws {
        // An acceptor credential for a principal the keytab lacks: the
        // minor code's text (the Kerberos reason) leads the description.
        let test = try TestRealm.shared()
        let name = try GSSName("nobody/localhost@" + test.realm, type: .krb5Principal)
        let error = #expect(throws: GSSError.self) {
            try GSSCredential(name: name, usage: .accept, store: GSSCredentialStore(keytab: test.serverKeytab))
        }
        let refused = try #require(error)
        #expect(refused.major != 0)
        #expect(!refused.minorText.isEmpty && !refused.minorText.hasPrefix("status 0x"), "\(refused)")
        #expect(refused.minorText.contains("nobody/localhost@" + test.realm), "\(refused)")
        #expect(refused.reason == refused.minorText)
        #expect(refused.description == "\(refused.operation): \(refused.minorText) (\(refused.majorText))")
    }

    @Test func printableEscapesWhatIsNotPlainText() {
        #expect(GSSName.printable(Array("zmq/host@R".utf8)) == "zmq/host@R")
        #expect(GSSName.printable([0x61, 0x0A, 0x62]) == "a\\x0Ab")
        #expect(GSSName.printable([0x63, 0x61, 0x66, 0xE9]) == "caf\\xE9", "not UTF-8")
        #expect(GSSName.printable([0x61, 0x5C, 0x0A]) == "a\\x5C\\x0A", "a backslash is escaped when escaping")
        #expect(GSSName.printable(Array("jos\u{E9}".utf8)) == "jos\u{E9}", "UTF-8 text is kept")
    }
}

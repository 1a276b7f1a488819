// SPDX-License-Identifier: MIT
import Testing
import TestRealm
import GSSKit
@testable import SASLGSSAPI

// Three spellings Swift's `String ==` calls equal to another, though
// Kerberos (which compares octets) holds them for distinct principals:
//   "jos\u{E9}"   NFC, é as one scalar (C3 A9)
//   "jose\u{301}" NFD, e + COMBINING ACUTE ACCENT (65 CC 81)
//   "\u{212A}ALLE" KELVIN SIGN (E2 84 AA), canonically equivalent to "K"
// The names are written as literals so the same tests compile against the
// String-typed allowlists of old.

@Suite("SASL names, realms, authzids and rules compare as bytes (no Kerberos)")
struct NameBytesTests {
    @Test func theSpellingsAreEqualStringsButDifferentBytes() {
        #expect("jos\u{E9}" == "jose\u{301}")
        #expect("\u{212A}ALLE" == "KALLE")
        #expect(Array("jos\u{E9}".utf8) != Array("jose\u{301}".utf8))
        #expect(Array("\u{212A}ALLE".utf8) != Array("KALLE".utf8))
    }

    @Test func allowlistedUsernameDoesNotAdmitAnEquivalentSpelling() {
        let mapper = PrincipalMapper(allowlist: ["jos\u{E9}", "KALLE"])
        for principal in ["jose\u{301}@EXAMPLE.TEST", "\u{212A}ALLE@EXAMPLE.TEST"] {
            let error = saslError { _ = try mapper.username(for: principal, defaultRealm: "EXAMPLE.TEST") }
            #expect(error?.code == .denied, "\(principal.unicodeScalars.map(\.value))")
        }
    }

    @Test func allowlistedPrincipalDoesNotAdmitAnEquivalentSpelling() throws {
        let mapper = PrincipalMapper(allowlist: ["jos\u{E9}@OTHER.TEST"])
        #expect(try mapper.username(for: "jos\u{E9}@OTHER.TEST", defaultRealm: "EXAMPLE.TEST") == "jos\u{E9}@OTHER.TEST")
        let error = saslError { _ = try mapper.username(for: "jose\u{301}@OTHER.TEST", defaultRealm: "EXAMPLE.TEST") }
        #expect(error?.code == .denied)
    }

    @Test func authzidMustBeTheSameBytes() throws {
        #expect(try SASLIdentity.authorize("jose\u{301}", authenticationID: "jose\u{301}") == "jose\u{301}")
        #expect(saslError { _ = try SASLIdentity.authorize("jos\u{E9}", authenticationID: "jose\u{301}") }?.code == .denied)
        #expect(saslError { _ = try SASLIdentity.authorize("KALLE", authenticationID: "\u{212A}ALLE") }?.code == .denied)
    }

    @Test func anEquivalentRealmIsAForeignRealm() throws {
        // "\u{212A}DC.TEST" is another realm than "KDC.TEST": its principals
        // keep their realm, so "alice@\u{212A}DC.TEST" is never "alice".
        #expect(SASLIdentity.authenticationID(principal: "alice@\u{212A}DC.TEST", defaultRealm: "KDC.TEST") == "alice@\u{212A}DC.TEST")
        #expect(try PrincipalMapper().username(for: "alice@\u{212A}DC.TEST", defaultRealm: "KDC.TEST") == "alice@\u{212A}DC.TEST")
        let onlyDefault = PrincipalMapper(rules: try PrincipalMapper.parseRules("DEFAULT"))
        #expect(try onlyDefault.username(for: "alice@KDC.TEST", defaultRealm: "KDC.TEST") == "alice")
        #expect(saslError { _ = try onlyDefault.username(for: "alice@\u{212A}DC.TEST", defaultRealm: "KDC.TEST") }?.code == .denied)
    }

    @Test func ruleExpressionsMatchScalarsNotEquivalentCharacters() throws {
        let mapper = PrincipalMapper(rules: try PrincipalMapper.parseRules("RULE:[1:$1](jos\u{E9})s/.*/staff/"))
        #expect(try mapper.username(for: "jos\u{E9}@EXAMPLE.TEST", defaultRealm: nil) == "staff")
        #expect(saslError { _ = try mapper.username(for: "jose\u{301}@EXAMPLE.TEST", defaultRealm: nil) }?.code == .denied)
    }

    @Test func mqttMethodMustBeTheSameBytes() {
        let server = SASLGSSAPIServer(configuration: SASLServerConfiguration(), credential: nil)
        #expect(MQTTGSSAPI.serverHandleConnect(server, method: "GSSAPI-\u{212A}ERBEROS", data: [1]) == .notMine)
    }
}

@Suite("SASL names against a real KDC: a principal in NFD is not its NFC twin", .tags(.kerberos), .needsRealm)
struct NameBytesKerberosTests {
    /// A client that authenticates as `jose\u{301}@EXAMPLE.TEST` (NFD).
    static func nfdClient() throws -> SASLClientConfiguration {
        let realm = try TestRealm.shared()
        let keytab = try realm.addPrincipal(Array("jose\u{301}".utf8), tag: "sasl-nfd-jose")
        var config = clientConfiguration()
        config.store = GSSCredentialStore(clientKeytab: keytab, ccache: "MEMORY:sasl-nfd-jose")
        return config
    }

    @Test func nfcAllowlistEntryRefusesTheNFDPrincipal() throws {
        var server = serverConfiguration()
        server.mapper = PrincipalMapper(allowlist: ["jos\u{E9}", "jos\u{E9}@EXAMPLE.TEST"])
        var refused = try SASLPair(client: try Self.nfdClient(), server: server)
        let error = saslError { try refused.run() }
        #expect(error?.code == .denied)
        #expect(error?.message.contains("allowlist") == true)

        server.mapper = PrincipalMapper(allowlist: ["jose\u{301}"])
        var admitted = try SASLPair(client: try Self.nfdClient(), server: server)
        let outcome = try admitted.run()
        #expect(Array(outcome.username.utf8) == Array("jose\u{301}".utf8))
        #expect(Array(outcome.principal.utf8) == Array("jose\u{301}@EXAMPLE.TEST".utf8))
    }

    @Test func nfcAuthzidIsNotTheNFDIdentity() throws {
        var client = try Self.nfdClient()
        client.authorizationID = "jos\u{E9}"
        var pair = try SASLPair(client: client)
        let error = saslError { try pair.run() }
        #expect(error?.code == .denied)
        #expect(error?.message.contains("authorization identity") == true)
    }
}

// SPDX-License-Identifier: MIT
import Testing
import TestRealm
import GSSKit
@testable import SASLGSSAPI

// MIT krb5's text form (src/lib/krb5/krb/parse.c, unparse.c): `\n`, `\t`,
// `\b`, `\0` stand for newline, tab, backspace and NUL; any other quoted
// byte stands for itself; a trailing backslash, a second '@' and a '/' in
// the realm are malformed; the separators are bytes, whatever follows them.

@Suite("Principal text is read and written as MIT krb5 does (no Kerberos)")
struct PrincipalEscapesTests {
    @Test(arguments: [
        (#"bo\b@R"#, ["bo\u{8}"], "R"),
        (#"a\nb@R"#, ["a\nb"], "R"),
        (#"a\tb@R"#, ["a\tb"], "R"),
        (#"a\0b@R"#, ["a\u{0}b"], "R"),
        (#"a\xb@R"#, ["axb"], "R"),
        (#"a\/b@R"#, ["a/b"], "R"),
        (#"a\@b@R"#, ["a@b"], "R"),
        (#"a\\b@R"#, [#"a\b"#], "R"),
        (#"svc/h@R\/S\@T\n"#, ["svc", "h"], "R/S@T\n"),
        ("a/\u{301}b@R", ["a", "\u{301}b"], "R"),
        ("x@\u{301}R", ["x"], "\u{301}R"),
        ("a\\\u{301}@R", ["a\u{301}"], "R"),
    ])
    func escapesAndSeparatorsAsMIT(_ text: String, _ components: [String], _ realm: String) throws {
        let principal = try KerberosPrincipal(parsing: text)
        #expect(principal.components.map { Array($0.utf8) } == components.map { Array($0.utf8) })
        #expect(Array(principal.realm.utf8) == Array(realm.utf8))
    }

    @Test(arguments: ["a\\", "a@R\\", "a@R/x", "a@b@c", "", "@R", "a@", "a//b@R", "/a@R"])
    func malformedTextIsRefused(_ text: String) {
        #expect(saslError { _ = try KerberosPrincipal(parsing: text) }?.code == .invalidArgument)
    }

    @Test(arguments: [#"bo\b@R"#, #"a\/b/c\@d@R\/E"#, #"a\\\0\t\n@R"#, "jose\u{301}/h\u{1}@R", "svc/host@EXAMPLE.TEST"])
    func writtenFormReadsBackTheSame(_ text: String) throws {
        let principal = try KerberosPrincipal(parsing: text)
        #expect(Array(principal.description.utf8) == Array(text.utf8), "quoting is canonical for MIT's own output")
        #expect(try KerberosPrincipal(parsing: principal.description) == principal)
    }

    @Test func needlessQuotesAreDropped() throws {
        #expect(try KerberosPrincipal(parsing: #"a\x\y@R"#).description == "axy@R")
    }

    @Test(arguments: [#"bo\b@EXAMPLE.TEST"#, #"bo\0b@EXAMPLE.TEST"#, #"b\nob@EXAMPLE.TEST"#, #"bob\t@EXAMPLE.TEST"#,
                      "bo\u{1}b@EXAMPLE.TEST", "bo\u{7F}b@EXAMPLE.TEST", "bo\u{85}b@EXAMPLE.TEST", #"bob@EXAMPLE.TES\bT"#])
    func controlCharactersNeverBecomeAUsername(_ principal: String) throws {
        let rules = [
            "",
            "DEFAULT",
            #"RULE:[1:$1]s/[^a-z]//g"#,
            #"RULE:[1:$1@$0]s/@.*//"#,
        ]
        for text in rules {
            let mapper = PrincipalMapper(rules: try PrincipalMapper.parseRules(text), allowlist: ["bob"])
            let error = saslError { _ = try mapper.username(for: principal, defaultRealm: "EXAMPLE.TEST") }
            #expect(error?.code == .denied, "rules '\(text)'")
            #expect(error?.message.contains("control character") == true, "rules '\(text)': \(error?.message ?? "")")
        }
    }

    @Test func aRuleCannotPutAControlCharacterIntoAUsername() throws {
        let mapper = PrincipalMapper(rules: try PrincipalMapper.parseRules("RULE:[1:$1]s/$/\u{7}/"))
        let error = saslError { _ = try mapper.username(for: "alice@EXAMPLE.TEST", defaultRealm: nil) }
        #expect(error?.code == .denied)
    }

    @Test func rulesSeeDecodedComponents() throws {
        let mapper = PrincipalMapper(rules: try PrincipalMapper.parseRules(#"RULE:[1:$1](a/b)s/\//-/"#))
        #expect(try mapper.username(for: #"a\/b@EXAMPLE.TEST"#, defaultRealm: nil) == "a-b")
        // Two components are another principal: the one-component rule
        // does not apply.
        #expect(saslError { _ = try mapper.username(for: "a/b@EXAMPLE.TEST", defaultRealm: nil) }?.code == .denied)
    }

    @Test func authenticationIdentityKeepsMITQuoting() {
        #expect(SASLIdentity.authenticationID(principal: #"a\/b@EXAMPLE.TEST"#, defaultRealm: "EXAMPLE.TEST") == #"a\/b"#)
        #expect(SASLIdentity.authenticationID(principal: #"a\\b/h@EXAMPLE.TEST"#, defaultRealm: "EXAMPLE.TEST") == #"a\\b/h"#)
        #expect(SASLIdentity.authenticationID(principal: #"bo\b@EXAMPLE.TEST"#, defaultRealm: "EXAMPLE.TEST") == #"bo\b"#)
    }

    @Test func principalEntriesMatchByComponentsAndRealm() throws {
        let mapper = PrincipalMapper(allowlist: [#"a\x@OTHER.TEST"#, #"svc\/h@OTHER.TEST"#])
        #expect(try mapper.username(for: "ax@OTHER.TEST", defaultRealm: "EXAMPLE.TEST") == "ax@OTHER.TEST")
        #expect(try mapper.username(for: #"svc\/h@OTHER.TEST"#, defaultRealm: "EXAMPLE.TEST") == #"svc\/h@OTHER.TEST"#)
        // "svc/h" with two components is not the one-component "svc\/h".
        #expect(saslError { _ = try mapper.username(for: "svc/h@OTHER.TEST", defaultRealm: "EXAMPLE.TEST") }?.code == .denied)
    }
}

@Suite("A principal with a control character against a real KDC", .tags(.kerberos), .needsRealm)
struct PrincipalEscapesKerberosTests {
    /// The KDC holds "bo" + U+0008; gss_display_name shows it as
    /// `bo\b@EXAMPLE.TEST`, which used to be read as "bob".
    @Test func backspacePrincipalIsNotBob() throws {
        let realm = try TestRealm.shared()
        var client = clientConfiguration()
        client.store = GSSCredentialStore(clientKeytab: try realm.addPrincipal([0x62, 0x6F, 0x08], tag: "sasl-bo-backspace"),
                                          ccache: "MEMORY:sasl-bo-backspace")
        var server = serverConfiguration()
        server.mapper = PrincipalMapper(allowlist: ["bob"])
        var pair = try SASLPair(client: client, server: server)
        let error = saslError { try pair.run() }
        #expect(error?.code == .denied, "\(error?.message ?? "")")
        #expect(error?.message.contains("control character (U+0008)") == true, "\(error?.message ?? "")")
        #expect(pair.server.clientPrincipal == #"bo\b@EXAMPLE.TEST"#)
    }
}

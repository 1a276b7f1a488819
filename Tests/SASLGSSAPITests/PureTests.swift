// SPDX-License-Identifier: MIT
import Testing
@testable import SASLGSSAPI

@Suite("RFC 4752 layer octets, principals, authzid and mapping (no Kerberos)")
struct PureTests {
    @Test func offerRoundTrip() throws {
        let offer = SecurityLayerOffer(layers: [.none, .confidentiality], maxBuffer: 0x01_0203)
        #expect(offer.bytes == [0x05, 0x01, 0x02, 0x03])
        #expect(try SecurityLayerOffer.parse(offer.bytes) == offer)
        #expect(SecurityLayerOffer(layers: .none, maxBuffer: 0x1FF_FFFF).maxBuffer == 0xFF_FFFF)
    }

    @Test(arguments: [[], [1], [1, 0], [1, 0, 0], [1, 0, 0, 0, 0], [0, 0, 0, 0], [8, 0, 0, 0], [0xff, 0, 0, 0]] as [[UInt8]])
    func badOffersAreProtocolErrors(_ bytes: [UInt8]) {
        #expect(saslError { _ = try SecurityLayerOffer.parse(bytes) }?.code == .protocolViolation)
    }

    @Test func choiceRoundTrip() throws {
        let choice = SecurityLayerChoice(layer: .integrity, maxBuffer: 65536, authorizationID: "alice")
        #expect(choice.bytes == [0x02, 0x01, 0x00, 0x00] + Array("alice".utf8))
        #expect(try SecurityLayerChoice.parse(choice.bytes) == choice)
        #expect(try SecurityLayerChoice.parse([1, 0, 0, 0]).authorizationID == "")
    }

    @Test(arguments: [[], [1, 0, 0], [0, 0, 0, 0], [3, 0, 0, 0], [6, 0, 0, 0], [8, 0, 0, 0],
                      [1, 0, 0, 0, 0x61, 0x00], [1, 0, 0, 0, 0xff, 0xfe]] as [[UInt8]])
    func badChoicesAreProtocolErrors(_ bytes: [UInt8]) {
        #expect(saslError { _ = try SecurityLayerChoice.parse(bytes) }?.code == .protocolViolation)
    }

    @Test func strongestLayer() {
        #expect(SASLSecurityLayers.all.strongest == .confidentiality)
        #expect(SASLSecurityLayers([.none, .integrity]).strongest == .integrity)
        #expect(SASLSecurityLayers.none.strongest == SASLSecurityLayer.none)
        #expect(SASLSecurityLayers().strongest == nil)
    }

    @Test func principalsParse() throws {
        let p = try KerberosPrincipal(parsing: "mqtt/broker.example.com@EXAMPLE.COM")
        #expect(p.components == ["mqtt", "broker.example.com"])
        #expect(p.realm == "EXAMPLE.COM")
        #expect(try KerberosPrincipal(parsing: "alice").realm == "")
        #expect(try KerberosPrincipal(parsing: #"a\/b@R"#).components == ["a/b"])
        for bad in ["", "@R", "a@", "a//b@R", "a@b@c", "a\\"] {
            #expect(saslError { _ = try KerberosPrincipal(parsing: bad) }?.code == .invalidArgument, "\(bad)")
        }
    }

    @Test func servicePrincipalMustBeServiceHostRealm() throws {
        #expect(try KerberosPrincipal.parseService("mqtt/localhost@EXAMPLE.TEST").description == "mqtt/localhost@EXAMPLE.TEST")
        for bad in ["mqtt", "mqtt@localhost", "mqtt/localhost", "mqtt/a/b@R", "mqtt/@R", "/h@R"] {
            let error = saslError { _ = try KerberosPrincipal.parseService(bad) }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.contains("service/host@REALM") == true, "\(bad): \(error?.message ?? "")")
        }
    }

    @Test func cyrusAuthenticationIdentity() {
        #expect(SASLIdentity.authenticationID(principal: "alice@EXAMPLE.TEST", defaultRealm: "EXAMPLE.TEST") == "alice")
        #expect(SASLIdentity.authenticationID(principal: "alice@OTHER.TEST", defaultRealm: "EXAMPLE.TEST") == "alice@OTHER.TEST")
        #expect(SASLIdentity.authenticationID(principal: "svc/h@EXAMPLE.TEST", defaultRealm: "EXAMPLE.TEST") == "svc/h")
        #expect(SASLIdentity.authenticationID(principal: "alice@EXAMPLE.TEST", defaultRealm: nil) == "alice@EXAMPLE.TEST")
    }

    @Test func cyrusAuthorizationRule() throws {
        #expect(try SASLIdentity.authorize("", authenticationID: "alice") == "alice")
        #expect(try SASLIdentity.authorize("alice", authenticationID: "alice") == "alice")
        #expect(saslError { _ = try SASLIdentity.authorize("bob", authenticationID: "alice") }?.code == .denied)
        #expect(saslError { _ = try SASLIdentity.authorize("alice@EXAMPLE.TEST", authenticationID: "alice") }?.code == .denied)
    }

    @Test func defaultMappingStripsOnlyTheDefaultRealm() throws {
        let mapper = PrincipalMapper()
        #expect(try mapper.username(for: "alice@EXAMPLE.TEST", defaultRealm: "EXAMPLE.TEST") == "alice")
        #expect(try mapper.username(for: "alice@OTHER.TEST", defaultRealm: "EXAMPLE.TEST") == "alice@OTHER.TEST")
    }

    @Test func kafkaStyleRules() throws {
        let rules = try PrincipalMapper.parseRules("""
            RULE:[2:$1@$0](mqtt@.*)s/@.*//,
            RULE:[1:$1@$0](.*@OTHER\\.TEST)s/@.*/-other/
            RULE:[1:$1](adm.*)s/^adm/ADMIN-/g/L
            DEFAULT
            """)
        #expect(rules.count == 4)
        let mapper = PrincipalMapper(rules: rules)
        #expect(try mapper.username(for: "mqtt/host@EXAMPLE.TEST", defaultRealm: "EXAMPLE.TEST") == "mqtt")
        #expect(try mapper.username(for: "carol@OTHER.TEST", defaultRealm: "EXAMPLE.TEST") == "carol-other")
        #expect(try mapper.username(for: "admin@EXAMPLE.TEST", defaultRealm: "EXAMPLE.TEST") == "admin-in")
        #expect(try mapper.username(for: "alice@EXAMPLE.TEST", defaultRealm: "EXAMPLE.TEST") == "alice")
        // No rule applies: refused.
        #expect(saslError { _ = try mapper.username(for: "x/y@ELSE.TEST", defaultRealm: "EXAMPLE.TEST") }?.code == .denied)
    }

    @Test func replacementsExpandGroups() throws {
        let mapper = PrincipalMapper(rules: try PrincipalMapper.parseRules(#"RULE:[2:$1/$2@$0]s/^([a-z]+)\/([a-z0-9.]+)@.*$/$2-$1/"#))
        #expect(try mapper.username(for: "mqtt/node1.example.test@EXAMPLE.TEST", defaultRealm: nil) == "node1.example.test-mqtt")
        let counted = try PrincipalMapper.parseRules(#"RULE:[1:$1](a{2,3}.*)s/a//g, DEFAULT"#)
        #expect(counted.count == 2)
        #expect(try PrincipalMapper(rules: counted).username(for: "aaron@EXAMPLE.TEST", defaultRealm: "EXAMPLE.TEST") == "ron")
        let literal = PrincipalMapper(rules: try PrincipalMapper.parseRules(#"RULE:[1:$1]s/^/\$/"#))
        #expect(try literal.username(for: "alice@EXAMPLE.TEST", defaultRealm: nil) == "$alice")
    }

    @Test func exponentialPatternsAreRefused() {
        for bad in [#"(.*)*@X"#, #"(a+)+"#, #"((ab)*c){2,}"#, #"(x(.+))+"#] {
            #expect(MappingRule.hasNestedQuantifier(bad), "\(bad)")
            #expect(saslError { _ = try MappingRule(parsing: "RULE:[1:$1](\(bad))") }?.code == .invalidArgument)
        }
        for good in [#".*@EXAMPLE\.TEST"#, #"([a-z]+)/(.*)"#, #"(ab)*"#, #"[(*)]+"#, #"(?:a)b*"#, #"\(a+\)+"#, #"(a*?)"#] {
            #expect(!MappingRule.hasNestedQuantifier(good), "\(good)")
        }
    }

    @Test func badRulesAreRejectedUpFront() {
        for bad in ["RULE:", "RULE:[x:$1]", "RULE:[1:$1", "RULE:[1:$1](abc", "RULE:[1:$1](a)s/x", "RULE:[1:$1](()s/a/b/", "NOPE", "RULE:[1:$1]junk"] {
            #expect(saslError { _ = try MappingRule(parsing: bad) }?.code == .invalidArgument, "\(bad)")
        }
    }

    @Test func allowlistMatchesUserOrPrincipal() throws {
        let mapper = PrincipalMapper(allowlist: ["alice", "bob@EXAMPLE.TEST"])
        #expect(try mapper.username(for: "alice@EXAMPLE.TEST", defaultRealm: "EXAMPLE.TEST") == "alice")
        #expect(try mapper.username(for: "bob@EXAMPLE.TEST", defaultRealm: "EXAMPLE.TEST") == "bob")
        let error = saslError { _ = try mapper.username(for: "mallory@EXAMPLE.TEST", defaultRealm: "EXAMPLE.TEST") }
        #expect(error?.code == .denied)
        #expect(error?.message.contains("allowlist") == true)
    }
}

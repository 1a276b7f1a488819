// SPDX-License-Identifier: MIT
import CZGSSHeader
import Foundation
import SASLGSSAPI
import Testing
@testable import ZGSS
import ZGSSBase
import ZMTPGSSAPI

/// include/zgss.h is the one source of the C ABI's numbers. The Swift code
/// imports most of them (CZGSSHeader); these tests check the values Swift
/// must still spell itself (enum raw values, wire flag bits) against the
/// header, both ways: every Swift case has the header's value, and every
/// header constant of the group has a Swift case. tools/check-constants.py
/// checks the header against zmq.h and errno.h, and python/zgss against
/// the header.
@Suite struct HeaderConstantsTests {
    /// `#define NAME VALUE` lines and enumerators `NAME = VALUE,` of the
    /// header, as written (decimal or hex integers only).
    static let header: [String: Int] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../include/zgss.h").standardized
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [:] }
        var values: [String: Int] = [:]
        let pattern = #/^\s*(?:#define\s+(\w+)\s+|(\w+)\s*=\s*)\(?(-?(?:0x[0-9A-Fa-f]+|\d+))\)?\s*[,/]?/#
        for line in text.split(separator: "\n") {
            guard let match = try? pattern.firstMatch(in: line) else { continue }
            let name = String(match.output.1 ?? match.output.2 ?? "")
            let literal = String(match.output.3)
            let negative = literal.hasPrefix("-")
            let digits = negative ? String(literal.dropFirst()) : literal
            let value = digits.hasPrefix("0x") ? Int(digits.dropFirst(2), radix: 16) : Int(digits)
            if let value { values[name] = negative ? -value : value }
        }
        return values
    }()

    static func names(withPrefix prefix: String, excluding excluded: [String] = []) -> Set<String> {
        Set(header.keys.filter { name in
            name.hasPrefix(prefix) && !excluded.contains { name.hasPrefix($0) }
        })
    }

    @Test func theHeaderIsRead() {
        #expect(Self.header["ZGSS_KEYTAB"] == 1000)
        #expect(Self.header["ZGSS_E_INVAL"] == -1)
    }

    @Test func errorCodesMatchTheHeaderEnum() {
        let swift: [(ZGSSErrorCode, String, zgss_error)] = [
            (.invalidArgument, "ZGSS_E_INVAL", ZGSS_E_INVAL), (.again, "ZGSS_E_AGAIN", ZGSS_E_AGAIN),
            (.protocolViolation, "ZGSS_E_PROTO", ZGSS_E_PROTO), (.gss, "ZGSS_E_GSS", ZGSS_E_GSS),
            (.denied, "ZGSS_E_DENIED", ZGSS_E_DENIED), (.wrongState, "ZGSS_E_STATE", ZGSS_E_STATE),
            (.noMemory, "ZGSS_E_NOMEM", ZGSS_E_NOMEM),
        ]
        #expect(swift.count == ZGSSErrorCode.allCases.count)
        for (code, name, imported) in swift {
            #expect(code.rawValue == imported.rawValue, "\(name)")
            #expect(Self.header[name] == Int(code.rawValue), "\(name)")
        }
        #expect(Self.names(withPrefix: "ZGSS_E_") == Set(swift.map(\.1)), "the header's ZGSS_E_* and Swift's codes")
    }

    @Test func everyErrorCodeHasATextAndAFatality() {
        let unknown = String(cString: ZGSS.zgss_mech_strerror(-999))
        for code in ZGSSErrorCode.allCases {
            #expect(String(cString: ZGSS.zgss_mech_strerror(code.rawValue)) != unknown, "\(code)")
        }
        let fatal: [zgss_error] = [ZGSS_E_PROTO, ZGSS_E_GSS, ZGSS_E_DENIED, ZGSS_E_NOMEM]
        let usable: [zgss_error] = [ZGSS_E_INVAL, ZGSS_E_AGAIN, ZGSS_E_STATE]
        for code in fatal { #expect(ZGSS.zgss_is_fatal(code.rawValue) == 1, "\(code.rawValue)") }
        for code in usable { #expect(ZGSS.zgss_is_fatal(code.rawValue) == 0, "\(code.rawValue)") }
        #expect(fatal.count + usable.count == ZGSSErrorCode.allCases.count)
        for code: Int32 in [0, 1, 2, 1000] { #expect(ZGSS.zgss_is_fatal(code) == 0, "\(code)") }
        for code: Int32 in [-8, -100, Int32.min] { #expect(ZGSS.zgss_is_fatal(code) == 1, "unknown \(code)") }
    }

    @Test func saslOptionsMatchTheHeader() {
        // SASLOption's cases are the header's names in camel case.
        var swift: Set<String> = []
        for option in SASLOption.allCases {
            let camel = String(describing: option)
            let snake = camel.reduce(into: "") { name, character in
                if character.isUppercase { name += "_" }
                name += character.uppercased()
            }
            let name = "ZGSS_SASL_" + snake
            swift.insert(name)
            #expect(Self.header[name] == Int(option.rawValue), "\(name)")
        }
        #expect(Self.names(withPrefix: "ZGSS_SASL_", excluding: ["ZGSS_SASL_LAYER_", "ZGSS_SASL_STATUS_"]) == swift)
    }

    @Test func wireValuesShadowedInTheHeaderMatch() {
        #expect(Int(SASLSecurityLayers.none.rawValue) == Self.header["ZGSS_SASL_LAYER_NONE"])
        #expect(Int(SASLSecurityLayers.integrity.rawValue) == Self.header["ZGSS_SASL_LAYER_INTEGRITY"])
        #expect(Int(SASLSecurityLayers.confidentiality.rawValue) == Self.header["ZGSS_SASL_LAYER_CONFIDENTIALITY"])
        #expect(Int(MessageFlags.more.rawValue) == Self.header["ZGSS_MSG_MORE"])
        #expect(Int(MessageFlags.command.rawValue) == Self.header["ZGSS_MSG_COMMAND"])
        #expect(Int(MessageFlags.subscribe.rawValue) == Self.header["ZGSS_MSG_SUBSCRIBE"])
        #expect(Int(MessageFlags.cancel.rawValue) == Self.header["ZGSS_MSG_CANCEL"])
        #expect(MQTTGSSAPI.authenticationMethod == ZGSS_MQTT_AUTH_METHOD)
        #expect(String(cString: ZGSS.zgss_mqtt_auth_method()) == ZGSS_MQTT_AUTH_METHOD)
    }

    @Test func theVersionIsTheHeaders() throws {
        let major = try #require(Self.header["ZGSS_VERSION_MAJOR"])
        let minor = try #require(Self.header["ZGSS_VERSION_MINOR"])
        let patch = try #require(Self.header["ZGSS_VERSION_PATCH"])
        #expect(String(cString: ZGSS.zgss_version()) == "\(major).\(minor).\(patch)")
    }

    @Test func optionNumbersAreTheHeaders() {
        // Imported, not copied; this catches a header line that Swift's
        // importer would read differently from a C compiler.
        #expect(Self.header["ZGSS_EXTERNAL_AUTHZ"] == Int(ZGSS_EXTERNAL_AUTHZ))
        #expect(Self.header["ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE"] == Int(ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE))
        #expect(Int(ZMQ_HAUSNUMERO) + 51 == Int(EFSM) && Int(ZMQ_HAUSNUMERO) + 54 == Int(EMTHREAD))
    }
}

// SPDX-License-Identifier: MIT
// libFuzzer entry for the names a peer controls on the SASL GSSAPI path:
// the krb5 principal text parser (KerberosPrincipal), the mapping of a
// principal to a username (PrincipalMapper: rules, allowlist, control
// characters) and Cyrus's authentication identity (SASLIdentity), checked
// against MIT krb5's own krb5_parse_name and krb5_unparse_name. Built by
// tools/fuzz-principal.sh with `swiftc -sanitize=fuzzer,address` and
// libkrb5 (a SwiftPM target cannot link libFuzzer); not part of the package.
//
// Input: principal text (UTF-8; other bytes are skipped: display names that
// are not UTF-8 are refused before they reach the parser), optionally a NUL
// and mapping rules in Kafka's form to map it with.
import CGSSAPI
#if canImport(Glibc)
import Glibc
#endif

nonisolated(unsafe) private let krb5: krb5_context? = {
    var context: krb5_context? = nil
    return krb5_init_context(&context) == 0 ? context : nil
}()

private func bytes(_ data: krb5_data) -> [UInt8] {
    guard data.length > 0, let pointer = data.data else { return [] }
    return Array(UnsafeRawBufferPointer(start: pointer, count: Int(data.length)))
}

/// MIT's reading of `text`: components and realm as bytes, nil when it
/// refuses, and its own written form when there is a realm.
private func mitParse(_ text: String) -> (components: [[UInt8]], realm: [UInt8], unparsed: [UInt8]?)? {
    var principal: krb5_principal? = nil
    let flags = Int32(KRB5_PRINCIPAL_PARSE_NO_DEF_REALM)
    guard krb5_parse_name_flags(krb5, text, flags, &principal) == 0, let principal else { return nil }
    defer { krb5_free_principal(krb5, principal) }
    let count = Int(principal.pointee.length)
    let components = (0..<count).map { bytes(principal.pointee.data[$0]) }
    let realm = bytes(principal.pointee.realm)
    var unparsed: [UInt8]? = nil
    if !realm.isEmpty {
        var name: UnsafeMutablePointer<CChar>? = nil
        if krb5_unparse_name(krb5, principal, &name) == 0, let name {
            unparsed = Array(UnsafeRawBufferPointer(start: name, count: strlen(name)))
            krb5_free_unparsed_name(krb5, name)
        }
    }
    return (components, realm, unparsed)
}

private func hasControl(_ text: String) -> Bool {
    text.unicodeScalars.contains { $0.properties.generalCategory == .control }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPrincipal(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let split = input.firstIndex(of: 0) ?? input.endIndex
    guard let text = String(validating: input[..<split], as: UTF8.self) else { return 0 }
    let rulesText = split < input.endIndex ? String(validating: input[(split + 1)...], as: UTF8.self) : nil

    // 1. The parser agrees with MIT's, byte for byte; it is stricter only
    //    about empty components and an empty realm.
    let ours = try? KerberosPrincipal(parsing: text)
    let mit = mitParse(text)
    if let ours {
        guard let mit else { fatalError("we accept '\(text)', MIT refuses it") }
        precondition(ours.components.map { Array($0.utf8) } == mit.components, "components differ from MIT's for '\(text)'")
        precondition(Array(ours.realm.utf8) == mit.realm, "realm differs from MIT's for '\(text)'")
        if let unparsed = mit.unparsed {
            precondition(Array(ours.description.utf8) == unparsed, "written form differs from MIT's for '\(text)'")
        }
        // 2. The written form reads back to the same principal.
        precondition((try? KerberosPrincipal(parsing: ours.description)) == ours, "'\(ours)' does not read back")
    } else if let mit {
        let emptyField = mit.components.contains(where: \.isEmpty) || mit.realm.isEmpty
        precondition(emptyField, "we refuse '\(text)', MIT reads it without an empty field")
        if !text.utf8.contains(UInt8(ascii: "@")) {
            precondition(mit.components.contains(where: \.isEmpty), "we refuse the realm-less '\(text)'")
        }
    }

    // 3. Cyrus's identity in the default realm is the quoted name, and it
    //    names that principal and no other.
    if let ours, ours.realm == "EXAMPLE.TEST" {
        let identity = SASLIdentity.authenticationID(principal: text, defaultRealm: "EXAMPLE.TEST")
        precondition(identity == ours.name)
        precondition((try? KerberosPrincipal(parsing: identity + "@EXAMPLE.TEST")) == ours)
    }

    // 4. Mapping: never a username with a control character, never one for
    //    a principal that has one; an allowlist holding the username admits it.
    var ruleSets: [[MappingRule]] = [[], (try? PrincipalMapper.parseRules("DEFAULT")) ?? []]
    if let rulesText, let rules = try? PrincipalMapper.parseRules(rulesText) { ruleSets.append(rules) }
    for rules in ruleSets {
        let mapper = PrincipalMapper(rules: rules, defaultRealm: "EXAMPLE.TEST")
        guard let user = try? mapper.username(for: text, defaultRealm: nil) else { continue }
        guard let ours else { fatalError("'\(text)' mapped to '\(user)' but does not parse") }
        precondition(ours.controlCharacter == nil, "'\(text)' has a control character but mapped to '\(user)'")
        precondition(!hasControl(user), "'\(text)' mapped to a username with a control character")
        let allowing = PrincipalMapper(rules: rules, allowlist: [PrincipalName(user)], defaultRealm: "EXAMPLE.TEST")
        precondition((try? allowing.username(for: text, defaultRealm: nil)) == user)
    }
    return 0
}

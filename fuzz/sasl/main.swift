// SPDX-License-Identifier: MIT
// libFuzzer entry for the pure parts of SASLGSSAPI: the RFC 4752 offer and
// reply octets, Kerberos principal text, and principal-mapping rules (which
// build regular expressions from their input). Built by tools/fuzz-sasl.sh
// with `swiftc -sanitize=fuzzer,address` (a SwiftPM target cannot link
// libFuzzer); not part of the package.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSASL(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let offer = try? SecurityLayerOffer.parse(bytes) {
        precondition(try! SecurityLayerOffer.parse(offer.bytes) == offer)
    }
    if let choice = try? SecurityLayerChoice.parse(bytes) {
        precondition(try! SecurityLayerChoice.parse(choice.bytes) == choice)
    }
    let text = String(decoding: bytes, as: UTF8.self)
    _ = try? KerberosPrincipal(parsing: text)
    _ = try? KerberosPrincipal.parseService(text)
    _ = SASLIdentity.authenticationID(principal: text, defaultRealm: "EXAMPLE.TEST")
    if let rules = try? PrincipalMapper.parseRules(text) {
        let mapper = PrincipalMapper(rules: rules, defaultRealm: "EXAMPLE.TEST")
        for principal in ["alice@EXAMPLE.TEST", "mqtt/host@EXAMPLE.TEST", "bob@OTHER.TEST"] {
            _ = try? mapper.username(for: principal, defaultRealm: nil)
        }
    }
    return 0
}

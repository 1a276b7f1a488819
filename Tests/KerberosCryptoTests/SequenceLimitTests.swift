// SPDX-License-Identifier: MIT
import Testing
@testable import KerberosCrypto

/// RFC 4121 sequence numbers are 64 bits and never wrap. Past UInt64.max
/// a wrapping counter would send number 0 again (a peer that still holds
/// old tokens could pass them off as new) and would accept every number
/// again. No KDC needed: both ends share a fixed key.
@Suite struct SequenceLimitTests {
    static let key = (0..<32).map { UInt8($0 &* 5 &+ 9) }

    static func codec(initiator: Bool, send: UInt64, receive: UInt64) throws -> WrapTokenCodec {
        var keys = SessionKeys(enctype: .aes256CtsHmacSha1, key: key, isInitiator: initiator, acceptorSubkey: true,
                               sendSequence: send, receiveSequence: receive, endTime: 0)
        return try WrapTokenCodec(keys: &keys)
    }

    static func sequence(_ token: [UInt8]) -> UInt64 {
        token[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    @Test func sendingStopsAfterTheLastNumber() throws {
        let client = try Self.codec(initiator: true, send: .max - 1, receive: 0)
        let server = try Self.codec(initiator: false, send: 0, receive: .max - 1)
        let last = [try GarbageTokenTests.seal(client, [1]), try GarbageTokenTests.seal(client, [2])]
        #expect(last.map(Self.sequence) == [.max - 1, .max])
        #expect(throws: KerberosCryptoError.self, "a third token would reuse a number") {
            _ = try GarbageTokenTests.seal(client, [3])
        }
        #expect(GarbageTokenTests.opens(server, last[0]) == [1])
        #expect(GarbageTokenTests.opens(server, last[1]) == [2])
        #expect(GarbageTokenTests.opens(server, last[1]) == nil, "the token with UInt64.max, replayed")
        #expect(GarbageTokenTests.opens(server, last[0]) == nil, "an older token, replayed")
    }

    @Test func nothingOpensAfterTheLastNumber() throws {
        let server = try Self.codec(initiator: false, send: 0, receive: .max)
        let newest = try GarbageTokenTests.seal(try Self.codec(initiator: true, send: .max, receive: 0), [7])
        let old = try GarbageTokenTests.seal(try Self.codec(initiator: true, send: 5, receive: 0), [8])
        #expect(GarbageTokenTests.opens(server, newest) == [7])
        #expect(GarbageTokenTests.opens(server, old) == nil, "sequence 5 after UInt64.max")
    }
}

/// Key material is overwritten when released, and derivation still gives
/// the published keys (RFC 3961 DK for 17/18 from MIT's t_derive.c, RFC
/// 8009 appendix A for 19/20; key usage 2).
@Suite struct KeyMaterialTests {
    static func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            out.append(UInt8(hex[index..<next], radix: 16) ?? 0)
            index = next
        }
        return out
    }

    static let vectors: [(Enctype, base: String, ke: String, ki: String)] = [
        (.aes128CtsHmacSha1, "42263C6E89F4FC28B8DF68EE09799F15",
         "5B14FC4E250E14DDF9DCCF1AF6674F53", "4ED31063621684F09AE8D89991AF3E8F"),
        (.aes256CtsHmacSha1, "FE697B52BC0D3CE14432BA036A92E65BBB52280990A2FA27883998D72AF30161",
         "C7CFD9CD75FE793A586A542D87E0D1396F1134A104BB1A9190B8C90ADA3DDF37",
         "97151B4C76945063E2EB0529DC067D97D7BBA90776D8126D91F34F3101AEA8BA"),
        (.aes128CtsHmacSha256, "3705D96080C17728A0E800EAB6E0D23C",
         "9B197DD1E8C5609D6E67C3E37C62C72E", "9FDA0E56AB2D85E1569A688696C26A6C"),
        (.aes256CtsHmacSha384, "6D404D37FAF79F9DF0D33568D320669800EB4836472EA8A026D16B7182460C52",
         "56AB22BEE63D82D7BC5227F6773F8EA7A5EB1C825160C38312980C442E5C7E49",
         "69B16514E3CD8E56B82010D5C73012B622C4D00FFC23ED1F"),
    ]

    @Test(arguments: 0..<4)
    func derivedKeysMatchThePublishedOnesAndAreWiped(index: Int) throws {
        let vector = Self.vectors[index]
        var keys = try DerivedKeys(base: Self.bytes(vector.base), enctype: vector.0, usage: 2)
        #expect(keys.encryption == Self.bytes(vector.ke))
        #expect(keys.integrity == Self.bytes(vector.ki))
        keys.wipe()
        #expect(keys.encryption.count == vector.0.keyCount && keys.encryption.allSatisfy { $0 == 0 })
        #expect(keys.integrity.count == vector.0.integrityKeyCount && keys.integrity.allSatisfy { $0 == 0 })
    }

    @Test func secretWipeOverwritesAnArrayInPlace() {
        var bytes: [UInt8] = Array(1...40)
        let before = bytes.withUnsafeBytes { $0.baseAddress }
        Secret.wipe(&bytes)
        #expect(bytes == [UInt8](repeating: 0, count: 40))
        #expect(bytes.withUnsafeBytes { $0.baseAddress } == before, "the same storage, not a copy")
    }

    @Test(arguments: Enctype.allCases)
    func hmacStatesAreWiped(enctype: Enctype) throws {
        let mac = try HMACKey(key: [UInt8](repeating: 0x42, count: 16), for: enctype)
        #expect(!mac.isWiped)
        mac.wipe()
        #expect(mac.isWiped)
    }

    /// The codec takes the session key and overwrites the caller's copy,
    /// also when it refuses the keys.
    @Test func sessionKeyIsWipedEvenWhenRefused() {
        var keys = SessionKeys(enctype: .aes256CtsHmacSha1, key: [UInt8](repeating: 7, count: 31), isInitiator: true,
                               acceptorSubkey: false, sendSequence: 0, receiveSequence: 0, endTime: 0)
        #expect(throws: KerberosCryptoError.self) { _ = try WrapTokenCodec(keys: &keys) }
        #expect(keys.key.count == 31 && keys.key.allSatisfy { $0 == 0 })
    }
}

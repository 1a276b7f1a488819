// SPDX-License-Identifier: MIT
import Testing
import TestSupport
@testable import KerberosCrypto

/// Bad input never crashes the codec and never opens: random bytes,
/// every single-bit flip of a valid token, every truncation. No KDC
/// needed: both ends are keyed with the same fixed key.
@Suite struct GarbageTokenTests {
    static func pair(_ enctype: Enctype) throws -> (client: WrapTokenCodec, server: WrapTokenCodec) {
        let key = (0..<enctype.keyCount).map { UInt8($0 &* 7 &+ 1) }
        var clientKeys = SessionKeys(enctype: enctype, key: key, isInitiator: true, acceptorSubkey: true,
                                     sendSequence: 1000, receiveSequence: 5000, endTime: 0)
        var serverKeys = SessionKeys(enctype: enctype, key: key, isInitiator: false, acceptorSubkey: true,
                                     sendSequence: 5000, receiveSequence: 1000, endTime: 0)
        return (try WrapTokenCodec(keys: &clientKeys), try WrapTokenCodec(keys: &serverKeys))
    }

    static func seal(_ codec: WrapTokenCodec, _ data: [UInt8]) throws -> [UInt8] {
        var token = [UInt8](repeating: 0, count: codec.tokenCount(dataCount: data.count))
        token.replaceSubrange(WrapTokenCodec.dataOffset..<(WrapTokenCodec.dataOffset + data.count), with: data)
        try token.withUnsafeMutableBytes { try codec.seal($0) }
        return token
    }

    static func opens(_ codec: WrapTokenCodec, _ token: [UInt8]) -> [UInt8]? {
        var copy = token
        return copy.withUnsafeMutableBytes { raw in (try? codec.open(raw)).map { Array(raw[$0]) } }
    }

    @Test(arguments: Enctype.allCases)
    func everyBitFlipAndTruncationIsRefused(enctype: Enctype) throws {
        let (client, server) = try Self.pair(enctype)
        let token = try Self.seal(client, Array("flip me".utf8))
        for index in token.indices {
            for bit in 0..<8 {
                var bad = token
                bad[index] ^= UInt8(1 << bit)
                // RRC (bytes 6-7) only rotates: a flipped RRC must still fail the MAC.
                #expect(Self.opens(server, bad) == nil, "byte \(index) bit \(bit)")
            }
        }
        for count in 0..<token.count {
            #expect(Self.opens(server, Array(token.prefix(count))) == nil, "truncated to \(count)")
        }
        #expect(Self.opens(server, token) == Array("flip me".utf8))
    }

    @Test(arguments: Enctype.allCases)
    func randomBytesAreRefused(enctype: Enctype) throws {
        let (_, server) = try Self.pair(enctype)
        var rng = SeededGenerator(seed: 0x9E37_79B9_7F4A_7C15)
        for count in [0, 1, 15, 16, 17, 59, 60, 61, 64, 100, 1000] {
            for attempt in 0..<20 {
                var garbage = (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
                // Half of them get a plausible header, to reach the crypto.
                if attempt % 2 == 0 && count >= 16 { garbage.replaceSubrange(0..<4, with: [0x05, 0x04, 0x06, 0xFF]) }
                #expect(Self.opens(server, garbage) == nil)
            }
        }
    }

    @Test func sequencesContinueFromTheHandshake() throws {
        let (client, server) = try Self.pair(.aes256CtsHmacSha1)
        let first = try Self.seal(client, [1])
        #expect(first[8..<16].elementsEqual([0, 0, 0, 0, 0, 0, 0x03, 0xE8]), "SND_SEQ 1000")
        #expect(Self.opens(server, first) == [1])
        let reply = try Self.seal(server, [2])
        #expect(reply[2] == 0x07, "flags: sent by acceptor, sealed, acceptor subkey")
        #expect(Self.opens(client, reply) == [2])
    }
}

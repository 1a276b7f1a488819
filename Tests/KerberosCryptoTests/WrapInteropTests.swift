// SPDX-License-Identifier: MIT
#if canImport(Glibc)
import Glibc
#endif
import Testing
import TestRealm
import GSSKit
@testable import KerberosCrypto

/// KerberosCrypto's wrap tokens against MIT's gss_wrap / gss_unwrap, for
/// every enctype it implements: one side of a real context (test realm) is
/// exported to a WrapTokenCodec, the other stays with MIT.
@Suite(.serialized) struct WrapInteropTests {
    /// An established initiator/acceptor pair whose session key has `enctype`.
    static func contextPair(_ enctype: Enctype) throws -> (initiator: GSSSecurityContext, acceptor: GSSSecurityContext) {
        _ = try TestRealm.shared()
        let credential = try GSSCredential(name: nil, usage: .initiate)
        try credential.restrictEnctypes(to: [enctype.rawValue])
        let initiator = GSSSecurityContext(initiatorWith: credential,
                                           target: try GSSName("zmq@localhost", type: .hostbasedService))
        let acceptor = GSSSecurityContext(acceptorWith: nil)
        var token = try initiator.step(nil).token
        for _ in 0..<4 where !(initiator.isEstablished && acceptor.isEstablished) {
            let reply = try acceptor.step(token[...])
            if !reply.token.isEmpty { token = try initiator.step(reply.token[...]).token }
        }
        #expect(initiator.isEstablished && acceptor.isEstablished)
        return (initiator, acceptor)
    }

    static let sizes = [0, 1, 14, 15, 16, 17, 31, 32, 33, 100, 1000, 4096, 65_537]

    static func payload(_ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) } }

    /// Seals `data` with the codec into a fresh token.
    static func seal(_ codec: WrapTokenCodec, _ data: [UInt8]) throws -> [UInt8] {
        var token = [UInt8](repeating: 0, count: codec.tokenCount(dataCount: data.count))
        token.replaceSubrange(WrapTokenCodec.dataOffset..<(WrapTokenCodec.dataOffset + data.count), with: data)
        try token.withUnsafeMutableBytes { try codec.seal($0) }
        return token
    }

    static func open(_ codec: WrapTokenCodec, _ token: [UInt8]) throws -> [UInt8] {
        var copy = token
        return try copy.withUnsafeMutableBytes { raw in
            let range = try codec.open(raw)
            return Array(raw[range])
        }
    }

    static func mitWrap(_ context: GSSSecurityContext, flags: UInt8, _ body: [UInt8]) throws -> [UInt8] {
        try body.withUnsafeBytes { try context.wrap(prefixCount: 0, flags: flags, payload: $0) }
    }

    static func mitUnwrap(_ context: GSSSecurityContext, _ token: [UInt8]) throws -> [UInt8] {
        try context.unwrap(token) { data, confidential in
            #expect(confidential)
            return Array(data)
        }
    }

    @Test(.tags(.kerberos), .needsRealm, arguments: Enctype.allCases, [true, false])
    func crossesMIT(enctype: Enctype, exportInitiator: Bool) throws {
        let (initiator, acceptor) = try Self.contextPair(enctype)
        let (exported, mit) = exportInitiator ? (initiator, acceptor) : (acceptor, initiator)
        #expect(exported.messageEnctype() == enctype)
        #expect(mit.messageEnctype() == enctype)
        // A few MIT tokens before the switch, as the ZMTP handshake's READY.
        let early = try Self.mitWrap(exported, flags: 0, [1, 2, 3])
        #expect(try Self.mitUnwrap(mit, early) == [0, 1, 2, 3])
        var keys = try exported.exportSessionKeys()
        #expect(keys.isInitiator == exportInitiator)
        let codec = try WrapTokenCodec(keys: &keys)
        #expect(keys.key.allSatisfy { $0 == 0 }, "the caller's key copy is wiped")
        #expect(throws: (any Error).self) { try Self.mitWrap(exported, flags: 0, []) }
        for size in Self.sizes {
            let data = Self.payload(size)
            let ours = try Self.seal(codec, data)
            #expect(try Self.mitUnwrap(mit, ours) == data, "MIT opens our \(size)-byte token")
            let theirs = try Self.mitWrap(mit, flags: 0x01, data)
            #expect(try Self.open(codec, theirs) == [0x01] + data, "we open MIT's \(size)-byte token")
        }
    }

    /// The exported side unwrapped `unwrapped` MIT tokens from its peer
    /// before the switch (ZMTP: the peer's READY). None of them opens
    /// again; the peer's next token does.
    @Test(.tags(.kerberos), .needsRealm, arguments: [true, false], [1, 3])
    func exportStartsAfterTheTokensMITUnwrapped(exportInitiator: Bool, unwrapped: Int) throws {
        let (initiator, acceptor) = try Self.contextPair(.aes256CtsHmacSha1)
        let (exported, mit) = exportInitiator ? (initiator, acceptor) : (acceptor, initiator)
        let early = try (0..<unwrapped).map { try Self.mitWrap(mit, flags: 0, [UInt8($0)]) }
        for (index, token) in early.enumerated() { #expect(try Self.mitUnwrap(exported, token) == [0, UInt8(index)]) }
        var keys = try exported.exportSessionKeys()
        let codec = try WrapTokenCodec(keys: &keys)
        for token in early {
            #expect(throws: KerberosCryptoError.self, "a token MIT already accepted") { try Self.open(codec, token) }
        }
        let next = try Self.mitWrap(mit, flags: 0x01, [7])
        #expect(try Self.open(codec, next) == [0x01, 7])
    }

    @Test(.tags(.kerberos), .needsRealm, arguments: Enctype.allCases)
    func refusesTamperedReplayedAndReflectedTokens(enctype: Enctype) throws {
        let (initiator, acceptor) = try Self.contextPair(enctype)
        var initiatorKeys = try initiator.exportSessionKeys()
        var acceptorKeys = try acceptor.exportSessionKeys()
        let client = try WrapTokenCodec(keys: &initiatorKeys)
        let server = try WrapTokenCodec(keys: &acceptorKeys)
        let token = try Self.seal(client, Self.payload(50))
        for index in [2, 9, 20, 40, token.count - 1] {
            var bad = token
            bad[index] ^= 0x40
            #expect(throws: KerberosCryptoError.self, "byte \(index) altered") { try Self.open(server, bad) }
        }
        #expect(try Self.open(server, token) == Self.payload(50))
        #expect(throws: KerberosCryptoError.self, "replay") { try Self.open(server, token) }
        // A token bounced back to its sender carries the wrong direction flag.
        let reply = try Self.seal(server, [9])
        #expect(throws: KerberosCryptoError.self, "reflection") { try Self.open(server, reply) }
        #expect(try Self.open(client, reply) == [9])
        #expect(throws: KerberosCryptoError.self, "truncated") { try Self.open(client, Array(reply.prefix(40))) }
    }

    /// MIT's krb5 crypto counts bytes in 32-bit unsigned ints and cuts a
    /// longer buffer short (the uncut rest would leave in the clear): zgss
    /// refuses such buffers before MIT sees them. The input is an untouched
    /// anonymous mapping, so no memory stands behind its 4 GiB.
    @Test(.tags(.kerberos), .needsRealm) func mitPathRefusesBuffersPast4GiB() throws {
        let (initiator, acceptor) = try Self.contextPair(.aes256CtsHmacSha1)
        let count = (1 << 32) + 16
        let region = mmap(nil, count, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
        try #require(region != MAP_FAILED)
        defer { munmap(region, count) }
        let huge = UnsafeRawBufferPointer(start: region, count: count)
        #expect(throws: GSSError.self) { try initiator.wrap(prefixCount: 0, flags: 0, payload: huge) }
        #expect(throws: GSSError.self) { try initiator.wrap(huge, confidential: true) }
        #expect(throws: GSSError.self) { try acceptor.unwrap(huge) }
        let token = try Self.mitWrap(initiator, flags: 0, [1])
        #expect(try Self.mitUnwrap(acceptor, token) == [0, 1], "the contexts still work")
    }

    @Test func undoesRRCRotation() {
        var bytes: [UInt8] = Array(0..<40)
        bytes.withUnsafeMutableBytes { WrapTokenCodec.rotateLeft($0, by: 28) }
        #expect(bytes == Array(28..<40) + Array(0..<28))
    }
}

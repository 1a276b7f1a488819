// SPDX-License-Identifier: MIT
import Glibc
import Testing
import ZMTPCodec
@testable import ZMTPTransport

/// The per-connection properties zmq_msg_gets reads: exact (case-sensitive)
/// names as libzmq's std::map, the first of duplicate names kept, values as
/// NUL-terminated C strings, and libzmq's one alias ("Identity" falls back
/// to "Routing-Id", not the other way round).
@Suite struct MessageMetadataTests {
    private func text(_ pointer: UnsafePointer<CChar>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    @Test func namesAreExactAndCaseSensitive() {
        let metadata = MessageMetadata([(name: "Socket-Type", value: Array("DEALER".utf8))])
        #expect(text(metadata.value(named: "Socket-Type")) == "DEALER")
        #expect(metadata.value(named: "socket-type") == nil)
        #expect(metadata.value(named: "Socket-Typ") == nil)
        #expect(metadata.value(named: "Socket-Type2") == nil)
        #expect(metadata.value(named: "") == nil)
    }

    @Test func firstOfDuplicateNamesWins() {
        let metadata = MessageMetadata([(name: "X-A", value: Array("one".utf8)),
                                        (name: "X-A", value: Array("two".utf8))])
        #expect(text(metadata.value(named: "X-A")) == "one")
        #expect(metadata.names == ["X-A"])
    }

    @Test func valuesAreNulTerminatedAndEmptyValuesExist() {
        let metadata = MessageMetadata([(name: "Identity", value: []),
                                        (name: "X-Bin", value: [0x41, 0x00, 0x42])])
        #expect(text(metadata.value(named: "Identity")) == "")
        // A value with a NUL reads as a C string: up to the NUL (libzmq's
        // c_str() does the same).
        #expect(text(metadata.value(named: "X-Bin")) == "A")
    }

    @Test func identityFallsBackToRoutingIdOnly() {
        let routing = MessageMetadata([(name: "Routing-Id", value: Array("r1".utf8))])
        #expect(text(routing.value(named: "Identity")) == "r1")
        let identity = MessageMetadata([(name: "Identity", value: Array("i1".utf8))])
        #expect(identity.value(named: "Routing-Id") == nil)
    }

    @Test func connectionPropertiesFollowThePeersOwn() {
        let peer = Metadata([.init(name: "Socket-Type", value: Array("REQ".utf8)),
                             .init(name: "Identity", value: [])])
        let server = MessageMetadata.forConnection(peer: peer, peerAddress: "127.0.0.1", fd: 42,
                                                   userId: "alice@EXAMPLE.TEST")
        #expect(server.names == ["Peer-Address", "__fd", "User-Id", "Socket-Type", "Identity"])
        #expect(text(server.value(named: "__fd")) == "42")
        #expect(text(server.value(named: "User-Id")) == "alice@EXAMPLE.TEST")
        let client = MessageMetadata.forConnection(peer: peer, peerAddress: nil, fd: 7, userId: nil)
        #expect(client.value(named: "User-Id") == nil)
        #expect(client.value(named: "Peer-Address") == nil)
    }
}

/// A peer's READY metadata cannot forge the properties the library itself
/// vouches for: "User-Id" (the authenticated principal), "Peer-Address"
/// and "__fd" (ZMQ_SRCFD). libzmq keeps its own Peer-Address and __fd the
/// same way (they go into its map first); it would show a peer's "User-Id"
/// when no ZAP handler named one, which zgss never does.
@Suite struct MessageMetadataForgeryTests {
    private func text(_ pointer: UnsafePointer<CChar>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    private let forged = Metadata([.init(name: "Socket-Type", value: Array("DEALER".utf8)),
                                   .init(name: "User-Id", value: Array("admin@EXAMPLE.TEST".utf8)),
                                   .init(name: "Peer-Address", value: Array("10.9.9.9".utf8)),
                                   .init(name: "__fd", value: Array("0".utf8))])

    @Test func aPeerCannotForgeUserIdOnAGSSAPIServer() {
        let metadata = MessageMetadata.forConnection(peer: forged, peerAddress: "127.0.0.1", fd: 42,
                                                     userId: "alice@EXAMPLE.TEST")
        #expect(text(metadata.value(named: "User-Id")) == "alice@EXAMPLE.TEST")
        #expect(text(metadata.value(named: "Peer-Address")) == "127.0.0.1")
        #expect(text(metadata.value(named: "__fd")) == "42")
        #expect(text(metadata.value(named: "Socket-Type")) == "DEALER")
    }

    @Test func aPeerCannotSupplyUserIdWhereNoneWasAuthenticated() {
        let metadata = MessageMetadata.forConnection(peer: forged, peerAddress: nil, fd: 42, userId: nil)
        #expect(metadata.value(named: "User-Id") == nil)
        // Without a known address the peer's claim is not shown either.
        #expect(metadata.value(named: "Peer-Address") == nil)
        #expect(text(metadata.value(named: "__fd")) == "42")
    }
}

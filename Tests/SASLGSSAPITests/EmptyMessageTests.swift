// SPDX-License-Identifier: MIT
import Testing
import TestRealm
import CGSSAPI
@testable import GSSKit
@testable import SASLGSSAPI
#if canImport(Glibc)
import Glibc
#endif

/// Found by fuzz/stack/sasl_machine.swift (LeakSanitizer): MIT's unwrap of
/// an integrity-only token holding an empty message hands out malloc(0),
/// and MIT's gss_release_buffer frees only buffers with a non-zero length,
/// so every empty message a peer sent leaked one allocation.
@Suite("Empty GSS output buffers", .tags(.kerberos), .needsRealm)
struct EmptyMessageTests {
    @Test func anEmptyOutputBufferIsFreed() {
        var buffer = gss_buffer_desc(length: 0, value: malloc(1))
        #expect(GSSBuffers.take(&buffer).isEmpty)
        #expect(buffer.value == nil, "the zero-length allocation was not released")
        buffer = gss_buffer_desc(length: 0, value: malloc(1))
        #expect(GSSBuffers.takeWiping(&buffer).isEmpty)
        #expect(buffer.value == nil, "the zero-length allocation was not released")
    }

    @Test func emptyMessagesCrossTheIntegrityLayer() throws {
        var client = clientConfiguration()
        client.acceptableLayers = .integrity
        var pair = try SASLPair(client: client)
        let outcome = try pair.run()
        #expect(outcome.layer == .integrity)
        for _ in 0..<3 {
            #expect(try pair.server.decode(try pair.client.encode([])) == [])
            #expect(try pair.client.unwrap(try pair.server.wrap([])) == [])
        }
    }
}

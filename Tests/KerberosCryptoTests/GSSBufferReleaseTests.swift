// SPDX-License-Identifier: MIT
internal import CGSSAPI
import Testing
import TestRealm
@testable import GSSKit
@testable import KerberosCrypto

/// Output buffers from MIT come back to MIT to be freed. MIT 1.20's
/// gss_unwrap hands back an empty message sent without confidentiality as
/// a malloc(0) pointer of length 0, and its gss_release_buffer frees a
/// buffer only when the length is non-zero: every such token from a peer
/// (a SASL integrity layer unwraps one per message) used to leak a chunk.
@Suite(.serialized, .tags(.kerberos), .needsRealm) struct GSSBufferReleaseTests {
    @Test func emptyMessageWithoutConfidentialityIsFreed() throws {
        let (initiator, acceptor) = try WrapInteropTests.contextPair(.aes256CtsHmacSha1)
        let token = try initiator.wrap([], confidential: false)
        var minor: OM_uint32 = 0
        var output = gss_buffer_desc()
        var confidential: Int32 = 1
        let major = GSSBuffers.withInput(token) { input in
            gss_unwrap(&minor, acceptor.handle, &input, &output, &confidential, nil)
        }
        #expect(major == cgss_s_complete() && confidential == 0)
        // The premise: MIT allocated although there is nothing to hold.
        #expect(output.length == 0 && output.value != nil, "MIT returned length \(output.length), value \(String(describing: output.value))")
        #expect(GSSBuffers.takeWiping(&output).isEmpty)
        #expect(output.value == nil, "the zero-length allocation was not freed")
    }

    /// The same through the public API: an empty message round-trips.
    @Test func emptyMessageRoundTrips() throws {
        let (initiator, acceptor) = try WrapInteropTests.contextPair(.aes256CtsHmacSha1)
        for confidential in [false, true] {
            let opened = try acceptor.unwrap(try initiator.wrap([], confidential: confidential))
            #expect(opened.message.isEmpty && opened.wasConfidential == confidential)
        }
    }
}

// SPDX-License-Identifier: MIT
import Testing
import TestRealm
import GSSKit
@testable import SASLGSSAPI

/// Found by fuzz/stack/sasl_machine.swift: encode/wrap checked the peer's
/// maximum buffer only after gss_wrap had used up a sequence number, so
/// after one refused (oversized) message the peer saw a gap and refused the
/// next genuine one ("An expected per-message token was not received"),
/// although zgss.h promises that the session goes on.
@Suite("Security layer size limits", .tags(.kerberos), .needsRealm)
struct SizeLimitTests {
    @Test(arguments: [SASLSecurityLayers.integrity, .confidentiality])
    func anOversizedMessageLeavesTheSessionUsable(layers: SASLSecurityLayers) throws {
        var server = serverConfiguration(layers: layers)
        server.maxReceiveBuffer = 200
        var pair = try SASLPair(client: clientConfiguration(layers: layers), server: server)
        _ = try pair.run()
        var accepted = 0
        var refused = 0
        for size in stride(from: 100, through: 260, by: 4) {
            let message = [UInt8](repeating: UInt8(size & 0xff), count: size)
            for useWrap in [false, true] {
                let sent: Result<[UInt8], SASLError> = useWrap ? Result { () throws(SASLError) in try pair.client.wrap(message) }
                                                                : Result { () throws(SASLError) in try pair.client.encode(message) }
                switch sent {
                case .success(let out):
                    accepted += 1
                    #expect(out.count <= (useWrap ? 200 : 204))
                    #expect(try (useWrap ? pair.server.unwrap(out) : pair.server.decode(out)) == message)
                case .failure(let error):
                    refused += 1
                    #expect(error.code == .invalidArgument)
                    #expect(pair.client.state == .complete)
                    // The session goes on: the next message still opens.
                    #expect(try pair.server.decode(try pair.client.encode([1, 2, 3])) == [1, 2, 3])
                }
            }
        }
        #expect(accepted > 0 && refused > 0)
    }
}

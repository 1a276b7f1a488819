// SPDX-License-Identifier: MIT
import CZGSSHeader
import Glibc
import Testing
import ZMTPCodec
@testable import ZMTPTransport

/// A peer that refuses the handshake with a ZMTP ERROR will not change its
/// mind in 100 ms: the client says why and waits the longest backoff
/// before it tries again, instead of reconnecting in a loop. NULL security
/// over TCP loopback; the refusing server is a raw listener that answers
/// every connection with its greeting and ERROR "400" (what a libzmq NULL
/// server sends when its ZAP handler denies).
@Suite struct RefusalBackoffTests {

    @Test func refusedClientWaitsBeforeReconnecting() throws {
        let listener = try RawListener()
        defer { listener.close() }
        let context = ZContext()
        let push = try context.socket(type: ZMQ_PUSH)
        defer {
            push.close()
            context.terminate()
        }
        try push.connect("tcp://127.0.0.1:\(listener.port)")

        // 2.5 s: with the handshake-failure backoff alone (100, 200, 400,
        // 800 ms, ...) the client would connect five times.
        var refused = ErrorCommand.encode(reason: Array("400".utf8))
        refused = Greeting(mechanism: "NULL", asServer: true).encoded() + Frame(body: refused, isCommand: true).encoded()
        let connections = listener.answerEveryConnection(with: refused, forMilliseconds: 2500)
        #expect(connections == 1, "the refused client connected \(connections) times in 2.5 s")
        guard case .string(let reason) = try push.option(1004) else { return }
        #expect(reason.contains("refused the handshake") && reason.contains("\"400\""), "ZGSS_LAST_ERROR: \(reason)")
    }
}

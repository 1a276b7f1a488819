// SPDX-License-Identifier: MIT
import Testing
import ZMTPCodec
@testable import ZMTPTransport

/// What the I/O thread routes the outbox into: `Dispatch`'s batches, and a
/// batch encoded on a connection (the peer decodes every message, in
/// order).
@Suite("Routed batches")
struct RoutedBatchTests {
    private func make(_ type: SocketType, id: UInt64 = 1) -> Connection {
        Connection(id: id, fd: -1, targetIndex: nil, peerText: "test", socketType: type, security: .null,
                   routingId: [], handshakeDeadline: nil)
    }

    @Test func eachConnectionsMessagesShareOneBatchInOrder() {
        let a = make(.push, id: 1)
        let b = make(.push, id: 2)
        var dispatch = Dispatch()
        #expect(dispatch.isEmpty)
        dispatch.append([[1]], to: a)
        dispatch.append([[2]], to: a)
        dispatch.append([[3]], to: b)
        dispatch.append([[4], [5]], to: a)
        dispatch.append([[6]], to: b)
        #expect(dispatch.messageCount == 5 && !dispatch.isEmpty)
        #expect(dispatch.batches.map { $0.connection.id } == [1, 2])
        #expect(dispatch.batches.map { $0.messages } == [
            [[[1]], [[2]], [[4], [5]]],
            [[[3]], [[6]]],
        ])
        // The next dispatch starts its own batches for the same
        // connections (their kept indices belong to the one before).
        var next = Dispatch()
        next.append([[7]], to: b)
        next.append([[8]], to: a)
        next.append([[9]], to: b)
        #expect(next.batches.map { $0.connection.id } == [2, 1])
        #expect(next.batches.map { $0.messages } == [[[[7]], [[9]]], [[[8]]]])
    }

    @Test func aRoutedBatchArrivesWholeAndInOrder() throws {
        let push = make(.push)
        let pull = make(.pull)
        for _ in 0..<4 {
            let fromPush = push.takeOutput()
            let fromPull = pull.takeOutput()
            if fromPush.isEmpty && fromPull.isEmpty { break }
            _ = try pull.receive(fromPush[...])
            _ = try push.receive(fromPull[...])
        }
        #expect(push.isReady && pull.isReady)
        let big = [UInt8](repeating: 9, count: 300)
        let batch: [[[UInt8]]] = [[[0]], [[1], [], big], [[]], [big]]
        for _ in batch { push.noteRouted() }
        try push.send(routed: batch)
        let events = try pull.receive(push.takeOutput()[...])
        let received: [[[UInt8]]] = events.compactMap { if case .message(let parts) = $0 { parts.array } else { nil } }
        #expect(received == [[[0]], [[1], [], big], [[]], [big]])
        // Every routed message was counted out again: a direct send may go.
        #expect(push.admitsDirect(backlogLimit: 1 << 20))
    }
}

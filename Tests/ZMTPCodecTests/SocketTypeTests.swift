// SPDX-License-Identifier: MIT
// Socket types: zmq.h numbers, ZMTP names, and libzmq 4.3.4's
// mechanism_t::check_socket_type table.
import Testing
@testable import ZMTPCodec

@Suite struct SocketTypeTests {
    /// Written out independently of the code: (local, peer) pairs libzmq
    /// 4.3.4 accepts. Everything else must be refused.
    static let compatible: Set<String> = [
        "REQ-REP", "REQ-ROUTER",
        "REP-REQ", "REP-DEALER",
        "DEALER-REP", "DEALER-DEALER", "DEALER-ROUTER",
        "ROUTER-REQ", "ROUTER-DEALER", "ROUTER-ROUTER",
        "PUSH-PULL", "PULL-PUSH",
        "PUB-SUB", "PUB-XSUB", "XPUB-SUB", "XPUB-XSUB",
        "SUB-PUB", "SUB-XPUB", "XSUB-PUB", "XSUB-XPUB",
        "PAIR-PAIR",
    ]

    @Test func compatibilityTableIsExhaustivelyRight() {
        var accepted = 0
        for local in SocketType.allCases {
            for peer in SocketType.allCases {
                let expected = Self.compatible.contains("\(local.name)-\(peer.name)")
                #expect(local.accepts(peer) == expected, "\(local.name) with peer \(peer.name)")
                if local.accepts(peer) { accepted += 1 }
            }
        }
        #expect(accepted == Self.compatible.count)
    }

    @Test func tableIsSymmetric() {
        for local in SocketType.allCases {
            for peer in SocketType.allCases {
                #expect(local.accepts(peer) == peer.accepts(local), "\(local.name)/\(peer.name)")
            }
        }
    }

    @Test func numbersMatchZmqH() {
        let expected: [(SocketType, Int32)] = [(.pair, 0), (.pub, 1), (.sub, 2), (.req, 3), (.rep, 4), (.dealer, 5),
                                               (.router, 6), (.pull, 7), (.push, 8), (.xpub, 9), (.xsub, 10)]
        for (type, number) in expected { #expect(type.rawValue == number) }
        #expect(SocketType.allCases.count == 11)
        #expect(SocketType(rawValue: 11) == nil)  // no draft types
    }

    @Test func namesRoundTrip() {
        for type in SocketType.allCases {
            #expect(SocketType(name: Array(type.name.utf8)) == type)
            #expect(SocketType(name: Array(type.name.utf8)[...]) == type)
        }
    }

    @Test(arguments: ["req", "Req", "REQ ", "REQ\0", "", "SERVER", "CLIENT", "RADIO", "DISH", "STREAM", "REQREP"])
    func unknownNamesAreRefused(name: String) {
        // libzmq compares with memcmp and the exact length.
        #expect(SocketType(name: Array(name.utf8)) == nil)
    }

    @Test func sendsIdentityOnlyFromReqDealerRouter() {
        for type in SocketType.allCases {
            #expect(type.sendsIdentity == [.req, .dealer, .router].contains(type), "\(type.name)")
        }
    }
}

// SPDX-License-Identifier: MIT
import Foundation
import Testing
import TestRealm
import ZMTPCodec
@testable import GSSKit
@testable import ZMTPGSSAPI

/// A client's handshake on libkrb5 directly (DirectInitiator) against
/// servers on MIT's GSS-API: the route is taken where it should be, it
/// gives the same tokens, names and keys as MIT's gss_init_sec_context, and
/// it refuses every reply that is not the server's AP-REP for its AP-REQ.
@Suite("Client handshake on libkrb5 directly")
struct DirectRouteTests {
    /// Client and server configurations whose client cache already holds
    /// the service ticket: the direct route takes tickets from the cache
    /// only, so a configuration's first handshake goes MIT's way (and
    /// fetches the ticket), as this warm-up checks.
    private static func warmConfigurations(_ sides: Sides = Sides()) throws
        -> (client: SecurityConfiguration, server: SecurityConfiguration) {
        _ = try TestRealm.shared()
        let client = SecurityConfiguration(options: sides.client)
        let server = SecurityConfiguration(options: sides.server)
        let first = MechanismPair(client: GSSAPIMechanism(configuration: client, socketType: .req),
                                  server: GSSAPIMechanism(configuration: server, socketType: .rep))
        try first.run()
        #expect(first.client.status == .ready)
        return (client, server)
    }

    /// A pair on warm configurations.
    private static func pair(_ configurations: (client: SecurityConfiguration, server: SecurityConfiguration),
                             mitServer: Bool = false) -> MechanismPair {
        let pair = MechanismPair(client: GSSAPIMechanism(configuration: configurations.client, socketType: .req),
                                 server: GSSAPIMechanism(configuration: configurations.server, socketType: .rep))
        if mitServer { pair.server.nativeMessageProtection = false }
        return pair
    }

    /// A pair whose client takes the direct route (or, with `direct`
    /// false, MIT's path), run to the end.
    private static func readyPair(direct: Bool = true, mitServer: Bool = false,
                                  sides: Sides = Sides()) throws -> MechanismPair {
        let pair = Self.pair(try warmConfigurations(sides), mitServer: mitServer)
        pair.client.directHandshake = direct
        try pair.run()
        #expect(pair.client.status == .ready)
        #expect(pair.server.status == .ready)
        #expect(pair.client.tookDirectRoute == direct)
        return pair
    }

    /// The client's INITIATE token and the server's, from a transcript.
    private static func tokens(_ pair: MechanismPair) throws -> (request: [UInt8], reply: [UInt8]) {
        let initiates = pair.transcript.filter { Command.hasName($0.body, "INITIATE") }
        try #require(initiates.count == 2)
        return (Array(try GSSAPICommand.parseInitiate(initiates[0].body)),
                Array(try GSSAPICommand.parseInitiate(initiates[1].body)))
    }

    @Test(.tags(.kerberos), .needsRealm) func aFirstHandshakeFetchesTheTicketOnMITsPath() throws {
        _ = try TestRealm.shared()
        let configurations = (client: SecurityConfiguration(options: Sides().client),
                              server: SecurityConfiguration(options: Sides().server))
        let first = Self.pair(configurations)
        try first.run()
        #expect(first.client.status == .ready)
        #expect(!first.client.tookDirectRoute)
        let second = Self.pair(configurations)
        try second.run()
        #expect(second.client.status == .ready)
        #expect(second.client.tookDirectRoute)
    }

    @Test(.tags(.kerberos), .needsRealm) func theRouteIsTakenAndMITsIsNot() throws {
        let direct = try Self.readyPair()
        #expect(direct.client.tookDirectRoute)
        #expect(direct.client.context == nil)
        let mit = try Self.readyPair(direct: false)
        #expect(!mit.client.tookDirectRoute)
        #expect(mit.client.context != nil)
    }

    @Test(.tags(.kerberos), .needsRealm) func namesAndTokensMatchMITs() throws {
        // One client configuration for both: one credential, one service
        // ticket, so the two AP-REQs carry the same ticket.
        let configurations = try Self.warmConfigurations()
        func pair(direct: Bool) throws -> MechanismPair {
            let pair = Self.pair(configurations)
            pair.client.directHandshake = direct
            try pair.run()
            #expect(pair.client.tookDirectRoute == direct)
            return pair
        }
        let direct = try pair(direct: true)
        let mit = try pair(direct: false)
        #expect(direct.client.peerPrincipal == mit.client.peerPrincipal)
        #expect(direct.client.peerPrincipal == "zmq/localhost@EXAMPLE.TEST")
        #expect(direct.server.peerPrincipal == mit.server.peerPrincipal)
        let a = try Self.tokens(direct), b = try Self.tokens(mit)
        // Same framing and ticket; the same options and authenticator
        // layout (checksum, subkey, sequence number, enctype list), so
        // lengths within a few bytes: the client's microseconds and
        // sequence number are DER integers of 1 to 4 bytes, in the
        // authenticator and again in the AP-REP.
        #expect(try KerberosTokenFraming.parse(a.request[...]).id == .apRequest)
        #expect(try KerberosTokenFraming.parse(a.reply[...]).id == .apReply)
        #expect(abs(a.request.count - b.request.count) <= 8, "\(a.request.count) against \(b.request.count)")
        #expect(abs(a.reply.count - b.reply.count) <= 8, "\(a.reply.count) against \(b.reply.count)")
        let ticketPart = b.request[60..<260]
        #expect((0...(a.request.count - ticketPart.count)).contains { a.request[$0..<($0 + ticketPart.count)].elementsEqual(ticketPart) })
        // The command sequence is libzmq's either way.
        #expect(direct.transcript.map(\.fromClient) == mit.transcript.map(\.fromClient))
        #expect(direct.transcript.map { GSSAPICommand.describe($0.body) }
                == mit.transcript.map { GSSAPICommand.describe($0.body) })
    }

    @Test(.tags(.kerberos), .needsRealm, arguments: [false, true])
    func messagesCrossBothWays(mitServer: Bool) throws {
        // With mitServer, MIT's own gss_wrap/gss_unwrap check the direct
        // client's keys and sequence numbers.
        let pair = try Self.readyPair(mitServer: mitServer)
        for round in 0..<3 {
            let up = Array("up \(round)".utf8), down = Array("down \(round)".utf8)
            #expect(try pair.server.decode(pair.client.encode(ZMTPMessage(up))).body == up)
            #expect(try pair.client.decode(pair.server.encode(ZMTPMessage(down))).body == down)
        }
    }

    @Test(.tags(.kerberos), .needsRealm, arguments: [false, true])
    func aServerSubkeyOfAnotherEnctypeIsUsed(mitServer: Bool) throws {
        // The ticket's session key is aes256-cts-hmac-sha1-96 (18). A
        // client that also offers aes256-cts-hmac-sha384-192 (20), to a
        // server that prefers 20, gets a server subkey of type 20, and
        // that key protects the messages.
        let configurations = try Self.warmConfigurations()
        let route = try #require(try configurations.client.credential()?.directRoute)
        #expect(route.requestEnctypes([20, 18]))
        try #require(try configurations.server.credential()).credential.restrictEnctypes(to: [20, 18])
        let pair = Self.pair(configurations, mitServer: mitServer)
        try pair.run()
        #expect(pair.client.status == .ready)
        #expect(pair.client.tookDirectRoute)
        if mitServer { #expect(pair.server.context?.messageEnctype() == .aes256CtsHmacSha384) }
        for round in 0..<2 {
            let up = Array("up \(round)".utf8), down = Array("down \(round)".utf8)
            #expect(try pair.server.decode(pair.client.encode(ZMTPMessage(up))).body == up)
            #expect(try pair.client.decode(pair.server.encode(ZMTPMessage(down))).body == down)
        }
    }

    @Test(.tags(.kerberos), .needsRealm) func plaintextModeTakesTheRouteToo() throws {
        let pair = try Self.readyPair(sides: Sides(plaintext: true))
        #expect(pair.client.tookDirectRoute)
        #expect(try pair.server.decode(pair.client.encode(ZMTPMessage([1, 2, 3]))).body == [1, 2, 3])
    }

    @Test(.tags(.kerberos), .needsRealm) func theAPRequestCannotBeReplayed() throws {
        let first = try Self.readyPair()
        let request = try #require(first.transcript.first { Command.hasName($0.body, "INITIATE") }).body
        let server = GSSAPIMechanism(configuration: SecurityConfiguration(options: Sides().server), socketType: .rep)
        #expect(first.client.tookDirectRoute)
        let error = expectFailure { try server.processHandshakeCommand(request) }
        #expect(error?.code == .gss)
        #expect(error?.mentions("eplay") == true)
    }

    /// Runs a pair until the server's reply and hands the client
    /// `replace(reply)` instead; returns the client's error.
    private static func clientRefuses(_ replace: ([UInt8]) throws -> [UInt8]) throws -> ZGSSError? {
        let pair = Self.pair(try warmConfigurations())
        let request = try #require(try pair.client.nextHandshakeCommand())
        #expect(pair.client.tookDirectRoute)
        try pair.server.processHandshakeCommand(request)
        let reply = try #require(try pair.server.nextHandshakeCommand())
        let token = Array(try GSSAPICommand.parseInitiate(reply))
        let forged = GSSAPICommand.initiate(token: try replace(token))
        let error = expectFailure { try pair.client.processHandshakeCommand(forged) }
        #expect(pair.client.status == .failed)
        #expect(throws: ZGSSError.self) { _ = try pair.client.encode(ZMTPMessage([0])) }
        return error
    }

    @Test(.tags(.kerberos), .needsRealm, arguments: [1, 8, 20, 40])
    func aTamperedReplyIsRefused(fromEnd: Int) throws {
        let error = try Self.clientRefuses { token in
            var token = token
            token[token.count - fromEnd] ^= 0x40
            return token
        }
        #expect(error?.code == .gss)
        #expect(error?.mentions("cannot authenticate to zmq@localhost") == true)
    }

    @Test(.tags(.kerberos), .needsRealm) func anotherConnectionsReplyIsRefused() throws {
        let other = try Self.tokens(Self.readyPair()).reply
        let error = try Self.clientRefuses { _ in other }
        #expect(error?.mentions("mutual-authentication token was refused") == true, "\(String(describing: error))")
    }

    @Test(.tags(.kerberos), .needsRealm) func itsOwnRequestSentBackIsRefused() throws {
        var request: [UInt8] = []
        let pair = Self.pair(try Self.warmConfigurations())
        let body = try #require(try pair.client.nextHandshakeCommand())
        #expect(pair.client.tookDirectRoute)
        request = Array(try GSSAPICommand.parseInitiate(body))
        let error = expectFailure { try pair.client.processHandshakeCommand(GSSAPICommand.initiate(token: request)) }
        #expect(error?.mentions("AP-REQ") == true)
    }

    @Test(.tags(.kerberos), .needsRealm) func malformedAndErrorRepliesAreRefusedWithTheirReason() throws {
        let truncated = try Self.clientRefuses { Array($0.prefix($0.count - 3)) }
        #expect(truncated?.mentions("malformed") == true)
        let garbage = try Self.clientRefuses { _ in [0x60, 0x03, 0x01, 0x02, 0x03] }
        #expect(garbage?.mentions("malformed") == true)
        let empty = try Self.clientRefuses { _ in [] }
        #expect(empty != nil)
        let badError = try Self.clientRefuses { _ in
            [0x01, 0x02, 0x03].withUnsafeBytes { KerberosTokenFraming.frame(.error, $0) }
        }
        #expect(badError?.mentions("malformed KRB-ERROR") == true)
    }

    /// A FILE cache with tickets for `principal`, removed by the caller.
    private static func kinit(_ principal: String) throws -> String {
        let realm = try TestRealm.shared()
        let cache = "FILE:" + NSTemporaryDirectory() + "zgss-direct-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let kinit = Process()
        kinit.executableURL = URL(fileURLWithPath: "/usr/bin/kinit")
        kinit.arguments = ["-k", "-t", realm.clientKeytab, "-c", cache, principal]
        try kinit.run()
        kinit.waitUntilExit()
        try #require(kinit.terminationStatus == 0)
        return cache
    }

    @Test(.tags(.kerberos), .needsRealm) func aKinitCacheNamedByOptionTakesTheRoute() throws {
        let cache = try Self.kinit("bob@EXAMPLE.TEST")
        defer { try? FileManager.default.removeItem(atPath: String(cache.dropFirst(5))) }
        var sides = Sides()
        sides.client.store.ccache = cache
        let pair = try Self.readyPair(sides: sides)
        #expect(pair.client.tookDirectRoute)
        #expect(pair.server.peerPrincipal == "bob@EXAMPLE.TEST")
    }

    @Test(.tags(.kerberos), .needsRealm) func aClientPrincipalOptionWithACacheKeepsMITsPath() throws {
        // MIT picks the cache holding the principal (krb5_cc_cache_match);
        // the direct route does not try to.
        let cache = try Self.kinit("bob@EXAMPLE.TEST")
        defer { try? FileManager.default.removeItem(atPath: String(cache.dropFirst(5))) }
        var sides = Sides()
        sides.client.principal = "bob@EXAMPLE.TEST"
        sides.client.principalNameType = .krb5Principal
        sides.client.store.ccache = cache
        let pair = Self.pair(try Self.warmConfigurations(sides))
        try pair.run()
        #expect(pair.client.status == .ready)
        #expect(!pair.client.tookDirectRoute)
        #expect(pair.server.peerPrincipal == "bob@EXAMPLE.TEST")
    }
}

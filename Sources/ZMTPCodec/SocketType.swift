// SPDX-License-Identifier: MIT
internal import ZGSSBase
/// ZeroMQ socket types, numbered as in zmq.h, with the ZMTP names and the
/// peer pairings libzmq accepts.
public enum SocketType: Int32, CaseIterable, Sendable {
    case pair = 0, pub, sub, req, rep, dealer, router, pull, push, xpub, xsub

    public var name: String {
        switch self {
        case .pair: "PAIR"
        case .pub: "PUB"
        case .sub: "SUB"
        case .req: "REQ"
        case .rep: "REP"
        case .dealer: "DEALER"
        case .router: "ROUTER"
        case .pull: "PULL"
        case .push: "PUSH"
        case .xpub: "XPUB"
        case .xsub: "XSUB"
        }
    }

    public init?(name: some Collection<UInt8>) {
        let text = String(decoding: name, as: UTF8.self)
        guard let match = SocketType.allCases.first(where: { $0.name == text }) else { return nil }
        self = match
    }

    /// Whether a peer of type `peer` may talk to a socket of this type.
    public func accepts(_ peer: SocketType) -> Bool {
        switch self {
        case .req: [.rep, .router].contains(peer)
        case .rep: [.req, .dealer].contains(peer)
        case .dealer: [.rep, .dealer, .router].contains(peer)
        case .router: [.req, .dealer, .router].contains(peer)
        case .push: peer == .pull
        case .pull: peer == .push
        case .pub, .xpub: [.sub, .xsub].contains(peer)
        case .sub, .xsub: [.pub, .xpub].contains(peer)
        case .pair: peer == .pair
        }
    }

    /// libzmq sends the Identity property only from these types.
    public var sendsIdentity: Bool {
        self == .req || self == .dealer || self == .router
    }
}

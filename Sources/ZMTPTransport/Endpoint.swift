// SPDX-License-Identifier: MIT
/// A parsed `tcp://host:port` endpoint.
///
/// Accepted: `tcp://127.0.0.1:5555`, `tcp://localhost:5555`,
/// `tcp://[::1]:5555`, and for bind `tcp://*:5555`, `tcp://*:*` and port 0
/// (an ephemeral port; ZMQ_LAST_ENDPOINT reports the real one). Anything
/// else (other transports, a bare IPv6 address, libzmq's `src;dst` form,
/// interface names are resolved as host names) is refused.
public struct Endpoint: Equatable, Sendable {
    /// The host without brackets; "*" for the wildcard.
    public var host: String
    /// 0 means "any port" (bind only).
    public var port: UInt16
    /// True when the host was written in brackets (an IPv6 literal).
    public var isIPv6Literal: Bool

    public var isWildcard: Bool { host == "*" }

    public enum ParseError: Error, Equatable, Sendable {
        case unsupportedTransport(String)
        case malformed(String)
    }

    public init(host: String, port: UInt16, isIPv6Literal: Bool = false) {
        self.host = host
        self.port = port
        self.isIPv6Literal = isIPv6Literal
    }

    /// Parses `text`. `forBind` allows the wildcard host and port 0 / `*`.
    public init(parsing text: String, forBind: Bool) throws(ParseError) {
        let pieces = text.split(separator: "://", maxSplits: 1, omittingEmptySubsequences: false)
        guard pieces.count == 2 else {
            throw .malformed("endpoint \"\(text)\" has no transport (expected tcp://host:port)")
        }
        let scheme = String(pieces[0])
        guard scheme == "tcp" else { throw .unsupportedTransport(scheme) }
        let rest = pieces[1]
        guard !rest.contains(";") else {
            throw .malformed("source addresses (\"src;dst\") are not supported")
        }
        let hostPart: Substring
        let portPart: Substring
        var bracketed = false
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw .malformed("unclosed '[' in \"\(text)\"") }
            hostPart = rest[rest.index(after: rest.startIndex)..<close]
            let afterClose = rest[rest.index(after: close)...]
            guard afterClose.hasPrefix(":") else { throw .malformed("missing port in \"\(text)\"") }
            portPart = afterClose.dropFirst()
            bracketed = true
        } else {
            guard let colon = rest.lastIndex(of: ":") else { throw .malformed("missing port in \"\(text)\"") }
            hostPart = rest[..<colon]
            portPart = rest[rest.index(after: colon)...]
            guard !hostPart.contains(":") else {
                throw .malformed("an IPv6 address must be written in brackets, e.g. tcp://[::1]:5555")
            }
        }
        guard !hostPart.isEmpty else { throw .malformed("empty host in \"\(text)\"") }
        guard hostPart.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
            throw .malformed("host in \"\(text)\" is not ASCII")
        }
        if hostPart == "*" && (!forBind || bracketed) {
            throw .malformed("the wildcard host '*' is only valid for bind")
        }
        let port: UInt16
        if portPart == "*" {
            port = 0
        } else {
            guard !portPart.isEmpty, portPart.count <= 5, portPart.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let number = Int(portPart), number <= 65535 else {
                throw .malformed("bad port \"\(portPart)\" in \"\(text)\"")
            }
            port = UInt16(number)
        }
        if port == 0 && !forBind { throw .malformed("connect needs a real port, not \"\(portPart)\"") }
        self.host = String(hostPart)
        self.port = port
        self.isIPv6Literal = bracketed
    }

    /// `tcp://host:port`, brackets around IPv6 addresses.
    public static func format(address: String, port: UInt16) -> String {
        address.contains(":") ? "tcp://[\(address)]:\(port)" : "tcp://\(address):\(port)"
    }
}

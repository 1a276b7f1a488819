// SPDX-License-Identifier: MIT

/// What `bind` or `connect` was given, split into its transport and the
/// transport's address, with libzmq 4.3.4's checks and errno values:
///
/// - no `://`, an empty transport or an empty address: EINVAL;
/// - a transport zgss does not carry (tipc, vmci, pgm, epgm, norm, udp,
///   ws, wss, or any other name): EPROTONOSUPPORT, as libzmq answers for
///   a transport it was built without;
/// - `tcp://`: see `Endpoint`;
/// - `ipc://PATH`: a Unix domain stream socket. `@NAME` is Linux's
///   abstract namespace (`@` alone: EINVAL); for bind, a path that starts
///   with `*` asks for a fresh file in a temporary directory. A path of
///   108 bytes or more does not fit in sockaddr_un: ENAMETOOLONG;
/// - `inproc://NAME`: a socket of the same context; any non-empty name.
///
/// Pure: parsing resolves nothing and touches no file.
public enum TransportAddress: Equatable, Sendable {
    case tcp(Endpoint)
    case ipc(IPCPath)
    case inproc(String)

    public enum ParseError: Error, Equatable, Sendable {
        /// EINVAL.
        case malformed(String)
        /// EPROTONOSUPPORT: the transport's name.
        case unsupportedTransport(String)
        /// ENAMETOOLONG: the ipc path.
        case nameTooLong(String)
    }

    /// Transports libzmq knows and zgss does not carry.
    public static let knownUnsupported: Set<String> = ["tipc", "vmci", "pgm", "epgm", "norm", "udp", "ws", "wss"]

    public init(parsing text: String, forBind: Bool) throws(ParseError) {
        guard let separator = text.firstRange(of: "://") else {
            throw .malformed("endpoint \"\(text)\" has no transport (expected tcp://, ipc:// or inproc://)")
        }
        let scheme = String(text[..<separator.lowerBound])
        let rest = String(text[separator.upperBound...])
        guard !scheme.isEmpty, !rest.isEmpty else {
            throw .malformed("endpoint \"\(text)\" has an empty transport or address")
        }
        switch scheme {
        case "tcp":
            do {
                self = .tcp(try Endpoint(parsing: text, forBind: forBind))
            } catch {
                switch error {
                case .malformed(let reason): throw .malformed(reason)
                case .unsupportedTransport(let name): throw .unsupportedTransport(name)
                }
            }
        case "ipc":
            self = .ipc(try IPCPath(parsing: rest, forBind: forBind))
        case "inproc":
            self = .inproc(rest)
        default:
            throw .unsupportedTransport(scheme)
        }
    }
}

/// The address of an `ipc://` endpoint, as written after `ipc://`.
public struct IPCPath: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        /// A file system path (absolute or relative to the working directory).
        case file
        /// `@name`: Linux's abstract namespace; no file is made.
        case abstract
        /// Bind only: `*` (libzmq takes any path starting with `*`): a
        /// socket file in a fresh temporary directory.
        case wildcard
    }

    /// sockaddr_un's sun_path holds 108 bytes; libzmq refuses a path of
    /// that length or more (it wants room for the NUL).
    public static let pathCapacity = 108

    public let text: String
    public let kind: Kind

    public init(parsing text: String, forBind: Bool) throws(TransportAddress.ParseError) {
        if forBind && text.hasPrefix("*") {
            self.init(text: text, kind: .wildcard)
        } else {
            try self.init(resolved: text)
        }
    }

    private init(text: String, kind: Kind) {
        self.text = text
        self.kind = kind
    }

    /// A concrete path (never a wildcard): the length and `@` checks.
    public init(resolved text: String) throws(TransportAddress.ParseError) {
        guard text.utf8.count < Self.pathCapacity else {
            throw .nameTooLong("ipc path of \(text.utf8.count) bytes; at most \(Self.pathCapacity - 1) fit")
        }
        guard text != "@" else { throw .malformed("ipc://@ needs a name after '@'") }
        self.init(text: text, kind: text.hasPrefix("@") ? .abstract : .file)
    }

    /// The sun_path bytes and the length to pass to bind/connect: the
    /// path without its NUL; an abstract name starts with a 0 byte.
    public var socketPathBytes: [UInt8] {
        var bytes = Array(text.utf8)
        if kind == .abstract { bytes[0] = 0 }
        return bytes
    }

    /// `ipc://` + the path, as ZMQ_LAST_ENDPOINT reports it.
    public var endpointText: String { "ipc://" + text }
}

// SPDX-License-Identifier: MIT
import Glibc

/// A resolved IPv4 or IPv6 address with its port, or a Unix domain
/// address (ipc://, see IPCListener.swift): the raw sockaddr bytes.
struct SocketAddress: Sendable, Equatable {
    var storage: [UInt8]
    var family: Int32
    /// `ipc://path` for a Unix domain address; nil for IP.
    var unixText: String? = nil

    init?(raw: UnsafeRawPointer, length: Int) {
        guard length > 0, length <= MemoryLayout<sockaddr_storage>.size else { return nil }
        let family = Int32(raw.load(as: sockaddr.self).sa_family)
        guard family == AF_INET || family == AF_INET6 else { return nil }
        self.storage = Array(UnsafeRawBufferPointer(start: raw, count: length))
        self.family = family
    }

    /// Calls `body` with the sockaddr; `fallback` only if the storage were
    /// empty, which `init` rules out.
    func withSockaddr<T>(fallback: T, _ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        storage.withUnsafeBytes { bytes in
            guard let base = bytes.baseAddress else { return fallback }
            return body(base.assumingMemoryBound(to: sockaddr.self), socklen_t(bytes.count))
        }
    }

    /// Numeric host text ("127.0.0.1", "::1") and port.
    var hostAndPort: (String, UInt16) {
        storage.withUnsafeBytes { bytes -> (String, UInt16) in
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
            guard let base = bytes.baseAddress else { return ("?", 0) }
            if family == AF_INET6 {
                var address = base.loadUnaligned(as: sockaddr_in6.self)
                inet_ntop(AF_INET6, &address.sin6_addr, &text, socklen_t(text.count))
                return (Self.string(text), UInt16(bigEndian: address.sin6_port))
            }
            var address = base.loadUnaligned(as: sockaddr_in.self)
            inet_ntop(AF_INET, &address.sin_addr, &text, socklen_t(text.count))
            return (Self.string(text), UInt16(bigEndian: address.sin_port))
        }
    }

    static func string(_ text: [CChar]) -> String {
        String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    var endpointText: String {
        if let unixText { return unixText }
        let (host, port) = hostAndPort
        return Endpoint.format(address: host, port: port)
    }

    /// Resolves an endpoint. The wildcard binds IPv4 0.0.0.0 (as libzmq does
    /// without ZMQ_IPV6); names prefer IPv4, then IPv6; a bracketed host
    /// must be IPv6. May block on DNS for names that are not numeric.
    static func resolve(_ endpoint: Endpoint) throws(TransportError) -> [SocketAddress] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        hints.ai_family = endpoint.isIPv6Literal ? AF_INET6 : AF_UNSPEC
        let host = endpoint.isWildcard ? "0.0.0.0" : endpoint.host
        if endpoint.isWildcard {
            hints.ai_family = AF_INET
            hints.ai_flags |= AI_PASSIVE
        }
        if endpoint.isIPv6Literal { hints.ai_flags |= AI_NUMERICHOST }
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(endpoint.port), &hints, &list)
        guard status == 0, let first = list else {
            let text = String(cString: gai_strerror(status))
            throw TransportError.invalid("cannot resolve \"\(endpoint.host)\": \(text)")
        }
        defer { freeaddrinfo(first) }
        var v4: [SocketAddress] = []
        var v6: [SocketAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            if let raw = entry.pointee.ai_addr,
               let address = SocketAddress(raw: raw, length: Int(entry.pointee.ai_addrlen)) {
                if address.family == AF_INET { v4.append(address) } else { v6.append(address) }
            }
            cursor = entry.pointee.ai_next
        }
        let all = v4 + v6
        guard !all.isEmpty else { throw TransportError.invalid("\"\(endpoint.host)\" has no IPv4 or IPv6 address") }
        return all
    }
}

/// Thin wrappers over the socket system calls; every fd they return is
/// non-blocking and close-on-exec.
enum Net {
    static func errorText(_ code: Int32) -> String { String(cString: strerror(code)) }

    /// SOCK_STREAM, non-blocking and close-on-exec from the start: no
    /// fcntl calls afterwards.
    static let streamType = Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue)

    static func makeNonBlocking(_ fd: Int32) {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    }

    /// A listening socket on `address`; returns the fd and the address it
    /// really got (port 0 becomes the kernel's choice). `backlog` is
    /// ZMQ_BACKLOG.
    static func listen(on address: SocketAddress, backlog: Int32) throws(TransportError) -> (Int32, SocketAddress) {
        let fd = socket(address.family, streamType, 0)
        guard fd >= 0 else { throw TransportError(errno, "socket(): \(errorText(errno))") }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = address.withSockaddr(fallback: -1) { Glibc.bind(fd, $0, $1) }
        guard bound == 0 else {
            let code = errno
            close(fd)
            throw TransportError(code, "cannot bind \(address.endpointText): \(errorText(code))")
        }
        guard Glibc.listen(fd, backlog) == 0 else {
            let code = errno
            close(fd)
            throw TransportError(code, "listen(): \(errorText(code))")
        }
        guard let local = localAddress(fd) else {
            close(fd)
            throw TransportError(EINVAL, "getsockname() failed")
        }
        return (fd, local)
    }

    static func localAddress(_ fd: Int32) -> SocketAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) == 0 }
        }
        guard ok else { return nil }
        return address(in: &storage, length: length)
    }

    static func peerAddress(_ fd: Int32) -> SocketAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) == 0 }
        }
        guard ok else { return nil }
        return address(in: &storage, length: length)
    }

    /// Accepts one pending connection (non-blocking, close-on-exec), with
    /// the peer's address when it has one (no getpeername afterwards), or
    /// nil when none is waiting. (Swift's Glibc module has no accept4.)
    static func accept(_ listener: Int32) -> (fd: Int32, peer: SocketAddress?)? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let fd = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.accept(listener, $0, &length)
            }
        }
        guard fd >= 0 else { return nil }
        makeNonBlocking(fd)
        setNoDelay(fd)
        return (fd, address(in: &storage, length: length))
    }

    /// The address the kernel wrote into `storage` (`length` bytes).
    private static func address(in storage: inout sockaddr_storage, length: socklen_t) -> SocketAddress? {
        withUnsafeBytes(of: &storage) { bytes in
            bytes.baseAddress.flatMap { SocketAddress(raw: $0, length: Int(length)) }
        }
    }

    /// Starts a non-blocking connect. Returns the fd (connected or in
    /// progress) or the errno of an immediate failure.
    static func startConnect(_ address: SocketAddress) -> Result<Int32, TransportError> {
        let fd = socket(address.family, streamType, 0)
        guard fd >= 0 else { return .failure(TransportError(errno, "socket(): \(errorText(errno))")) }
        setNoDelay(fd)
        let status = address.withSockaddr(fallback: -1) { Glibc.connect(fd, $0, $1) }
        if status == 0 || errno == EINPROGRESS { return .success(fd) }
        let code = errno
        close(fd)
        return .failure(TransportError(code, "connect to \(address.endpointText): \(errorText(code))"))
    }

    /// The outcome of a non-blocking connect once poll reports the fd.
    static func pendingError(_ fd: Int32) -> Int32 {
        var code: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length) == 0 else { return errno }
        return code
    }

    static func setNoDelay(_ fd: Int32) {
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    enum ReadResult {
        case data(Int)
        case wouldBlock
        case closed
        case failed(Int32)
    }

    static func read(_ fd: Int32, into buffer: inout [UInt8]) -> ReadResult {
        buffer.withUnsafeMutableBytes { read(fd, into: $0) }
    }

    static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> ReadResult {
        let count = recv(fd, buffer.baseAddress, buffer.count, 0)
        if count > 0 { return .data(count) }
        if count == 0 { return .closed }
        if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return .wouldBlock }
        return .failed(errno)
    }

    /// Writes what the kernel takes now; nil on a hard error (errno kept).
    static func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int? {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return 0 }
        let count = send(fd, base, bytes.count, Int32(MSG_NOSIGNAL))
        if count >= 0 { return count }
        if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return 0 }
        return nil
    }
}

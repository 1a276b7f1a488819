// SPDX-License-Identifier: MIT
import Glibc

/// What closing a listener must clean up besides its fd: the socket file
/// and the temporary directory of an `ipc://*` bind (libzmq 4.3.4 removes
/// those two, and leaves a fixed path's file in place).
struct ListenerCleanup: Sendable {
    var file: String
    var directory: String
}

extension Listener {
    /// Closes the listening fd and removes a wildcard bind's file and directory.
    func shutDown() {
        close(fd)
        guard let cleanup else { return }
        if unlink(cleanup.file) == 0 { _ = rmdir(cleanup.directory) }
    }
}

extension SocketAddress {
    /// A Unix domain address (sockaddr_un) for an ipc path.
    init(unixPath path: IPCPath) {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = path.socketPathBytes
        withUnsafeMutableBytes(of: &address.sun_path) { sunPath in
            for (index, byte) in bytes.enumerated() where index < sunPath.count { sunPath[index] = byte }
        }
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path) ?? 2
        let length = pathOffset + min(bytes.count, IPCPath.pathCapacity)
        storage = withUnsafeBytes(of: &address) { Array($0.prefix(length)) }
        family = AF_UNIX
        unixText = path.endpointText
    }
}

/// bind(2) and listen(2) on a Unix domain stream socket, as libzmq 4.3.4's
/// ipc listener does them.
enum IPCListening {
    /// The directory a wildcard bind makes its directory in: $TMPDIR,
    /// $TEMPDIR or $TMP when it names a directory (libzmq's order), else
    /// /tmp (libzmq would use the working directory).
    static func temporaryRoot() -> String {
        for name in ["TMPDIR", "TEMPDIR", "TMP"] {
            guard let value = getenv(name) else { continue }
            let path = String(cString: value)
            var info = stat()
            if !path.isEmpty, stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
                return path.hasSuffix("/") ? path : path + "/"
            }
        }
        return "/tmp/"
    }

    /// A listening socket for `path`. A wildcard gets `DIR/socket` in a
    /// fresh mkdtemp directory (mode 0700); a stale socket file at a fixed
    /// path is removed first (libzmq removes any file there; zgss removes
    /// only a socket, so a mistyped path cannot delete a regular file).
    static func listen(_ path: IPCPath, backlog: Int32) throws(TransportError) -> Listener {
        var concrete = path
        var cleanup: ListenerCleanup?
        if path.kind == .wildcard {
            var template = Array((temporaryRoot() + "tmpXXXXXX").utf8CString)
            let made = template.withUnsafeMutableBufferPointer { buffer in
                buffer.baseAddress.map { mkdtemp($0) != nil } ?? false
            }
            guard made else {
                throw TransportError(errno, "cannot make a directory for ipc://*: \(Net.errorText(errno))")
            }
            let directory = SocketAddress.string(template)
            do {
                concrete = try IPCPath(resolved: directory + "/socket")
            } catch {
                _ = rmdir(directory)
                throw TransportError(ENAMETOOLONG, "the temporary path for ipc://* is too long (\(directory))")
            }
            cleanup = ListenerCleanup(file: concrete.text, directory: directory)
        } else if path.kind == .file {
            var info = stat()
            if lstat(path.text, &info) == 0, info.st_mode & S_IFMT == S_IFSOCK { _ = unlink(path.text) }
        }
        let address = SocketAddress(unixPath: concrete)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else {
            let code = errno
            if let cleanup { _ = rmdir(cleanup.directory) }
            throw TransportError(code, "socket(AF_UNIX): \(Net.errorText(code))")
        }
        Net.makeNonBlocking(fd)
        let status = address.withSockaddr(fallback: -1) { Glibc.bind(fd, $0, $1) == 0 ? Glibc.listen(fd, backlog) : -1 }
        guard status == 0 else {
            let code = errno
            close(fd)
            if let cleanup {
                _ = unlink(cleanup.file)
                _ = rmdir(cleanup.directory)
            }
            throw TransportError(code, "cannot bind \(concrete.endpointText): \(Net.errorText(code))")
        }
        return Listener(fd: fd, text: concrete.endpointText, cleanup: cleanup)
    }
}

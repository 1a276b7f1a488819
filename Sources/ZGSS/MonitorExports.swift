// SPDX-License-Identifier: MIT
import Glibc
import ZMTPTransport

// zgss_socket_monitor (see include/zgss.h).

@_cdecl("zgss_socket_monitor")
public func zgss_socket_monitor(_ handle: OpaquePointer?, _ endpoint: UnsafePointer<CChar>?, _ events: Int32) -> Int32 {
    guard let socket = Handles.get(handle, kind: .socket, as: ZSocket.self) else {
        errno = ENOTSOCK
        return -1
    }
    do {
        // The mask as libzmq takes it: an int widened to 64 bits, so a
        // negative one has bits beyond the 16 events.
        try socket.monitor(endpoint: endpoint.map { String(cString: $0) }, events: UInt64(bitPattern: Int64(events)))
        return 0
    } catch {
        errno = error.errno
        return -1
    }
}

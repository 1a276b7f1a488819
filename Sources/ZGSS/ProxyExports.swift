// SPDX-License-Identifier: MIT
import Glibc
import ZMTPTransport

// zgss_proxy and zgss_proxy_steerable (see "Proxy" in include/zgss.h).

private func proxyFailure(_ code: Int32) -> Int32 {
    errno = code
    return -1
}

@_cdecl("zgss_proxy")
public func zgss_proxy(_ frontend: OpaquePointer?, _ backend: OpaquePointer?, _ capture: OpaquePointer?) -> Int32 {
    zgss_proxy_steerable(frontend, backend, capture, nil)
}

@_cdecl("zgss_proxy_steerable")
public func zgss_proxy_steerable(_ frontend: OpaquePointer?, _ backend: OpaquePointer?, _ capture: OpaquePointer?,
                                 _ control: OpaquePointer?) -> Int32 {
    guard frontend != nil, backend != nil else { return proxyFailure(EFAULT) }
    guard let front = Handles.get(frontend, kind: .socket, as: ZSocket.self),
          let back = Handles.get(backend, kind: .socket, as: ZSocket.self) else { return proxyFailure(ENOTSOCK) }
    var captureSocket: ZSocket?
    if capture != nil {
        guard let socket = Handles.get(capture, kind: .socket, as: ZSocket.self) else { return proxyFailure(ENOTSOCK) }
        captureSocket = socket
    }
    var controlSocket: ZSocket?
    if control != nil {
        guard let socket = Handles.get(control, kind: .socket, as: ZSocket.self) else { return proxyFailure(ENOTSOCK) }
        controlSocket = socket
    }
    let proxy = ZProxy(frontend: front, backend: back, capture: captureSocket, control: controlSocket)
    do {
        try proxy.run()
        return 0
    } catch {
        return proxyFailure(error.errno)
    }
}

// SPDX-License-Identifier: MIT
import Glibc
import ZMTPTransport

// zgss_ctx_set / zgss_ctx_get, zgss_unbind / zgss_disconnect, and
// libzmq's utility calls zgss_sleep and zgss_stopwatch_* (see
// include/zgss.h).

private func contextFailure(_ code: Int32) -> Int32 {
    errno = code
    return -1
}

@_cdecl("zgss_ctx_set")
public func zgss_ctx_set(_ ctx: OpaquePointer?, _ option: Int32, _ value: Int32) -> Int32 {
    guard let context = Handles.get(ctx, kind: .context, as: ZContext.self) else { return contextFailure(EFAULT) }
    var number = value
    do {
        try withUnsafeBytes(of: &number) { (bytes: UnsafeRawBufferPointer) throws(TransportError) in
            try context.set(option, bytes)
        }
        return 0
    } catch {
        return contextFailure(error.errno)
    }
}

@_cdecl("zgss_ctx_get")
public func zgss_ctx_get(_ ctx: OpaquePointer?, _ option: Int32) -> Int32 {
    guard let context = Handles.get(ctx, kind: .context, as: ZContext.self) else { return contextFailure(EFAULT) }
    guard let value = context.get(option) else { return contextFailure(EINVAL) }
    return value
}

/// zgss_unbind and zgss_disconnect are one operation, as in libzmq.
private func removeEndpoint(_ handle: OpaquePointer?, _ endpoint: UnsafePointer<CChar>?) -> Int32 {
    guard let socket = Handles.get(handle, kind: .socket, as: ZSocket.self) else { return contextFailure(ENOTSOCK) }
    guard let endpoint else { return contextFailure(EINVAL) }
    do {
        try socket.removeEndpoint(String(cString: endpoint))
        return 0
    } catch {
        return contextFailure(error.errno)
    }
}

@_cdecl("zgss_unbind")
public func zgss_unbind(_ socket: OpaquePointer?, _ endpoint: UnsafePointer<CChar>?) -> Int32 {
    removeEndpoint(socket, endpoint)
}

@_cdecl("zgss_disconnect")
public func zgss_disconnect(_ socket: OpaquePointer?, _ endpoint: UnsafePointer<CChar>?) -> Int32 {
    removeEndpoint(socket, endpoint)
}

@_cdecl("zgss_sleep")
public func zgss_sleep(_ seconds: Int32) {
    guard seconds > 0 else { return }
    var request = timespec(tv_sec: Int(seconds), tv_nsec: 0)
    var remaining = timespec()
    // A signal does not cut the sleep short.
    while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
}

/// Microseconds on the monotonic clock.
private func monotonicMicros() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) * 1_000_000 + UInt64(time.tv_nsec) / 1000
}

@_cdecl("zgss_stopwatch_start")
public func zgss_stopwatch_start() -> UnsafeMutableRawPointer? {
    let watch = UnsafeMutablePointer<UInt64>.allocate(capacity: 1)
    watch.initialize(to: monotonicMicros())
    return UnsafeMutableRawPointer(watch)
}

@_cdecl("zgss_stopwatch_intermediate")
public func zgss_stopwatch_intermediate(_ watch: UnsafeMutableRawPointer?) -> UInt {
    guard let watch else { return 0 }
    let start = watch.load(as: UInt64.self)
    return UInt(truncatingIfNeeded: monotonicMicros() &- start)
}

@_cdecl("zgss_stopwatch_stop")
public func zgss_stopwatch_stop(_ watch: UnsafeMutableRawPointer?) -> UInt {
    guard let watch else { return 0 }
    let elapsed = zgss_stopwatch_intermediate(watch)
    watch.assumingMemoryBound(to: UInt64.self).deallocate()
    return elapsed
}

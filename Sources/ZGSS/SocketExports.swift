// SPDX-License-Identifier: MIT
import Glibc
import ZMTPGSSAPI
import ZMTPTransport

// The zmq-shaped socket API (see "Sockets" in include/zgss.h): each call
// returns -1 and sets errno on failure, as libzmq does.

private func failure(_ code: Int32) -> Int32 {
    errno = code
    return -1
}

private func socketObject(_ handle: OpaquePointer?) -> ZSocket? {
    Handles.get(handle, kind: .socket, as: ZSocket.self)
}

@_cdecl("zgss_ctx_new")
public func zgss_ctx_new() -> OpaquePointer? {
    Handles.make(ZContext(), kind: .context)
}

@_cdecl("zgss_ctx_term")
public func zgss_ctx_term(_ ctx: OpaquePointer?) -> Int32 {
    guard let context = Handles.get(ctx, kind: .context, as: ZContext.self) else { return failure(EFAULT) }
    context.terminate()
    // Two concurrent terms: both wait, one ends the handle, the other fails.
    guard Handles.destroy(ctx, kind: .context, as: ZContext.self) else { return failure(EFAULT) }
    return 0
}

@_cdecl("zgss_socket")
public func zgss_socket(_ ctx: OpaquePointer?, _ type: Int32) -> OpaquePointer? {
    guard let context = Handles.get(ctx, kind: .context, as: ZContext.self) else {
        errno = EFAULT
        return nil
    }
    do {
        let socket = try context.socket(type: type)
        guard let handle = Handles.make(socket, kind: .socket) else {
            socket.close()
            errno = EMFILE
            return nil
        }
        return handle
    } catch {
        errno = error.errno
        return nil
    }
}

@_cdecl("zgss_close")
public func zgss_close(_ handle: OpaquePointer?) -> Int32 {
    // The handle ends first: a second close, or a call racing this one,
    // gets ENOTSOCK; a call already running keeps the socket alive.
    guard let socket = Handles.take(handle, kind: .socket, as: ZSocket.self) else { return failure(ENOTSOCK) }
    socket.close()
    return 0
}

@_cdecl("zgss_setsockopt")
public func zgss_setsockopt(_ handle: OpaquePointer?, _ option: Int32, _ value: UnsafeRawPointer?, _ length: Int) -> Int32 {
    guard let socket = socketObject(handle) else { return failure(ENOTSOCK) }
    guard isValidBuffer(value, length) else { return failure(EINVAL) }
    do {
        try socket.setOption(option, value.map { UnsafeRawBufferPointer(start: $0, count: length) })
        return 0
    } catch {
        return failure(error.errno)
    }
}

@_cdecl("zgss_getsockopt")
public func zgss_getsockopt(_ handle: OpaquePointer?, _ option: Int32, _ value: UnsafeMutableRawPointer?,
                            _ length: UnsafeMutablePointer<Int>?) -> Int32 {
    // Pinned, not retained: ZMQ_RCVMORE is read once per message part.
    let read: Result<SocketOptionValue, TransportError>? =
        Handles.with(handle, kind: .socket, as: ZSocket.self, otherwise: nil) { socket in
            // Checked before reading: reading ZMQ_EVENTS resets ZMQ_FD.
            guard value != nil, length != nil else { return .failure(TransportError(EFAULT, "NULL optval")) }
            return Result { () throws(TransportError) in try socket.option(option) }
        }
    guard let read else { return failure(ENOTSOCK) }
    guard let value, let length else { return failure(EFAULT) }
    let optionValue: SocketOptionValue
    switch read {
    case .success(let got): optionValue = got
    case .failure(let error): return failure(error.errno)
    }
    let bytes: [UInt8]
    switch optionValue {
    case .int(let number):
        guard OptionLength.fitsInt(length.pointee, option: option) else { return failure(EINVAL) }
        value.storeBytes(of: number, as: Int32.self)
        length.pointee = OptionLength.int
        return 0
    case .int64(let number):
        guard length.pointee == OptionLength.int64 else { return failure(EINVAL) }
        value.storeBytes(of: number, as: Int64.self)
        length.pointee = OptionLength.int64
        return 0
    case .string(let text):
        bytes = Array(text.utf8) + [0]
    case .bytes(let raw):
        bytes = raw
    }
    guard length.pointee >= bytes.count else { return failure(EINVAL) }
    bytes.withUnsafeBytes { source in
        if let base = source.baseAddress { value.copyMemory(from: base, byteCount: source.count) }
    }
    length.pointee = bytes.count
    return 0
}

@_cdecl("zgss_bind")
public func zgss_bind(_ handle: OpaquePointer?, _ endpoint: UnsafePointer<CChar>?) -> Int32 {
    guard let socket = socketObject(handle) else { return failure(ENOTSOCK) }
    guard let endpoint else { return failure(EINVAL) }
    do {
        try socket.bind(String(cString: endpoint))
        return 0
    } catch {
        return failure(error.errno)
    }
}

@_cdecl("zgss_connect")
public func zgss_connect(_ handle: OpaquePointer?, _ endpoint: UnsafePointer<CChar>?) -> Int32 {
    guard let socket = socketObject(handle) else { return failure(ENOTSOCK) }
    guard let endpoint else { return failure(EINVAL) }
    do {
        try socket.connect(String(cString: endpoint))
        return 0
    } catch {
        return failure(error.errno)
    }
}

@_cdecl("zgss_send")
public func zgss_send(_ handle: OpaquePointer?, _ buffer: UnsafeRawPointer?, _ length: Int, _ flags: Int32) -> Int32 {
    // The per-message path: the handle stays pinned instead of retaining
    // the socket.
    Handles.with(handle, kind: .socket, as: ZSocket.self, otherwise: failure(ENOTSOCK)) { socket in
        guard isValidBuffer(buffer, length) else { return failure(EFAULT) }
        do throws(TransportError) {
            // Copied by the socket unless a PUB finds that nobody wants it.
            try socket.send(contentsOf: UnsafeRawBufferPointer(start: length > 0 ? buffer : nil, count: length),
                            flags: flags)
            return Int32(clamping: length)
        } catch {
            return failure(error.errno)
        }
    }
}

@_cdecl("zgss_recv")
public func zgss_recv(_ handle: OpaquePointer?, _ buffer: UnsafeMutableRawPointer?, _ length: Int, _ flags: Int32) -> Int32 {
    Handles.with(handle, kind: .socket, as: ZSocket.self, otherwise: failure(ENOTSOCK)) { socket in
        guard isValidBuffer(buffer, length) else { return failure(EFAULT) }
        do throws(TransportError) {
            var message = try socket.receive(flags: flags)
            let copied = min(length, message.count)
            if let buffer, copied > 0 {
                message.withUnsafeBytes { source in
                    if let base = source.baseAddress { buffer.copyMemory(from: base, byteCount: copied) }
                }
            }
            // The message may be decrypted data: wipe the transient copy.
            message.withUnsafeMutableBytes { bytes in
                if let base = bytes.baseAddress { memset(base, 0, bytes.count) }
            }
            return Int32(clamping: message.count)
        } catch {
            return failure(error.errno)
        }
    }
}

// SPDX-License-Identifier: MIT
internal import CZGSSHeader
import Glibc
import ZMTPTransport

// zgss_msg_t and the zmq_msg_* calls (see "Messages" in include/zgss.h and
// MessageLayout.swift). Failures return -1 (NULL for pointers) and set
// errno, as libzmq does; where libzmq would crash or abort on a NULL,
// closed or never-initialised message, these return EFAULT.

private func failure(_ code: Int32) -> Int32 {
    errno = code
    return -1
}

/// A live message at `msg`, or nil (NULL, closed, not a message).
private func liveWriter(_ msg: UnsafeMutableRawPointer?) -> MessageWriter? {
    guard let msg else { return nil }
    let writer = MessageWriter(base: msg)
    return writer.reader.isLive ? writer : nil
}

private func liveReader(_ msg: UnsafeRawPointer?) -> MessageReader? {
    guard let msg else { return nil }
    let reader = MessageReader(base: msg)
    return reader.isLive ? reader : nil
}

@_cdecl("zgss_msg_init")
public func zgss_msg_init(_ msg: UnsafeMutableRawPointer?) -> Int32 {
    guard let msg else { return failure(EFAULT) }
    MessageWriter(base: msg).startEmpty()
    return 0
}

@_cdecl("zgss_msg_init_size")
public func zgss_msg_init_size(_ msg: UnsafeMutableRawPointer?, _ size: Int) -> Int32 {
    guard let msg else { return failure(EFAULT) }
    guard size >= 0 else { return failure(ENOMEM) }
    let writer = MessageWriter(base: msg)
    if size <= MessageLayout.inlineLimit {
        writer.start(.inline, size: size)
        return 0
    }
    guard let content = MessageContent.allocate(size: size) else { return failure(ENOMEM) }
    writer.start(content)
    return 0
}

@_cdecl("zgss_msg_init_data")
public func zgss_msg_init_data(_ msg: UnsafeMutableRawPointer?, _ data: UnsafeMutableRawPointer?, _ size: Int,
                               _ release: FreeFunction?, _ hint: UnsafeMutableRawPointer?) -> Int32 {
    guard let msg else { return failure(EFAULT) }
    // libzmq asserts on NULL data with a size: here it is a refusal, and
    // the free function is not called (the message was never made).
    guard size >= 0, data != nil || size == 0 else { return failure(EFAULT) }
    let writer = MessageWriter(base: msg)
    guard let release else {
        writer.startConstant(data, size: size)
        return 0
    }
    writer.start(MessageContent(data: data, size: size, owner: .caller(release, hint)))
    return 0
}

@_cdecl("zgss_msg_close")
public func zgss_msg_close(_ msg: UnsafeMutableRawPointer?) -> Int32 {
    guard let writer = liveWriter(msg) else { return failure(EFAULT) }
    writer.close()
    return 0
}

@_cdecl("zgss_msg_move")
public func zgss_msg_move(_ dest: UnsafeMutableRawPointer?, _ src: UnsafeMutableRawPointer?) -> Int32 {
    guard let source = liveWriter(src), let target = liveWriter(dest) else { return failure(EFAULT) }
    if source.base == target.base { return 0 }
    target.close()
    target.base.copyMemory(from: source.base, byteCount: MessageLayout.byteCount)
    source.startEmpty()
    return 0
}

@_cdecl("zgss_msg_copy")
public func zgss_msg_copy(_ dest: UnsafeMutableRawPointer?, _ src: UnsafeMutableRawPointer?) -> Int32 {
    guard let source = liveWriter(src), let target = liveWriter(dest) else { return failure(EFAULT) }
    if source.base == target.base { return 0 }
    target.close()
    source.retainForCopy()
    target.base.copyMemory(from: source.base, byteCount: MessageLayout.byteCount)
    return 0
}

@_cdecl("zgss_msg_data")
public func zgss_msg_data(_ msg: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    guard let reader = liveWriter(msg)?.reader else {
        errno = EFAULT
        return nil
    }
    return reader.data.map { UnsafeMutableRawPointer(mutating: $0) }
}

@_cdecl("zgss_msg_size")
public func zgss_msg_size(_ msg: UnsafeRawPointer?) -> Int {
    guard let reader = liveReader(msg) else {
        errno = EFAULT
        return 0
    }
    return reader.size
}

@_cdecl("zgss_msg_more")
public func zgss_msg_more(_ msg: UnsafeRawPointer?) -> Int32 {
    // 0, not -1, for a non-message: `while (zmq_msg_more (&m))` must end.
    guard let msg, MessageReader(base: msg).isMessage else {
        errno = EFAULT
        return 0
    }
    return MessageReader(base: msg).flags & MessageFlag.more != 0 ? 1 : 0
}

/// The properties zgss_msg_get knows (zgss.h's numbers).
private enum MessageProperty {
    static let more = Int32(ZMQ_MORE)
    static let sourceFD = Int32(ZMQ_SRCFD)
    static let shared = Int32(ZMQ_SHARED)
}

@_cdecl("zgss_msg_get")
public func zgss_msg_get(_ msg: UnsafeRawPointer?, _ property: Int32) -> Int32 {
    switch property {
    case MessageProperty.more, MessageProperty.sourceFD, MessageProperty.shared: break
    default: return failure(EINVAL)
    }
    guard let msg, MessageReader(base: msg).isMessage else { return failure(EFAULT) }
    let reader = MessageReader(base: msg)
    switch property {
    case MessageProperty.more:
        return reader.flags & MessageFlag.more != 0 ? 1 : 0
    case MessageProperty.shared:
        return reader.isShared ? 1 : 0
    default:
        guard let text = reader.metadata?.value(named: "__fd") else { return failure(EINVAL) }
        return atoi(text)
    }
}

@_cdecl("zgss_msg_set")
public func zgss_msg_set(_ msg: UnsafeMutableRawPointer?, _ property: Int32, _ value: Int32) -> Int32 {
    // libzmq 4.3.4 has no settable property.
    failure(EINVAL)
}

@_cdecl("zgss_msg_gets")
public func zgss_msg_gets(_ msg: UnsafeRawPointer?, _ property: UnsafePointer<CChar>?) -> UnsafePointer<CChar>? {
    guard let msg, MessageReader(base: msg).isMessage else {
        errno = EFAULT
        return nil
    }
    guard let property, let value = MessageReader(base: msg).metadata?.value(named: property) else {
        errno = EINVAL
        return nil
    }
    return value
}

@_cdecl("zgss_msg_send")
public func zgss_msg_send(_ msg: UnsafeMutableRawPointer?, _ handle: OpaquePointer?, _ flags: Int32) -> Int32 {
    Handles.with(handle, kind: .socket, as: ZSocket.self, otherwise: failure(ENOTSOCK)) { socket in
        guard let writer = liveWriter(msg) else { return failure(EFAULT) }
        let reader = writer.reader
        let size = reader.size
        let bytes = reader.data.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) } ?? []
        do throws(TransportError) {
            try socket.send(bytes, flags: flags)
        } catch {
            return failure(error.errno)
        }
        // Sent: the message is now empty, its content released (as libzmq).
        writer.close()
        writer.startEmpty()
        return Int32(clamping: size)
    }
}

@_cdecl("zgss_msg_recv")
public func zgss_msg_recv(_ msg: UnsafeMutableRawPointer?, _ handle: OpaquePointer?, _ flags: Int32) -> Int32 {
    Handles.with(handle, kind: .socket, as: ZSocket.self, otherwise: failure(ENOTSOCK)) { socket in
        guard let writer = liveWriter(msg) else { return failure(EFAULT) }
        var part: ZSocket.ReceivedPart
        do throws(TransportError) {
            part = try socket.receivePart(flags: flags)
        } catch {
            // Like libzmq: nothing to receive leaves the message empty.
            if error.errno == EAGAIN {
                writer.close()
                writer.startEmpty()
            }
            return failure(error.errno)
        }
        writer.close()
        let stored = part.bytes.withUnsafeBytes { writer.start(copying: $0) }
        // The part may be decrypted data: wipe the transient copy.
        part.bytes.withUnsafeMutableBytes { bytes in
            if let base = bytes.baseAddress { memset(base, 0, bytes.count) }
        }
        guard stored else {
            writer.startEmpty()
            return failure(ENOMEM)
        }
        writer.setFlag(MessageFlag.more, part.more)
        writer.attach(part.metadata)
        return Int32(clamping: part.bytes.count)
    }
}

@_cdecl("zgss_sendmsg")
public func zgss_sendmsg(_ handle: OpaquePointer?, _ msg: UnsafeMutableRawPointer?, _ flags: Int32) -> Int32 {
    zgss_msg_send(msg, handle, flags)
}

@_cdecl("zgss_recvmsg")
public func zgss_recvmsg(_ handle: OpaquePointer?, _ msg: UnsafeMutableRawPointer?, _ flags: Int32) -> Int32 {
    zgss_msg_recv(msg, handle, flags)
}

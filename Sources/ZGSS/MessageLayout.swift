// SPDX-License-Identifier: MIT
import Glibc
import ZMTPTransport

// zgss_msg_t: 64 bytes of the caller's memory (pointer-aligned, as libzmq's
// zmq_msg_t), laid out as
//
//   0  UInt32  state: `live`, `closed`, anything else is not a message
//   4  UInt8   kind (MessageKind), 0 once closed
//   5  UInt8   flags (MessageFlag): MORE, SHARED; kept by close, since
//              programs read zmq_msg_more after zmq_msg_close
//   8  UInt    retained MessageMetadata (received messages), or 0
//  16  Int     size in bytes
//  24  .inline:   the bytes themselves (up to `inlineLimit`)
//      .content:  24 data pointer, 32 retained MessageContent
//      .constant: 24 data pointer (the caller's, never freed)
//
// Every reference stored here was retained when stored and is released
// exactly once, by close, by the receive that replaces it or by the send
// that consumes it. Fields are read and written unaligned-safe, so a
// message at an odd address is wrong but never a crash.

enum MessageKind: UInt8 {
    /// Up to 33 bytes inside the 64 (libzmq's "very small message").
    case inline = 1
    /// A reference-counted buffer: ours (init_size, received) or the
    /// caller's with a free function (init_data).
    case content = 2
    /// init_data without a free function: the caller's bytes, not owned.
    case constant = 3
}

enum MessageFlag {
    static let more: UInt8 = 1
    static let shared: UInt8 = 2
}

enum MessageLayout {
    static let live: UInt32 = 0x5A47_4D53
    static let closed: UInt32 = 0x5A47_4D43
    static let kindOffset = 4
    static let flagsOffset = 5
    static let metadataOffset = 8
    static let sizeOffset = 16
    static let dataOffset = 24
    static let contentOffset = 32
    static let inlineOffset = 24
    /// libzmq 4.3.4 keeps up to 33 bytes inside zmq_msg_t; so do we, so
    /// that ZMQ_SHARED after a copy reads the same.
    static let inlineLimit = 33
    static let byteCount = 64
}

/// zgss_free_fn: how a caller takes back the bytes it gave zgss_msg_init_data.
public typealias FreeFunction = @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Void

/// The bytes of a `.content` message, shared by its copies (Swift's atomic
/// reference count is the message's), released by the last one.
final class MessageContent {
    enum Owner {
        /// malloc'd by zgss: wiped (it may hold decrypted data) and freed.
        case library
        /// The caller's: handed back to its free function, once.
        case caller(FreeFunction, UnsafeMutableRawPointer?)
    }

    let data: UnsafeMutableRawPointer?
    let size: Int
    private let owner: Owner

    init(data: UnsafeMutableRawPointer?, size: Int, owner: Owner) {
        self.data = data
        self.size = size
        self.owner = owner
    }

    /// A zgss-owned buffer of `size` bytes; nil when memory is short.
    static func allocate(size: Int) -> MessageContent? {
        guard let data = malloc(max(size, 1)) else { return nil }
        return MessageContent(data: data, size: size, owner: .library)
    }

    deinit {
        switch owner {
        case .library:
            if let data {
                memset(data, 0, size)
                free(data)
            }
        case .caller(let release, let hint):
            release(data, hint)
        }
    }
}

/// Reads of a message's fields.
struct MessageReader {
    let base: UnsafeRawPointer

    var state: UInt32 { base.loadUnaligned(as: UInt32.self) }
    var isLive: Bool { state == MessageLayout.live && kind != nil }
    /// Live or closed: a message whose flags may still be read.
    var isMessage: Bool { isLive || state == MessageLayout.closed }
    var kind: MessageKind? { MessageKind(rawValue: base.load(fromByteOffset: MessageLayout.kindOffset, as: UInt8.self)) }
    var flags: UInt8 { base.load(fromByteOffset: MessageLayout.flagsOffset, as: UInt8.self) }
    var size: Int { base.loadUnaligned(fromByteOffset: MessageLayout.sizeOffset, as: Int.self) }

    var metadata: MessageMetadata? {
        let bits = base.loadUnaligned(fromByteOffset: MessageLayout.metadataOffset, as: UInt.self)
        guard let pointer = UnsafeRawPointer(bitPattern: bits) else { return nil }
        return Unmanaged<MessageMetadata>.fromOpaque(pointer).takeUnretainedValue()
    }

    var contentBits: UInt { base.loadUnaligned(fromByteOffset: MessageLayout.contentOffset, as: UInt.self) }

    /// Where the bytes are (live messages only).
    var data: UnsafeRawPointer? {
        switch kind {
        case .inline: base + MessageLayout.inlineOffset
        case .content, .constant:
            UnsafeRawPointer(bitPattern: base.loadUnaligned(fromByteOffset: MessageLayout.dataOffset, as: UInt.self))
        case nil: nil
        }
    }

    /// ZMQ_SHARED: the bytes may be seen through another message (a copy,
    /// or the caller's own constant buffer).
    var isShared: Bool { (isLive && kind == .constant) || flags & MessageFlag.shared != 0 }
}

/// Writes, on a message the caller handed over for writing.
struct MessageWriter {
    let base: UnsafeMutableRawPointer

    var reader: MessageReader { MessageReader(base: UnsafeRawPointer(base)) }

    /// Starts a live message of `kind`, `size` bytes, no flags, no
    /// metadata. Whatever the 64 bytes held before is overwritten.
    func start(_ kind: MessageKind, size: Int) {
        memset(base, 0, MessageLayout.byteCount)
        base.storeBytes(of: MessageLayout.live, as: UInt32.self)
        base.storeBytes(of: kind.rawValue, toByteOffset: MessageLayout.kindOffset, as: UInt8.self)
        base.storeBytes(of: size, toByteOffset: MessageLayout.sizeOffset, as: Int.self)
    }

    func startEmpty() { start(.inline, size: 0) }

    /// A `.content` message; takes over one reference to `content`.
    func start(_ content: MessageContent) {
        start(.content, size: content.size)
        base.storeBytes(of: UInt(bitPattern: content.data), toByteOffset: MessageLayout.dataOffset, as: UInt.self)
        let reference = UInt(bitPattern: Unmanaged.passRetained(content).toOpaque())
        base.storeBytes(of: reference, toByteOffset: MessageLayout.contentOffset, as: UInt.self)
    }

    func startConstant(_ data: UnsafeMutableRawPointer?, size: Int) {
        start(.constant, size: size)
        base.storeBytes(of: UInt(bitPattern: data), toByteOffset: MessageLayout.dataOffset, as: UInt.self)
    }

    /// Stores the bytes in a new message: inside it when they fit, else in a
    /// zgss-owned buffer. False (message untouched) when memory is short.
    func start(copying bytes: UnsafeRawBufferPointer) -> Bool {
        if bytes.count <= MessageLayout.inlineLimit {
            start(.inline, size: bytes.count)
            if let source = bytes.baseAddress, bytes.count > 0 {
                (base + MessageLayout.inlineOffset).copyMemory(from: source, byteCount: bytes.count)
            }
            return true
        }
        guard let content = MessageContent.allocate(size: bytes.count) else { return false }
        if let source = bytes.baseAddress, let data = content.data {
            data.copyMemory(from: source, byteCount: bytes.count)
        }
        start(content)
        return true
    }

    func setFlag(_ flag: UInt8, _ on: Bool) {
        let flags = reader.flags
        base.storeBytes(of: on ? flags | flag : flags & ~flag, toByteOffset: MessageLayout.flagsOffset, as: UInt8.self)
    }

    /// Takes over one reference to `metadata` (the message must have none).
    func attach(_ metadata: MessageMetadata?) {
        let bits = metadata.map { UInt(bitPattern: Unmanaged.passRetained($0).toOpaque()) } ?? 0
        base.storeBytes(of: bits, toByteOffset: MessageLayout.metadataOffset, as: UInt.self)
    }

    /// Adds the references a byte-for-byte copy of this message needs, and
    /// marks a `.content` message shared (it now is, with the copy).
    func retainForCopy() {
        if let pointer = UnsafeRawPointer(bitPattern: reader.contentBits), reader.kind == .content {
            _ = Unmanaged<MessageContent>.fromOpaque(pointer).retain()
            setFlag(MessageFlag.shared, true)
        }
        if let metadata = reader.metadata { _ = Unmanaged.passUnretained(metadata).retain() }
    }

    /// Releases what a live message holds, wipes the bytes kept inside it,
    /// and leaves it closed, its flags kept (libzmq programs read
    /// zmq_msg_more after zmq_msg_close).
    func close() {
        let flags = reader.flags
        if reader.kind == .content, let pointer = UnsafeRawPointer(bitPattern: reader.contentBits) {
            Unmanaged<MessageContent>.fromOpaque(pointer).release()
        }
        let metadataBits = base.loadUnaligned(fromByteOffset: MessageLayout.metadataOffset, as: UInt.self)
        if let pointer = UnsafeRawPointer(bitPattern: metadataBits) {
            Unmanaged<MessageMetadata>.fromOpaque(pointer).release()
        }
        memset(base, 0, MessageLayout.byteCount)
        base.storeBytes(of: MessageLayout.closed, as: UInt32.self)
        base.storeBytes(of: flags, toByteOffset: MessageLayout.flagsOffset, as: UInt8.self)
    }
}

/// A ZMTP 3.x frame: flags byte, 1- or 8-byte size, body.
///
/// Flags: bit 0 MORE, bit 1 LONG (8-byte size), bit 2 COMMAND. The other
/// bits are reserved and must be zero.
public struct Frame: Equatable, Sendable {
    public var more: Bool
    public var isCommand: Bool
    public var body: [UInt8]

    public init(body: [UInt8], more: Bool = false, isCommand: Bool = false) {
        self.body = body
        self.more = more
        self.isCommand = isCommand
    }

    public static let moreBit: UInt8 = 0x01
    public static let longBit: UInt8 = 0x02
    public static let commandBit: UInt8 = 0x04

    /// Size of the header for a body of `count` bytes (2 or 9).
    @inlinable
    public static func headerSize(forBodyCount count: Int) -> Int {
        count <= 255 ? 2 : 9
    }

    /// Appends the frame header for a body of `count` bytes.
    @inlinable
    public static func appendHeader(to out: inout [UInt8], bodyCount count: Int, more: Bool, isCommand: Bool) {
        var flags: UInt8 = 0
        if more { flags |= moreBit }
        if isCommand { flags |= commandBit }
        if count <= 255 {
            out.append(flags)
            out.append(UInt8(count))
        } else {
            out.append(flags | longBit)
            out.appendUInt64BE(UInt64(count))
        }
    }

    /// The frame as bytes on the wire.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Frame.headerSize(forBodyCount: body.count) + body.count)
        Frame.appendHeader(to: &out, bodyCount: body.count, more: more, isCommand: isCommand)
        out.append(contentsOf: body)
        return out
    }

    /// Appends the frame's bytes to `out`.
    public func encode(into out: inout [UInt8]) {
        Frame.appendHeader(to: &out, bodyCount: body.count, more: more, isCommand: isCommand)
        out.append(contentsOf: body)
    }
}

/// Incremental frame parser: feed bytes as they arrive, take frames out.
///
/// A declared size above `maxFrameSize` is refused before any body byte is
/// buffered, so a peer announcing 4 GiB costs nothing. Once it has thrown,
/// the decoder stays failed.
public struct FrameDecoder: Sendable {
    public static let defaultMaxFrameSize = 256 << 20

    public let maxFrameSize: Int
    private var buffer: [UInt8] = []
    private var readIndex = 0
    private var failure: CodecError?

    /// A negative `maxFrameSize` is treated as 0 (only empty frames pass).
    public init(maxFrameSize: Int = FrameDecoder.defaultMaxFrameSize) {
        self.maxFrameSize = max(0, maxFrameSize)
    }

    /// Bytes received but not yet returned as frames.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    public mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        if readIndex > 0 && readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            readIndex = 0
        } else if readIndex > 65536 && readIndex * 2 > buffer.count {
            buffer.removeSubrange(0..<readIndex)
            readIndex = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Takes the bytes that follow the frames already returned (used when a
    /// greeting and the first frames arrive in the same read).
    public mutating func takeRemaining() -> [UInt8] {
        let rest = Array(buffer[readIndex...])
        buffer.removeAll(keepingCapacity: true)
        readIndex = 0
        return rest
    }

    /// The next complete frame, or nil when more bytes are needed.
    public mutating func next() throws -> Frame? {
        if let failure { throw failure }
        let available = buffer.count - readIndex
        guard available >= 2 else { return nil }
        let flags = buffer[readIndex]
        if flags & ~(Frame.moreBit | Frame.longBit | Frame.commandBit) != 0 {
            return try fail(CodecError(.reservedFlags, "frame flags 0x\(String(flags, radix: 16)) use reserved bits"))
        }
        let headerSize: Int
        let declared: UInt64
        if flags & Frame.longBit != 0 {
            guard available >= 9 else { return nil }
            headerSize = 9
            declared = readUInt64BE(buffer, at: readIndex + 1)
        } else {
            headerSize = 2
            declared = UInt64(buffer[readIndex + 1])
        }
        guard declared <= UInt64(maxFrameSize) else {
            return try fail(CodecError(.frameTooLarge, "peer declared a frame of \(declared) bytes; the limit is \(maxFrameSize)"))
        }
        let size = Int(declared)
        guard available - headerSize >= size else { return nil }
        let start = readIndex + headerSize
        let frame = Frame(body: Array(buffer[start..<start + size]),
                          more: flags & Frame.moreBit != 0,
                          isCommand: flags & Frame.commandBit != 0)
        if frame.isCommand && frame.more {
            return try fail(CodecError(.malformedCommand, "a command frame must not have the MORE flag"))
        }
        readIndex = start + size
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            readIndex = 0
        }
        return frame
    }

    private mutating func fail(_ error: CodecError) throws -> Frame? {
        failure = error
        throw error
    }
}

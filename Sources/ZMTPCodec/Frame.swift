// SPDX-License-Identifier: MIT
// Frame.appendHeader is @inlinable and writes the 8-byte size with
// ZGSSBase's appendUInt64BE, so the import is public.
public import ZGSSBase

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
/// A declared size above `maxFrameSize` is refused as soon as the frame's
/// header is read, before its body is collected: a peer announcing 4 GiB
/// costs at most the bytes that came with the header. A frame within the
/// limit is collected as its bytes arrive: its buffer is reserved at up to
/// `firstReservation` bytes and grows with what arrives beyond that, never
/// beyond the declared size, so a peer that announces a large frame and
/// sends little of it costs little (reserved, untouched memory is address
/// space, not resident pages). Once it has thrown, the decoder stays failed.
public struct FrameDecoder: Sendable {
    public static let defaultMaxFrameSize = 256 << 20

    /// The largest body accepted; see `setMaxFrameSize`.
    public private(set) var maxFrameSize: Int
    /// Bytes not yet parsed (headers, small frames) start at `readIndex`.
    private var buffer: [UInt8] = []
    private var readIndex = 0
    /// A large frame whose header was read and whose body is still
    /// arriving: its bytes go straight into its own array.
    private var collecting: Collecting?
    private var failure: CodecError?
    /// The header of the frame refused for its size (see `refusedHeader`).
    public private(set) var refusedHeader: FrameHeader?

    /// A body longer than this that has not fully arrived is collected in
    /// an array of its own rather than in `buffer`.
    static let collectThreshold = 1 << 15
    /// What a collected body reserves at once (its declared size if
    /// smaller): a body of up to 1 MiB arrives into one allocation, where
    /// growing by doubling from the first read copied it four times over
    /// into freshly faulted pages.
    static let firstReservation = 1 << 20
    /// `buffer` capacity kept once it is empty; a larger one is released.
    static let keptCapacity = 1 << 17

    private struct Collecting: Sendable {
        var header: FrameHeader
        /// The header as it arrived (for `takeRemaining`).
        var headerBytes: [UInt8]
        var body: [UInt8]

        /// Makes room for `needed` bytes of body: capacity doubles with
        /// what arrives, capped at the declared size.
        mutating func reserve(_ needed: Int) {
            guard needed > body.capacity else { return }
            body.reserveCapacity(min(Int(header.size), max(needed, body.capacity * 2)))
        }
    }

    /// A negative `maxFrameSize` is treated as 0 (only empty frames pass).
    public init(maxFrameSize: Int = FrameDecoder.defaultMaxFrameSize) {
        self.maxFrameSize = max(0, maxFrameSize)
    }

    /// Changes the limit for frames whose header has not been read yet (a
    /// frame already being collected keeps the limit it passed). A negative
    /// value is treated as 0.
    public mutating func setMaxFrameSize(_ limit: Int) {
        maxFrameSize = max(0, limit)
    }

    /// Bytes received but not yet returned as frames.
    public var bufferedByteCount: Int {
        buffer.count - readIndex + (collecting.map { $0.headerBytes.count + $0.body.count } ?? 0)
    }

    /// Bytes of memory the decoder holds for its buffers now (their
    /// capacity, not their contents).
    public var reservedByteCount: Int {
        buffer.capacity + (collecting.map { $0.headerBytes.capacity + $0.body.capacity } ?? 0)
    }

    /// The frame whose body is arriving, and how much of it has: nil when
    /// the decoder waits at a frame boundary or in a small frame.
    public var unfinishedFrame: (header: FrameHeader, received: Int)? {
        if let collecting { return (collecting.header, collecting.body.count) }
        guard let (header, headerSize) = peekHeader() else { return nil }
        let received = buffer.count - readIndex - headerSize
        return UInt64(received) < header.size ? (header, received) : nil
    }

    public mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        guard failure == nil else { return }
        var rest = bytes[...]
        if collecting != nil {
            rest = collect(rest)
            if rest.isEmpty { return }
        }
        if readIndex > 0 && readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= Self.keptCapacity)
            readIndex = 0
        } else if readIndex > 65536 && readIndex * 2 > buffer.count {
            buffer.removeSubrange(0..<readIndex)
            readIndex = 0
        }
        buffer.append(contentsOf: rest)
    }

    /// Moves what the collected frame still lacks from `bytes` into its
    /// body; returns the rest. The body's capacity grows by doubling with
    /// what arrives, capped at the declared size.
    private mutating func collect<S: Collection>(_ bytes: S) -> S.SubSequence where S.Element == UInt8 {
        guard var frame = collecting else { return bytes[...] }
        collecting = nil  // the body is uniquely referenced while it grows
        let wanted = Int(frame.header.size) - frame.body.count
        let taken = bytes.prefix(wanted)
        frame.reserve(frame.body.count + taken.count)
        frame.body.append(contentsOf: taken)
        collecting = frame
        return bytes.dropFirst(taken.count)
    }

    /// Bytes the body of the frame being collected still lacks (0 when no
    /// frame is being collected).
    public var missingBodyByteCount: Int {
        guard failure == nil, let collecting else { return 0 }
        return Int(collecting.header.size) - collecting.body.count
    }

    /// The frame being collected takes its next bytes from `fill`, written
    /// straight into its body: a large frame is read from the socket into
    /// its own memory instead of being copied there from a read buffer.
    /// `fill` gets room for at most `limit` bytes, never more than the body
    /// lacks, reserved as `append` would reserve it (so a peer that declares
    /// a large frame and sends little of it still costs little), and
    /// returns how many bytes it wrote at the start of that room; a count
    /// outside 0...room.count traps. Returns that count: 0 when no frame is
    /// being collected, when `limit` is not positive or the decoder failed.
    public mutating func receiveIntoBody(upTo limit: Int, _ fill: (UnsafeMutableRawBufferPointer) -> Int) -> Int {
        guard failure == nil, limit > 0, var frame = collecting else { return 0 }
        collecting = nil  // the body is uniquely referenced while it grows
        let wanted = min(limit, Int(frame.header.size) - frame.body.count)
        frame.reserve(frame.body.count + wanted)
        var written = 0
        frame.body.append(addingCapacity: wanted) { (span: inout OutputSpan<UInt8>) in
            span.withUnsafeMutableBufferPointer { free, initialized in
                let room = UnsafeMutableRawBufferPointer(UnsafeMutableBufferPointer(rebasing: free.prefix(wanted)))
                written = fill(room)
                precondition(written >= 0 && written <= room.count, "fill wrote \(written) of \(room.count) bytes")
                initialized += written
            }
        }
        collecting = frame
        return written
    }

    /// Takes the bytes that follow the frames already returned (used when a
    /// greeting and the first frames arrive in the same read).
    public mutating func takeRemaining() -> [UInt8] {
        var rest: [UInt8] = []
        if let collecting {
            rest = collecting.headerBytes + collecting.body
            self.collecting = nil
        }
        rest += buffer[readIndex...]
        buffer.removeAll(keepingCapacity: buffer.capacity <= Self.keptCapacity)
        readIndex = 0
        return rest
    }

    /// The header at `readIndex` and its size, once all of it is buffered.
    private func peekHeader() -> (FrameHeader, Int)? {
        let available = buffer.count - readIndex
        guard available >= 2 else { return nil }
        let flags = buffer[readIndex]
        if flags & Frame.longBit != 0 {
            guard available >= 9 else { return nil }
            return (FrameHeader(flags: flags, size: readUInt64BE(buffer, at: readIndex + 1)), 9)
        }
        return (FrameHeader(flags: flags, size: UInt64(buffer[readIndex + 1])), 2)
    }

    /// The next complete frame, or nil when more bytes are needed.
    public mutating func next() throws(CodecError) -> Frame? {
        if let failure { throw failure }
        if let frame = collecting {
            guard frame.body.count == Int(frame.header.size) else { return nil }
            collecting = nil
            return Frame(body: frame.body, more: frame.header.more, isCommand: frame.header.isCommand)
        }
        // Reserved bits are refused from the flags byte alone.
        if readIndex < buffer.count, case let flags = buffer[readIndex],
           flags & ~(Frame.moreBit | Frame.longBit | Frame.commandBit) != 0 {
            return try fail(CodecError(.reservedFlags, "frame flags 0x\(String(flags, radix: 16)) use reserved bits"))
        }
        guard let (header, headerSize) = peekHeader() else { return nil }
        guard header.size <= UInt64(maxFrameSize) else {
            refusedHeader = header
            return try fail(CodecError(.frameTooLarge, "peer declared a frame of \(header.size) bytes; the limit is \(maxFrameSize)"))
        }
        if header.isCommand && header.more {
            return try fail(CodecError(.malformedCommand, "a command frame must not have the MORE flag"))
        }
        let size = Int(header.size)
        let start = readIndex + headerSize
        let available = buffer.count - start
        guard available >= size else {
            if size > Self.collectThreshold { startCollecting(header, headerSize: headerSize) }
            return nil
        }
        let frame = Frame(body: Array(buffer[start..<start + size]), more: header.more, isCommand: header.isCommand)
        readIndex = start + size
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= Self.keptCapacity)
            readIndex = 0
        }
        return frame
    }

    /// Moves a large frame's header and the part of its body already
    /// buffered out of `buffer`, into an array that grows as the rest comes.
    private mutating func startCollecting(_ header: FrameHeader, headerSize: Int) {
        let start = readIndex + headerSize
        var body: [UInt8] = []
        body.reserveCapacity(min(Int(header.size), max(buffer.count - start, Self.firstReservation)))
        body.append(contentsOf: buffer[start...])
        collecting = Collecting(header: header, headerBytes: Array(buffer[readIndex..<start]), body: body)
        buffer.removeAll(keepingCapacity: buffer.capacity <= Self.keptCapacity)
        readIndex = 0
    }

    private mutating func fail(_ error: CodecError) throws(CodecError) -> Frame? {
        failure = error
        throw error
    }
}

/// A frame's flags byte and declared body size, as read from its header.
public struct FrameHeader: Equatable, Sendable {
    public let flags: UInt8
    public let size: UInt64

    public init(flags: UInt8, size: UInt64) {
        self.flags = flags
        self.size = size
    }

    public var more: Bool { flags & Frame.moreBit != 0 }
    public var isCommand: Bool { flags & Frame.commandBit != 0 }
}

// SPDX-License-Identifier: MIT
import Glibc
internal import ZGSSBase

/// What a finished Kerberos GSS context leaves for message protection:
/// the key, the enctype, the direction and the next sequence numbers
/// (GSSKit's lucid export provides it).
public struct SessionKeys: Sendable {
    public var enctype: Enctype
    public var key: [UInt8]
    public var isInitiator: Bool
    /// The acceptor chose a subkey: tokens carry flag 0x04 and use it.
    public var acceptorSubkey: Bool
    public var sendSequence: UInt64
    public var receiveSequence: UInt64
    /// When the context expires (seconds since the epoch; 0: never).
    public var endTime: UInt32

    public init(enctype: Enctype, key: [UInt8], isInitiator: Bool, acceptorSubkey: Bool,
                sendSequence: UInt64, receiveSequence: UInt64, endTime: UInt32) {
        self.enctype = enctype
        self.key = key
        self.isInitiator = isInitiator
        self.acceptorSubkey = acceptorSubkey
        self.sendSequence = sendSequence
        self.receiveSequence = receiveSequence
        self.endTime = endTime
    }

    /// Overwrites the key bytes (when this value owns them alone).
    public mutating func wipe() { Secret.wipe(&key) }
}

/// RFC 4121 confidential wrap tokens (section 4.2.6.2), sealed and opened
/// in place, the same bytes MIT's gss_wrap writes (EC 0, RRC 0) and any
/// valid token gss_wrap or SSPI writes accepted (EC filler, RRC rotation):
///
///     header 16: 05 04 | flags | FF | EC (2) | RRC (2) | SND_SEQ (8)
///     then Kerberos-encrypted: data | EC filler bytes | header (RRC 0)
///
/// Opening refuses replays and tokens older than the last one: over one
/// TCP stream tokens arrive in order. Sequence numbers never wrap: after
/// UInt64.max, sealing and opening refuse. Not thread-safe (one connection).
public final class WrapTokenCodec {
    static let headerCount = 16
    static let flagSentByAcceptor: UInt8 = 0x01
    static let flagSealed: UInt8 = 0x02
    static let flagAcceptorSubkey: UInt8 = 0x04

    private let sender: UsageCipher
    private let receiver: UsageCipher
    private let sendFlags: UInt8
    private let receiveFlags: UInt8
    private let endTime: UInt32
    /// The next sequence number to send. Nil once UInt64.max went out:
    /// RFC 4121 numbers never wrap, and a reused one would let a peer take
    /// a recorded old token for a new one.
    private var sendSequence: UInt64?
    /// The lowest sequence number still acceptable. Nil once a token with
    /// UInt64.max was accepted: nothing can follow it.
    private var receiveSequence: UInt64?

    /// Takes the keys (and wipes the caller's copy of the key bytes).
    public init(keys: inout SessionKeys) throws(KerberosCryptoError) {
        defer { keys.wipe() }
        // Key usages of RFC 4121 section 2: the sender's role picks the seal usage.
        let acceptorSeal: UInt32 = 22
        let initiatorSeal: UInt32 = 24
        sender = try UsageCipher(baseKey: keys.key, enctype: keys.enctype,
                                 usage: keys.isInitiator ? initiatorSeal : acceptorSeal, encrypting: true)
        receiver = try UsageCipher(baseKey: keys.key, enctype: keys.enctype,
                                   usage: keys.isInitiator ? acceptorSeal : initiatorSeal, encrypting: false)
        let subkey = keys.acceptorSubkey ? Self.flagAcceptorSubkey : 0
        sendFlags = Self.flagSealed | subkey | (keys.isInitiator ? 0 : Self.flagSentByAcceptor)
        receiveFlags = Self.flagSealed | subkey | (keys.isInitiator ? Self.flagSentByAcceptor : 0)
        endTime = keys.endTime
        sendSequence = keys.sendSequence
        receiveSequence = keys.receiveSequence
    }

    /// Where the data goes in a token buffer, and the token size for
    /// `dataCount` bytes of data.
    public static let dataOffset = headerCount + UsageCipher.confounderCount
    public func tokenCount(dataCount: Int) -> Int { Self.headerCount + sender.overhead + dataCount + Self.headerCount }

    /// Seals a token whose data the caller already put at `dataOffset`
    /// (`token.count == tokenCount(dataCount:)`).
    public func seal(_ token: UnsafeMutableRawBufferPointer) throws(KerberosCryptoError) {
        guard token.count >= tokenCount(dataCount: 0), let base = token.baseAddress else {
            throw KerberosCryptoError("token buffer too small")
        }
        try checkExpiry()
        guard let sequence = sendSequence else {
            throw KerberosCryptoError("all 2^64 sequence numbers of this context are used up; reconnect")
        }
        let header = base.assumingMemoryBound(to: UInt8.self)
        writeHeader(header, flags: sendFlags, sequence: sequence)
        // The encrypted copy of the header goes after the data (RRC 0 in both).
        let copyAt = token.count - sender.enctype.macCount - Self.headerCount
        (base + copyAt).copyMemory(from: base, byteCount: Self.headerCount)
        try sender.seal(UnsafeMutableRawBufferPointer(rebasing: token[Self.headerCount...]))
        sendSequence = sequence == .max ? nil : sequence + 1
    }

    /// Checks and decrypts a token where it lies; returns the data's range
    /// in `token`. Tampered, foreign, replayed or expired tokens throw.
    public func open(_ token: UnsafeMutableRawBufferPointer) throws(KerberosCryptoError) -> Range<Int> {
        guard token.count >= Self.headerCount, let base = token.baseAddress else {
            throw KerberosCryptoError("wrap token too short (\(token.count) bytes)")
        }
        try checkExpiry()
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        guard bytes[0] == 0x05, bytes[1] == 0x04, bytes[3] == 0xFF else {
            throw KerberosCryptoError("not an RFC 4121 wrap token")
        }
        guard bytes[2] == receiveFlags else {
            throw KerberosCryptoError(describeFlags(bytes[2]))
        }
        guard token.count >= tokenCount(dataCount: 0) else {
            throw KerberosCryptoError("wrap token too short (\(token.count) bytes)")
        }
        let header = UnsafeBufferPointer(start: bytes, count: Self.headerCount)
        let ec = Int(readUInt16BE(header, at: 4))
        let rrc = Int(readUInt16BE(header, at: 6))
        let sequence = readUInt64BE(header, at: 8)
        let sealed = UnsafeMutableRawBufferPointer(rebasing: token[Self.headerCount...])
        if rrc != 0 { Self.rotateLeft(sealed, by: rrc % sealed.count) }
        let plain = try receiver.open(sealed)
        // plain: data | EC filler | header copy, relative to `sealed`.
        guard plain.count >= ec + Self.headerCount else { throw KerberosCryptoError("wrap token filler too long") }
        let copy = bytes + Self.headerCount + plain.upperBound - Self.headerCount
        // The copy must repeat the header; its RRC is 0 by definition, so skip it.
        guard copy[0] == bytes[0], copy[1] == bytes[1], copy[2] == bytes[2], copy[3] == bytes[3],
              copy[4] == bytes[4], copy[5] == bytes[5],
              (8..<16).allSatisfy({ copy[$0] == bytes[$0] }) else {
            throw KerberosCryptoError("wrap token header does not match its encrypted copy")
        }
        guard let expected = receiveSequence else {
            throw KerberosCryptoError("wrap token after the last sequence number (sequence \(sequence)): the peer's numbers are used up")
        }
        guard sequence >= expected else {
            throw KerberosCryptoError("replayed or out-of-order wrap token (sequence \(sequence), expected \(expected) or later)")
        }
        receiveSequence = sequence == .max ? nil : sequence + 1
        let start = Self.headerCount + plain.lowerBound
        return start..<(start + plain.count - ec - Self.headerCount)
    }

    private func writeHeader(_ header: UnsafeMutablePointer<UInt8>, flags: UInt8, sequence: UInt64) {
        header[0] = 0x05
        header[1] = 0x04
        header[2] = flags
        header[3] = 0xFF
        header[4] = 0; header[5] = 0   // EC: AES-CTS needs no filler
        header[6] = 0; header[7] = 0   // RRC
        var field = UnsafeMutableBufferPointer(start: header, count: Self.headerCount)
        field.storeUInt64BE(sequence, at: 8)
    }

    private func checkExpiry() throws(KerberosCryptoError) {
        guard endTime != 0 else { return }
        if time(nil) > time_t(endTime) { throw KerberosCryptoError("the security context has expired") }
    }

    private func describeFlags(_ flags: UInt8) -> String {
        if flags & Self.flagSealed == 0 { return "wrap token without confidentiality (not encrypted), but encryption is required" }
        if (flags ^ receiveFlags) & Self.flagSentByAcceptor != 0 { return "wrap token comes from the wrong side (a reflected token?)" }
        return "wrap token flags 0x\(String(flags, radix: 16)) do not match this context's key"
    }

    /// Undoes an RRC rotation: the sender rotated right by `count`.
    static func rotateLeft(_ buffer: UnsafeMutableRawBufferPointer, by count: Int) {
        guard count > 0, count < buffer.count else { return }
        let head = Array(buffer[0..<count])
        guard let base = buffer.baseAddress else { return }
        base.copyMemory(from: base + count, byteCount: buffer.count - count)
        (base + buffer.count - count).copyMemory(from: head, byteCount: count)
    }
}

extension WrapTokenCodec {
    /// Whether libcrypto offers what the codec needs (AES-CTS, HMAC):
    /// checked once by keying a throwaway codec.
    public static let isAvailable: Bool = {
        var keys = SessionKeys(enctype: .aes128CtsHmacSha1, key: [UInt8](repeating: 1, count: 16), isInitiator: true,
                               acceptorSubkey: false, sendSequence: 0, receiveSequence: 0, endTime: 0)
        return (try? WrapTokenCodec(keys: &keys)) != nil
    }()
}

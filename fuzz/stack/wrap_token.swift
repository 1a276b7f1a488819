// SPDX-License-Identifier: MIT
// libFuzzer harness: KerberosCrypto's RFC 4121 wrap tokens
// (Sources/KerberosCrypto/WrapTokens.swift), both ends keyed with a fixed
// test key (no KDC).
//
// Byte 0 picks the enctype (bits 0-1), the acceptor-subkey flag (bit 2),
// which side seals (bit 3) and the mode (bits 4-5); bytes 1-3 the first
// sequence number. Modes:
//   0 raw:     the rest is a token for the receiver.
//   1 damage:  the rest is a mutation (see mutate) and a plaintext; a
//              sealed token of it is damaged and opened.
//   2 foreign: byte EC, two bytes RRC, the rest a plaintext: a token as
//              SSPI or Heimdal may write it (EC filler bytes, rotated by
//              RRC) built with the sender's cipher, opened.
//   3 stream:  opcodes over one sender/receiver pair: seal and deliver,
//              seal and hold back, deliver the oldest held token, replay.
// Checks: a genuine token opens to its plaintext (also with EC and RRC);
// a damaged one never opens, except that a changed RRC field may rotate
// by a multiple of the length and open to the same plaintext; a token
// opens at most once and only in sequence order; an opened range lies
// inside the token.

@testable import KerberosCrypto

let enctypes = Enctype.allCases

func key(_ enctype: Enctype) -> [UInt8] { (0..<enctype.keyCount).map { UInt8(truncatingIfNeeded: $0 &* 29 &+ 3) } }

struct Pair {
    let sender: WrapTokenCodec
    let receiver: WrapTokenCodec
    let senderIsInitiator: Bool
    let subkey: Bool
    let enctype: Enctype
    let firstSequence: UInt64

    init?(_ header: UInt8, sequence: UInt64) {
        enctype = enctypes[Int(header & 3)]
        subkey = header & 4 != 0
        senderIsInitiator = header & 8 == 0
        firstSequence = sequence
        var sendKeys = SessionKeys(enctype: enctype, key: key(enctype), isInitiator: senderIsInitiator,
                                   acceptorSubkey: subkey, sendSequence: sequence, receiveSequence: 0, endTime: 0)
        var receiveKeys = SessionKeys(enctype: enctype, key: key(enctype), isInitiator: !senderIsInitiator,
                                      acceptorSubkey: subkey, sendSequence: 0, receiveSequence: sequence, endTime: 0)
        guard let sender = try? WrapTokenCodec(keys: &sendKeys),
              let receiver = try? WrapTokenCodec(keys: &receiveKeys) else { return nil }
        if sendKeys.key.contains(where: { $0 != 0 }) { finding("the codec left the caller's key bytes unwiped") }
        self.sender = sender
        self.receiver = receiver
    }

    func seal(_ data: [UInt8]) -> [UInt8]? {
        var token = [UInt8](repeating: 0, count: sender.tokenCount(dataCount: data.count))
        if token.count < WrapTokenCodec.dataOffset + data.count { finding("tokenCount too small for the data") }
        token.replaceSubrange(WrapTokenCodec.dataOffset..<(WrapTokenCodec.dataOffset + data.count), with: data)
        do {
            try token.withUnsafeMutableBytes { try sender.seal($0) }
        } catch {
            return nil
        }
        return token
    }
}

/// Opens a copy of `token`; the data, or nil when refused.
func open(_ codec: WrapTokenCodec, _ token: [UInt8]) -> [UInt8]? {
    var copy = token
    return copy.withUnsafeMutableBytes { raw -> [UInt8]? in
        guard let range = try? codec.open(raw) else { return nil }
        if range.lowerBound < WrapTokenCodec.dataOffset || range.upperBound > raw.count || range.lowerBound > range.upperBound {
            finding("opened range \(range) outside the token of \(raw.count) bytes")
        }
        return Array(raw[range])
    }
}

func rawMode(_ pair: Pair, _ token: [UInt8]) {
    guard open(pair.receiver, token) != nil else { return }
    // A token that opened (a seed may hold one) must not open again.
    if open(pair.receiver, token) != nil { finding("a raw token opened twice") }
}

func damageMode(_ pair: Pair, _ input: inout FuzzInput) {
    var plan = input
    _ = mutate([], &input)   // skip the mutation's arguments
    let data = input.rest()
    guard let token = pair.seal(data) else { return }
    let (damaged, changed) = mutate(token, &plan)
    let opened = open(pair.receiver, damaged)
    if !changed {
        if opened != data { finding("a genuine token did not open to its data") }
        return
    }
    guard let opened else { return }
    let onlyRRC = damaged.count == token.count && damaged.indices.allSatisfy { $0 == 6 || $0 == 7 || damaged[$0] == token[$0] }
    if !onlyRRC || opened != data { finding("a damaged token opened") }
}

/// Builds a token the way another implementation may: EC filler bytes
/// after the data, and the sealed part rotated right by RRC.
func foreignMode(_ pair: Pair, _ input: inout FuzzInput) {
    let ec = Int(input.byte())
    let rrc = input.u16()
    let data = input.rest()
    let usage: UInt32 = pair.senderIsInitiator ? 24 : 22
    guard let cipher = try? UsageCipher(baseKey: key(pair.enctype), enctype: pair.enctype, usage: usage, encrypting: true) else {
        finding("no cipher for \(pair.enctype)")
    }
    let flags: UInt8 = 0x02 | (pair.subkey ? 0x04 : 0) | (pair.senderIsInitiator ? 0 : 0x01)
    var header: [UInt8] = [0x05, 0x04, flags, 0xFF, UInt8(ec >> 8), UInt8(ec & 0xff), 0, 0]
    for i in 0..<8 { header.append(UInt8(truncatingIfNeeded: pair.firstSequence >> (56 - 8 * UInt64(i)))) }
    var sealed = [UInt8](repeating: 0, count: UsageCipher.confounderCount) + data
        + [UInt8](repeating: 0xEC, count: ec) + header + [UInt8](repeating: 0, count: pair.enctype.macCount)
    do {
        try sealed.withUnsafeMutableBytes { try cipher.seal($0) }
    } catch {
        finding("sealing a foreign token failed: \(error)")
    }
    let shift = rrc % sealed.count
    sealed = Array(sealed[(sealed.count - shift)...] + sealed[..<(sealed.count - shift)])
    header[6] = UInt8(rrc >> 8)
    header[7] = UInt8(rrc & 0xff)
    let opened = open(pair.receiver, header + sealed)
    if opened != data { finding("a valid token with EC \(ec), RRC \(rrc) did not open to its data") }
}

func streamMode(_ pair: Pair, _ input: inout FuzzInput) {
    var held: [(sequence: UInt64, token: [UInt8], data: [UInt8])] = []
    var sent = pair.firstSequence
    var expected = pair.firstSequence
    var last: [UInt8]?
    for _ in 0..<64 where !input.isEmpty {
        let op = input.byte() % 4
        func deliver(_ sequence: UInt64, _ token: [UInt8], _ data: [UInt8]) {
            let opened = open(pair.receiver, token)
            if sequence >= expected {
                if opened != data { finding("token \(sequence) refused (expected \(expected) or later)") }
                expected = sequence &+ 1
                last = token
            } else if opened != nil {
                finding("token \(sequence) opened after \(expected - 1)")
            }
        }
        switch op {
        case 0, 1:
            let data = input.data()
            guard let token = pair.seal(data) else { return }
            if op == 0 { deliver(sent, token, data) } else { held.append((sent, token, data)) }
            sent &+= 1
        case 2:
            guard !held.isEmpty else { continue }
            let (sequence, token, data) = held.removeFirst()
            deliver(sequence, token, data)
        default:
            if let last, open(pair.receiver, last) != nil { finding("a replayed token opened") }
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWrapToken(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let header = input.byte()
    let sequence = UInt64(input.u16()) << (UInt64(input.byte()) % 49)
    guard let pair = Pair(header, sequence: sequence) else { finding("cannot key the codecs") }
    switch (header >> 4) & 3 {
    case 0: rawMode(pair, input.rest())
    case 1: damageMode(pair, &input)
    case 2: foreignMode(pair, &input)
    default: streamMode(pair, &input)
    }
    return 0
}

// SPDX-License-Identifier: MIT
internal import COpenSSL

/// AES-CBC with ciphertext stealing, variant CS3 (the last two blocks
/// always swapped), zero initial vector, one direction and one key: the
/// cipher of RFC 3962 and RFC 8009. Owns its OpenSSL contexts.
///
/// The CBC context is keyed once and never re-initialised (re-initialising
/// costs more than encrypting a small message). A CBC context carries the
/// last ciphertext block over to the next call as its IV, so each message
/// starts from a known `chain` block instead of zero; XOR-ing the first
/// plaintext block with it before encryption (or the first output block
/// after decryption) gives exactly the zero-IV result.
///
/// Not thread-safe: one connection direction drives it.
final class CTSCipher {
    private let cbc: OpaquePointer
    /// Decryption of the stolen block needs raw AES (no chaining).
    private let ecb: OpaquePointer?
    private let encrypting: Bool
    /// The CBC context's current IV: the last ciphertext block it saw.
    private var chain = Block()
    /// The most bytes handed to libcrypto in one call (see `update`).
    private let updateLimit: Int

    /// 1 GiB: well inside libcrypto's `int` byte counts.
    static let defaultUpdateLimit = 1 << 30

    /// 16 bytes without a heap allocation.
    struct Block {
        var low: UInt64 = 0
        var high: UInt64 = 0
    }

    /// `updateLimit` (a multiple of 16) is for tests of the piecewise path.
    init(key: [UInt8], enctype: Enctype, encrypting: Bool,
         updateLimit: Int = CTSCipher.defaultUpdateLimit) throws(KerberosCryptoError) {
        guard key.count == enctype.keyCount else { throw KerberosCryptoError("AES key of \(key.count) bytes") }
        guard updateLimit >= 16, updateLimit % 16 == 0, updateLimit <= CTSCipher.defaultUpdateLimit else {
            throw KerberosCryptoError("AES update limit of \(updateLimit) bytes")
        }
        guard let cbcCipher = Algorithms.cbc(enctype), let ecbCipher = Algorithms.ecb(enctype) else {
            throw KerberosCryptoError("libcrypto has no AES-\(enctype.keyCount * 8)")
        }
        guard let cbc = EVP_CIPHER_CTX_new() else { throw KerberosCryptoError("out of memory") }
        let ecb = encrypting ? nil : EVP_CIPHER_CTX_new()
        let zero = [UInt8](repeating: 0, count: 16)
        let ok = key.withUnsafeBufferPointer { keyBytes -> Bool in
            guard EVP_CipherInit_ex2(cbc, cbcCipher, keyBytes.baseAddress, zero, encrypting ? 1 : 0, nil) == 1,
                  EVP_CIPHER_CTX_set_padding(cbc, 0) == 1 else { return false }
            if encrypting { return true }
            guard let ecb else { return false }
            return EVP_CipherInit_ex2(ecb, ecbCipher, keyBytes.baseAddress, nil, 0, nil) == 1
                && EVP_CIPHER_CTX_set_padding(ecb, 0) == 1
        }
        guard ok else {
            EVP_CIPHER_CTX_free(cbc)
            EVP_CIPHER_CTX_free(ecb)
            throw KerberosCryptoError("cannot set up AES-\(enctype.keyCount * 8)")
        }
        self.cbc = cbc
        self.ecb = ecb
        self.encrypting = encrypting
        self.updateLimit = updateLimit
    }

    deinit {
        EVP_CIPHER_CTX_free(cbc)
        EVP_CIPHER_CTX_free(ecb)
    }

    /// Encrypts or decrypts `buffer` (more than 16 bytes) where it lies.
    func apply(_ buffer: UnsafeMutableRawBufferPointer) throws(KerberosCryptoError) {
        guard buffer.count > 16, let base = buffer.baseAddress else {
            throw KerberosCryptoError("AES-CTS needs more than one block")
        }
        let blocks = (buffer.count + 15) / 16
        let bulk = 16 * (blocks - 2)          // blocks before the last two
        let last = buffer.count - bulk - 16   // bytes in the final, partial block: 1...16
        let ok = withUnsafeTemporaryAllocation(byteCount: 48, alignment: 16) { scratch -> Bool in
            guard let tail = scratch.baseAddress else { return false }
            // The scratch holds the last two plaintext blocks.
            defer { Secret.wipe(scratch) }
            return encrypting ? encrypt(base, bulk: bulk, last: last, tail: tail)
                              : decrypt(base, bulk: bulk, last: last, tail: tail)
        }
        guard ok else { throw KerberosCryptoError("AES-CBC failed") }
    }

    /// CS3: CBC over the data padded with zeros, then the last two
    /// ciphertext blocks swapped and the (new) last one cut to `last` bytes.
    private func encrypt(_ base: UnsafeMutableRawPointer, bulk: Int, last: Int, tail: UnsafeMutableRawPointer) -> Bool {
        if bulk > 0 {
            xorBlock(base, chain)
            guard update(cbc, base, bulk) else { return false }
            chain = loadBlock(base + bulk - 16)
        }
        // tail: P(n-1) | Pn zero-padded
        tail.copyMemory(from: base + bulk, byteCount: 16 + last)
        (tail + 16 + last).initializeMemory(as: UInt8.self, repeating: 0, count: 16 - last)
        if bulk == 0 { xorBlock(tail, chain) }
        guard update(cbc, tail, 32) else { return false }
        chain = loadBlock(tail + 16)
        (base + bulk).copyMemory(from: tail + 16, byteCount: 16)
        (base + bulk + 16).copyMemory(from: tail, byteCount: last)
        return true
    }

    /// The inverse: raw-decrypt the full block in position n-1 (it is
    /// C(n)), which restores the stolen bytes of C(n-1), then CBC-decrypt
    /// C(n-1) and C(n) in order.
    private func decrypt(_ base: UnsafeMutableRawPointer, bulk: Int, last: Int, tail: UnsafeMutableRawPointer) -> Bool {
        guard let ecb else { return false }
        let final = base + bulk           // C(n), full
        let stolen = base + bulk + 16     // first `last` bytes of C(n-1)
        // tail[32..<48] = D(C(n)); tail = C(n-1) full | C(n)
        guard update(ecb, final, 16, into: tail + 32) else { return false }
        tail.copyMemory(from: stolen, byteCount: last)
        (tail + last).copyMemory(from: tail + 32 + last, byteCount: 16 - last)
        (tail + 16).copyMemory(from: final, byteCount: 16)
        let start = chain
        chain = loadBlock(tail + 16)
        if bulk > 0 {
            guard update(cbc, base, bulk) else { return false }
            xorBlock(base, start)
        }
        guard update(cbc, tail, 32) else { return false }
        if bulk == 0 { xorBlock(tail, start) }
        (base + bulk).copyMemory(from: tail, byteCount: 16)
        (base + bulk + 16).copyMemory(from: tail + 16, byteCount: last)
        return true
    }

    /// EVP_CipherUpdate counts bytes in an `int`: longer runs go through
    /// in pieces of at most `updateLimit` bytes, a multiple of the block
    /// size, so the CBC chain carries over from piece to piece exactly as
    /// it does inside one call.
    private func update(_ context: OpaquePointer, _ data: UnsafeMutableRawPointer, _ count: Int,
                        into out: UnsafeMutableRawPointer? = nil) -> Bool {
        let bytes = data.assumingMemoryBound(to: UInt8.self)
        let target = (out ?? data).assumingMemoryBound(to: UInt8.self)
        var done = 0
        while done < count {
            let piece = min(count - done, updateLimit)
            var produced: Int32 = 0
            guard EVP_CipherUpdate(context, target + done, &produced, bytes + done, Int32(piece)) == 1,
                  Int(produced) == piece else { return false }
            done += piece
        }
        return true
    }

    private func loadBlock(_ at: UnsafeRawPointer) -> Block {
        Block(low: at.loadUnaligned(as: UInt64.self), high: (at + 8).loadUnaligned(as: UInt64.self))
    }

    private func xorBlock(_ at: UnsafeMutableRawPointer, _ block: Block) {
        at.storeBytes(of: at.loadUnaligned(as: UInt64.self) ^ block.low, as: UInt64.self)
        (at + 8).storeBytes(of: (at + 8).loadUnaligned(as: UInt64.self) ^ block.high, as: UInt64.self)
    }
}

/// One AES block encrypted with a raw key (ECB) `times` times over, in
/// place, under one key schedule: key derivation's E(), E(E()), ...
/// `each` sees the block after every encryption. libcrypto cleanses the
/// key schedule when the context is freed.
func aesEncryptBlock(inPlace block: UnsafeMutableRawBufferPointer, key: [UInt8], enctype: Enctype, times: Int = 1,
                     each: (UnsafeRawBufferPointer) -> Void = { _ in }) throws(KerberosCryptoError) {
    guard block.count == 16, let bytes = block.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
        throw KerberosCryptoError("an AES block is 16 bytes, not \(block.count)")
    }
    guard let cipher = Algorithms.ecb(enctype) else {
        throw KerberosCryptoError("libcrypto has no \(enctype.ecbCipherName)")
    }
    guard let context = EVP_CIPHER_CTX_new() else { throw KerberosCryptoError("out of memory") }
    defer { EVP_CIPHER_CTX_free(context) }
    let ready = key.withUnsafeBufferPointer { keyBytes in
        EVP_EncryptInit_ex2(context, cipher, keyBytes.baseAddress, nil, nil) == 1
            && EVP_CIPHER_CTX_set_padding(context, 0) == 1
    }
    guard ready else { throw KerberosCryptoError("AES block encryption failed") }
    for _ in 0..<times {
        var produced: Int32 = 0
        guard EVP_EncryptUpdate(context, bytes, &produced, bytes, 16) == 1, produced == 16 else {
            throw KerberosCryptoError("AES block encryption failed")
        }
        each(UnsafeRawBufferPointer(block))
    }
}

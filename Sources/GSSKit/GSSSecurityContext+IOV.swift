// SPDX-License-Identifier: MIT
internal import CGSSAPI

// Zero-copy message protection with gss_wrap_iov / gss_unwrap_iov: the
// payload is copied once into its final place and encrypted there, and a
// received token is decrypted in place and lent to the caller. The tokens
// are the same RFC 4121 tokens gss_wrap produces (header, data, trailer,
// RRC 0), so any GSS-API peer unwraps them.
extension GSSSecurityContext {
    /// Builds `[prefixCount zero bytes][wrap token of (flags + payload)]` in
    /// one allocation. The caller fills the prefix (e.g. a command name and
    /// the token length, which is `result.count - prefixCount`). Throws
    /// when `1 + payload.count` exceeds `largestMessage`.
    public func wrap(prefixCount: Int, flags: UInt8, payload: UnsafeRawBufferPointer,
                     confidential: Bool = true) throws -> [UInt8] {
        guard isEstablished, let handle = contextHandle else {
            throw GSSError("gss_wrap_iov", reason: "security context is not established")
        }
        try Self.checkWrapSize(1 + payload.count, "gss_wrap_iov")
        // Five descriptors on the stack: no allocation besides the result.
        let (result, confState) = try withUnsafeTemporaryAllocation(of: gss_iov_buffer_desc.self, capacity: 5) { iov in
            iov.initialize(repeating: gss_iov_buffer_desc())
            return try wrap(handle, iov: iov, prefixCount: prefixCount, flags: flags, payload: payload,
                            conf: confidential ? 1 : 0)
        }
        if confidential && confState == 0 {
            throw GSSError("gss_wrap_iov", reason: "the mechanism did not encrypt the message")
        }
        return result
    }

    /// Sizes the token with gss_wrap_iov_length, lays out the result and
    /// encrypts it in place with gss_wrap_iov (iov: header, flags, payload,
    /// padding, trailer).
    private func wrap(_ handle: gss_ctx_id_t, iov: UnsafeMutableBufferPointer<gss_iov_buffer_desc>,
                      prefixCount: Int, flags: UInt8, payload: UnsafeRawBufferPointer,
                      conf: Int32) throws -> ([UInt8], Int32) {
        var minor: OM_uint32 = 0
        var confState: Int32 = 0
        iov[0].type = OM_uint32(GSS_IOV_BUFFER_TYPE_HEADER)
        iov[1].type = OM_uint32(GSS_IOV_BUFFER_TYPE_DATA)
        iov[1].buffer.length = 1
        iov[2].type = OM_uint32(GSS_IOV_BUFFER_TYPE_DATA)
        iov[2].buffer.length = payload.count
        iov[3].type = OM_uint32(GSS_IOV_BUFFER_TYPE_PADDING)
        iov[4].type = OM_uint32(GSS_IOV_BUFFER_TYPE_TRAILER)
        var major = gss_wrap_iov_length(&minor, handle, conf, cgss_c_qop_default(), &confState, iov.baseAddress, 5)
        guard cgss_is_error(major) == 0 else { throw GSSError("gss_wrap_iov_length", major: major, minor: minor) }
        let headerCount = iov[0].buffer.length
        let paddingCount = iov[3].buffer.length
        let trailerCount = iov[4].buffer.length
        let total = prefixCount + headerCount + 1 + payload.count + paddingCount + trailerCount
        let result = try [UInt8](unsafeUninitializedCapacity: total) { buffer, initialized in
            guard let base = buffer.baseAddress else { throw GSSError("gss_wrap_iov", reason: "out of memory") }
            base.initialize(repeating: 0, count: prefixCount + headerCount)
            var at = prefixCount
            iov[0].buffer.value = UnsafeMutableRawPointer(base + at); at += headerCount
            base[at] = flags
            iov[1].buffer.value = UnsafeMutableRawPointer(base + at); at += 1
            if let source = payload.baseAddress, payload.count > 0 {
                UnsafeMutableRawPointer(base + at).copyMemory(from: source, byteCount: payload.count)
            }
            iov[2].buffer.value = UnsafeMutableRawPointer(base + at); at += payload.count
            (base + at).initialize(repeating: 0, count: paddingCount + trailerCount)
            iov[3].buffer.value = UnsafeMutableRawPointer(base + at); at += paddingCount
            iov[4].buffer.value = UnsafeMutableRawPointer(base + at)
            initialized = total
            major = gss_wrap_iov(&minor, handle, conf, cgss_c_qop_default(), &confState, iov.baseAddress, 5)
            guard cgss_is_error(major) == 0 else {
                // Do not leave plaintext in memory that is about to be freed.
                base.update(repeating: 0, count: total)
                throw GSSError("gss_wrap_iov", major: major, minor: minor)
            }
        }
        return (result, confState)
    }

    /// Checks and decrypts `token` in a private copy and lends the
    /// plaintext to `body` with whether it was encrypted. See
    /// `unwrap(inPlace:range:_:)`, which avoids the copy.
    public func unwrap<R>(_ token: some Collection<UInt8>,
                          _ body: (UnsafeRawBufferPointer, _ wasConfidential: Bool) throws -> R) throws -> R {
        var storage = Array(token)
        return try unwrap(inPlace: &storage, range: storage.startIndex..<storage.endIndex, body)
    }

    /// Checks and decrypts the wrap token at `range` of `buffer` where it
    /// lies, and lends the plaintext to `body` with whether it was
    /// encrypted. The range is zeroed afterwards: copy what you keep.
    /// Tampered, replayed (any supplementary status) or foreign tokens
    /// throw. No allocation of its own: the iov lives on the stack.
    public func unwrap<R>(inPlace buffer: inout [UInt8], range: Range<Int>,
                          _ body: (UnsafeRawBufferPointer, _ wasConfidential: Bool) throws -> R) throws -> R {
        guard isEstablished, let handle = contextHandle else {
            throw GSSError("gss_unwrap_iov", reason: "security context is not established")
        }
        try Self.checkUnwrapSize(range.count, "gss_unwrap_iov")
        return try buffer.withUnsafeMutableBytes { whole -> R in
            let raw = UnsafeMutableRawBufferPointer(rebasing: whole[range])
            defer { raw.initializeMemory(as: UInt8.self, repeating: 0) }
            return try withUnsafeTemporaryAllocation(of: gss_iov_buffer_desc.self, capacity: 2) { iov -> R in
                var minor: OM_uint32 = 0
                var confState: Int32 = 0
                var qop: gss_qop_t = 0
                iov.initialize(repeating: gss_iov_buffer_desc())
                iov[0].type = OM_uint32(GSS_IOV_BUFFER_TYPE_STREAM)
                iov[0].buffer = gss_buffer_desc(length: raw.count, value: raw.baseAddress)
                iov[1].type = OM_uint32(GSS_IOV_BUFFER_TYPE_DATA)
                // Read before MIT decrypts (and may rotate) the token in place.
                let sequence = Self.wrapTokenSequence(UnsafeRawBufferPointer(raw))
                let major = gss_unwrap_iov(&minor, handle, &confState, &qop, iov.baseAddress, 2)
                guard major == cgss_s_complete() else {
                    throw GSSError("gss_unwrap_iov", major: major, minor: minor)
                }
                noteUnwrapped(sequence)
                let data = UnsafeRawBufferPointer(start: iov[1].buffer.value, count: iov[1].buffer.length)
                return try body(data, confState != 0)
            }
        }
    }
}

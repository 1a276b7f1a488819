// SPDX-License-Identifier: MIT
internal import CGSSAPI
import Glibc

/// Copies between Swift byte arrays and GSS buffers. GSS output buffers are
/// released right after the copy; input buffers borrow Swift storage for the
/// length of one call.
enum GSSBuffers {
    static func bytes(from buffer: gss_buffer_desc) -> [UInt8] {
        guard buffer.length > 0, let value = buffer.value else { return [] }
        return Array(UnsafeRawBufferPointer(start: value, count: buffer.length))
    }

    static func string(from buffer: gss_buffer_desc) -> String {
        guard buffer.length > 0, let value = buffer.value else { return "" }
        var bytes = UnsafeRawBufferPointer(start: value, count: buffer.length)[...]
        while bytes.last == 0 { bytes = bytes.dropLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Copies and releases an output buffer.
    static func take(_ buffer: inout gss_buffer_desc) -> [UInt8] {
        let out = bytes(from: buffer)
        release(&buffer)
        return out
    }

    /// Frees an output buffer. MIT's gss_release_buffer skips one whose
    /// length is 0, but MIT's unwrap of an empty integrity-only message
    /// hands out malloc(0): that one is freed here (MIT allocates GSS
    /// buffers with malloc on Unix), or every such message would leak.
    static func release(_ buffer: inout gss_buffer_desc) {
        if buffer.length == 0, let value = buffer.value {
            free(value)
            buffer.value = nil
            return
        }
        var minor: OM_uint32 = 0
        gss_release_buffer(&minor, &buffer)
    }

    /// Copies and releases an output buffer that held plaintext, zeroing
    /// the library's copy first.
    static func takeWiping(_ buffer: inout gss_buffer_desc) -> [UInt8] {
        let out = bytes(from: buffer)
        if buffer.length > 0, let value = buffer.value {
            let raw = UnsafeMutableRawBufferPointer(start: value, count: buffer.length)
            for i in raw.indices { raw[i] = 0 }
        }
        release(&buffer)
        return out
    }

    /// Calls `body` with an input buffer over `bytes`. An empty input is a
    /// zero-length buffer with a non-NULL value (some mechanisms insist).
    static func withInput<R>(_ bytes: some Collection<UInt8>, _ body: (inout gss_buffer_desc) throws -> R) rethrows -> R {
        if let result = try bytes.withContiguousStorageIfAvailable({ storage -> R in
            var buffer = gss_buffer_desc(length: storage.count, value: UnsafeMutableRawPointer(mutating: storage.baseAddress))
            if storage.isEmpty { return try withEmpty(body) }
            return try body(&buffer)
        }) {
            return result
        }
        var copy = Array(bytes)
        if copy.isEmpty { return try withEmpty(body) }
        return try copy.withUnsafeMutableBytes { raw in
            var buffer = gss_buffer_desc(length: raw.count, value: raw.baseAddress)
            return try body(&buffer)
        }
    }

    private static func withEmpty<R>(_ body: (inout gss_buffer_desc) throws -> R) rethrows -> R {
        var byte: UInt8 = 0
        return try withUnsafeMutablePointer(to: &byte) { pointer in
            var buffer = gss_buffer_desc(length: 0, value: UnsafeMutableRawPointer(pointer))
            return try body(&buffer)
        }
    }
}

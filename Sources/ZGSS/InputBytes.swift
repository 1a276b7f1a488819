// SPDX-License-Identifier: MIT
/// Whether a caller's (pointer, length) pair may be used: not a negative
/// length (a size_t above Int.max), not NULL with a non-zero length. Every
/// export that takes a buffer checks it, directly or through `bytes`.
func isValidBuffer(_ data: UnsafeRawPointer?, _ length: Int) -> Bool {
    length >= 0 && (data != nil || length == 0)
}

/// Copies a caller's (pointer, length) input into Swift storage. Nil when
/// the pair is invalid (`isValidBuffer`).
func bytes(_ data: UnsafeRawPointer?, _ length: Int) -> [UInt8]? {
    guard isValidBuffer(data, length) else { return nil }
    guard let data, length > 0 else { return [] }
    return Array(UnsafeRawBufferPointer(start: data, count: length))
}

/// Copies a caller's (pointer, length) input into Swift storage. Nil when
/// the pair is invalid: a negative length (a size_t above Int.max) or NULL
/// with a non-zero length. Every export that takes a data buffer uses it.
func bytes(_ data: UnsafeRawPointer?, _ length: Int) -> [UInt8]? {
    guard length >= 0, data != nil || length == 0 else { return nil }
    guard let data, length > 0 else { return [] }
    return Array(UnsafeRawBufferPointer(start: data, count: length))
}

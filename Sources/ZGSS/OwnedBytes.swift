// SPDX-License-Identifier: MIT
/// A byte buffer owned by a handle, handed to C callers as a stable pointer
/// until it is next replaced. Old contents are zeroed before reuse and on
/// release, since they may be decrypted data.
final class OwnedBytes {
    private(set) var pointer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int = 64) {
        self.capacity = max(capacity, 1)
        self.pointer = UnsafeMutablePointer<UInt8>.allocate(capacity: self.capacity)
        self.pointer.initialize(repeating: 0, count: self.capacity)
    }

    deinit {
        pointer.update(repeating: 0, count: capacity)
        pointer.deallocate()
    }

    /// Replaces the contents; with `nulTerminated` a 0 byte follows them
    /// (not counted). Returns false when memory could not be had.
    @discardableResult
    func replace(with bytes: some Collection<UInt8>, nulTerminated: Bool = false) -> Bool {
        let needed = bytes.count + (nulTerminated ? 1 : 0)
        pointer.update(repeating: 0, count: count)
        if needed > capacity {
            // Doubling for small outputs; a large one gets just its size
            // (rounding 2 GiB + 1 up to 4 GiB would waste the rest).
            let newCapacity = max(needed, capacity <= Int.max / 2 ? capacity * 2 : needed)
            pointer.deallocate()
            capacity = newCapacity
            pointer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
            pointer.initialize(repeating: 0, count: capacity)
        }
        let copied = bytes.withContiguousStorageIfAvailable { source -> Bool in
            guard let base = source.baseAddress else { return true }
            pointer.update(from: base, count: source.count)
            return true
        }
        if copied == nil {
            var index = 0
            for byte in bytes {
                pointer[index] = byte
                index += 1
            }
        }
        if nulTerminated { pointer[bytes.count] = 0 }
        count = bytes.count
        return true
    }

    var cString: UnsafePointer<CChar> {
        UnsafeRawPointer(pointer).assumingMemoryBound(to: CChar.self)
    }
}

/// A NUL-terminated copy of a Swift string with a stable address.
final class OwnedCString {
    let storage = OwnedBytes()
    let text: String
    init(_ text: String) {
        self.text = text
        storage.replace(with: Array(text.utf8.filter { $0 != 0 }), nulTerminated: true)
    }
    var pointer: UnsafePointer<CChar> { storage.cString }
}

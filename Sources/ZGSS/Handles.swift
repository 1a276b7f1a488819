// SPDX-License-Identifier: MIT
import Synchronization
import ZGSSBase

// Opaque C handles, as a table with generations.
//
// A handle is a number, never an address: the library never dereferences
// the pointer a C caller passes. Its 64 bits are
//
//   63..48  tag 0x5A47 ("ZG")
//   47..44  kind (HandleKind)
//   43..22  generation of the slot when the handle was issued
//   21..0   slot index
//
// The tag makes every handle a non-canonical address on x86-64 and arm64
// (bits 55..52 are neither all zero nor all one, with or without top-byte
// tagging or 5-level paging), so no real pointer, NULL or small integer
// ever equals a handle, and a foreign pointer fails the tag check before
// anything is read. A handle that passes it is looked up in the table; the
// slot must hold a live object of that kind and generation.
//
// Each slot has one atomic state word:
//
//   63..40  generation    39..36  kind    35  live    34..0  pins
//
// A call pins the slot (compare-and-swap +1, only while live with the
// handle's generation and kind), retains the object, and unpins: the pin
// is what makes the retain safe, so a destroy on another thread can never
// free the object under a running call. Destroy clears `live` (once: a
// second destroy finds it clear); whoever takes the pin count to zero with
// `live` clear releases the table's reference and frees the slot with its
// generation + 1. A slot whose generation is used up is retired, never
// reused, so a stale handle can never name a newer object. Only issuing
// and freeing slots take a lock; lookups are lock-free.

/// Kinds of C handle. The raw value goes into the handle's bits and the
/// slot's state: a handle of one kind is refused where another is expected.
enum HandleKind: UInt64 {
    case config = 1
    case mechanism = 2
    case socket = 3
    case context = 4
    case saslConfig = 5
    case sasl = 6
}

#if !_pointerBitWidth(_64)
#error("zgss's handle encoding needs 64-bit pointers")
#endif

/// One table entry, alone on its cache line so that threads working on
/// different handles do not contend.
struct HandleSlot: ~Copyable {
    let state: Atomic<UInt64>
    /// The object's retained reference (Unmanaged bits), 0 when free.
    let object: Atomic<UInt>
    private let padding: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0)

    init() {
        state = Atomic(0)
        object = Atomic(0)
    }
}

/// How handle values and slot state words are laid out.
enum HandleBits {
    static let tag: UInt64 = 0x5A47
    static let indexBits: UInt64 = 22
    static let generationBits: UInt64 = 22
    static let indexMask: UInt64 = (1 << indexBits) - 1
    static let generationMask: UInt64 = (1 << generationBits) - 1
    static let capacity = 1 << Int(indexBits)

    static func handle(index: UInt64, generation: UInt64, kind: HandleKind) -> UInt64 {
        tag << 48 | kind.rawValue << 44 | generation << indexBits | index
    }

    // Slot state words.
    static let live: UInt64 = 1 << 35
    static let pinMask: UInt64 = live - 1

    static func state(generation: UInt64, kind: HandleKind?, live isLive: Bool) -> UInt64 {
        generation << 40 | (kind?.rawValue ?? 0) << 36 | (isLive ? live : 0)
    }

    static func generation(ofState state: UInt64) -> UInt64 { state >> 40 }
    static func kind(ofState state: UInt64) -> UInt64 { (state >> 36) & 0xF }
}

/// The table: chunks of slots that never move, found through a directory
/// of atomic chunk addresses, and a free list under a lock.
final class HandleTable: @unchecked Sendable {
    static let shared = HandleTable()

    static let chunkBits = 10
    static let chunkSize = 1 << chunkBits
    static let chunkCount = HandleBits.capacity >> chunkBits

    /// Chunk base addresses (0: not allocated yet), published with release.
    private let directory: UnsafeMutablePointer<Atomic<UInt>>

    private struct Allocation {
        var free: [UInt32] = []
        var issued = 0
    }

    private let allocation = PthreadMutex(Allocation())

    private init() {
        directory = .allocate(capacity: Self.chunkCount)
        for index in 0..<Self.chunkCount {
            (directory + index).initialize(to: Atomic(0))
        }
    }

    /// The slot for `index`, or nil when its chunk was never allocated.
    @inline(__always)
    func slot(_ index: Int) -> UnsafeMutablePointer<HandleSlot>? {
        let chunk = index >> Self.chunkBits
        guard chunk < Self.chunkCount else { return nil }
        let base = directory[chunk].load(ordering: .acquiring)
        guard let slots = UnsafeMutablePointer<HandleSlot>(bitPattern: base) else { return nil }
        return slots + (index & (Self.chunkSize - 1))
    }

    /// A free slot index, or nil when all 4M slots are in use or retired.
    func takeSlot() -> Int? {
        allocation.withLock { state -> Int? in
            if let index = state.free.popLast() { return Int(index) }
            guard state.issued < HandleBits.capacity else { return nil }
            let index = state.issued
            if index & (Self.chunkSize - 1) == 0 {
                let raw = UnsafeMutableRawPointer.allocate(byteCount: MemoryLayout<HandleSlot>.stride * Self.chunkSize,
                                                           alignment: 64)
                let slots = raw.bindMemory(to: HandleSlot.self, capacity: Self.chunkSize)
                for offset in 0..<Self.chunkSize {
                    (slots + offset).initialize(to: HandleSlot())
                }
                directory[index >> Self.chunkBits].store(UInt(bitPattern: slots), ordering: .releasing)
            }
            state.issued += 1
            return index
        }
    }

    func returnSlot(_ index: Int) {
        allocation.withLock { $0.free.append(UInt32(index)) }
    }
}

enum Handles {
    /// A new handle owning a reference to `object`; nil when the table is
    /// full (the C function then returns NULL, as for out of memory).
    static func make<T: AnyObject>(_ object: T, kind: HandleKind) -> OpaquePointer? {
        let table = HandleTable.shared
        guard let index = table.takeSlot(), let slot = table.slot(index) else { return nil }
        // A free slot's state holds only its next generation.
        let generation = HandleBits.generation(ofState: slot.pointee.state.load(ordering: .relaxed))
        let reference = UInt(bitPattern: Unmanaged.passRetained(object).toOpaque())
        slot.pointee.object.store(reference, ordering: .relaxed)
        slot.pointee.state.store(HandleBits.state(generation: generation, kind: kind, live: true),
                                 ordering: .releasing)
        let value = HandleBits.handle(index: UInt64(index), generation: generation, kind: kind)
        return OpaquePointer(bitPattern: UInt(value))
    }

    /// The object behind a live handle of `kind`, retained for the caller;
    /// nil for NULL, a foreign value, a destroyed handle or another kind.
    @inline(__always)
    static func get<T: AnyObject>(_ handle: OpaquePointer?, kind: HandleKind, as type: T.Type) -> T? {
        guard let (slot, index) = pin(handle, kind: kind) else { return nil }
        let object = retainedObject(slot, as: type)
        unpin(slot, index: index)
        return object.takeRetainedValue()
    }

    /// Runs `body` on the object behind a live handle of `kind` while the
    /// handle is pinned (a destroy meanwhile waits for it to return before
    /// the object is released), without retaining the object: the hot
    /// paths' variant of `get`. `otherwise` is the result for a handle that
    /// is not live.
    @inline(__always)
    static func with<T: AnyObject, R>(_ handle: OpaquePointer?, kind: HandleKind, as type: T.Type,
                                      otherwise: @autoclosure () -> R, _ body: (T) -> R) -> R {
        guard let (slot, index) = pin(handle, kind: kind) else { return otherwise() }
        defer { unpin(slot, index: index) }
        let bits = slot.pointee.object.load(ordering: .relaxed)
        // The table's reference keeps the object alive while pinned.
        let object = Unmanaged<T>.fromOpaque(UnsafeRawPointer(bitPattern: bits).unsafelyUnwrapped)
        return object._withUnsafeGuaranteedRef(body)
    }

    /// Ends a handle and gives the caller the object (for a last call such
    /// as close). Only one of several concurrent calls gets it; the others,
    /// and any later call with the handle, get nil. Calls already running
    /// on the object keep their own references.
    static func take<T: AnyObject>(_ handle: OpaquePointer?, kind: HandleKind, as type: T.Type) -> T? {
        guard let (slot, index) = pin(handle, kind: kind) else { return nil }
        let object = retainedObject(slot, as: type)
        var state = slot.pointee.state.load(ordering: .relaxed)
        while true {
            if state & HandleBits.live == 0 {
                // Another thread's destroy won.
                unpin(slot, index: index)
                object.release()
                return nil
            }
            let (exchanged, original) = slot.pointee.state.weakCompareExchange(
                expected: state, desired: state & ~HandleBits.live,
                successOrdering: .acquiringAndReleasing, failureOrdering: .relaxed)
            if exchanged { break }
            state = original
        }
        unpin(slot, index: index)
        return object.takeRetainedValue()
    }

    /// Ends a handle and drops its reference. False when it was not a live
    /// handle of `kind` (NULL, foreign, destroyed before, other kind).
    @discardableResult
    static func destroy<T: AnyObject>(_ handle: OpaquePointer?, kind: HandleKind, as type: T.Type) -> Bool {
        take(handle, kind: kind, as: type) != nil
    }

    // MARK: pins

    @inline(__always)
    private static func pin(_ handle: OpaquePointer?, kind: HandleKind) -> (UnsafeMutablePointer<HandleSlot>, Int)? {
        let value = UInt64(UInt(bitPattern: handle))
        guard value >> 48 == HandleBits.tag, (value >> 44) & 0xF == kind.rawValue else { return nil }
        let index = Int(value & HandleBits.indexMask)
        let generation = (value >> HandleBits.indexBits) & HandleBits.generationMask
        guard let slot = HandleTable.shared.slot(index) else { return nil }
        let wanted = HandleBits.state(generation: generation, kind: kind, live: true)
        var state = slot.pointee.state.load(ordering: .relaxed)
        while true {
            // Same generation, kind and live; any number of pins.
            guard state & ~HandleBits.pinMask == wanted, state & HandleBits.pinMask < HandleBits.pinMask else {
                return nil
            }
            let (exchanged, original) = slot.pointee.state.weakCompareExchange(
                expected: state, desired: state + 1, successOrdering: .acquiring, failureOrdering: .relaxed)
            if exchanged { return (slot, index) }
            state = original
        }
    }

    /// Drops a pin; the last pin of a destroyed handle frees the slot.
    @inline(__always)
    private static func unpin(_ slot: UnsafeMutablePointer<HandleSlot>, index: Int) {
        let old = slot.pointee.state.wrappingSubtract(1, ordering: .acquiringAndReleasing).oldValue
        if old & HandleBits.pinMask == 1 && old & HandleBits.live == 0 {
            reclaim(slot, index: index, state: old - 1)
        }
    }

    /// The pinned slot's object with one more reference for the caller.
    @inline(__always)
    private static func retainedObject<T: AnyObject>(_ slot: UnsafeMutablePointer<HandleSlot>,
                                                     as type: T.Type) -> Unmanaged<T> {
        let bits = slot.pointee.object.load(ordering: .relaxed)
        // A pinned live slot always holds an object.
        let object = Unmanaged<T>.fromOpaque(UnsafeRawPointer(bitPattern: bits).unsafelyUnwrapped)
        return object.retain()
    }

    @inline(never)
    private static func reclaim(_ slot: UnsafeMutablePointer<HandleSlot>, index: Int, state: UInt64) {
        let bits = slot.pointee.object.exchange(0, ordering: .relaxed)
        let next = HandleBits.generation(ofState: state) + 1
        if next <= HandleBits.generationMask {
            slot.pointee.state.store(HandleBits.state(generation: next, kind: nil, live: false), ordering: .releasing)
            HandleTable.shared.returnSlot(index)
        }
        // else: every generation of this slot has been issued; it stays
        // retired so that no stale handle can ever name a new object.
        if let pointer = UnsafeRawPointer(bitPattern: bits) {
            Unmanaged<AnyObject>.fromOpaque(pointer).release()
        }
    }
}

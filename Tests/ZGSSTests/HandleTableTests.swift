// SPDX-License-Identifier: MIT
import Testing
@testable import ZGSS

/// The handle table's rules that the C tests (tests/c/handles_test.c)
/// cannot reach in reasonable time: a slot whose generations are used up
/// is retired instead of reused, so no stale handle ever names a newer
/// object. Serialized: the tests read which slot the next handle takes.
@Suite(.serialized) struct HandleTableTests {
    final class Probe {
        let name: String
        init(_ name: String) { self.name = name }
    }

    static func bits(_ handle: OpaquePointer?) -> UInt64 {
        UInt64(UInt(bitPattern: handle))
    }

    static func index(_ handle: OpaquePointer?) -> Int {
        Int(bits(handle) & HandleBits.indexMask)
    }

    static func generation(_ handle: OpaquePointer?) -> UInt64 {
        (bits(handle) >> HandleBits.indexBits) & HandleBits.generationMask
    }

    @Test func aSlotFillsOneCacheLine() {
        #expect(MemoryLayout<HandleSlot>.stride == 64)
    }

    @Test func aHandleIsATaggedNumberNamingItsKind() throws {
        let handle = try #require(Handles.make(Probe("a"), kind: .config))
        defer { Handles.destroy(handle, kind: .config, as: Probe.self) }
        #expect(Self.bits(handle) >> 48 == 0x5A47)
        #expect(Handles.get(handle, kind: .config, as: Probe.self)?.name == "a")
        #expect(Handles.get(handle, kind: .mechanism, as: Probe.self) == nil)
        #expect(Handles.take(handle, kind: .sasl, as: Probe.self) == nil)
    }

    @Test func aFreedSlotComesBackWithTheNextGeneration() throws {
        let first = try #require(Handles.make(Probe("first"), kind: .mechanism))
        #expect(Handles.destroy(first, kind: .mechanism, as: Probe.self))
        #expect(!Handles.destroy(first, kind: .mechanism, as: Probe.self))
        let second = try #require(Handles.make(Probe("second"), kind: .mechanism))
        defer { Handles.destroy(second, kind: .mechanism, as: Probe.self) }
        #expect(Self.index(second) == Self.index(first))
        #expect(Self.generation(second) == Self.generation(first) + 1)
        #expect(Handles.get(first, kind: .mechanism, as: Probe.self) == nil)
        #expect(Handles.get(second, kind: .mechanism, as: Probe.self)?.name == "second")
    }

    @Test func aSlotWithItsLastGenerationIsRetired() throws {
        // Take a slot and age it to its last generation, as 4194303 cycles
        // of make and destroy would.
        let first = try #require(Handles.make(Probe("young"), kind: .sasl))
        let index = Self.index(first)
        #expect(Handles.destroy(first, kind: .sasl, as: Probe.self))
        let slot = try #require(HandleTable.shared.slot(index))
        slot.pointee.state.store(HandleBits.state(generation: HandleBits.generationMask, kind: nil, live: false),
                                 ordering: .relaxed)
        let last = try #require(Handles.make(Probe("last"), kind: .sasl))
        #expect(Self.index(last) == index)
        #expect(Self.generation(last) == HandleBits.generationMask)
        #expect(Handles.destroy(last, kind: .sasl, as: Probe.self))
        // Generation 0 of the same slot would be `first`'s value again, or
        // an older handle's: the slot is never handed out again.
        var later: [OpaquePointer] = []
        for _ in 0..<8 {
            let handle = try #require(Handles.make(Probe("later"), kind: .sasl))
            #expect(Self.index(handle) != index)
            later.append(handle)
        }
        #expect(Handles.get(last, kind: .sasl, as: Probe.self) == nil)
        #expect(Handles.get(first, kind: .sasl, as: Probe.self) == nil)
        for handle in later { Handles.destroy(handle, kind: .sasl, as: Probe.self) }
    }

    @Test func theLastPinOfADestroyedHandleReleasesTheObject() throws {
        weak var watched: Probe?
        let handle: OpaquePointer = try {
            let probe = Probe("pinned")
            watched = probe
            return try #require(Handles.make(probe, kind: .context))
        }()
        Handles.with(handle, kind: .context, as: Probe.self, otherwise: ()) { probe in
            // A destroy while the handle is pinned ends it at once but
            // keeps the object until the pin is dropped.
            #expect(Handles.destroy(handle, kind: .context, as: Probe.self))
            #expect(Handles.get(handle, kind: .context, as: Probe.self) == nil)
            #expect(watched != nil)
            #expect(probe.name == "pinned")
        }
        #expect(watched == nil)
    }
}

// SPDX-License-Identifier: MIT
// ZGSSBase's big-endian helpers, which every module's length prefixes,
// sequence numbers and key-derivation constants go through.
import Testing
import ZGSSBase

@Suite struct BigEndianTests {
    @Test func appendWritesMostSignificantOctetFirst() {
        var out: [UInt8] = [0xEE]
        out.appendUInt16BE(0x0102)
        out.appendUInt24BE(0x0304_0506)   // only the low 24 bits
        out.appendUInt32BE(0x0708_090A)
        out.appendUInt64BE(0x0B0C_0D0E_0F10_1112)
        #expect(out == [0xEE, 0x01, 0x02, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A,
                        0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x10, 0x11, 0x12])
        #expect(bigEndianBytes(0xDEAD_BEEF) == [0xDE, 0xAD, 0xBE, 0xEF])
    }

    @Test func readersRoundTripAtAnOffsetInASlice() {
        var bytes: [UInt8] = [0xFF, 0xFF, 0xFF]
        bytes.appendUInt16BE(.max - 1)
        bytes.appendUInt24BE(0x00AB_CDEF)
        bytes.appendUInt32BE(0x8000_0001)
        bytes.appendUInt64BE(0xFEDC_BA98_7654_3210)
        // A slice keeps its parent's indices: offsets are indices, not counts.
        let slice = bytes[3...]
        #expect(readUInt16BE(slice, at: 3) == UInt16.max - 1)
        #expect(readUInt24BE(slice, at: 5) == 0x00AB_CDEF)
        #expect(readUInt32BE(slice, at: 8) == 0x8000_0001)
        #expect(readUInt64BE(slice, at: 12) == 0xFEDC_BA98_7654_3210)
    }

    @Test func storeOverwritesInPlace() {
        var bytes = [UInt8](repeating: 0xAA, count: 16)
        bytes.storeUInt16BE(0x0102, at: 0)
        bytes.storeUInt32BE(0x0304_0506, at: 2)
        bytes.storeUInt64BE(0x0708_090A_0B0C_0D0E, at: 6)
        #expect(bytes == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 0xAA, 0xAA])
        bytes.withUnsafeMutableBufferPointer { buffer in
            buffer.storeUInt64BE(.max, at: 8)
        }
        #expect(readUInt64BE(bytes, at: 8) == UInt64.max)
    }
}

// SPDX-License-Identifier: MIT
// READY metadata: u8 name length, name, u32 BE value length, value.
import Testing
import TestSupport
@testable import ZMTPCodec

@Suite struct MetadataTests {
    /// What a stock libzmq 4.3.4 REQ puts after `\x05READY`.
    static let reqReady = hex("0b") + ascii("Socket-Type") + hex("00 00 00 03") + ascii("REQ")
        + hex("08") + ascii("Identity") + hex("00 00 00 00")

    @Test func encodesByteExact() {
        var out: [UInt8] = []
        Metadata([.init(name: "Socket-Type", value: ascii("REQ")), .init(name: "Identity", value: [])]).encode(into: &out)
        #expect(out == Self.reqReady)
    }

    @Test func parsesLibzmqBytes() throws {
        let metadata = try Metadata(parsing: Self.reqReady)
        #expect(metadata.properties.map(\.name) == ["Socket-Type", "Identity"])
        #expect(metadata["Socket-Type"] == ascii("REQ"))
        #expect(metadata["Identity"] == [])
    }

    @Test func roundTrips() throws {
        var rng = SeededGenerator(seed: 5)
        for _ in 0..<50 {
            let properties = (0..<Int.random(in: 0...5, using: &rng)).map { i in
                Metadata.Property(name: "X-Prop-\(i)-" + String(repeating: "n", count: Int.random(in: 0...200, using: &rng)),
                                  value: (0..<Int.random(in: 0...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) })
            }
            var out: [UInt8] = []
            Metadata(properties).encode(into: &out)
            #expect(try Metadata(parsing: out) == Metadata(properties))
        }
    }

    @Test func lookupIgnoresASCIICase() throws {
        let metadata = try Metadata(parsing: Self.reqReady)
        #expect(metadata["socket-type"] == ascii("REQ"))
        #expect(metadata["SOCKET-TYPE"] == ascii("REQ"))
        #expect(metadata["IDENTITY"] == [])
        #expect(metadata["User-Id"] == nil)
        #expect(metadata["Socket-Typ"] == nil)
    }

    @Test func lookupIsNotFooledByUnicodeLookalikes() {
        // U+212A KELVIN SIGN folds (and canonically decomposes) to "k".
        let metadata = Metadata([.init(name: "Soc\u{212A}et-Type", value: ascii("REP"))])
        #expect(metadata["Socket-Type"] == nil)
        #expect(metadata["socket-type"] == nil)
    }

    @Test func firstOfDuplicateNamesWins() throws {
        let bytes = hex("01 41 00 00 00 01 31 01 61 00 00 00 01 32")
        #expect(try Metadata(parsing: bytes)["a"] == ascii("1"))
    }

    @Test func emptyInputIsNoProperties() throws {
        #expect(try Metadata(parsing: [UInt8]()).properties.isEmpty)
    }

    @Test func emptyValueIsFine() throws {
        #expect(try Metadata(parsing: hex("01 41 00 00 00 00")).properties == [.init(name: "A", value: [])])
    }

    @Test(arguments: [
        hex("0b") + ascii("Socket"),                     // name cut short
        hex("01 41"),                                    // no value length
        hex("01 41 00 00"),                              // value length cut short
        hex("01 41 00 00 00 05 61 62 63"),               // value past the end
        hex("01 41 ff ff ff ff 61"),                     // 4 GiB - 1 value, 1 byte present
        hex("01 41 80 00 00 00"),                        // 2 GiB value, nothing present
        hex("01 41 00 00 00 00 01"),                     // good property, then a stray byte
    ])
    func truncationsAreRefused(bytes: [UInt8]) {
        let error = #expect(throws: CodecError.self) { try Metadata(parsing: bytes) }
        #expect(error?.kind == .malformedMetadata)
    }

    @Test func emptyNameIsRefused() {
        let error = #expect(throws: CodecError.self) { try Metadata(parsing: hex("00 00 00 00 00")) }
        #expect(error?.kind == .malformedMetadata)
    }

    @Test func parsesASliceWithANonZeroStart() throws {
        let body = hex("05") + ascii("READY") + Self.reqReady
        #expect(try Metadata(parsing: body[6...])["Socket-Type"] == ascii("REQ"))
    }
}

// SPDX-License-Identifier: MIT
// libFuzzer harness: the framing of Kerberos context tokens
// (Sources/GSSKit/KerberosTokenFraming.swift), which a client on the
// direct route reads from the server's reply before libkrb5 sees it.
//
// The input is a token. Checks: parsing never traps; a parsed token's
// message lies inside it and ends with it; framing that message again
// with the same token ID gives the same bytes after the length field
// (and no more bytes in all: DER's shortest length form); and a token
// made by `frame` from the input always parses back to the input.

@testable import GSSKit

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzKerberosFraming(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let token = Array(UnsafeBufferPointer(start: data, count: size))
    if let parsed = try? KerberosTokenFraming.parse(token[...]) {
        guard parsed.message.lowerBound >= 0, parsed.message.upperBound == token.count else {
            fatalError("message range \(parsed.message) outside a token of \(token.count) bytes")
        }
        let again = token[parsed.message].withUnsafeBytes { KerberosTokenFraming.frame(parsed.id, $0) }
        let tail = 11 + 2 + parsed.message.count
        guard again.count <= token.count, again.suffix(tail).elementsEqual(token.suffix(tail)) else {
            fatalError("framing the parsed message again gives other bytes")
        }
    }
    for id in KerberosTokenFraming.TokenID.allCases {
        let framed = token.withUnsafeBytes { KerberosTokenFraming.frame(id, $0) }
        guard let back = try? KerberosTokenFraming.parse(framed[...]), back.id == id,
              framed[back.message].elementsEqual(token) else {
            fatalError("a framed token does not parse back")
        }
    }
    return 0
}

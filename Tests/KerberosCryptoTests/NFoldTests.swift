// SPDX-License-Identifier: MIT
import Testing
@testable import KerberosCrypto

/// n-fold against the examples of RFC 3961 appendix A.1.
@Suite struct NFoldTests {
    func hex(_ bytes: [UInt8]) -> String { bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined() }

    @Test(arguments: [
        ("012345", 8, "be072631276b1955"),
        ("password", 7, "78a07b6caf85fa"),
        ("Rough Consensus, and Running Code", 8, "bb6ed30870b7f0e0"),
        ("password", 21, "59e4a8ca7c0385c3c37b3f6d2000247cb6e6bd5b3e"),
        ("MASSACHVSETTS INSTITVTE OF TECHNOLOGY", 24, "db3b0d8f0b061e603282b308a50841229ad798fab9540c1b"),
        ("Q", 21, "518a54a215a8452a518a54a215a8452a518a54a215"),
        ("ba", 21, "fb25d531ae8974499f52fd92ea9857c4ba24cf297e"),
        ("kerberos", 8, "6b65726265726f73"),
        ("kerberos", 16, "6b65726265726f737b9b5b2b93132b93"),
        ("kerberos", 21, "8372c236344e5f1550cd0747e15d62ca7a5a3bcea4"),
        ("kerberos", 32, "6b65726265726f737b9b5b2b93132b935c9bdcdad95c9899c4cae4dee6d6cae4"),
    ])
    func rfc3961Examples(input: String, count: Int, expected: String) {
        #expect(hex(nfold(Array(input.utf8), to: count)) == expected)
    }
}

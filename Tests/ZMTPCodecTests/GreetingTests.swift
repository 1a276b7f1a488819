import Testing
@testable import ZMTPCodec
@Test func greetingRoundTrip() throws { let g = Greeting(mechanism: "GSSAPI", asServer: false); #expect(try Greeting(parsing: g.encoded()) == g) }

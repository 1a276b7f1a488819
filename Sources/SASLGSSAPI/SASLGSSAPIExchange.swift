// SPDX-License-Identifier: MIT
/// What the SASL GSSAPI client and server have in common: once the
/// exchange completes, per-message protection with the negotiated layer;
/// and the rule that the first fatal error ends the exchange for good
/// (every later call throws it again).
///
/// Not thread-safe, like the two machines built on it.
public class SASLGSSAPIExchange {
    /// The error that ended the exchange, if one did.
    public private(set) var lastError: SASLError?
    /// Set by a subclass when the exchange completes.
    var session: SecurityLayerSession?

    init() {}

    /// Protects one message with the negotiated layer (bare wrap token).
    public func wrap(_ message: [UInt8]) throws(SASLError) -> [UInt8] { try protected { (s) throws(SASLError) in try s.wrap(message) } }
    /// Checks (and decrypts) one bare wrap token from the peer.
    public func unwrap(_ token: [UInt8]) throws(SASLError) -> [UInt8] { try protected { (s) throws(SASLError) in try s.unwrap(token) } }
    /// Protects one message as an RFC 4422 length-prefixed buffer.
    public func encode(_ message: [UInt8]) throws(SASLError) -> [UInt8] { try protected { (s) throws(SASLError) in try s.encode(message) } }
    /// Opens RFC 4422 length-prefixed buffers from the peer.
    public func decode(_ buffer: [UInt8]) throws(SASLError) -> [UInt8] { try protected { (s) throws(SASLError) in try s.decode(buffer) } }

    /// Runs one security-layer operation (see SecurityLayerSession.run).
    private func protected(_ body: (SecurityLayerSession) throws(SASLError) -> [UInt8]) throws(SASLError) -> [UInt8] {
        try SecurityLayerSession.run(lastError == nil ? session : nil, failure: lastError, onFatal: { fail($0) }, body)
    }

    /// Ends the exchange with `error` and returns it for throwing.
    @discardableResult
    func fail(_ error: SASLError) -> SASLError {
        lastError = error
        enterFailedState()
        return error
    }

    /// A subclass moves its own state machine to `.failed`.
    func enterFailedState() {}
}

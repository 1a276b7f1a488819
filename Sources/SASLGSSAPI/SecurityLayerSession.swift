// SPDX-License-Identifier: MIT
internal import GSSKit
internal import ZGSSBase

/// Per-message protection once a security layer is negotiated, shared by
/// the client and the server machines.
///
/// `wrap`/`unwrap` handle one bare GSS wrap token per message (for carriers
/// that frame messages themselves). `encode`/`decode` use RFC 4422 §3.7
/// framing, a 4-octet big-endian length before each token, as Cyrus SASL's
/// sasl_encode/sasl_decode do. With layer `none` all four return the data
/// unchanged.
struct SecurityLayerSession {
    let context: GSSSecurityContext
    let layer: SASLSecurityLayer
    /// Largest token the peer said it can receive (0: no limit stated).
    let sendLimit: UInt32
    /// Largest token this side said it can receive.
    let receiveLimit: UInt32

    func wrap(_ message: [UInt8]) throws(SASLError) -> [UInt8] {
        if layer == .none { return message }
        let confidential = layer == .confidentiality
        // Refuse an oversized message before wrapping it: a wrap uses up a
        // sequence number, and a token not sent makes the peer refuse the
        // next one as out of sequence (the session would not go on).
        if sendLimit > 0 {
            let largest: Int
            do {
                largest = try context.largestMessage(fittingIn: sendLimit, confidential: confidential)
            } catch {
                throw SASLError(.gss, "cannot size a protected message: \(Self.reason(error))")
            }
            if message.count > largest {
                throw SASLError(.invalidArgument, "a message of \(message.count) octets exceeds the peer's maximum buffer of \(sendLimit) once protected (at most \(largest) octets fit)")
            }
        }
        let token: [UInt8]
        do {
            token = try context.wrap(message, confidential: confidential)
        } catch {
            throw SASLError(.gss, "cannot protect message: \(Self.reason(error))")
        }
        if sendLimit > 0 && token.count > Int(sendLimit) {
            throw SASLError(.invalidArgument, "protected message of \(token.count) octets exceeds the peer's maximum buffer of \(sendLimit)")
        }
        return token
    }

    func unwrap(_ token: [UInt8]) throws(SASLError) -> [UInt8] {
        if layer == .none { return token }
        if receiveLimit > 0 && token.count > Int(receiveLimit) {
            throw SASLError(.protocolViolation, "peer sent \(token.count) octets, more than the maximum buffer of \(receiveLimit)")
        }
        let result: (message: [UInt8], wasConfidential: Bool)
        do {
            result = try context.unwrap(token)
        } catch {
            throw SASLError(.protocolViolation, "message from the peer does not unwrap: \(Self.reason(error))")
        }
        if layer == .confidentiality && !result.wasConfidential {
            throw SASLError(.protocolViolation, "message from the peer was not encrypted although the confidentiality layer is in force")
        }
        return result.message
    }

    func encode(_ message: [UInt8]) throws(SASLError) -> [UInt8] {
        if layer == .none { return message }
        let token = try wrap(message)
        guard let n = UInt32(exactly: token.count) else {
            throw SASLError(.invalidArgument, "protected message of \(token.count) octets does not fit the 4-octet length")
        }
        return bigEndianBytes(n) + token
    }

    func decode(_ buffer: [UInt8]) throws(SASLError) -> [UInt8] {
        if layer == .none { return buffer }
        var out: [UInt8] = []
        var index = 0
        guard !buffer.isEmpty else { throw SASLError(.protocolViolation, "empty security layer buffer") }
        while index < buffer.count {
            guard buffer.count - index >= 4 else {
                throw SASLError(.protocolViolation, "truncated security layer length")
            }
            let n = Int(readUInt32BE(buffer, at: index))
            index += 4
            guard n <= buffer.count - index else {
                throw SASLError(.protocolViolation, "truncated security layer buffer (\(n) octets announced, \(buffer.count - index) present)")
            }
            out += try unwrap(Array(buffer[index..<(index + n)]))
            index += n
        }
        return out
    }

    static func reason(_ error: any Error) -> String {
        if let gss = error as? GSSError { return gss.reason }
        return "\(error)"
    }
}

extension SecurityLayerSession {
    /// Runs one security-layer operation for a client or server machine:
    /// a failed machine repeats its error, one that has not completed
    /// authentication has no layer yet (a local error), and a fatal error
    /// (a token the peer broke, a GSS failure) is handed to `onFatal` so
    /// the machine fails for good. Misuse leaves the machine as it was.
    static func run(_ session: SecurityLayerSession?, failure: SASLError?,
                    onFatal: (SASLError) -> Void,
                    _ body: (SecurityLayerSession) throws(SASLError) -> [UInt8]) throws(SASLError) -> [UInt8] {
        if let failure { throw failure }
        guard let session else {
            throw SASLError(.wrongState, "no security layer before authentication completes")
        }
        do throws(SASLError) {
            return try body(session)
        } catch {
            if error.isFatal { onFatal(error) }
            throw error
        }
    }
}

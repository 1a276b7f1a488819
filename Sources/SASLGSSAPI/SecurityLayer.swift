// SPDX-License-Identifier: MIT
// tools/fuzz-sasl.sh compiles this file with ZGSSBase's sources in one
// module, where there is no ZGSSBase to import.
#if canImport(ZGSSBase)
internal import ZGSSBase
#endif

/// RFC 4752 security layers, as bits of the offer's first octet.
public struct SASLSecurityLayers: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// No protection after authentication.
    public static let none = SASLSecurityLayers(rawValue: 1)
    /// Every message signed (gss_wrap without confidentiality).
    public static let integrity = SASLSecurityLayers(rawValue: 2)
    /// Every message encrypted (gss_wrap with confidentiality).
    public static let confidentiality = SASLSecurityLayers(rawValue: 4)
    public static let all: SASLSecurityLayers = [.none, .integrity, .confidentiality]

    /// The strongest single layer in the set, nil when empty.
    public var strongest: SASLSecurityLayer? {
        if contains(.confidentiality) { return .confidentiality }
        if contains(.integrity) { return .integrity }
        if contains(.none) { return SASLSecurityLayer.none }
        return nil
    }

    public var description: String {
        var names: [String] = []
        if contains(.none) { names.append("none") }
        if contains(.integrity) { names.append("integrity") }
        if contains(.confidentiality) { names.append("confidentiality") }
        return names.isEmpty ? "(no layer)" : names.joined(separator: ",")
    }
}

/// One chosen security layer.
public enum SASLSecurityLayer: UInt8, Sendable, CaseIterable {
    case none = 1
    case integrity = 2
    case confidentiality = 4

    public var asSet: SASLSecurityLayers { SASLSecurityLayers(rawValue: rawValue) }

    public var name: String {
        switch self {
        case .none: "none"
        case .integrity: "integrity"
        case .confidentiality: "confidentiality"
        }
    }
}

/// The largest value a 24-bit RFC 4752 buffer size can hold.
public let saslMaxBufferLimit: UInt32 = 0xFF_FFFF

/// The server's 4-octet offer, sent wrapped without confidentiality:
/// layer bitmask, then the largest buffer it can receive (24-bit BE).
public struct SecurityLayerOffer: Equatable, Sendable {
    public var layers: SASLSecurityLayers
    public var maxBuffer: UInt32

    public init(layers: SASLSecurityLayers, maxBuffer: UInt32) {
        self.layers = layers
        self.maxBuffer = min(maxBuffer, saslMaxBufferLimit)
    }

    public var bytes: [UInt8] {
        var out = [layers.rawValue]
        out.appendUInt24BE(maxBuffer)
        return out
    }

    /// Parses an unwrapped offer: exactly 4 octets, at least one known
    /// layer bit, no unknown bits.
    public static func parse(_ bytes: [UInt8]) throws(SASLError) -> SecurityLayerOffer {
        guard bytes.count == 4 else {
            throw SASLError(.protocolViolation, "security layer offer must be 4 octets, got \(bytes.count)")
        }
        let layers = SASLSecurityLayers(rawValue: bytes[0])
        guard bytes[0] & ~SASLSecurityLayers.all.rawValue == 0, !layers.isEmpty else {
            throw SASLError(.protocolViolation, "security layer offer has invalid layer bits 0x\(String(bytes[0], radix: 16))")
        }
        return SecurityLayerOffer(layers: layers, maxBuffer: readUInt24BE(bytes, at: 1))
    }
}

/// The client's reply, sent wrapped: one layer bit, the largest buffer it
/// can receive (24-bit BE), then the authorization identity (UTF-8, no NUL,
/// may be empty).
public struct SecurityLayerChoice: Equatable, Sendable {
    public var layer: SASLSecurityLayer
    public var maxBuffer: UInt32
    public var authorizationID: String

    public init(layer: SASLSecurityLayer, maxBuffer: UInt32, authorizationID: String) {
        self.layer = layer
        self.maxBuffer = min(maxBuffer, saslMaxBufferLimit)
        self.authorizationID = authorizationID
    }

    public var bytes: [UInt8] {
        var out = [layer.rawValue]
        out.appendUInt24BE(maxBuffer)
        return out + Array(authorizationID.utf8)
    }

    /// Parses an unwrapped reply: at least 4 octets, exactly one layer bit,
    /// an authzid that is valid UTF-8 without NUL.
    public static func parse(_ bytes: [UInt8]) throws(SASLError) -> SecurityLayerChoice {
        guard bytes.count >= 4 else {
            throw SASLError(.protocolViolation, "security layer reply must be at least 4 octets, got \(bytes.count)")
        }
        guard let layer = SASLSecurityLayer(rawValue: bytes[0]) else {
            throw SASLError(.protocolViolation, "security layer reply must select exactly one layer, got 0x\(String(bytes[0], radix: 16))")
        }
        let authz = Array(bytes[4...])
        guard !authz.contains(0), let text = String(validating: authz, as: UTF8.self) else {
            throw SASLError(.protocolViolation, "authorization identity is not UTF-8 text without NUL")
        }
        return SecurityLayerChoice(layer: layer, maxBuffer: readUInt24BE(bytes, at: 1), authorizationID: text)
    }
}

// SPDX-License-Identifier: MIT
import ZMTPCodec
import ZMTPGSSAPI

/// What `zgss_mech_t` points at: one mechanism plus the storage behind the
/// pointers it hands out.
final class MechanismHandle {
    let mechanism: GSSAPIMechanism
    /// Output of next_command / encode / decode: valid until the next call.
    let output = OwnedBytes(capacity: 256)
    private var principalText: OwnedCString?
    private var errorText: OwnedCString?
    private var errorSource: String?
    private var properties: [String: OwnedBytes] = [:]

    init(_ mechanism: GSSAPIMechanism) {
        self.mechanism = mechanism
    }

    var peerPrincipal: UnsafePointer<CChar>? {
        guard let principal = mechanism.peerPrincipal else { return nil }
        if principalText == nil { principalText = OwnedCString(principal) }
        return principalText?.pointer
    }

    var lastError: UnsafePointer<CChar> {
        let text = mechanism.lastError?.message ?? ""
        if let errorText, errorSource == text { return errorText.pointer }
        let fresh = OwnedCString(text)
        errorText = fresh
        errorSource = text
        return fresh.pointer
    }

    func property(_ name: String) -> OwnedBytes? {
        let key = name.lowercased()
        if let cached = properties[key] { return cached }
        guard let value = mechanism.peerMetadata[name] else { return nil }
        let storage = OwnedBytes(capacity: value.count + 1)
        storage.replace(with: value)
        properties[key] = storage
        return storage
    }
}

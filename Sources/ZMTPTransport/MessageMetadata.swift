// SPDX-License-Identifier: MIT
import Glibc
import ZMTPCodec

/// The properties a received message carries (zmq_msg_gets), shared by
/// every message from one connection and never changed after it is made.
///
/// libzmq 4.3.4 attaches to each received message its connection's
/// properties: the peer's ZMTP metadata as sent (Socket-Type, Identity for
/// REQ/DEALER/ROUTER peers, application "X-" properties), "Peer-Address"
/// (the peer's IP address, no port), "__fd" (the connection's descriptor,
/// behind ZMQ_SRCFD) and, when a ZAP handler named one, "User-Id". zgss has
/// no ZAP; a GSSAPI server gives "User-Id" the authenticated client
/// principal, which is what a libzmq ZAP handler that accepts the
/// principal it is shown reports, and no peer can supply those three.
///
/// Values are NUL-terminated C strings allocated once here, so a message
/// can hand out pointers that stay valid while it holds this object.
public final class MessageMetadata: @unchecked Sendable {
    private struct Entry {
        let name: [UInt8]
        let value: UnsafeMutablePointer<CChar>
    }

    private let entries: [Entry]

    public init(_ properties: [(name: String, value: [UInt8])]) {
        var entries: [Entry] = []
        entries.reserveCapacity(properties.count)
        for property in properties {
            let name = Array(property.name.utf8)
            // The first of two equal names wins (libzmq's map keeps the first).
            guard !entries.contains(where: { $0.name == name }) else { continue }
            let value = UnsafeMutablePointer<CChar>.allocate(capacity: property.value.count + 1)
            for (offset, byte) in property.value.enumerated() { value[offset] = CChar(bitPattern: byte) }
            value[property.value.count] = 0
            entries.append(Entry(name: name, value: value))
        }
        self.entries = entries
    }

    deinit {
        for entry in entries { entry.value.deallocate() }
    }

    /// The value named exactly `name` (case matters, as in libzmq), with
    /// libzmq's one alias: "Identity" falls back to "Routing-Id".
    public func value(named name: UnsafePointer<CChar>) -> UnsafePointer<CChar>? {
        let length = strlen(name)
        let bytes = UnsafeRawBufferPointer(start: name, count: length)
        if let entry = entries.first(where: { $0.name.elementsEqual(bytes) }) {
            return UnsafePointer(entry.value)
        }
        if strcmp(name, "Identity") == 0 { return value(named: "Routing-Id") }
        return nil
    }

    /// The names, in the order kept (for tests).
    public var names: [String] { entries.map { String(decoding: $0.name, as: UTF8.self) } }
}

extension MessageMetadata {
    /// Names only this side may give a value: a peer sending them in its
    /// metadata is not believed. (libzmq puts its own Peer-Address and __fd
    /// first, so they win too; it would show a peer's "User-Id" when no ZAP
    /// handler set one, which would let any peer claim an identity here.)
    static let reservedNames: Set<String> = ["User-Id", "Peer-Address", "__fd"]

    /// A connection's properties once its handshake is done: Peer-Address,
    /// __fd and (GSSAPI server) User-Id from this side, then the peer's
    /// ZMTP metadata without the reserved names.
    static func forConnection(peer: Metadata, peerAddress: String?, fd: Int32,
                              userId: String?) -> MessageMetadata {
        var properties: [(name: String, value: [UInt8])] = []
        if let peerAddress { properties.append((name: "Peer-Address", value: Array(peerAddress.utf8))) }
        properties.append((name: "__fd", value: Array(String(fd).utf8)))
        if let userId { properties.append((name: "User-Id", value: Array(userId.utf8))) }
        for property in peer.properties where !reservedNames.contains(property.name) {
            properties.append((name: property.name, value: property.value))
        }
        return MessageMetadata(properties)
    }
}

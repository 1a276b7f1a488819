// SPDX-License-Identifier: MIT
internal import CGSSAPI
internal import ZGSSBase
public import KerberosCrypto

// Handing an established Kerberos context's message keys to
// KerberosCrypto, which protects messages without MIT's per-message
// overhead. MIT's lucid export consumes the context, so the enctype is
// asked first: a context with an enctype KerberosCrypto lacks stays whole.
extension GSSSecurityContext {
    /// The enctype of the key that protects messages (the acceptor subkey
    /// when there is one), or nil when it is not one KerberosCrypto
    /// implements or cannot be learnt.
    public func messageEnctype() -> Enctype? {
        guard isEstablished, let handle else { return nil }
        var minor: OM_uint32 = 0
        var set: gss_buffer_set_t? = nil
        let major = gss_inquire_sec_context_by_oid(&minor, handle, cgss_inq_sspi_session_key(), &set)
        defer { if set != nil { gss_release_buffer_set(&minor, &set) } }
        guard major == cgss_s_complete(), let set else { return nil }
        // Element 1 is an OID: 1.2.840.113554.1.2.2.4 with the enctype as
        // its last arc, base-128.
        guard set.pointee.count >= 2, let elements = set.pointee.elements else { return nil }
        let oid = UnsafeRawBufferPointer(start: elements[1].value, count: elements[1].length)
        let prefix: [UInt8] = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02, 0x04]
        guard oid.count > prefix.count, oid.prefix(prefix.count).elementsEqual(prefix) else { return nil }
        var value: Int32 = 0
        for byte in oid.dropFirst(prefix.count) {
            guard value < 1 << 24 else { return nil }
            value = value << 7 | Int32(byte & 0x7f)
        }
        return Enctype(rawValue: value)
    }

    /// Exports the keys and sequence numbers for message protection. The
    /// GSS context is consumed: wrap, unwrap and peer queries fail after
    /// this, so take what you need (peer name, flags) first.
    public func exportSessionKeys() throws -> SessionKeys {
        guard isEstablished, handle != nil else {
            throw GSSError("gss_krb5_export_lucid_sec_context", reason: "security context is not established")
        }
        var minor: OM_uint32 = 0
        var raw: UnsafeMutableRawPointer? = nil
        let major = gss_krb5_export_lucid_sec_context(&minor, &handle, 1, &raw)
        // MIT deletes the context on success and failure alike.
        isEstablished = false
        handle = nil
        guard major == cgss_s_complete(), let raw else {
            throw GSSError("gss_krb5_export_lucid_sec_context", major: major, minor: minor)
        }
        defer { gss_krb5_free_lucid_sec_context(&minor, raw) }
        let lucid = raw.assumingMemoryBound(to: gss_krb5_lucid_context_v1_t.self)
        guard lucid.pointee.version == 1, lucid.pointee.protocol == 1 else {
            throw GSSError("gss_krb5_export_lucid_sec_context", reason: "not an RFC 4121 (CFX) context")
        }
        let cfx = lucid.pointee.cfx_kd
        let subkey = cfx.have_acceptor_subkey != 0
        let key = subkey ? cfx.acceptor_subkey : cfx.ctx_key
        guard let enctype = Enctype(rawValue: Int32(bitPattern: key.type)), let data = key.data else {
            throw GSSError("gss_krb5_export_lucid_sec_context", reason: "enctype \(key.type) is not supported")
        }
        let receiveSequence = try nextReceiveSequence(exported: lucid.pointee.recv_seq)
        let bytes = Array(UnsafeRawBufferPointer(start: data, count: Int(key.length)))
        return SessionKeys(enctype: enctype, key: bytes, isInitiator: lucid.pointee.initiate != 0,
                           acceptorSubkey: subkey, sendSequence: lucid.pointee.send_seq,
                           receiveSequence: receiveSequence, endTime: lucid.pointee.endtime)
    }

    /// The first peer sequence number the new owner of the keys may accept.
    /// MIT's lucid `recv_seq` is the peer's initial sequence number, fixed
    /// when the context was established: it does not move as MIT unwraps
    /// tokens (MIT's replay window lives elsewhere and is not exported). So
    /// after MIT unwrapped the peer's READY, `recv_seq` is READY's own
    /// number, and starting there would accept READY a second time. Start
    /// past the newest token MIT accepted instead.
    private func nextReceiveSequence(exported: UInt64) throws -> UInt64 {
        guard let newest = newestUnwrappedSequence else { return exported }
        guard newest < UInt64.max else {
            throw GSSError("gss_krb5_export_lucid_sec_context", reason: "the peer's sequence numbers are used up")
        }
        return max(exported, newest + 1)
    }

    /// The SND_SEQ of an RFC 4121 wrap token (TOK_ID 05 04), or nil for
    /// anything else (RFC 1964 tokens carry no plain sequence number, and
    /// their enctypes are never exported).
    static func wrapTokenSequence(_ token: UnsafeRawBufferPointer) -> UInt64? {
        guard token.count >= 16, token[0] == 0x05, token[1] == 0x04 else { return nil }
        return readUInt64BE(token, at: 8)
    }

    /// Records that MIT accepted the peer's token with `sequence`.
    func noteUnwrapped(_ sequence: UInt64?) {
        guard let sequence else { return }
        newestUnwrappedSequence = max(newestUnwrappedSequence ?? 0, sequence)
    }
}

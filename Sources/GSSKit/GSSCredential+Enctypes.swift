// SPDX-License-Identifier: MIT
internal import CGSSAPI

extension GSSCredential {
    /// Limits the enctypes contexts made with this credential may use for
    /// their session keys (gss_krb5_set_allowable_enctypes; numbers as in
    /// RFC 3961, e.g. 18 for aes256-cts-hmac-sha1-96).
    public func restrictEnctypes(to enctypes: [Int32]) throws {
        var minor: OM_uint32 = 0
        var list = enctypes.map { krb5_enctype($0) }
        let major = gss_krb5_set_allowable_enctypes(&minor, handle, OM_uint32(list.count), &list)
        guard cgss_is_error(major) == 0 else {
            throw GSSError("gss_krb5_set_allowable_enctypes", major: major, minor: minor)
        }
    }
}

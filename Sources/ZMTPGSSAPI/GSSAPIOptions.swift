// SPDX-License-Identifier: MIT
internal import CZGSSHeader
public import ZGSSBase
public import GSSKit

/// The one length rule for numeric options, set and get, config and
/// socket alike (libzmq 4.3.4's): an int option's value is exactly
/// sizeof(int) bytes and an int64_t option's exactly 8; anything else is
/// EINVAL / ZGSS_E_INVAL. libzmq's exceptions, ZMQ_RCVMORE, ZMQ_FD and
/// ZMQ_EVENTS, are read with any buffer of at least sizeof(int) (see
/// `fitsInt(_:option:)`).
public enum OptionLength {
    public static let int = MemoryLayout<Int32>.size
    public static let int64 = MemoryLayout<Int64>.size

    /// Whether a getsockopt buffer of `count` bytes may receive int
    /// `option`.
    public static func fitsInt(_ count: Int, option: Int32) -> Bool {
        count == int || ((option == ZMQ_RCVMORE || option == ZMQ_FD || option == ZMQ_EVENTS) && count > int)
    }
}

/// The GSSAPI settings of one socket or mechanism host, with
/// zmq_setsockopt's validation rules.
public struct GSSAPIOptions: Sendable, Equatable {
    /// True once any GSSAPI option selected the mechanism (SERVER, PRINCIPAL
    /// or SERVICE_PRINCIPAL, as in libzmq).
    public var selected = false
    public var isServer = false
    public var principal: String?
    public var principalNameType: GSSNameType = .hostbasedService
    public var servicePrincipal: String?
    public var servicePrincipalNameType: GSSNameType = .hostbasedService
    public var plaintext = false
    public var store = GSSCredentialStore()
    /// Server: the client principals it admits (empty: any), compared as
    /// bytes with the client's display name.
    public var allowedPrincipals: [PrincipalName] = []
    public var externalAuthorization = false

    public init() {}

    /// Equal options share one pooled configuration (ConfigurationPool), so
    /// every string compares as bytes: with Swift's `==` an NFC and an NFD
    /// spelling of an allowlist entry, principal or keytab path would be
    /// equal, and the second socket would run with the first one's settings.
    public static func == (a: GSSAPIOptions, b: GSSAPIOptions) -> Bool {
        a.selected == b.selected && a.isServer == b.isServer
            && PrincipalName.sameBytes(a.principal, b.principal) && a.principalNameType == b.principalNameType
            && PrincipalName.sameBytes(a.servicePrincipal, b.servicePrincipal)
            && a.servicePrincipalNameType == b.servicePrincipalNameType
            && a.plaintext == b.plaintext && a.store == b.store
            && a.allowedPrincipals == b.allowedPrincipals && a.externalAuthorization == b.externalAuthorization
    }

    /// Whether `option` is one this type handles.
    public static func handles(_ option: Int32) -> Bool {
        switch option {
        case ZMQ_GSSAPI_SERVER, ZMQ_GSSAPI_PRINCIPAL, ZMQ_GSSAPI_SERVICE_PRINCIPAL,
             ZMQ_GSSAPI_PLAINTEXT, ZMQ_GSSAPI_PRINCIPAL_NAMETYPE,
             ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE, ZGSS_KEYTAB, ZGSS_CLIENT_KEYTAB,
             ZGSS_CCACHE, ZGSS_ALLOW_PRINCIPAL, ZGSS_EXTERNAL_AUTHZ:
            return true
        default:
            return false
        }
    }

    /// Sets `option` from raw bytes as zmq_setsockopt would: ints must be
    /// exactly 4 bytes, strings 1...255 bytes (one trailing NUL tolerated,
    /// none inside). Throws `invalidArgument` otherwise.
    public mutating func set(_ option: Int32, _ value: UnsafeRawBufferPointer?) throws(ZGSSError) {
        switch option {
        case ZMQ_GSSAPI_SERVER:
            let flag = try Self.bool(value, option)
            isServer = flag
            selected = true
        case ZMQ_GSSAPI_PRINCIPAL:
            principal = try Self.string(value, option, maxBytes: 255)
            selected = true
        case ZMQ_GSSAPI_SERVICE_PRINCIPAL:
            servicePrincipal = try Self.string(value, option, maxBytes: 255)
            selected = true
            isServer = false
        case ZMQ_GSSAPI_PLAINTEXT:
            plaintext = try Self.bool(value, option)
        case ZMQ_GSSAPI_PRINCIPAL_NAMETYPE:
            principalNameType = try Self.nameType(value, option)
        case ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE:
            servicePrincipalNameType = try Self.nameType(value, option)
        case ZGSS_KEYTAB:
            store.keytab = try Self.optionalPath(value, option)
        case ZGSS_CLIENT_KEYTAB:
            store.clientKeytab = try Self.optionalPath(value, option)
        case ZGSS_CCACHE:
            store.ccache = try Self.optionalPath(value, option)
        case ZGSS_ALLOW_PRINCIPAL:
            // Each call adds one principal. An empty value is refused: it
            // used to clear the list, and an empty list admits every
            // authenticated client, so a value that came out empty (an
            // unset environment variable, say) silently opened the door.
            // Not UTF-8 (or a NUL inside): EINVAL, as for every string option.
            guard let text = try Self.optionalString(value, option, maxBytes: 1024) else {
                throw ZGSSError(.invalidArgument,
                                "ZGSS_ALLOW_PRINCIPAL needs a principal name; an empty value would admit every client")
            }
            let name = PrincipalName(text)
            if !allowedPrincipals.contains(name) { allowedPrincipals.append(name) }
        case ZGSS_EXTERNAL_AUTHZ:
            externalAuthorization = try Self.bool(value, option)
        default:
            throw ZGSSError(.invalidArgument, "unknown option \(option)")
        }
    }

    /// Reads `option` back: ints as Int32, strings as their bytes (the C
    /// layer appends the NUL). Nil for options this type does not handle.
    public func get(_ option: Int32) -> OptionValue? {
        switch option {
        case ZMQ_GSSAPI_SERVER: .int(selected && isServer ? 1 : 0)
        case ZMQ_GSSAPI_PRINCIPAL: .string(principal ?? "")
        case ZMQ_GSSAPI_SERVICE_PRINCIPAL: .string(servicePrincipal ?? "")
        case ZMQ_GSSAPI_PLAINTEXT: .int(plaintext ? 1 : 0)
        case ZMQ_GSSAPI_PRINCIPAL_NAMETYPE: .int(principalNameType.rawValue)
        case ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE: .int(servicePrincipalNameType.rawValue)
        case ZGSS_KEYTAB: .string(store.keytab ?? "")
        case ZGSS_CLIENT_KEYTAB: .string(store.clientKeytab ?? "")
        case ZGSS_CCACHE: .string(store.ccache ?? "")
        case ZGSS_ALLOW_PRINCIPAL: .string(allowedPrincipals.map(\.text).joined(separator: "\n"))
        case ZGSS_EXTERNAL_AUTHZ: .int(externalAuthorization ? 1 : 0)
        default: nil
        }
    }

    public enum OptionValue: Equatable, Sendable {
        case int(Int32)
        case string(String)
    }

    // MARK: value parsing

    static func int(_ value: UnsafeRawBufferPointer?, _ option: Int32) throws(ZGSSError) -> Int32 {
        guard let value, value.count == OptionLength.int, value.baseAddress != nil else {
            throw ZGSSError(.invalidArgument, "option \(option) takes an int (exactly \(OptionLength.int) bytes)")
        }
        return value.loadUnaligned(as: Int32.self)
    }

    static func bool(_ value: UnsafeRawBufferPointer?, _ option: Int32) throws(ZGSSError) -> Bool {
        let number = try int(value, option)
        guard number == 0 || number == 1 else {
            throw ZGSSError(.invalidArgument, "option \(option) takes 0 or 1, got \(number)")
        }
        return number == 1
    }

    static func nameType(_ value: UnsafeRawBufferPointer?, _ option: Int32) throws(ZGSSError) -> GSSNameType {
        let number = try int(value, option)
        guard let type = GSSNameType(rawValue: number) else {
            throw ZGSSError(.invalidArgument, "option \(option) takes a name type 0, 1 or 2, got \(number)")
        }
        return type
    }

    static func string(_ value: UnsafeRawBufferPointer?, _ option: Int32, maxBytes: Int) throws(ZGSSError) -> String {
        guard let text = try optionalString(value, option, maxBytes: maxBytes) else {
            throw ZGSSError(.invalidArgument, "option \(option) takes a string of 1 to \(maxBytes) bytes")
        }
        return text
    }

    /// Nil for a NULL or empty value (meaning "unset").
    static func optionalString(_ value: UnsafeRawBufferPointer?, _ option: Int32, maxBytes: Int) throws(ZGSSError) -> String? {
        guard let value, value.baseAddress != nil, value.count > 0 else { return nil }
        var bytes = Array(value)
        guard bytes.count <= maxBytes else {
            throw ZGSSError(.invalidArgument, "option \(option) takes at most \(maxBytes) bytes, got \(bytes.count)")
        }
        if bytes.last == 0 { bytes.removeLast() }
        guard !bytes.isEmpty else { return nil }
        guard !bytes.contains(0) else {
            throw ZGSSError(.invalidArgument, "option \(option): string contains a NUL byte")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ZGSSError(.invalidArgument, "option \(option): string is not valid UTF-8")
        }
        return text
    }

    static func optionalPath(_ value: UnsafeRawBufferPointer?, _ option: Int32) throws(ZGSSError) -> String? {
        try optionalString(value, option, maxBytes: 4096)
    }
}

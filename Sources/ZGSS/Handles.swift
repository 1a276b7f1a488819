/// Opaque C handles. Each is a small header (a magic number naming the kind
/// and a retained Swift object) so that NULL, a destroyed handle or a
/// handle of another kind is refused instead of crashing.
struct HandleHeader {
    var magic: UInt64
    var object: UnsafeMutableRawPointer?
}

enum HandleKind: UInt64 {
    case config = 0x7a67_7373_6366_6731 // "zgsscfg1"
    case mechanism = 0x7a67_7373_6d65_6331 // "zgssmec1"
    case socket = 0x7a67_7373_736f_6b31
    case context = 0x7a67_7373_6374_7831
    case saslConfig = 0x7a67_7373_7363_6631 // "zgssscf1"
    case sasl = 0x7a67_7373_7361_7331 // "zgsssas1"
}

enum Handles {
    static func make<T: AnyObject>(_ object: T, kind: HandleKind) -> OpaquePointer {
        let header = UnsafeMutablePointer<HandleHeader>.allocate(capacity: 1)
        header.initialize(to: HandleHeader(magic: kind.rawValue,
                                           object: Unmanaged.passRetained(object).toOpaque()))
        return OpaquePointer(header)
    }

    static func get<T: AnyObject>(_ handle: OpaquePointer?, kind: HandleKind, as type: T.Type) -> T? {
        guard let handle else { return nil }
        let header = UnsafeMutablePointer<HandleHeader>(handle)
        guard header.pointee.magic == kind.rawValue, let object = header.pointee.object else { return nil }
        return Unmanaged<T>.fromOpaque(object).takeUnretainedValue()
    }

    /// Releases the object and the header. A second destroy of the same
    /// handle is refused while the memory has not been reused.
    @discardableResult
    static func destroy<T: AnyObject>(_ handle: OpaquePointer?, kind: HandleKind, as type: T.Type) -> Bool {
        guard let handle else { return false }
        let header = UnsafeMutablePointer<HandleHeader>(handle)
        guard header.pointee.magic == kind.rawValue, let object = header.pointee.object else { return false }
        header.pointee.magic = 0
        header.pointee.object = nil
        Unmanaged<T>.fromOpaque(object).release()
        header.deallocate()
        return true
    }
}

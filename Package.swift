// swift-tools-version:6.0
import PackageDescription

// Layers, bottom to top (each only imports those below it):
//   ZGSSBase (pure: the shared error type, principal names, big-endian helpers)
//   CGSSAPI (MIT libgssapi_krb5) -> GSSKit (owning Swift types)
//   COpenSSL (libcrypto) + ZGSSBase -> KerberosCrypto (RFC 4121 wrap tokens, AES enctypes)
//   ZMTPCodec (pure bytes, on ZGSSBase)
//   ZMTPGSSAPI (sans-I/O mechanism: codec + GSSKit)
//   SASLGSSAPI (sans-I/O RFC 4752 SASL GSSAPI and MQTT 5 AUTH: GSSKit)
//   ZGSS (the C ABI, libzgss.so)
let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "zgss",
    products: [
        .library(name: "zgss", type: .dynamic, targets: ["ZGSS"]),
        .library(name: "ZGSSCore", targets: ["ZMTPGSSAPI", "ZMTPCodec", "GSSKit", "SASLGSSAPI", "ZMTPTransport"]),
    ],
    targets: [
        .systemLibrary(name: "CGSSAPI", path: "Sources/CGSSAPI",
                       providers: [.apt(["libkrb5-dev"])]),
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL", pkgConfig: "libcrypto",
                       providers: [.apt(["libssl-dev"])]),
        // include/zgss.h, imported for its constants (the one place they live).
        .systemLibrary(name: "CZGSSHeader", path: "Sources/CZGSSHeader"),
        .target(name: "ZGSSBase", swiftSettings: strict),
        .target(name: "KerberosCrypto", dependencies: ["COpenSSL", "ZGSSBase"], swiftSettings: strict),
        .target(name: "ZMTPCodec", dependencies: ["ZGSSBase"], swiftSettings: strict),
        .target(name: "GSSKit", dependencies: ["CGSSAPI", "ZGSSBase", "KerberosCrypto"], swiftSettings: strict),
        .target(name: "ZMTPGSSAPI", dependencies: ["ZGSSBase", "ZMTPCodec", "GSSKit", "KerberosCrypto", "CZGSSHeader"],
                swiftSettings: strict),
        .target(name: "ZGSS", dependencies: ["ZMTPGSSAPI", "ZMTPCodec", "GSSKit", "SASLGSSAPI", "ZMTPTransport", "CZGSSHeader"],
                swiftSettings: strict),
        .target(name: "SASLGSSAPI", dependencies: ["ZGSSBase", "GSSKit"], swiftSettings: strict),
        .target(name: "TestRealmBootstrap", path: "Tests/TestRealmBootstrap"),
        .target(name: "TestRealm", dependencies: ["TestRealmBootstrap"], path: "Tests/TestRealm", swiftSettings: strict),
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(name: "ZMTPCodecTests", dependencies: ["ZGSSBase", "ZMTPCodec", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "KerberosCryptoTests", dependencies: ["KerberosCrypto", "GSSKit", "TestRealm", "TestSupport"],
                    swiftSettings: strict),
        .testTarget(name: "ZMTPGSSAPITests",
                    dependencies: ["ZMTPGSSAPI", "ZMTPCodec", "GSSKit", "TestRealm", "CZGSSHeader"],
                    swiftSettings: strict),
        .testTarget(name: "SASLGSSAPITests", dependencies: ["SASLGSSAPI", "GSSKit", "TestRealm", "TestSupport"],
                    swiftSettings: strict),
        .target(name: "ZMTPTransport", dependencies: ["ZGSSBase", "ZMTPCodec", "ZMTPGSSAPI", "CZGSSHeader"], swiftSettings: strict),
        .testTarget(name: "ZMTPTransportTests", dependencies: ["ZMTPTransport", "ZMTPGSSAPI", "ZGSSBase", "TestRealm", "CZGSSHeader"], swiftSettings: strict),
        .testTarget(name: "GSSKitTests", dependencies: ["GSSKit", "CGSSAPI", "TestRealm"], swiftSettings: strict),
        .testTarget(name: "ZGSSTests", dependencies: ["ZGSS", "CZGSSHeader"], swiftSettings: strict),
    ]
)

// SPDX-License-Identifier: MIT
// Shared by the harnesses in fuzz/stack/ that drive ZMTP GSSAPI peers
// (gssapi_mechanism, connection): the socket type pairs a script picks
// from, and the GSSAPI configurations on the test realm.

import ZMTPCodec
import ZMTPGSSAPI

/// (client, server) socket types, picked by a script's byte % 8; the last
/// pair is one the two ends refuse.
let socketPairs: [(client: SocketType, server: SocketType)] = [
    (.req, .rep), (.dealer, .router), (.sub, .pub), (.push, .pull),
    (.pair, .pair), (.router, .dealer), (.xsub, .xpub), (.req, .pull),
]

/// Configurations are shared (as a socket shares its one), so credentials
/// and the client's service ticket are acquired once per process.
nonisolated(unsafe) var configurations: [Int: SecurityConfiguration] = [:]

/// A GSSAPI configuration on the test realm: the server with its keytab,
/// or a client of zmq@localhost. `external` (ZGSS external authorization)
/// and `allowlist` (only bob@EXAMPLE.TEST) apply to a server.
func configuration(server: Bool, plaintext: Bool, external: Bool = false, allowlist: Bool = false) -> SecurityConfiguration {
    let key = (server ? 1 : 0) | (plaintext ? 2 : 0) | (external ? 4 : 0) | (allowlist ? 8 : 0)
    if let cached = configurations[key] { return cached }
    var options = GSSAPIOptions()
    options.selected = true
    options.plaintext = plaintext
    if server {
        options.isServer = true
        options.externalAuthorization = external
        if allowlist { options.allowedPrincipals = ["bob@EXAMPLE.TEST"] }
    } else {
        options.servicePrincipal = "zmq@localhost"
    }
    let made = SecurityConfiguration(options: options)
    configurations[key] = made
    return made
}

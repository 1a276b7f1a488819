// SPDX-License-Identifier: MIT
import CZGSSHeader
@testable import ZMTPTransport

// Helpers the transport tests share (socket types are zgss.h's ZMQ_*).

/// Sets an int option.
func setInt(_ socket: ZSocket, _ option: Int32, _ value: Int32) throws {
    var value = value
    try withUnsafeBytes(of: &value) { try socket.setOption(option, $0) }
}

/// The socket's ZMQ_LAST_ENDPOINT.
func endpoint(_ socket: ZSocket) throws -> String {
    guard case .string(let text) = try socket.option(ZMQ_LAST_ENDPOINT) else { return "" }
    return text
}

/// The errno `body` fails with, 0 when it succeeds.
func failureErrno(of body: () throws(TransportError) -> Void) -> Int32 {
    do {
        try body()
        return 0
    } catch {
        return error.errno
    }
}

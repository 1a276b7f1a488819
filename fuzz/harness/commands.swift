// SPDX-License-Identifier: MIT
// libFuzzer harness: Command, Metadata, GSSAPICommand, ErrorCommand and
// SocketType parsers on arbitrary command bodies. Whatever parses must
// re-encode to the same bytes (metadata: unless a name was not valid
// UTF-8, which the String decoding replaces with U+FFFD).

func metadataRoundTrips(_ metadata: Metadata, _ bytes: ArraySlice<UInt8>) -> Bool {
    var out: [UInt8] = []
    metadata.encode(into: &out)
    if out.elementsEqual(bytes) { return true }
    return metadata.properties.contains { $0.name.unicodeScalars.contains("\u{FFFD}") }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCommands(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let body = Array(UnsafeBufferPointer(start: data, count: size))

    let description = GSSAPICommand.describe(body)
    if let command = try? Command(parsing: body) {
        if Command.encode(name: command.name, data: Array(command.data)) != body { fatalError("command round trip") }
        if description != command.name { fatalError("describe disagrees with the parser") }
    }
    for name: StaticString in ["INITIATE", "MESSAGE", "READY", "ERROR"] {
        let prefix = [UInt8(name.utf8CodeUnitCount)] + name.withUTF8Buffer { Array($0) }
        if Command.hasName(body, name) != body.starts(with: prefix) { fatalError("hasName disagrees") }
    }

    if let token = try? GSSAPICommand.parseInitiate(body) {
        if GSSAPICommand.initiate(token: Array(token)) != body { fatalError("INITIATE round trip") }
    }
    if let token = try? GSSAPICommand.parseMessage(body) {
        if GSSAPICommand.message(token: Array(token)) != body { fatalError("MESSAGE round trip") }
    }
    if let reason = try? ErrorCommand.parseReason(body) {
        let used = body.prefix(ErrorCommand.prefix.count + 1 + reason.count)
        if ErrorCommand.encode(reason: Array(reason)) != Array(used) { fatalError("ERROR round trip") }
        if !ErrorCommand.displayText(reason).unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7f }) {
            fatalError("ERROR display text is not printable ASCII")
        }
    } else if Command.hasName(body, "ERROR") && body.count > ErrorCommand.prefix.count
                && body.count - ErrorCommand.prefix.count - 1 >= Int(body[ErrorCommand.prefix.count]) {
        fatalError("ERROR refused although its reason fits")
    }
    if let status = ErrorCommand.zapStatus(body[...]), ![300, 400, 500].contains(status) { fatalError("ZAP status") }
    if let metadata = try? GSSAPICommand.parseReady(body) {
        if !metadataRoundTrips(metadata, body.dropFirst(GSSAPICommand.readyPrefix.count)) { fatalError("READY round trip") }
        if let type = metadata["Socket-Type"], let socketType = SocketType(name: type) {
            if Array(socketType.name.utf8) != type { fatalError("socket type name mismatch") }
        }
    }
    // The whole input as a bare property list too.
    if let metadata = try? Metadata(parsing: body) {
        if !metadataRoundTrips(metadata, body[...]) { fatalError("metadata round trip") }
    }
    return 0
}

// SPDX-License-Identifier: MIT
// libFuzzer harness: greeting signature check and full greeting parse.
// A parsed greeting must re-encode to something that parses to itself,
// and the signature check must agree with the full parse.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGreeting(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let signatureOK = (try? Greeting.validateSignature(input)) != nil
    let sliceOK = (try? Greeting.validateSignature(input.dropFirst(0))) != nil
    if signatureOK != sliceOK { fatalError("slice and array disagree") }
    do {
        let greeting = try Greeting(parsing: input)
        if !signatureOK { fatalError("greeting parsed with a bad signature") }
        if greeting.major < 3 { fatalError("ZMTP < 3 accepted") }
        if greeting.mechanism.utf8.count > 20 { fatalError("mechanism longer than its field") }
        let again = try Greeting(parsing: greeting.encoded())
        if again != greeting { fatalError("greeting does not round-trip") }
    } catch let error as CodecError {
        if input.count >= Greeting.size && error.kind == .truncated { fatalError("64+ bytes reported as truncated") }
    } catch {
        fatalError("non-codec error \(error)")
    }
    return 0
}

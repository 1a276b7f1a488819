// SPDX-License-Identifier: MIT
// libFuzzer harness: FrameDecoder.
//
// Input: byte 0 seeds the chunk sizes, byte 1 picks maxFrameSize
// (2^(b % 24), or the default when b >= 0xf0), the rest is the stream.
// The stream is fed in chunks and drained after each one; while a large
// frame is being collected, some chunks go straight into its body
// (receiveIntoBody, the socket's path). The same stream fed in one piece
// must give the same frames and the same error.
// Compiled together with Sources/ZMTPCodec/*.swift (see fuzz/run.sh).

struct ChunkSizes {
    var state: UInt32
    mutating func next() -> Int {
        state = state &* 1_103_515_245 &+ 12_345
        // Mostly small reads, now and then a large one.
        let r = Int(state >> 16)
        return r % 8 == 0 ? r % 4096 : r % 17
    }
}

struct Outcome: Equatable {
    var frames: [Frame] = []
    var error: CodecError?
}

func decode(_ stream: ArraySlice<UInt8>, maxFrameSize: Int, seed: UInt8?) -> Outcome {
    var decoder = FrameDecoder(maxFrameSize: maxFrameSize)
    var outcome = Outcome()
    var sizes = ChunkSizes(state: UInt32(seed ?? 0))
    var start = stream.startIndex
    repeat {
        let end = seed == nil ? stream.endIndex : min(stream.endIndex, start + sizes.next())
        let missing = decoder.missingBodyByteCount
        if seed != nil && missing > 0 && end > start && (end - start) % 2 == 0 {
            // The socket's path for a large frame: its bytes straight into
            // the body, never offered past the frame's end.
            let written = decoder.receiveIntoBody(upTo: end - start) { room in
                if room.isEmpty || room.count > missing || room.count > end - start {
                    fatalError("offered \(room.count) bytes with \(missing) missing")
                }
                let count = room.count
                stream[start..<start + count].withUnsafeBytes { room.copyMemory(from: $0) }
                return count
            }
            start += written
        } else {
            decoder.append(stream[start..<end])
            start = end
        }
        do {
            while let frame = try decoder.next() {
                outcome.frames.append(frame)
                if frame.isCommand && frame.more { fatalError("decoder returned a command frame with MORE") }
                if frame.body.count > decoder.maxFrameSize { fatalError("frame over the limit returned") }
            }
        } catch let error as CodecError {
            outcome.error = error
            // A failed decoder stays failed.
            decoder.append([0, 0])
            if (try? decoder.next()) != nil { fatalError("decoder recovered after an error") }
            return outcome
        } catch {
            fatalError("non-codec error \(error)")
        }
    } while start < stream.endIndex
    // What was not returned as frames is still buffered: a tail of the stream.
    let remaining = decoder.takeRemaining()
    if remaining.count > stream.count || !stream.suffix(remaining.count).elementsEqual(remaining) {
        fatalError("buffered bytes are not the tail of the stream")
    }
    return outcome
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrameDecoder(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    guard input.count >= 2 else { return 0 }
    let maxFrameSize = input[1] >= 0xf0 ? FrameDecoder.defaultMaxFrameSize : 1 << Int(input[1] % 24)
    let stream = input[2...]
    let chunked = decode(stream, maxFrameSize: maxFrameSize, seed: input[0])
    let whole = decode(stream, maxFrameSize: maxFrameSize, seed: nil)
    if chunked != whole { fatalError("chunking changed the result") }
    // Frames the decoder accepts survive a re-encode and decode.
    if whole.error == nil {
        var again = FrameDecoder(maxFrameSize: maxFrameSize)
        for frame in whole.frames { again.append(frame.encoded()) }
        for frame in whole.frames {
            guard let copy = try? again.next(), copy == frame else { fatalError("re-encoded frame differs") }
        }
    }
    return 0
}

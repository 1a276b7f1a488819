#!/usr/bin/env python3
"""Writes the committed fuzz seeds in fuzz/corpus/ from the libzmq 4.3.4
captures in Tests/Fixtures/libzmq-4.3.4 plus a few hand-made edge cases.
Run from anywhere: python3 fuzz/seed.py"""
import json, pathlib

root = pathlib.Path(__file__).resolve().parent.parent
fixtures = root / "Tests/Fixtures/libzmq-4.3.4"
corpus = root / "fuzz/corpus"


seen = set()


def write(harness, name, data):
    """Writes one seed unless the same bytes were already written for harness."""
    if (harness, bytes(data)) in seen:
        return
    seen.add((harness, bytes(data)))
    d = corpus / harness
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(bytes(data))


for cap in sorted(p for p in fixtures.iterdir() if p.is_dir()):
    index = json.loads((cap / "capture.json").read_text())
    for direction in ("c2s", "s2c"):
        stream = (cap / f"{direction}.bin").read_bytes()
        write("greeting", f"{cap.name}-{direction}", stream[:64])
        # frame_decoder input: chunk seed, max-size selector (>= 0xf0: default), stream
        write("frame_decoder", f"{cap.name}-{direction}", b"\x07\xff" + stream[64:])
        for span in index["frames"][direction]:
            if not span["label"].startswith("frame "):
                continue
            frame = stream[span["start"]:span["end"]]
            header = 9 if frame[0] & 0x02 else 2
            if frame[0] & 0x04:  # command bodies only
                label = span["label"].split(" ", 2)[-1].replace(" ", "_")
                write("commands", f"{cap.name}-{direction}-{span['start']}-{label}", frame[header:])

write("greeting", "zgss", b"\xff" + b"\0" * 7 + b"\x01\x7f\x03\x01GSSAPI" + b"\0" * 14 + b"\0" + b"\0" * 31)
write("greeting", "zmtp2", b"\xff" + b"\0" * 7 + b"\x01\x7f\x01\x00")
write("frame_decoder", "huge-long", b"\x00\xff\x02\x00\x00\x00\x01\x00\x00\x00\x00")
write("frame_decoder", "small-limit", b"\x03\x04\x00\x10" + b"a" * 16 + b"\x01\x00\x00\x01b")
write("commands", "empty", b"")
write("commands", "initiate-overlong", b"\x08INITIATE\xff\xff\xff\xff\x60\x01\x02")
write("commands", "metadata-overlong", b"\x05READY\x01A\xff\xff\xff\xff")
write("commands", "error-400", b"\x05ERROR\x03400")
write("commands", "error-overlong", b"\x05ERROR\x09400")

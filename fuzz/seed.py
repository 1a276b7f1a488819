#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
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


# ---- stack harnesses (fuzz/stack/): scripts, see fuzz/stack/support/FuzzInput.swift

def d(data):
    """A FuzzInput.data() string: one length byte, or 0xff and two."""
    data = bytes(data)
    if len(data) < 0xff:
        return bytes([len(data)]) + data
    return b"\xff" + len(data).to_bytes(2, "big") + data


def script(*parts):
    out = b""
    for p in parts:
        out += bytes([p]) if isinstance(p, int) else bytes(p)
    return out


# Command bodies libzmq 4.3.4 sent (INITIATE, READY, MESSAGE, empty), per direction.
libzmq_commands = {"c2s": [], "s2c": []}
libzmq_streams = {}
for cap in sorted(p for p in fixtures.iterdir() if p.is_dir()):
    index = json.loads((cap / "capture.json").read_text())
    for direction in ("c2s", "s2c"):
        stream = (cap / f"{direction}.bin").read_bytes()
        libzmq_streams[(cap.name, direction)] = stream
        for span in index["frames"][direction]:
            if span["label"].startswith("frame "):
                frame = stream[span["start"]:span["end"]]
                header = 9 if frame[0] & 0x02 else 2
                if frame[0] & 0x04:
                    libzmq_commands[direction].append((cap.name, span["start"], frame[header:]))

# wrap_token: byte 0 enctype | subkey << 2 | acceptor-sends << 3 | mode << 4,
# then the first sequence (u16, shift).
for enctype in range(4):
    for mode, body in [(1, b"\x00\x00\x05\x01" + b"hello, world"),   # damage: flip byte 5
                       (1, b"\x01\x00\x03\x00" + b"x" * 40),          # cut the tail
                       (1, b"\x00\x00\x06\x10" + b"rrc"),             # flip the RRC field
                       (2, b"\x00\x00\x00" + b"plain"),               # EC 0, RRC 0
                       (2, b"\x10\x00\x1c" + b"sspi style"),          # EC 16, RRC 28
                       (2, b"\x00\xff\xff" + b""),                    # empty, odd RRC
                       (3, script(0, d(b"a"), 1, d(b"b"), 0, d(b"c"), 2, 3, 0, d(b""))),
                       (0, b"\x05\x04\x02\xff\x00\x00\x00\x00" + bytes(8) + bytes(60))]:
        for flags in (0, 4, 8 | 4):
            write("wrap_token", f"e{enctype}-f{flags}-m{mode}-{len(body)}",
                  bytes([enctype | flags | mode << 4]) + b"\x00\x07\x03" + body)
write("wrap_token", "near-max-sequence", bytes([0x31]) + b"\xff\xff\x30" + script(0, d(b"1"), 0, d(b"2"), 3))

# gssapi_mechanism: header (target server 1, plaintext 2, peer differs 4,
# MIT 8, external 16, allowlist 32, handshake first 64), socket pair.
def mech(name, header, pair, *ops):
    write("gssapi_mechanism", name, script(header, pair, *ops))

genuine_client = [1, 0] * 5          # target (client) speaks first
genuine_server = [0, 1] * 5
for plain in (0, 2):
    for mit in (0, 8):
        h = plain | mit
        mech(f"client-handshake-{h}", h, 0, *genuine_client)
        mech(f"server-handshake-{h}", h | 1, 1, *genuine_server)
        # genuine traffic first, then what must kill the session
        after = [6, d(b"hello"), 0x01, 6, d(b"world"), 0x00, 8, d(b"reply"), 0x00, 8, d(b""), 0x03,
                 10, d(b"\x04PING\x00\x0a"), 0x00, 11, 4, 1, 5,
                 6, d(b"damaged"), 0x80, 0, 0, 9, 0x41, 9, 7, d(b"\x07MESSAGE" + bytes(60)), 0]
        mech(f"client-ready-{h}", h | 0x40, 0, *after)
        mech(f"server-ready-{h}", h | 0x41, 3, *after)
mech("server-external", 0x11, 0, 0, 1, 0, 4, 1, 1, 0, 1)
mech("server-external-refused", 0x11, 0, 0, 1, 0, 4, 0, 1)
mech("server-allowlist", 0x21, 0, *genuine_server)
mech("plaintext-differs", 0x06, 0, *genuine_client)
mech("bad-socket-pair", 0x00, 7, *genuine_client)
mech("client-damaged-ap-rep", 0x00, 0, 1, 3, 0, 0, 100, 0x55, 1, 0)
mech("server-wrapped-ready", 0x01, 0, 0, 1, 0, 10, d(b"\x05READY\x0bSocket-Type\x00\x00\x00\x03REQ"), 0x00, 1)
mech("client-wrapped-ready", 0x00, 0, 1, 0, 1, 10, d(b"\x05READY\x0bSocket-Type\x00\x00\x00\x03REP"), 0x00, 1)
mech("client-integrity-only-ready", 0x00, 0, 1, 0, 1, 10, d(b"\x05READY\x0bSocket-Type\x00\x00\x00\x03REP"), 0x80, 1)
mech("closed-midway", 0x00, 0, 1, 0, 5, 1)
for direction, target_server in (("c2s", 1), ("s2c", 0)):
    for cap, start, body in libzmq_commands[direction]:
        mech(f"libzmq-{cap}-{direction}-{start}", target_server | (2 if "plaintext" in cap else 0), 0,
             *(() if target_server else (1,)), 2, d(body), 1)

# sasl_machine: header (target server 1, no mutual 2, authzid << 2,
# allowlist 16, small buffers 32, exchange first 64, mapping rule 128),
# layers (offered | accepted << 3; 0: all).
def sasl(name, header, layers, *ops):
    write("sasl_machine", name, script(header, layers, *ops))

for mutual in (0, 2):
    sasl(f"client-exchange-m{mutual}", mutual, 0, *([1, 0] * 4))
    sasl(f"server-exchange-m{mutual}", 1 | mutual, 0, *([0, 1] * 4))
# 6: count, damage, buffers (+ mutation); 9: data; 10: data, damage (+ mutation)
after = [6, 1, 0, d(b"one"), d(b"two"), 6, 0, 0, d(b""), 9, d(b"reply"), 9, d(b""),
         10, d(b"wrapped"), 0, 10, d(b""), 0, 12, 13, 0, 13, 1, 13, 4, 6, 2, 0, d(b"a"), d(b"b"), d(b"c"),
         6, 0, 1, d(b"damaged"), 0, 0, 9, 0x55, 11, 7, d(b"\x00\x00\x00\x05hello"), 8, d(b"\x05\x04\x06\xff")]
for layers in (0, 0o11, 0o22, 0o44, 0o77 & 0o63):
    sasl(f"client-after-l{layers:o}", 0x40, layers, 5, 0, 0, *after)
    sasl(f"server-after-l{layers:o}", 0x41, layers, *after)
sasl("small-buffers", 0x60, 0, 6, 1, 0, d(b"x" * 300), d(b"w" * 100), 9, d(b"y" * 300), 9, d(b"v" * 150),
     10, d(b"u" * 180), 0, 6, 0, 0, d(b"z"))
sasl("authzid-bob", 0x09, 0, *([0, 1] * 4))
sasl("authzid-alice", 0x05, 0, *([0, 1] * 4))
sasl("allowlist", 0x11, 0, *([0, 1] * 4))
sasl("mapping-rule", 0x81, 0, *([0, 1] * 4))
sasl("mqtt-server", 0x01, 0, 4, 0xc0, 0, 0, 1, 4, 0x40, 0x01, 0x18, 1, 4, 0x40, 0x01, 0x18, 1, 4, 0x40, 0x01, 0x18)
sasl("mqtt-client", 0x00, 0, 1, 4, 0x40, 0x01, 0x18, 1, 4, 0x40, 0x01, 0x18, 1, 5, 0, 0)
sasl("mqtt-bad-method", 0x01, 0, 4, 0x8c, 3, d(b"GSSAPI"), 4, 0x04, 0x01, 0x18, d(b""))
sasl("damaged-ap-req", 0x01, 0, 3, 0, 0, 40, 0x55, 1)
sasl("empty-initial-response", 0x01, 0, 2, d(b""), 1, 0, 1)

# connection: header (mode: 0 NULL, 1 plaintext, 2 encrypted, 3 mismatch;
# target server 4; start early 8; max size 64 16; handshake first 32), pair.
def conn(name, header, pair, *ops):
    write("connection", name, script(header, pair, *ops))

for mode in range(4):
    for server in (0, 4):
        h = mode | server
        conn(f"handshake-m{mode}-s{server}", h, 0, *([0, 0, 1] * 6))
        conn(f"early-m{mode}-s{server}", h | 8, 1, *([0, 3, 1] * 6))
        # 5: count, parts; 6: ttl; 7: count, parts; 0: chunk seed; then tainting ops
        conn(f"ready-m{mode}-s{server}", h | 0x20, 1,
             5, 1, d(b"hello"), d(b"world"), 0, 5, 6, 0, 10, 0, 0x33, 1, 7, 0, d(b"reply"), 1,
             8, 0x07, 0xd0, 1, 0, 0, 10, 5, 2, d(b""), d(b"x" * 300), d(b"end"), 0, 0x11,
             9, 2, d(b"topic"), 9, 0, d(b"\x00\x0a"), 3, d(b"\x00"), 0x01, 0, 0,
             5, 0, d(b"later"), 4, 0, 0, 20, 0x40, 10)
conn("null-max-size", 0x30, 1, 5, 0, d(b"x" * 100), 0, 0, 5, 0, d(b"y" * 400), 0, 0)
conn("null-bad-pair", 0x20, 7, 0, 0)
conn("null-ping-ttl", 0x20, 4, 6, 0x01, 0x00, 0, 0, 1)
conn("null-subscribe", 0x20, 2, 9, 2, d(b"weather"), 9, 3, d(b"weather"), 9, 8, d(b"XYZ"), d(b""))
conn("null-error", 0x00, 0, 0, 0, 9, 5, d(b"\x05nope!"))
# A PING that reaches the target through op 4 with no damage (kind 4 at
# position 0 appends nothing) must be answered there: the harness once
# forgot that op 4 delivers the peer's queued PINGs too.
conn("plain-ping-undamaged-delivery", 0x29, 0, 0, 0, 6, 0, 5, 4, 4, 0, 0, 0, 1, 0, 0)
for (cap, direction), stream in sorted(libzmq_streams.items()):
    conn(f"libzmq-{cap}-{direction}", (2 if "encrypted" in cap else 1) | (4 if direction == "c2s" else 0), 0,
         2, d(stream), 0x11, 1)
mech("client-error", 0x00, 0, 1, 2, d(b"\x05ERROR\x05nope!"), 1)
mech("server-error", 0x01, 0, 2, d(b"\x05ERROR\x00"), 0, 1)
mech("client-plain-ready-when-encrypted", 0x00, 0, 1, 0, 1, 2, d(b"\x05READY\x0bSocket-Type\x00\x00\x00\x03REP"), 1)
mech("server-garbage-initiate", 0x01, 0, 2, d(b"\x08INITIATE\x00\x00\x00\x04\x60\x02\x06\x00"), 1)

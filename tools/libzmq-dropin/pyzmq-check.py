# SPDX-License-Identifier: MIT
# Debian's pyzmq (python3-zmq) on the rebuilt libzmq (LD_LIBRARY_PATH): it
# must have loaded libzgss, and a CURVE REQ/REP pair must work
# (tools/test-libzmq-dropin.sh).
import sys, zmq
maps = open('/proc/self/maps').read()
libs = sorted({l.split()[-1] for l in maps.splitlines() if 'libzmq' in l or 'libzgss' in l})
print('loaded:', libs, 'libzmq', zmq.zmq_version(), 'curve', zmq.has('curve'), 'gssapi', zmq.has('gssapi'))
assert any('libzgss' in l for l in libs), 'libzgss not loaded'
ctx = zmq.Context()
pub, sec = zmq.curve_keypair(); cpub, csec = zmq.curve_keypair()
s = ctx.socket(zmq.REP); s.curve_server = True; s.curve_secretkey = sec
port = s.bind_to_random_port('tcp://127.0.0.1')
c = ctx.socket(zmq.REQ); c.curve_serverkey = pub; c.curve_publickey = cpub; c.curve_secretkey = csec
c.rcvtimeo = s.rcvtimeo = 10000
c.connect('tcp://127.0.0.1:%d' % port); c.send(b'ping'); assert s.recv() == b'ping'
s.send(b'pong'); assert c.recv() == b'pong'
print('PASS: pyzmq CURVE pair on the rebuilt libzmq')

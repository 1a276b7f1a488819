# SPDX-License-Identifier: MIT
# One side of a GSSAPI REQ/REP exchange in Debian's pyzmq (python3-zmq), for
# tools/test-libzmq-dropin.sh: stock libzmq, or the rebuilt one through
# LD_LIBRARY_PATH. argv: server|client EPFILE stock|rebuilt (the libzmq this
# process must have loaded). Service zmq@localhost (KRB5_KTNAME).
import os, sys, time, zmq
role, epfile, expect = sys.argv[1], sys.argv[2], sys.argv[3]
maps = open('/proc/self/maps').read()
lib = 'rebuilt' if 'libzgss' in maps else 'stock'
assert lib == expect, 'loaded the %s libzmq, expected %s' % (lib, expect)
ctx = zmq.Context()
if role == 'server':
    s = ctx.socket(zmq.REP); s.gssapi_server = True; s.rcvtimeo = 20000
    s.setsockopt_string(zmq.GSSAPI_PRINCIPAL, 'zmq@localhost')
    port = s.bind_to_random_port('tcp://127.0.0.1')
    open(epfile + '.tmp', 'w').write('tcp://127.0.0.1:%d' % port); os.rename(epfile + '.tmp', epfile)
    m = s.recv(copy=False)
    try: uid = m.get('User-Id')
    except Exception as e: uid = repr(e)
    s.send(b'pong'); print('server[%s pyzmq]: got %r from User-Id %s' % (lib, m.bytes, uid))
else:
    deadline = time.time() + 20
    while not os.path.exists(epfile) and time.time() < deadline: time.sleep(0.05)
    c = ctx.socket(zmq.REQ); c.setsockopt_string(zmq.GSSAPI_SERVICE_PRINCIPAL, 'zmq@localhost')
    c.rcvtimeo = 20000; c.connect(open(epfile).read()); c.send(b'ping')
    print('client[%s pyzmq]: got %r' % (lib, c.recv()))

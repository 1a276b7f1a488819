# DRAFT: python3-zmq GSSAPI interop. argv: server|client EPFILE
import os, sys, time, zmq
role, epfile = sys.argv[1], sys.argv[2]
maps = open('/proc/self/maps').read()
lib = 'rebuilt' if 'libzgss' in maps else 'stock'
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

# SPDX-License-Identifier: MIT
"""An asyncio service, Kerberos-encrypted: a pyzmq program whose only
change is its imports (`import zgss as zmq` and `import zgss.asyncio`; with
`import zmq` and `import zmq.asyncio` it runs on pyzmq).

    aioservice.py server N      a ROUTER (GSSAPI server) on a random port,
                                prints "PORT p", answers N requests
    aioservice.py client PORT N a DEALER: a receive given up after 0.3 s
                                (asyncio.wait_for cancels it), then N
                                requests in flight at once, then their
                                N replies
Kerberos comes from the environment, as for reqrep.py."""
import asyncio
import sys

import zgss as zmq
import zgss.asyncio

TIMEOUT_S = 20


async def server(count):
    ctx = zmq.asyncio.Context.instance()
    router = ctx.socket(zmq.ROUTER)
    router.gssapi_server = True
    print("PORT %d" % router.bind_to_random_port("tcp://127.0.0.1"), flush=True)
    for _ in range(count):
        if not await router.poll(TIMEOUT_S * 1000):
            sys.exit("no request within %d s" % TIMEOUT_S)
        peer, request = await router.recv_multipart()
        await router.send_multipart([peer, request.upper()])
    print("served %d, mechanism %d" % (count, router.mechanism), flush=True)
    router.close(linger=2000)
    ctx.term()


async def client(port, count):
    ctx = zmq.asyncio.Context.instance()
    dealer = ctx.socket(zmq.DEALER)
    dealer.gssapi_service_principal = b"zmq@localhost"
    dealer.connect("tcp://127.0.0.1:%d" % port)
    try:
        await asyncio.wait_for(dealer.recv(), 0.3)
        sys.exit("a reply before any request")
    except asyncio.TimeoutError:
        print("nothing yet", flush=True)  # the cancelled receive took nothing
    await asyncio.gather(*[dealer.send_string("request %d" % n) for n in range(count)])
    replies = await asyncio.wait_for(asyncio.gather(*[dealer.recv_string() for _ in range(count)]), TIMEOUT_S)
    for reply in sorted(replies, key=lambda text: int(text.split()[1])):
        print(reply, flush=True)
    print("mechanism %d" % dealer.mechanism, flush=True)
    ctx.destroy(linger=0)


if __name__ == "__main__":
    if sys.argv[1] == "server":
        asyncio.run(server(int(sys.argv[2])))
    else:
        asyncio.run(client(int(sys.argv[2]), int(sys.argv[3])))

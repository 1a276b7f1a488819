# SPDX-License-Identifier: MIT
"""A TCP proxy between a ZMTP client and server that plays an on-path
attacker: on the first connection it sends one side's wrapped READY (the
first MESSAGE command frame in that direction) a second time, once both
READYs have crossed. Later connections pass through untouched, so a peer
that reconnects gets a clean session."""
import socket
import threading

GREETING = 64


class FrameScanner:
    """Follows one direction of a ZMTP 3 stream and reports each complete
    frame (header and body) as it passes."""

    def __init__(self):
        self.buffer = bytearray()
        self.greeting_left = GREETING

    def feed(self, data):
        self.buffer += data
        if self.greeting_left:
            taken = min(self.greeting_left, len(self.buffer))
            del self.buffer[:taken]
            self.greeting_left -= taken
        frames = []
        while len(self.buffer) >= 2:
            flags = self.buffer[0]
            if flags & 0x02:
                if len(self.buffer) < 9:
                    break
                header, size = 9, int.from_bytes(self.buffer[1:9], "big")
            else:
                header, size = 2, self.buffer[1]
            if len(self.buffer) < header + size:
                break
            frames.append((flags, bytes(self.buffer[:header + size])))
            del self.buffer[:header + size]
        return frames


def is_wrapped_ready(flags, frame):
    """READY in encrypted GSSAPI mode: a command frame holding MESSAGE."""
    header = 9 if flags & 0x02 else 2
    return flags & 0x04 and frame[header:header + 8] == b"\x07MESSAGE"


class ReadyReplayProxy:
    """`duplicate` is "client" (the client's READY goes to the server twice)
    or "server". The side that receives the copy is the victim."""

    def __init__(self, target_endpoint, duplicate):
        host, port = target_endpoint.rsplit("/", 1)[1].rsplit(":", 1)
        self.target = (host, int(port))
        self.duplicate = duplicate
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.endpoint = "tcp://127.0.0.1:%d" % self.listener.getsockname()[1]
        self.injected = threading.Event()
        self.victim_closed = threading.Event()
        self.later_ready = threading.Event()
        self.connections = 0
        self.closing = False
        self.sockets = []
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self):
        self.closing = True
        for sock in [self.listener] + self.sockets:
            try:
                sock.close()
            except OSError:
                pass

    def _accept(self):
        while not self.closing:
            try:
                client, _ = self.listener.accept()
                server = socket.create_connection(self.target)
            except OSError:
                return
            self.sockets += [client, server]
            Session(self, client, server, tamper=self.connections == 0).start()
            self.connections += 1


class Session:
    def __init__(self, proxy, client, server, tamper):
        self.proxy = proxy
        self.tamper = tamper
        self.ends = {"client": client, "server": server}
        self.locks = {"client": threading.Lock(), "server": threading.Lock()}
        self.ready = {}          # side -> its wrapped READY frame
        self.state = threading.Lock()

    def start(self):
        for side in ("client", "server"):
            threading.Thread(target=self._pump, args=(side,), daemon=True).start()

    def _send(self, to, data):
        with self.locks[to]:
            self.ends[to].sendall(data)

    def _pump(self, side):
        other = "server" if side == "client" else "client"
        scanner = FrameScanner()
        source = self.ends[side]
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                self._send(other, data)
                for flags, frame in scanner.feed(data):
                    if is_wrapped_ready(flags, frame):
                        self._saw_ready(side, frame)
        except OSError:
            pass
        finally:
            # The side the copy goes to is the victim: note when it hangs up.
            victim = "server" if self.proxy.duplicate == "client" else "client"
            if self.tamper and side == victim:
                self.proxy.victim_closed.set()
            for end in self.ends.values():
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def _saw_ready(self, side, frame):
        with self.state:
            if side in self.ready:
                return
            self.ready[side] = frame
            if len(self.ready) < 2:
                return
        if not self.tamper:
            self.proxy.later_ready.set()
            return
        to = "server" if self.proxy.duplicate == "client" else "client"
        self._send(to, self.ready[self.proxy.duplicate])
        self.proxy.injected.set()

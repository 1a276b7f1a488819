# SPDX-License-Identifier: MIT
"""The pyzmq programs in python/examples, which import `zgss as zmq`, run
against the same programs on stock pyzmq (the import line swapped for
`import zmq`, and `import zgss.asyncio` for `import zmq.asyncio`, nothing
else), Kerberos-encrypted, zgss in each role."""
import os
import subprocess
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
EXAMPLES = os.path.join(ROOT, "python", "examples")
IMPORT_LINE = "import zgss as zmq\n"
ASYNCIO_IMPORT_LINE = "import zgss.asyncio\n"
DEADLINE_S = 60


@pytest.fixture
def program(tmp_path):
    """program(name, stock) -> path of the example as zgss or stock pyzmq runs it."""
    def make(name, stock):
        source = os.path.join(EXAMPLES, name)
        if not stock:
            return source
        text = open(source, encoding="utf-8").read()
        assert text.count(IMPORT_LINE) == 1, "%s must import zgss as zmq exactly once" % name
        path = tmp_path / ("stock_" + name)
        assert text.count(ASYNCIO_IMPORT_LINE) <= 1, name
        stock_text = text.replace(IMPORT_LINE, "import zmq\n").replace(ASYNCIO_IMPORT_LINE, "import zmq.asyncio\n")
        path.write_text(stock_text, encoding="utf-8")
        return str(path)
    return make


class Run:
    def __init__(self, path, *args):
        env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "python"))
        self.process = subprocess.Popen([sys.executable, path] + [str(a) for a in args], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)

    def port(self):
        line = self.process.stdout.readline()
        if not line.startswith("PORT "):
            self.process.kill()
            raise AssertionError("no port: %r; stderr: %s" % (line, self.process.stderr.read()))
        return int(line.split()[1])

    def finish(self):
        try:
            out, err = self.process.communicate(timeout=DEADLINE_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            out, err = self.process.communicate()
        assert self.process.returncode == 0, "exit %s\nstdout: %s\nstderr: %s" % (self.process.returncode, out, err)
        return out


@pytest.mark.parametrize("zgss_role", ["server", "client"])
def test_request_reply_against_stock_pyzmq(program, zgss_role):
    server = Run(program("reqrep.py", stock=zgss_role != "server"), "server", 3)
    client = Run(program("reqrep.py", stock=zgss_role != "client"), "client", server.port(), 3)
    replies = client.finish()
    assert replies.splitlines() == ["hello, REQUEST 0", "hello, REQUEST 1", "hello, REQUEST 2", "mechanism 3"]
    assert server.finish().strip() == "served 3, mechanism 3"


@pytest.mark.parametrize("zgss_role", ["source and sink", "worker"])
def test_pipeline_against_stock_pyzmq(program, zgss_role):
    ends_stock = zgss_role != "source and sink"
    count = 20
    sink = Run(program("pipeline.py", stock=ends_stock), "sink", count)
    source = Run(program("pipeline.py", stock=ends_stock), "source", count)
    worker = Run(program("pipeline.py", stock=not ends_stock), "worker", source.port(), sink.port())
    assert sink.finish().strip() == "sum %d, mechanism 3" % sum(n * n for n in range(count))
    source.finish()
    assert worker.finish().strip() == "worker did %d" % count


@pytest.mark.parametrize("zgss_role", ["pub", "sub"])
def test_pubsub_with_poller_against_stock_pyzmq(program, zgss_role):
    publisher = Run(program("pubsub.py", stock=zgss_role != "pub"), "pub")
    pub_port, control_port = publisher.port(), publisher.port()
    subscriber = Run(program("pubsub.py", stock=zgss_role != "sub"), "sub", pub_port, control_port, 10)
    assert subscriber.finish().strip() == "10 updates of each topic, mechanism 3"
    assert publisher.finish().strip() == "published, mechanism 3"


@pytest.mark.parametrize("zgss_role", ["server", "client"])
def test_asyncio_service_against_stock_pyzmq(program, zgss_role):
    server = Run(program("aioservice.py", stock=zgss_role != "server"), "server", 5)
    client = Run(program("aioservice.py", stock=zgss_role != "client"), "client", server.port(), 5)
    assert client.finish().splitlines() == ["nothing yet"] + ["REQUEST %d" % n for n in range(5)] + ["mechanism 3"]
    assert server.finish().strip() == "served 5, mechanism 3"

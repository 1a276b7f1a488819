# SPDX-License-Identifier: MIT
"""pytest fixtures: a test realm (unless one is already in the environment,
e.g. under tools/testrealm.py run), a zgss context and a pyzmq context."""
import os
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "python"))
sys.path.insert(0, os.path.join(ROOT, "tools"))


@pytest.fixture(scope="session", autouse=True)
def realm():
    if os.environ.get("KRB5_KTNAME") and os.environ.get("KRB5_CLIENT_KTNAME"):
        yield None
        return
    from testrealm import Realm
    with Realm() as r:
        r.apply_env()
        yield r


@pytest.fixture
def ctx():
    import zgss
    with zgss.Context() as context:
        yield context


@pytest.fixture
def zctx():
    zmq = pytest.importorskip("zmq")
    context = zmq.Context()
    yield context
    context.destroy(linger=0)


@pytest.fixture
def own_realm():
    """Makes a private realm for one test (its KDC may be stopped, its
    ticket lifetimes cut) and points this process at it; the environment
    (the session realm) comes back afterwards."""
    from testrealm import Realm
    saved = dict(os.environ)
    made = []

    def make(name):
        realm = Realm(realm=name)
        made.append(realm)
        realm.apply_env()
        return realm

    yield make
    for realm in made:
        realm.close()
    os.environ.clear()
    os.environ.update(saved)

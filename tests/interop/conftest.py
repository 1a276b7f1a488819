# SPDX-License-Identifier: MIT
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "examples", "sansio"))
sys.path.insert(0, os.path.join(ROOT, "tools"))

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def realm():
    """The realm of `tools/testrealm.py run`, or a fresh one for this session."""
    from testrealm import Realm
    if os.environ.get("ZGSS_TEST_DIR"):
        yield None
        return
    with Realm() as r:
        r.apply_env()
        yield r

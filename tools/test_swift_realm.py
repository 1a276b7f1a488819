# SPDX-License-Identifier: MIT
"""What README's "Build from source" promises about a plain `swift test`,
checked on the built test binary (swift build --build-tests first):
  - without a realm in the environment it starts one before the tests,
    runs the Kerberos tests in it, and removes it when the process ends,
    also when the process is killed;
  - when no realm can be started, the pure tests run, the Kerberos tests
    are reported as skipped with the reason, the last line says they did
    not run, and the run passes; under CI=true they fail instead;
  - a realm given by the caller (tools/testrealm.py run) is used.
Run by tools/test-docs.sh:
    /usr/bin/python3 -m pytest -q tools/test_swift_realm.py
"""

import glob
import os
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# A suite with one pure test and two that need the realm.
FILTER = "ReplayCacheProbeTests"
PURE = "libkrb5StoreIsFound()"
KERBEROS = "probeWritesTheAcceptorsCache()"


def built_test_binary():
    bin_dir = subprocess.run(["swift", "build", "--show-bin-path"], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout.strip()
    path = os.path.join(bin_dir, "zgssPackageTests.xctest")
    assert os.path.exists(path), "no %s: run swift build --build-tests first" % path
    return path


def clean_env(tmpdir, **extra):
    """The caller's environment without a realm, CI or zgss variables."""
    env = {k: v for k, v in os.environ.items()
           if not (k.startswith("KRB5") or k.startswith("ZGSS_") or k == "CI")}
    env.update(TMPDIR=tmpdir, NO_COLOR="1", TERM="dumb")
    env.update(extra)
    return env


def run(env, argv_prefix=()):
    r = subprocess.run(list(argv_prefix) + [built_test_binary(), "--testing-library", "swift-testing", "--filter", FILTER],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    return r.returncode, r.stdout + r.stderr


def gone(pattern, deadline=10.0):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if not glob.glob(pattern):
            return True
        time.sleep(0.05)
    return False


def test_plain_run_starts_a_realm_and_removes_it():
    with tempfile.TemporaryDirectory() as tmp:
        rc, out = run(clean_env(tmp))
        assert rc == 0, out
        assert "Test %s passed" % KERBEROS in out, out
        assert "skipped" not in out and "NOT RUN" not in out, out
        assert gone(os.path.join(tmp, "zgss-swift-realm-*")), "the realm directory outlived the test process"


def test_a_killed_run_still_removes_its_realm():
    with tempfile.TemporaryDirectory() as tmp:
        # A pure test that takes a while (tokens past 2 GiB) keeps it busy.
        child = subprocess.Popen([built_test_binary(), "--testing-library", "swift-testing", "--filter", "LargeTokenTests"],
                                 cwd=ROOT, env=clean_env(tmp), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        env_file = os.path.join(tmp, "zgss-swift-realm-%d" % child.pid, "env.sh")
        kdc_pid = None
        end = time.monotonic() + 60
        while kdc_pid is None and time.monotonic() < end and child.poll() is None:
            try:
                with open(env_file) as f:
                    kdc_pid = int(f.read().split("ZGSS_TEST_KDC_PID=")[1].split()[0])
            except (OSError, IndexError, ValueError):   # not there, or not all written yet
                time.sleep(0.05)
        assert kdc_pid is not None, "no realm was started"
        child.send_signal(signal.SIGKILL)
        child.wait()
        assert gone(os.path.join(tmp, "zgss-swift-realm-*")), "a killed test process left its realm behind"
        end = time.monotonic() + 10
        while os.path.exists("/proc/%d" % kdc_pid) and time.monotonic() < end:
            time.sleep(0.05)
        assert not os.path.exists("/proc/%d" % kdc_pid), "the realm's KDC outlived the killed test process"


def fake_python(tmp):
    """A PATH whose python3 fails the way a missing krb5kdc does."""
    bin_dir = os.path.join(tmp, "bin")
    os.mkdir(bin_dir)
    with open(os.path.join(bin_dir, "python3"), "w") as f:
        f.write("#!/bin/sh\necho 'testrealm: required Kerberos tool not found: krb5kdc' >&2\nexit 1\n")
    os.chmod(os.path.join(bin_dir, "python3"), 0o755)
    return bin_dir + ":" + os.environ["PATH"]


def test_without_a_kdc_the_kerberos_tests_are_reported_not_run():
    with tempfile.TemporaryDirectory() as tmp:
        rc, out = run(clean_env(tmp, PATH=fake_python(tmp)))
        assert rc == 0, out
        assert "Test %s passed" % PURE in out, out
        assert "Test %s skipped" % KERBEROS in out and "krb5kdc" in out, out
        assert out.rstrip().splitlines()[-1].startswith("zgss tests: NOT RUN: the Kerberos tests"), out


def test_without_a_kdc_in_ci_the_kerberos_tests_fail():
    with tempfile.TemporaryDirectory() as tmp:
        rc, out = run(clean_env(tmp, PATH=fake_python(tmp), CI="true"))
        assert rc != 0, out
        assert "Test %s passed" % PURE in out, out
        assert "Test %s failed" % KERBEROS in out or "Test %s recorded an issue" % KERBEROS in out, out
        assert "krb5kdc" in out and "NOT RUN" not in out, out


def test_no_test_realm_runs_the_pure_tests_only():
    with tempfile.TemporaryDirectory() as tmp:
        rc, out = run(clean_env(tmp, ZGSS_NO_TEST_REALM="1"))
        assert rc == 0, out
        assert "Test %s skipped" % KERBEROS in out and "ZGSS_NO_TEST_REALM" in out, out
        assert not glob.glob(os.path.join(tmp, "zgss-swift-realm-*"))
        rc, out = run(clean_env(tmp, ZGSS_NO_TEST_REALM="1", ZGSS_REQUIRE_REALM="1"))
        assert rc != 0, out


def test_a_realm_from_the_caller_is_used():
    with tempfile.TemporaryDirectory() as tmp:
        rc, out = run(clean_env(tmp), argv_prefix=(sys.executable, os.path.join(ROOT, "tools", "testrealm.py"),
                                                   "run", "--"))
        assert rc == 0, out
        assert "Test %s passed" % KERBEROS in out, out
        assert not glob.glob(os.path.join(tmp, "zgss-swift-realm-*"))

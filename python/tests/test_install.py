# SPDX-License-Identifier: MIT
"""`pip install ./python` as README.md says, into a fresh virtual
environment, offline: the package imports from outside the checkout and
finds libzgss through the path recorded at install, ZGSS_LIB unset."""
import os
import shutil
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

PROBE = """
import zgss, zgss._lib
ctx = zgss.Context.instance()
sock = ctx.socket(zgss.PAIR)
port = sock.bind_to_random_port("tcp://127.0.0.1")
print(zgss.__file__)
print(zgss._lib.path)
print(zgss.version())
ctx.destroy()
"""


def run(command, **kwargs):
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300,
                            **kwargs)
    assert result.returncode == 0, "%s failed:\n%s" % (" ".join(command), result.stdout)
    return result.stdout


def test_pip_installs_the_package_into_a_fresh_venv(tmp_path):
    library = os.environ["ZGSS_LIB"]
    # A copy of python/, so the build's egg-info and build/ stay out of the checkout.
    source = tmp_path / "source"
    shutil.copytree(os.path.join(ROOT, "python"), source,
                    ignore=shutil.ignore_patterns("tests", "build", "*.egg-info", "__pycache__"))
    venv = tmp_path / "venv"
    # --system-site-packages: Debian's setuptools and wheel build the
    # package offline (--no-build-isolation, --no-index); nothing is fetched.
    run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)])
    run([str(venv / "bin" / "pip"), "install", "--no-build-isolation", "--no-index", "--no-deps", str(source)],
        env=dict(os.environ, ZGSS_LIB=library))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("ZGSS_LIB", "PYTHONPATH")}
    out = run([str(venv / "bin" / "python"), "-c", PROBE], cwd=str(elsewhere), env=env).splitlines()
    assert out[0].startswith(str(venv) + os.sep), out
    assert out[1] == os.path.abspath(library), out
    assert out[2]
    # ZGSS_LIB still wins over the recorded path.
    missing = str(tmp_path / "no-such-libzgss.so")
    failed = subprocess.run([str(venv / "bin" / "python"), "-c", "import zgss"], cwd=str(elsewhere),
                            env=dict(env, ZGSS_LIB=missing), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    assert failed.returncode != 0 and missing in failed.stdout

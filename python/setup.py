# SPDX-License-Identifier: MIT
"""Only what pyproject.toml cannot say: when ZGSS_LIB is set while the
package is built (pip install ./python), its absolute path is written into
zgss/_libpath.py, so the installed package finds that libzgss without the
variable. Unset, nothing is recorded and the loader path is used."""
import os

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithLibraryPath(build_py):
    def run(self):
        super().run()
        recorded = os.path.abspath(os.environ["ZGSS_LIB"]) if os.environ.get("ZGSS_LIB") else ""
        target = os.path.join(self.build_lib, "zgss", "_libpath.py")
        with open(target, "w", encoding="utf-8") as out:
            out.write("# Written by setup.py at build time: ZGSS_LIB then.\nRECORDED = %r\n" % recorded)


setup(cmdclass={"build_py": BuildWithLibraryPath})

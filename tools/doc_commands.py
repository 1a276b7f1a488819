#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The shell commands the documentation shows, found and run as written.

Every fenced code block of the repository's Markdown files (git ls-files
'*.md') is one of:
  - a command block: info string sh, bash, shell or console (for console,
    the lines starting with "$ " are the commands). It is run, unless the
    line just before its opening fence (blank lines aside) is a mark
        <!-- not run: REASON -->
    with a reason a reader can check (installs into /usr/lib, needs a real
    broker host, ...);
  - any other labelled block (c, python, conf, text, ...): not a command.
So a new command block is run unless its author marks it, and the mark is
in the document's source for every reader to see. Refused outright, so
that nothing is skipped by accident: a fence without an info string (label
it: sh for commands, text for the rest), an indented code block (use a
fence), a mark without a reason, a mark not followed by a command block.

    doc_commands.py list              every block and what happens to it
    doc_commands.py check             the rules above; prints FAIL lines
    doc_commands.py run [FILE...]     runs the command blocks (needs root,
                                      or unprivileged user namespaces)

A section (the text under a "## " heading, or a file's text before the
first one) is read on its own: its command blocks run in order, as a
reader would type them, in one sandbox, in a private mount namespace of
their own (ZGSS_DOCS_JOBS sections side by side, default 3). A block that
fails fails the section's later blocks too.

In a sandbox the checkout is seen at its own path through an overlay
whose lower layer is the real checkout minus every file git ignores
(build output, .dist, a built plugin) except the Swift build caches .build
and .build-release (a cache only makes a build faster: SwiftPM rebuilds
what is stale); /opt and /tmp are overlays too, so an install prefix or a
scratch file there is thrown away. A block runs as `bash -e -o pipefail`
from the repository root with an environment holding only PATH, HOME
(empty, per section), TMPDIR=/tmp, LANG, USER and LOGNAME: no
PKG_CONFIG_PATH, LD_LIBRARY_PATH, CI or ZGSS_* from the caller, and no
Kerberos realm, as on a fresh machine. A block marked
    <!-- run in a realm -->
instead runs under tools/testrealm.py run, in a throwaway realm (KRB5_*).
The last line of `check` and `run` is "docs: N passed, M failed".
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COMMAND_LANGUAGES = ("sh", "bash", "shell", "console")
# Build caches kept in the sandbox; everything else git ignores is hidden.
KEPT_CACHES = (".build", ".build-release")
SANDBOX_PARENT = "/var/tmp"
BLOCK_TIMEOUT = 420  # seconds; a block that takes longer failed
MARK = re.compile(r"^\s*<!--\s*not run:(.*?)-->\s*$")
REALM_MARK = re.compile(r"^\s*<!--\s*run in a realm\s*-->\s*$")
SECTION = re.compile(r"^##\s+(.*?)\s*#*\s*$")
FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})(.*)$")
LIST_ITEM = re.compile(r"^(\s*)([-*+]|\d+[.)])(\s+)\S")


class Block:
    """One fenced code block: where it is, its label, its lines, its mark."""

    def __init__(self, path, line, language, lines, mark=None, realm=False, section=""):
        self.path = path          # as given (relative to the root)
        self.line = line          # 1-based line of the opening fence
        self.language = language  # first word of the info string, "" if none
        self.lines = lines        # content, fence indentation removed
        self.mark = mark          # None, or the text after "not run:"
        self.realm = realm        # marked "run in a realm"
        self.section = section    # the "## " heading it is under, "" before any

    @property
    def is_command(self):
        return self.language in COMMAND_LANGUAGES

    @property
    def where(self):
        return "%s:%d" % (self.path, self.line)

    def script(self):
        """The block as a shell script: console blocks keep their "$ "
        lines (and the lines those continue with a backslash)."""
        if self.language != "console":
            return "\n".join(self.lines) + "\n"
        out = []
        continuing = False
        for line in self.lines:
            if line.startswith("$ "):
                out.append(line[2:])
            elif continuing:
                out.append(line)
            else:
                continue
            continuing = line.endswith("\\")
        return "\n".join(out) + "\n"


def _indent(line):
    return len(line) - len(line.lstrip(" "))


def parse(text, path):
    """Returns (blocks, problems) for one Markdown text; problems are
    "path:line: what" strings."""
    blocks, problems = [], []
    lines = text.split("\n")
    i = 0
    list_indent = 0        # content column of the list item we are in, or 0
    previous_blank = True
    pending_mark = None    # (line number, reason or None for "run in a realm") not yet used
    section = ""
    while i < len(lines):
        line = lines[i]
        number = i + 1
        stripped = line.strip()
        fence = FENCE.match(line)
        if fence:
            indent, ticks, info = len(fence.group(1)), fence.group(2), fence.group(3).strip()
            language = info.split()[0].lower() if info else ""
            body = []
            i += 1
            closed = False
            while i < len(lines):
                close = re.match(r"^\s*(%s{%d,})\s*$" % (re.escape(ticks[0]), len(ticks)), lines[i])
                if close:
                    closed = True
                    break
                content = lines[i]
                body.append(content[indent:] if content[:indent].strip() == "" else content.lstrip())
                i += 1
            if not closed:
                problems.append("%s:%d: code fence never closed" % (path, number))
            block = Block(path, number, language, body, section=section,
                          mark=pending_mark[1] if pending_mark else None,
                          realm=bool(pending_mark) and pending_mark[1] is None)
            blocks.append(block)
            if not language:
                problems.append("%s:%d: code block without a language: label it sh (a command, "
                                "run by tools/test-docs.sh) or text (anything else)" % (path, number))
            if pending_mark and not block.is_command:
                problems.append("%s:%d: a %s mark before a %s block: marks are for command "
                                "blocks (sh, bash, shell, console)"
                                % (path, pending_mark[0], "realm" if pending_mark[1] is None else "not-run",
                                   language or "unlabelled"))
            pending_mark = None
            previous_blank = False
            i += 1
            continue
        if not stripped:
            previous_blank = True
            i += 1
            continue
        mark = MARK.match(line)
        if mark or REALM_MARK.match(line):
            reason = mark.group(1).strip() if mark else None
            if pending_mark:
                problems.append("%s:%d: a mark not followed by a code block" % (path, pending_mark[0]))
            if reason == "":
                problems.append("%s:%d: a not-run mark without a reason" % (path, number))
            pending_mark = (number, reason)
            i += 1
            continue
        if pending_mark:
            problems.append("%s:%d: a mark not followed by a code block" % (path, pending_mark[0]))
            pending_mark = None
        heading = SECTION.match(line)
        if heading:
            section = heading.group(1)
        item = LIST_ITEM.match(line)
        indent = _indent(line)
        if item:
            list_indent = len(item.group(1)) + len(item.group(2)) + len(item.group(3))
        elif previous_blank and indent >= list_indent + 4:
            problems.append("%s:%d: indented code block: use a fenced block with a language "
                            "(sh for commands, text for anything else)" % (path, number))
            while i + 1 < len(lines) and (not lines[i + 1].strip() or _indent(lines[i + 1]) >= list_indent + 4):
                i += 1
        elif previous_blank and indent < list_indent:
            list_indent = 0    # a paragraph outside the list ends it
        previous_blank = False
        i += 1
    if pending_mark:
        problems.append("%s:%d: a mark not followed by a code block" % (path, pending_mark[0]))
    return blocks, problems


def markdown_files(root=ROOT):
    out = subprocess.run(["git", "-C", root, "ls-files", "--cached", "--others", "--exclude-standard", "*.md"],
                         check=True, capture_output=True, text=True).stdout
    return sorted(set(p for p in out.split("\n") if p and os.path.exists(os.path.join(root, p))))


def read_all(paths, root=ROOT):
    blocks, problems = [], []
    for path in paths:
        with open(os.path.join(root, path), encoding="utf-8") as f:
            b, p = parse(f.read(), path)
        blocks += b
        problems += p
    return blocks, problems


def cmd_list(paths):
    blocks, problems = read_all(paths)
    width = max([len(b.where) for b in blocks] + [0])
    for b in blocks:
        if not b.is_command:
            what = "not a command (%s)" % (b.language or "unlabelled")
        elif b.mark is not None:
            what = "not run: " + b.mark
        else:
            what = "run in a realm" if b.realm else "run"
            what += " (section %r)" % b.section if b.section else " (top)"
        print("%-*s %-8s %s" % (width, b.where, b.language or "-", what))
        if b.is_command:
            for line in b.script().rstrip("\n").split("\n"):
                print("    | " + line)
    for p in problems:
        print("PROBLEM " + p)
    return 0


def cmd_check(paths):
    blocks, problems = read_all(paths)
    for p in problems:
        print("FAIL " + p)
    commands = [b for b in blocks if b.is_command]
    marked = [b for b in commands if b.mark is not None]
    for b in marked:
        print("NOT RUN %s: %s" % (b.where, b.mark))
    ok = not problems
    if ok:
        print("PASS %d Markdown files: %d code blocks, %d command blocks, %d of them marked not run, "
              "no unlabelled or indented block, no stray mark" % (len(paths), len(blocks), len(commands), len(marked)))
    print("docs: %d passed, %d failed" % (1 if ok else 0, len(problems)))
    return 0 if ok else 1


# ---- the sandbox -------------------------------------------------------------

def _run_quiet(argv):
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _ignored(root):
    """Top-level paths git ignores (directories end with /)."""
    out = subprocess.run(["git", "-C", root, "ls-files", "--others", "--ignored", "--exclude-standard",
                          "--directory", "--no-empty-directory"],
                         check=True, capture_output=True, text=True).stdout
    return [p for p in out.split("\n") if p]


class Sandbox:
    """The checkout (minus ignored files but the Swift caches), /opt and
    /tmp as throwaway overlays, in the caller's private mount namespace."""

    def __init__(self, root=ROOT):
        self.root = root
        # Not under /tmp, which becomes an overlay (layers must not overlap).
        self.tmp = tempfile.mkdtemp(prefix="zgss-docs-", dir=SANDBOX_PARENT)
        self.mounted = []
        self.home = os.path.join(self.tmp, "home")

    def _overlay(self, target, name):
        upper = os.path.join(self.tmp, name + "-upper")
        work = os.path.join(self.tmp, name + "-work")
        os.makedirs(upper)
        os.makedirs(work)
        _run_quiet(["mount", "-t", "overlay", "overlay", "-o",
                    "lowerdir=%s,upperdir=%s,workdir=%s" % (target, upper, work), target])
        self.mounted.append(target)

    def __enter__(self):
        hidden = [p for p in _ignored(self.root) if p.rstrip("/") not in KEPT_CACHES]
        try:
            self._overlay(self.root, "checkout")
            self._overlay("/opt", "opt")
            self._overlay("/tmp", "tmp")
        except subprocess.CalledProcessError as e:
            self.__exit__()
            raise RuntimeError("cannot make the sandbox (%s): %s" % (" ".join(e.cmd), e.stderr.decode().strip()))
        for p in hidden:
            path = os.path.join(self.root, p)
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path)
            elif os.path.lexists(path):
                os.unlink(path)
        os.makedirs(self.home)
        return self

    def __exit__(self, *exc):
        for target in reversed(self.mounted):
            subprocess.run(["umount", "-l", target], stderr=subprocess.DEVNULL)
        self.mounted = []
        shutil.rmtree(self.tmp, ignore_errors=True)

    def environment(self):
        return {
            "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"),
            "HOME": self.home,
            "TMPDIR": "/tmp",
            "LANG": "C.UTF-8",
            "USER": os.environ.get("USER", "root"),
            "LOGNAME": os.environ.get("LOGNAME", os.environ.get("USER", "root")),
        }


def run_block(block, sandbox, log):
    script = os.path.join(sandbox.tmp, "block-%d.sh" % block.line)
    with open(script, "w") as f:
        f.write(block.script())
    argv = ["bash", "-e", "-o", "pipefail", script]
    if block.realm:
        argv = ["python3", os.path.join(sandbox.root, "tools", "testrealm.py"), "run", "--"] + argv
    start = time.monotonic()
    with open(log, "wb") as out:
        child = subprocess.Popen(argv, cwd=sandbox.root,
                                 env=sandbox.environment(), stdin=subprocess.DEVNULL,
                                 stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            rc = child.wait(timeout=BLOCK_TIMEOUT)
        except subprocess.TimeoutExpired:
            rc = None
        # Nothing a block started outlives it.
        try:
            os.killpg(child.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        child.wait()
    return rc, time.monotonic() - start


IN_NAMESPACE = "ZGSS_DOCS_MOUNT_NAMESPACE"


def _namespace_argv():
    """unshare: a private mount namespace (as root), or a user namespace
    that maps this user to root (otherwise), for the overlays."""
    base = ["unshare", "--mount", "--propagation", "private"]
    return base if os.geteuid() == 0 else ["unshare", "--user", "--map-root-user"] + base[1:]


def cmd_run_section(path, section):
    """One section's command blocks, in order, in one sandbox (run inside
    a private mount namespace: cmd_run starts this)."""
    if os.environ.get(IN_NAMESPACE) != "1":
        print("FAIL %s: run-section runs only inside the mount namespace doc_commands.py run makes" % path)
        return 1
    blocks, _ = read_all([path])
    todo = [b for b in blocks if b.is_command and b.mark is None and b.section == section]
    try:
        sandbox = Sandbox()
        sandbox.__enter__()
    except (RuntimeError, OSError) as e:
        for b in todo:
            print("FAIL %s: no sandbox: %s" % (b.where, e))
        return 1
    try:
        for b in todo:
            log = os.path.join(sandbox.tmp, "block-%d.log" % b.line)
            rc, seconds = run_block(b, sandbox, log)
            first = b.script().strip().split("\n")[0]
            if rc == 0:
                print("PASS %s (%.0f s): %s" % (b.where, seconds, first), flush=True)
                continue
            why = "timed out after %d s" % BLOCK_TIMEOUT if rc is None else "exit status %d" % rc
            print("FAIL %s (%.0f s, %s): %s" % (b.where, seconds, why, first))
            with open(log, errors="replace") as f:
                tail = f.read().rstrip("\n").split("\n")[-40:]
            for line in tail:
                print("    " + line)
            # The section's later blocks may build on this one.
            for rest in todo[todo.index(b) + 1:]:
                print("FAIL %s: not run: an earlier block of its section failed" % rest.where)
            return 1
    finally:
        sandbox.__exit__()
    return 0


def cmd_run(paths):
    """Every section's command blocks: sections side by side (ZGSS_DOCS_JOBS
    at a time, default 3), each in a mount namespace and sandbox of its
    own; their reports in document order."""
    blocks, problems = read_all(paths)
    if problems:
        print("(%d problems with the blocks' rules: see doc_commands.py check)" % len(problems))
    units = []
    for b in blocks:
        if b.is_command and b.mark is None and (b.path, b.section) not in units:
            units.append((b.path, b.section))
        elif b.is_command and b.mark is not None:
            print("NOT RUN %s: %s" % (b.where, b.mark))
    jobs = max(1, int(os.environ.get("ZGSS_DOCS_JOBS", "3")))
    env = dict(os.environ, **{IN_NAMESPACE: "1"})
    running = {}   # unit -> (process, output file), started and not yet reported
    waiting = list(units)
    passed = failed = 0
    for unit in units:
        # Keep `jobs` sections going; report them in document order.
        while True:
            while waiting and sum(1 for c, _ in running.values() if c.poll() is None) < jobs:
                path, section = nxt = waiting.pop(0)
                out = tempfile.TemporaryFile()
                argv = _namespace_argv() + [sys.executable, os.path.abspath(__file__), "run-section", path, section]
                running[nxt] = (subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT,
                                                 stdin=subprocess.DEVNULL), out)
            if running[unit][0].poll() is not None:
                break
            time.sleep(0.2)
        child, out = running.pop(unit)
        rc = child.wait()
        out.seek(0)
        text = out.read().decode(errors="replace")
        out.close()
        sys.stdout.write(text)
        sys.stdout.flush()
        lines = text.split("\n")
        p = sum(1 for line in lines if line.startswith("PASS "))
        f = sum(1 for line in lines if line.startswith("FAIL "))
        if rc != 0 and f == 0:
            print("FAIL %s (%s): the runner exited with status %d" % (unit[0], unit[1] or "top", rc))
            f = 1
        passed += p
        failed += f
    print("docs: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 and passed > 0 else 1


def main(argv):
    if len(argv) == 4 and argv[1] == "run-section":
        return cmd_run_section(argv[2], argv[3])
    if len(argv) < 2 or argv[1] not in ("list", "check", "run"):
        print("usage: doc_commands.py list|check|run [FILE...]  (see the top of this file)", file=sys.stderr)
        return 2
    paths = argv[2:] or markdown_files()
    return {"list": cmd_list, "check": cmd_check, "run": cmd_run}[argv[1]](paths)


if __name__ == "__main__":
    sys.exit(main(sys.argv))

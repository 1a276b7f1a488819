# SPDX-License-Identifier: MIT
"""Tests of tools/doc_commands.py: which blocks count as commands, the
rules that keep a block from being skipped by accident, and the sandbox a
block runs in. Run by tools/test-docs.sh:
    /usr/bin/python3 -m pytest -q tools/test_doc_commands.py
The sandbox tests need root or unprivileged user namespaces (unshare)."""

import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import doc_commands  # noqa: E402

FENCE = "```"


def parse(text):
    return doc_commands.parse(text, "doc.md")


def test_command_blocks_are_the_shell_languages():
    blocks, problems = parse("\n".join([
        FENCE + "sh", "tools/demo.sh", FENCE, "",
        FENCE + "console", "$ make", "output", FENCE, "",
        FENCE + "c", "int x;", FENCE, "",
        FENCE + "text", "a diagram", FENCE, ""]))
    assert problems == []
    assert [(b.language, b.is_command) for b in blocks] == [
        ("sh", True), ("console", True), ("c", False), ("text", False)]
    assert blocks[0].line == 1 and blocks[0].lines == ["tools/demo.sh"]


def test_an_unlabelled_block_is_refused():
    blocks, problems = parse("text\n\n" + FENCE + "\nls /\n" + FENCE + "\n")
    assert len(blocks) == 1 and not blocks[0].is_command
    assert len(problems) == 1 and "doc.md:3: code block without a language" in problems[0]


def test_an_indented_code_block_is_refused():
    _, problems = parse("Usage:\n\n    fuzz/run.sh [seconds]\n    more\n\nafter\n")
    assert len(problems) == 1 and "doc.md:3: indented code block" in problems[0]


def test_list_continuations_are_not_code():
    text = "\n".join([
        "- an item that goes on", "  over lines", "",
        "  and a second paragraph of the item,", "    indented further than its text", "",
        "1. numbered", "", "   its paragraph", "",
        "Back to the top level.", ""])
    assert parse(text)[1] == []


def test_code_inside_a_list_item_needs_four_more_columns():
    _, problems = parse("- item\n\n      code in the item\n")
    assert len(problems) == 1 and "doc.md:3: indented code block" in problems[0]


def test_a_fence_inside_a_list_item_loses_its_indentation():
    blocks, problems = parse("- item:\n\n  " + FENCE + "sh\n  ./configure \\\n      --x\n  " + FENCE + "\n")
    assert problems == []
    assert blocks[0].lines == ["./configure \\", "    --x"]


def test_a_mark_says_why_a_command_block_is_not_run():
    blocks, problems = parse("<!-- not run: installs into /usr/lib -->\n\n" + FENCE + "sh\ninstall x /usr/lib\n" + FENCE + "\n")
    assert problems == []
    assert blocks[0].mark == "installs into /usr/lib"


def test_a_mark_without_a_reason_is_refused():
    blocks, problems = parse("<!-- not run: -->\n" + FENCE + "sh\nls\n" + FENCE + "\n")
    assert blocks[0].mark == ""
    assert any("doc.md:1: a not-run mark without a reason" in p for p in problems)


def test_a_mark_must_stand_right_before_a_command_block():
    _, problems = parse("<!-- not run: stale -->\nA paragraph.\n\n" + FENCE + "sh\nls\n" + FENCE + "\n")
    assert any("doc.md:1: a mark not followed by a code block" in p for p in problems)
    _, problems = parse("<!-- not run: why -->\n" + FENCE + "c\nint x;\n" + FENCE + "\n")
    assert any("doc.md:1: a not-run mark before a c block" in p for p in problems)
    _, problems = parse("text\n<!-- not run: at the end -->\n")
    assert any("doc.md:2: a mark not followed by a code block" in p for p in problems)


def test_a_mark_covers_only_the_next_block():
    blocks, _ = parse("<!-- not run: one -->\n" + FENCE + "sh\na\n" + FENCE + "\n\n" + FENCE + "sh\nb\n" + FENCE + "\n")
    assert [b.mark for b in blocks] == ["one", None]


def test_a_realm_mark_asks_for_a_realm():
    blocks, problems = parse("<!-- run in a realm -->\n" + FENCE + "sh\nkinit -k alice\n" + FENCE + "\n\n"
                             + FENCE + "sh\nls\n" + FENCE + "\n")
    assert problems == []
    assert [(b.realm, b.mark) for b in blocks] == [(True, None), (False, None)]
    _, problems = parse("<!-- run in a realm -->\n" + FENCE + "text\nx\n" + FENCE + "\n")
    assert any("doc.md:1: a realm mark before a text block" in p for p in problems)


def test_sections_are_the_second_level_headings():
    text = "\n".join(["# Title", FENCE + "sh", "a", FENCE, "## Build", FENCE + "sh", "b", FENCE,
                      "### Detail", FENCE + "sh", "c", FENCE, "## Test ##", FENCE + "sh", "# not a heading", FENCE])
    blocks, _ = parse(text)
    assert [b.section for b in blocks] == ["", "Build", "Build", "Test"]


def test_console_blocks_run_their_prompt_lines():
    blocks, _ = parse(FENCE + "console\n$ echo a \\\n  b\na b\n$ true\n" + FENCE + "\n")
    assert blocks[0].script() == "echo a \\\n  b\ntrue\n"


def test_an_unclosed_fence_is_refused():
    _, problems = parse(FENCE + "sh\nls\n")
    assert any("doc.md:1: code fence never closed" in p for p in problems)


def test_the_repository_documents_follow_the_rules():
    _, problems = doc_commands.read_all(doc_commands.markdown_files())
    assert problems == []


def run_doc(text):
    """Runs doc_commands.py run on a Markdown file holding text."""
    with tempfile.NamedTemporaryFile("w", suffix=".md", delete=False) as f:
        f.write(text)
    try:
        env = dict(os.environ, PKG_CONFIG_PATH="/caller/pkgconfig", ZGSS_LIB="/caller/libzgss.so")
        env.pop(doc_commands.IN_NAMESPACE, None)
        r = subprocess.run([sys.executable, doc_commands.__file__, "run", f.name],
                           capture_output=True, text=True, env=env, timeout=120)
    finally:
        os.unlink(f.name)
    return r


def test_blocks_run_in_a_clean_sandbox():
    probe = os.path.join(doc_commands.ROOT, "zgss-docs-probe.o")   # git ignores *.o
    opt_probe = "/opt/zgss-docs-probe-%d" % os.getpid()
    tmp_probe = "/tmp/zgss-docs-probe-%d" % os.getpid()
    with open(probe, "w") as f:
        f.write("ignored build output\n")
    try:
        r = run_doc("\n".join([
            FENCE + "sh",
            'test -z "${PKG_CONFIG_PATH:-}" && test -z "${ZGSS_LIB:-}"   # not the caller\'s variables',
            "test ! -e zgss-docs-probe.o            # ignored files are hidden",
            "test -e tools/doc_commands.py && test \"$PWD\" = %s" % doc_commands.ROOT,
            "touch %s %s tools/zgss-docs-written" % (opt_probe, tmp_probe),
            FENCE, "",
            FENCE + "sh",
            "test -e tools/zgss-docs-written        # a file's blocks share one sandbox",
            FENCE, ""]))
        assert "docs: 2 passed, 0 failed" in r.stdout, r.stdout + r.stderr
        assert r.returncode == 0
        assert os.path.exists(probe)
        assert not os.path.exists(opt_probe), "/opt is an overlay"
        assert not os.path.exists(tmp_probe), "/tmp is an overlay"
        assert not os.path.exists(os.path.join(doc_commands.ROOT, "tools", "zgss-docs-written"))
    finally:
        os.unlink(probe)


def test_sections_have_sandboxes_of_their_own_and_a_realm_on_request():
    r = run_doc("\n".join([
        "## One", FENCE + "sh", "touch tools/zgss-docs-one", 'test -z "${KRB5_CONFIG:-}"   # no realm unless asked', FENCE,
        "## Two", FENCE + "sh", "test ! -e tools/zgss-docs-one", FENCE, "",
        "<!-- run in a realm -->", FENCE + "sh", 'klist -k "$KRB5_CLIENT_KTNAME" | grep -q alice@', FENCE, ""]))
    assert "docs: 3 passed, 0 failed" in r.stdout, r.stdout + r.stderr


def test_a_failing_block_fails_the_rest_of_its_section():
    r = run_doc("\n".join([
        FENCE + "sh", "echo before; false; echo after", FENCE, "",
        "<!-- not run: shown only -->", FENCE + "sh", "rm -rf /", FENCE, "",
        FENCE + "sh", "true", FENCE, ""]))
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert any(line.startswith("FAIL ") and ":1 " in line and "exit status 1" in line for line in lines), r.stdout
    assert "    before" in lines and "    after" not in lines
    assert any(line.startswith("NOT RUN ") and ":6: shown only" in line for line in lines)
    assert any(line.startswith("FAIL ") and ":10: not run: an earlier block" in line for line in lines)
    assert lines[-1] == "docs: 0 passed, 2 failed"

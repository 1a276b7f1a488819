#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The documentation's commands, run as written (tools/doc_commands.py):
#   1. the checker's own tests (tools/test_doc_commands.py), and what
#      README's "Build from source" says a plain `swift test` does with and
#      without a KDC (tools/test_swift_realm.py, on the built test binary),
#   2. every code block of every Markdown file follows the rules: labelled,
#      fenced, and a command block that is not run carries a
#      "<!-- not run: reason -->" mark,
#   3. every other command block runs, as written, in a sandbox per
#      section: the checkout without build output (Swift build caches
#      kept), /opt and /tmp as throwaway overlays, a clean environment.
# Needs root (tools/test.sh's set-up does) or unprivileged user namespaces.
# Takes about 6-7 minutes, most of it the README's full benchmark run.
#   tools/test-docs.sh
# The last line is "docs: N passed, M failed".
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

# Adds the counts of the "NAME: N passed, M failed" line in file $1; a part
# that printed none, or exited non-zero without a failure, failed.
add() {
  local line p f
  line="$(grep -E '^[A-Za-z0-9_-]+: [0-9]+ passed, [0-9]+ failed' "$1" | tail -1)"
  p="$(sed -nE 's/^[^:]+: ([0-9]+) passed.*/\1/p' <<<"$line")"
  f="$(sed -nE 's/^[^:]+: [0-9]+ passed, ([0-9]+) failed.*/\1/p' <<<"$line")"
  [ -n "$p" ] || { p=0; f=1; }
  if [ "$2" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  passed=$((passed + p))
  failed=$((failed + f))
}

echo "-- the checker's tests; swift test with and without a realm"
/usr/bin/python3 -m pytest -q -p no:cacheprovider --junitxml="$work/checker.xml" \
  tools/test_doc_commands.py tools/test_swift_realm.py > "$work/pytest.out" 2>&1
rc=$?
tail -30 "$work/pytest.out"
python3 tools/junit_count.py docs-checker "$work/checker.xml" > "$work/checker.count"
add "$work/checker.count" "$rc"
cat "$work/checker.count"

echo "-- the blocks' rules"
python3 tools/doc_commands.py check 2>&1 | tee "$work/check.out"
add "$work/check.out" "${PIPESTATUS[0]}"

echo "-- the command blocks, as written"
python3 tools/doc_commands.py run 2>&1 | tee "$work/run.out"
add "$work/run.out" "${PIPESTATUS[0]}"

echo "docs: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A fuzzing campaign: every harness for SECONDS (fuzz/run.sh's, plus the
# SASL parser harness of tools/fuzz-sasl.sh), then a Markdown table of
# what each did, printed and written to .build-fuzz/campaign.md (or -o FILE).
#
#   fuzz/campaign.sh [-o FILE] SECONDS [harness...]
#
# Columns: executions, inputs in the corpus at the end (libFuzzer's corp:),
# coverage (cov: edges, ft: features) from libFuzzer's last status line,
# and crashes (artifacts written by this run: crash-, leak-, timeout-,
# oom-; libFuzzer stops a harness at its first one). The corpus grows in
# .build-fuzz/corpus/<name>/ from one campaign to the next.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
work=$root/.build-fuzz
out=$work/campaign.md
if [ "${1:-}" = "-o" ]; then out=$2; shift 2; fi
seconds=${1:?usage: fuzz/campaign.sh [-o FILE] SECONDS [harness...]}
shift
names=("$@")
with_sasl=yes
if [ ${#names[@]} -eq 0 ]; then
    for f in "$here"/harness/*.swift "$here"/stack/*.swift; do names+=("$(basename "$f" .swift)"); done
else
    with_sasl=no
    for i in "${!names[@]}"; do
        if [ "${names[$i]}" = sasl_parsers ]; then with_sasl=yes; unset 'names[i]'; fi
    done
    names=("${names[@]}")
fi

mkdir -p "$work/artifacts"
marker=$(mktemp)
trap 'rm -f "$marker"' EXIT
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
load=$(cut -d" " -f1-3 /proc/loadavg)

if [ ${#names[@]} -gt 0 ]; then
    "$here/run.sh" "$seconds" "${names[@]}" | grep -E "^(== |!! |fuzz-result: )"
fi
if [ "$with_sasl" = yes ]; then
    echo "== sasl_parsers: tools/fuzz-sasl.sh ${seconds}"
    # Its own script; its corpus is .build-fuzz/corpus-sasl.
    if (cd "$work" && "$root/tools/fuzz-sasl.sh" "$seconds") >"$work/sasl_parsers.log" 2>&1; then
        echo "fuzz-result: sasl_parsers ok"
    else
        echo "fuzz-result: sasl_parsers crashed"
    fi
    echo "== principal: tools/fuzz-principal.sh ${seconds}"
    if "$root/tools/fuzz-principal.sh" "$seconds" >"$work/principal.log" 2>&1; then
        echo "fuzz-result: principal ok"
    else
        echo "fuzz-result: principal crashed"
    fi
fi

# The last libFuzzer status line ("#N DONE cov: C ft: F corp: I/B ...").
field() { sed -nE "s/.*[[:space:]]$2: ([0-9]+).*/\1/p" <<<"$1"; }

row() {
    local name=$1 log=$2 status last execs crashes
    last=$(grep -E '^#[0-9]+' "$log" 2>/dev/null | tail -1)
    execs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$log" 2>/dev/null | tail -1)
    [ -n "$execs" ] || execs=$(sed -nE 's/^Done ([0-9]+) runs.*/\1/p' "$log" 2>/dev/null | tail -1)
    [ -n "$execs" ] || execs=$(sed -nE 's/^#([0-9]+).*/\1/p' <<<"$last")
    if [ "$name" = sasl_parsers ]; then
        # tools/fuzz-sasl.sh leaves unprefixed artifacts where it runs.
        crashes=$(find "$work" -maxdepth 1 -newer "$marker" \( -name "crash-*" -o -name "leak-*" -o -name "timeout-*" -o -name "oom-*" \) | wc -l)
    else
        crashes=$(find "$work/artifacts" -maxdepth 1 -newer "$marker" -name "$name-*" | wc -l)
    fi
    printf '| %s | %s | %s | %s | %s | %s |\n' "$name" "${execs:-?}" "$(field "$last" corp | head -1)" \
        "$(field "$last" cov)" "$(field "$last" ft)" "$crashes"
}

{
    echo "Fuzzing campaign, ${seconds} s per harness, started $started on $(nproc) cores (load average at the start: $load)."
    echo
    echo "| harness | execs | corpus | cov | ft | crashes |"
    echo "|---|---:|---:|---:|---:|---:|"
    for name in "${names[@]}"; do row "$name" "$work/$name.log"; done
    [ "$with_sasl" = yes ] && row sasl_parsers "$work/sasl_parsers.log"
    [ "$with_sasl" = yes ] && row principal "$work/principal.log"
} >"$out"
echo
cat "$out"
echo "(written to $out; crash inputs in $work/artifacts/)"

// SPDX-License-Identifier: MIT
// Shared by the harnesses in fuzz/stack/ that say "fuzz-needs: realm": the
// start-up on the throwaway MIT realm that fuzz/run.sh runs them in.

import Glibc

/// The Kerberos environment `python3 tools/testrealm.py run -- ...` sets.
/// A harness that needs the KDC calls this at start-up and stops loudly
/// without it (a harness that silently ran without a realm would fuzz
/// nothing but "credentials not found").
func requireTestRealm(_ harness: String) {
    for name in ["KRB5_CONFIG", "KRB5_KTNAME", "KRB5_CLIENT_KTNAME"] where getenv(name) == nil {
        fputs("\(harness): \(name) is not set; run inside python3 tools/testrealm.py run -- ... (fuzz/run.sh does)\n", stderr)
        exit(2)
    }
    // No replay cache: every input runs a fresh handshake, and the cache's
    // file I/O would dominate the run. Replays of the peer's tokens are
    // refused by the harnesses' own checks where it matters.
    setenv("KRB5RCACHETYPE", "none", 1)
}

/// A realm harness's LLVMFuzzerInitialize: checks the realm's environment,
/// then runs one genuine `exchange` (which also caches the credentials and
/// tickets every input reuses). `exchange` returns nil when it worked, or
/// why not; then the harness stops with that reason, naming `what` failed.
func startOnTestRealm(_ harness: String, _ what: String, _ exchange: () -> String?) {
    requireTestRealm(harness)
    if let reason = exchange() {
        fputs("\(harness): the start-up \(what) on the test realm failed: \(reason)\n", stderr)
        exit(2)
    }
}

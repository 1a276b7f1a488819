// SPDX-License-Identifier: MIT
/* Gives the test process a Kerberos realm before any test runs.
 *
 * MIT krb5 reads its configuration from the environment (KRB5_CONFIG,
 * KRB5_KTNAME, KRB5_CLIENT_KTNAME, KRB5CCNAME, KRB5RCACHEDIR). Exporting
 * those from a test while other tests run in parallel threads would race
 * with their getenv calls, so this runs as a constructor, before main,
 * while the process has one thread:
 *
 *   - the variables are already set (tools/testrealm.py run -- swift test,
 *     what tools/test.sh does): nothing to do;
 *   - ZGSS_NO_TEST_REALM=1: no realm; the Kerberos tests report why;
 *   - otherwise `python3 tools/testrealm.py start --dir $TMPDIR/zgss-swift-realm-PID`
 *     makes one and its env.sh is exported here. A watchdog process,
 *     started first, stops it (testrealm.py stop) when this process ends,
 *     however it ends.
 *
 * When the start fails (no krb5kdc, no python3), the reason is kept for
 * zgss_test_realm_unavailable(): the Kerberos tests fail with it under CI
 * (zgss_test_realm_required), and are otherwise skipped with it, and a
 * last line on stderr says that they did not run (TestRealm.swift). */
#define _GNU_SOURCE
#include "TestRealmBootstrap.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static char unavailable[2048];

const char *zgss_test_realm_unavailable(void) {
    return unavailable[0] ? unavailable : NULL;
}

static void set_unavailable(const char *what, const char *detail) {
    snprintf(unavailable, sizeof unavailable, "%s%s%s", what, detail && *detail ? ": " : "", detail ? detail : "");
    size_t n = strlen(unavailable);
    while (n > 0 && (unavailable[n - 1] == '\n' || unavailable[n - 1] == ' ')) unavailable[--n] = '\0';
}

/* The repository root: this file is Tests/TestRealmBootstrap/bootstrap.c. */
static int repository_root(char *out, size_t size) {
    const char *file = __FILE__;
    if (file[0] != '/' || strlen(file) >= size) return -1;
    strcpy(out, file);
    for (int up = 0; up < 3; up++) {
        char *slash = strrchr(out, '/');
        if (slash == NULL || slash == out) return -1;
        *slash = '\0';
    }
    return 0;
}

/* Runs argv with stdout to /dev/null and stderr into err; returns the exit
 * status, or -1 when it could not run. */
static int run(char *const argv[], char *err, size_t err_size) {
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) != 0) return -1;
    pid_t pid = fork();
    if (pid < 0) { close(pipefd[0]); close(pipefd[1]); return -1; }
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        if (null >= 0) { dup2(null, 0); dup2(null, 1); }
        dup2(pipefd[1], 2);
        prctl(PR_SET_PDEATHSIG, SIGTERM);   /* dies with the test process */
        execvp(argv[0], argv);
        fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(pipefd[1]);
    size_t used = 0;
    for (;;) {
        char chunk[512];
        ssize_t n = read(pipefd[0], chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        /* keep the last err_size - 1 bytes: the end says what failed */
        for (ssize_t i = 0; i < n; i++) {
            if (used + 1 >= err_size) { memmove(err, err + 1, used - 1); used--; }
            err[used++] = chunk[i];
        }
    }
    err[used] = '\0';
    close(pipefd[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Undoes shlex.quote: bare words and '...' runs, '"'"' for a quote. */
static int unquote(const char *in, char *out, size_t size) {
    size_t used = 0;
    while (*in && *in != '\n') {
        if (*in == '\'') {
            const char *end = strchr(in + 1, '\'');
            if (end == NULL) return -1;
            for (const char *p = in + 1; p < end; p++) {
                if (used + 1 >= size) return -1;
                out[used++] = *p;
            }
            in = end + 1;
        } else if (*in == '"') {
            const char *end = strchr(in + 1, '"');
            if (end == NULL) return -1;
            for (const char *p = in + 1; p < end; p++) {
                if (used + 1 >= size) return -1;
                out[used++] = *p;
            }
            in = end + 1;
        } else {
            if (used + 1 >= size) return -1;
            out[used++] = *in++;
        }
    }
    out[used] = '\0';
    return 0;
}

/* Exports every "export NAME=VALUE" line of env.sh; returns the count. */
static int export_env_file(const char *path) {
    FILE *f = fopen(path, "r");
    if (f == NULL) return -1;
    char line[4096], value[4096];
    int count = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "export ", 7) != 0) continue;
        char *name = line + 7;
        char *eq = strchr(name, '=');
        if (eq == NULL) continue;
        *eq = '\0';
        if (unquote(eq + 1, value, sizeof value) != 0) { fclose(f); return -1; }
        setenv(name, value, 1);
        count++;
    }
    fclose(f);
    return count;
}

/* A child that waits for this process to end (EOF on a pipe only this
 * process holds) and then stops the realm. */
static void start_watchdog(const char *root, const char *dir) {
    int pipefd[2];
    if (pipe(pipefd) != 0) return;
    pid_t pid = fork();
    if (pid < 0) { close(pipefd[0]); close(pipefd[1]); return; }
    if (pid == 0) {
        close(pipefd[1]);
        int null = open("/dev/null", O_RDWR);
        if (null >= 0) { dup2(null, 0); dup2(null, 1); dup2(null, 2); }
        for (int fd = 3; fd < 1024; fd++) if (fd != pipefd[0]) close(fd);
        setsid();   /* not in the test's process group: a ^C stops the tests, then this cleans up */
        char buf[1];
        while (read(pipefd[0], buf, 1) != 0) {
            if (errno != EINTR) break;
        }
        char script[PATH_MAX];
        snprintf(script, sizeof script, "%s/tools/testrealm.py", root);
        execlp("python3", "python3", script, "stop", "--dir", dir, (char *)NULL);
        _exit(127);
    }
    close(pipefd[0]);
    /* Only this process keeps the write end: children it runs later must
     * not, or the watchdog would wait for them too. */
    fcntl(pipefd[1], F_SETFD, FD_CLOEXEC);
}

static void zgss_test_realm_start(void) {
    if (getenv("KRB5_CONFIG") && getenv("ZGSS_TEST_DIR") && getenv("ZGSS_TEST_REALM")) return;
    const char *no_realm = getenv("ZGSS_NO_TEST_REALM");
    if (no_realm && *no_realm && strcmp(no_realm, "0") != 0) {
        set_unavailable("no realm started: ZGSS_NO_TEST_REALM is set", NULL);
        return;
    }
    char root[PATH_MAX], script[PATH_MAX], dir[PATH_MAX], env_file[PATH_MAX + 16];
    if (repository_root(root, sizeof root) != 0) {
        set_unavailable("cannot find the repository (tools/testrealm.py) from", __FILE__);
        return;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(script, sizeof script, "%s/tools/testrealm.py", root);
    snprintf(dir, sizeof dir, "%s/zgss-swift-realm-%ld", tmp && *tmp ? tmp : "/tmp", (long)getpid());
    /* The watchdog comes first: from here on, however this process ends,
     * the realm directory and its KDC are removed. */
    start_watchdog(root, dir);
    char *argv[] = {"python3", script, "start", "--dir", dir, NULL};
    char err[1024];
    int rc = run(argv, err, sizeof err);
    if (rc != 0) {
        char what[PATH_MAX + 64];
        snprintf(what, sizeof what, "`python3 tools/testrealm.py start` failed (exit %d)", rc);
        set_unavailable(what, err);
        return;
    }
    snprintf(env_file, sizeof env_file, "%s/env.sh", dir);
    if (export_env_file(env_file) <= 0) {
        set_unavailable("tools/testrealm.py start wrote no usable env.sh in", dir);
        return;
    }
}

/* Said last, under the test run's summary: that summary counts a skipped
 * test as passed. */
static void report_skipped_kerberos_tests(void) {
    fprintf(stderr, "zgss tests: NOT RUN: the Kerberos tests (tag kerberos) were skipped: %s. "
            "tools/setup.sh installs krb5-kdc; under CI=true (or ZGSS_REQUIRE_REALM=1) they fail instead.\n",
            unavailable);
}

int zgss_test_realm_required(void) {
    const char *ci = getenv("CI");
    if (ci && *ci && strcmp(ci, "false") != 0 && strcmp(ci, "0") != 0) return 1;
    const char *require = getenv("ZGSS_REQUIRE_REALM");
    return require && strcmp(require, "1") == 0;
}

__attribute__((constructor))
static void zgss_test_realm_bootstrap(void) {
    zgss_test_realm_start();
    if (unavailable[0] && !zgss_test_realm_required()) atexit(report_skipped_kerberos_tests);
}

#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Throwaway MIT Kerberos realm for zgss tests.

Python 3 standard library only.  Needs the MIT tools on this machine:
krb5kdc, kdb5_util, kadmin.local, ktutil, kinit (Debian: krb5-kdc,
krb5-admin-server, krb5-user).

Nothing under /etc is touched: the realm lives in a fresh directory with its
own krb5.conf and kdc.conf, selected through KRB5_CONFIG / KRB5_KDC_PROFILE.

Layout of the realm directory:
    krb5.conf, kdc.conf          configuration (client and KDC side)
    principal*, stash            KDC database and master key stash
    server.keytab                zmq/localhost, mqtt/localhost, other/localhost,
                                 zmqtest2/<fqdn>            (KRB5_KTNAME)
    client.keytab                alice, bob, mallory        (KRB5_CLIENT_KTNAME)
    keytabs/<name>.keytab        one keytab per principal ('/' -> '_')
    all.keytab                   every principal above (for stock libzmq with
                                 ZMQ_GSSAPI_PRINCIPAL set: it acquires
                                 GSS_C_BOTH creds, so a named client needs its
                                 key in KRB5_KTNAME and a named server in
                                 KRB5_CLIENT_KTNAME)
    down-client.keytab           alice@DOWN.TEST (realm with no reachable KDC)
    ccache                       KRB5CCNAME (FILE:), empty at start; with
                                 ccache="DIR" a DIR: collection in ccdir/
    rcache/                      KRB5RCACHEDIR
    kdc.log, kdc.stderr, kdc.pid KDC output and pid
    env.json, env.sh             written by the `start` command

Module use:
    from testrealm import Realm
    with Realm() as r:
        subprocess.run([...], env=r.child_env())   # or r.apply_env()

Command line:
    testrealm.py run [--keep] -- CMD ARGS...   run CMD inside a fresh realm
    testrealm.py start --dir DIR               create realm, leave KDC running,
                                               print JSON, write DIR/env.{json,sh}
    testrealm.py stop --dir DIR                kill that KDC, remove DIR
    testrealm.py add [--dir DIR] [--realm R] --keytab FILE (NAME | --hex HEX)
                                               add principal NAME (or the raw
                                               bytes HEX: names that are not
                                               UTF-8) to a running realm
                                               (default: $ZGSS_TEST_DIR,
                                               $ZGSS_TEST_REALM), key to FILE
"""

import argparse
import atexit
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

DEFAULT_REALM = "EXAMPLE.TEST"
DOWN_REALM = "DOWN.TEST"
SERVICES = ("zmq/localhost", "mqtt/localhost", "other/localhost")
USERS = ("alice", "bob", "mallory")
ENCTYPES = ("aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal "
            "aes256-cts-hmac-sha384-192:normal aes128-cts-hmac-sha256-128:normal")
KDC_START_DEADLINE = 5.0   # seconds for one KDC start attempt
PORT_ATTEMPTS = 8          # fresh ports tried when the KDC cannot bind


class RealmError(RuntimeError):
    pass


def _find_tool(name):
    path = shutil.which(name)
    if path:
        return path
    for d in ("/usr/sbin", "/usr/bin", "/sbin", "/usr/local/sbin"):
        cand = os.path.join(d, name)
        if os.access(cand, os.X_OK):
            return cand
    raise RealmError("required Kerberos tool not found: %s" % name)


def _free_port():
    """A 127.0.0.1 port that is free for both TCP and UDP right now."""
    for _ in range(50):
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            t.bind(("127.0.0.1", 0))
            port = t.getsockname()[1]
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                u.bind(("127.0.0.1", port))
            except OSError:
                continue
            finally:
                u.close()
            return port
        finally:
            t.close()
    raise RealmError("could not find a free loopback port")


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child still "exists"; treat it as dead.
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(") ", 1)[1][:1] != "Z"
    except (OSError, IndexError):
        return True


def _pid_is_krb5kdc(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            argv0 = f.read().split(b"\0", 1)[0]
    except OSError:
        return _pid_alive(pid)  # no /proc: trust the pid file
    return os.path.basename(argv0) == b"krb5kdc"


def _die_with_parent():
    """preexec_fn: ask Linux to SIGTERM the KDC when its parent dies, so a
    crashed test process (e.g. a segfault in a native library) does not leave
    a KDC behind.  Best effort; a no-op elsewhere."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def keytab_basename(principal):
    return principal.replace("/", "_").replace("@", "_at_") + ".keytab"


class Realm:
    """A private MIT Kerberos realm with a running KDC on 127.0.0.1.

    The realm is created by the constructor; `with Realm() as r:` tears it
    down on exit.  close() is idempotent and also runs at interpreter exit.
    """

    def __init__(self, realm=DEFAULT_REALM, dir=None, password=None,
                 keep_dir=False, ccache="FILE", detach_kdc=False):
        """ccache: "FILE" (one cache, the default), "DIR" (a collection:
        needed when several named principals get initial creds in one
        process, e.g. a stock libzmq client and server) or "MEMORY".
        detach_kdc: let the KDC outlive this process (CLI `start`); by
        default it is killed when the process that created it dies."""
        if ccache not in ("FILE", "DIR", "MEMORY"):
            raise ValueError("ccache must be FILE, DIR or MEMORY")
        self.ccache_type = ccache
        self._detach_kdc = detach_kdc
        self.realm = realm
        self.down_realm = DOWN_REALM
        self.keep_dir = keep_dir
        self.password = password or os.urandom(12).hex()
        self.kdc_port = None
        self.down_port = None
        self.kdc_proc = None
        self.kdc_pid = None
        self.principals = []
        self.setup_seconds = None
        self._closed = False
        self._detached = False
        self._owns_dir = dir is None
        t0 = time.monotonic()
        if dir is None:
            self.dir = tempfile.mkdtemp(prefix="zgss-realm-")
        else:
            self.dir = os.path.abspath(dir)
            os.makedirs(self.dir, exist_ok=True)
            if os.listdir(self.dir):
                raise RealmError("realm directory is not empty: %s" % self.dir)
            self._owns_dir = True
        atexit.register(self.close)
        try:
            self._setup()
        except BaseException:
            self.close()
            raise
        self.setup_seconds = time.monotonic() - t0

    # ----------------------------------------------------------------- paths
    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    @property
    def krb5_conf(self):
        return self.path("krb5.conf")

    @property
    def kdc_conf(self):
        return self.path("kdc.conf")

    @property
    def server_keytab(self):
        return self.path("server.keytab")

    @property
    def client_keytab(self):
        return self.path("client.keytab")

    @property
    def down_keytab(self):
        return self.path("down-client.keytab")

    @property
    def all_keytab(self):
        return self.path("all.keytab")

    @property
    def ccache(self):
        if self.ccache_type == "DIR":
            return "DIR:" + self.path("ccdir")
        if self.ccache_type == "MEMORY":
            return "MEMORY:zgss"
        return "FILE:" + self.path("ccache")

    @property
    def fqdn(self):
        return socket.getfqdn().lower()

    def keytab_for(self, principal):
        return self.path("keytabs", keytab_basename(principal))

    # ----------------------------------------------------------------- setup
    def _setup(self):
        os.makedirs(self.path("keytabs"))
        os.makedirs(self.path("rcache"))
        if self.ccache_type == "DIR":
            os.makedirs(self.path("ccdir"))
        self.kdc_port = _free_port()
        self.down_port = _free_port()
        while self.down_port == self.kdc_port:
            self.down_port = _free_port()
        self._write_configs()
        self.env = self._make_env()
        self._run([_find_tool("kdb5_util"), "-r", self.realm, "create", "-s",
                   "-P", self.password], what="kdb5_util create")
        services = list(SERVICES) + ["zmqtest2/" + self.fqdn]
        cmds = []
        for name in services:
            cmds += self._principal_cmds(name, self.server_keytab)
        for name in USERS:
            cmds += self._principal_cmds(name, self.client_keytab)
        self._kadmin(cmds)
        self.principals += services + list(USERS)
        self._make_down_keytab()
        self._start_kdc_any_port()

    def _write_configs(self):
        fqdn = self.fqdn
        domain_lines = ["  localhost = %s" % self.realm,
                        "  .localhost = %s" % self.realm]
        if fqdn and fqdn != "localhost":
            domain_lines.append("  %s = %s" % (fqdn, self.realm))
        krb5 = """\
[libdefaults]
  default_realm = {realm}
  dns_lookup_kdc = false
  dns_lookup_realm = false
  dns_canonicalize_hostname = false
  rdns = false
  udp_preference_limit = 1
  kdc_timeout = 1000
  max_retries = 1
  ignore_acceptor_hostname = false
  forwardable = true
  permitted_enctypes = aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96 aes256-cts-hmac-sha384-192 aes128-cts-hmac-sha256-128
  default_tkt_enctypes = aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96 aes256-cts-hmac-sha384-192 aes128-cts-hmac-sha256-128
  default_tgs_enctypes = aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96 aes256-cts-hmac-sha384-192 aes128-cts-hmac-sha256-128

[realms]
  {realm} = {{
    kdc = 127.0.0.1:{port}
  }}
  {down} = {{
    kdc = 127.0.0.1:{down_port}
  }}

[domain_realm]
{domain}
""".format(realm=self.realm, port=self.kdc_port, down=self.down_realm,
           down_port=self.down_port, domain="\n".join(domain_lines))
        kdc = """\
[kdcdefaults]
  kdc_listen = 127.0.0.1:{port}
  kdc_tcp_listen = 127.0.0.1:{port}

[realms]
  {realm} = {{
    database_name = {d}/principal
    key_stash_file = {d}/stash
    acl_file = {d}/kadm5.acl
    kdc_listen = 127.0.0.1:{port}
    kdc_tcp_listen = 127.0.0.1:{port}
    max_life = 10h
    max_renewable_life = 1d
    master_key_type = aes256-cts-hmac-sha1-96
    supported_enctypes = {enctypes}
  }}

[logging]
  kdc = FILE:{d}/kdc.log
  admin_server = FILE:{d}/kadmin.log
  default = FILE:{d}/krb5.log
""".format(realm=self.realm, port=self.kdc_port, d=self.dir,
           enctypes=ENCTYPES)
        with open(self.krb5_conf, "w") as f:
            f.write(krb5)
        with open(self.kdc_conf, "w") as f:
            f.write(kdc)
        with open(self.path("kadm5.acl"), "w") as f:
            f.write("*/admin@%s *\n" % self.realm)

    def _make_env(self):
        return {
            "KRB5_CONFIG": self.krb5_conf,
            "KRB5_KDC_PROFILE": self.kdc_conf,
            "KRB5_KTNAME": "FILE:" + self.server_keytab,
            "KRB5_CLIENT_KTNAME": "FILE:" + self.client_keytab,
            "KRB5CCNAME": self.ccache,
            "KRB5RCACHEDIR": self.path("rcache"),
            "ZGSS_TEST_REALM": self.realm,
            "ZGSS_TEST_DIR": self.dir,
            "ZGSS_TEST_KDC_PORT": str(self.kdc_port),
            "ZGSS_TEST_KDC_PID": "",
        }

    def child_env(self, base=None):
        """os.environ (or base) overlaid with the realm variables."""
        env = dict(os.environ if base is None else base)
        env.update(self.env)
        return env

    def apply_env(self):
        """Export the realm variables into this process's os.environ."""
        os.environ.update(self.env)
        return self.env

    def _run(self, argv, what, input=None):
        res = subprocess.run(argv, input=input, env=self.child_env(),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             universal_newlines=True)
        if res.returncode != 0:
            raise RealmError("%s failed (exit %d):\n%s%s" % (
                what, res.returncode, res.stdout, res.stderr))
        return res

    def _principal_cmds(self, name, keytab):
        # -norandkey: ktadd must not re-randomize keys already exported to
        # another keytab (each principal goes to two keytabs).
        cmds = ["addprinc -randkey %s" % name,
                "ktadd -norandkey -k %s %s" % (self.keytab_for(name), name)]
        if keytab:
            cmds.append("ktadd -norandkey -k %s %s" % (keytab, name))
        cmds.append("ktadd -norandkey -k %s %s" % (self.all_keytab, name))
        return cmds

    def _kadmin(self, cmds):
        # kadmin.local reads commands from stdin: one process for all of them.
        res = self._run([_find_tool("kadmin.local"), "-r", self.realm],
                        what="kadmin.local", input="\n".join(cmds) + "\n")
        text = res.stdout + res.stderr
        for bad in ("while creating", "while adding", "while changing",
                    "Unknown request", "error"):
            if bad in text:
                raise RealmError("kadmin.local reported a problem:\n" + text)
        return text

    def _resolve_keytab(self, keytab):
        if keytab in ("server", "client"):
            return self.server_keytab if keytab == "server" else self.client_keytab
        return os.path.abspath(keytab)

    def add_principal(self, name, keytab=None):
        """Create principal `name` (random key) and export it.

        The key always goes to keytabs/<name>.keytab; keytab may also name a
        file (or "server" / "client") to add it to.  Returns the path of the
        keytab given, else of the per-principal keytab.
        """
        target = self._resolve_keytab(keytab) if keytab else None
        self._kadmin(self._principal_cmds(name, target))
        self.principals.append(name)
        return target or self.keytab_for(name)

    def set_max_life(self, lifetime, *principals):
        """Cap the ticket lifetime of `principals` (kadmin's -maxlife, e.g.
        "20 seconds").  A ticket lives no longer than the smallest cap of
        its client, its service and, for service tickets, the TGT it came
        from: cut krbtgt/REALM and the service too for a short test."""
        self._kadmin(['modprinc -maxlife "%s" %s' % (lifetime, name)
                      for name in principals])

    def _make_down_keytab(self):
        # No KDC exists for DOWN.TEST, so the key is made offline by ktutil.
        script = ("addent -password -p alice@%s -k 1 -e aes256-cts-hmac-sha1-96\n"
                  "%s\nwkt %s\nquit\n") % (self.down_realm, self.password,
                                            self.down_keytab)
        self._run([_find_tool("ktutil")], what="ktutil", input=script)
        if not os.path.exists(self.down_keytab):
            raise RealmError("ktutil did not write %s" % self.down_keytab)

    # ------------------------------------------------------------------- KDC
    def _kdc_log_tail(self):
        out = []
        for name in ("kdc.stderr", "kdc.log"):
            try:
                with open(self.path(name), errors="replace") as f:
                    data = f.read()[-4000:]
            except OSError:
                continue
            out.append("--- %s ---\n%s" % (name, data))
        return "\n".join(out)

    def _spawn_kdc(self):
        # A detached KDC (CLI `start`) must outlive this process.
        tie = None if self._detach_kdc else _die_with_parent
        try:
            log_offset = os.path.getsize(self.path("kdc.log"))
        except OSError:
            log_offset = 0
        err = open(self.path("kdc.stderr"), "ab")
        try:
            self.kdc_proc = subprocess.Popen(
                [_find_tool("krb5kdc"), "-n", "-r", self.realm],
                env=self.child_env(), stdin=subprocess.DEVNULL,
                stdout=err, stderr=err, close_fds=True,
                start_new_session=True, preexec_fn=tie)
        finally:
            err.close()
        self.kdc_pid = self.kdc_proc.pid
        self._log_offset = log_offset
        with open(self.path("kdc.pid"), "w") as f:
            f.write("%d\n" % self.kdc_pid)
        self.env["ZGSS_TEST_KDC_PID"] = str(self.kdc_pid)

    def _probe(self):
        """kinit alice from the client keytab into a throwaway ccache."""
        env = self.child_env()
        env["KRB5CCNAME"] = "FILE:" + self.path("probe.ccache")
        res = subprocess.run([_find_tool("kinit"), "-k", "-t",
                              self.client_keytab, "alice@" + self.realm],
                             env=env, stdout=subprocess.PIPE, timeout=3,
                             stderr=subprocess.STDOUT, universal_newlines=True)
        try:
            os.unlink(self.path("probe.ccache"))
        except OSError:
            pass
        return res.returncode == 0, res.stdout

    def _kdc_log_since_spawn(self):
        try:
            with open(self.path("kdc.log"), "rb") as f:
                f.seek(self._log_offset)
                return f.read()
        except OSError:
            return b""

    def _wait_ready(self, deadline):
        """True when the KDC answers; False when it exited or could not bind
        its port (another process has it).

        Polling the port alone could be fooled by a foreign listener, so the
        gate is the KDC's own log line "commencing operation" (written after
        its sockets are bound), then a real kinit against it.
        """
        last = ""
        while time.monotonic() < deadline:
            if self.kdc_proc.poll() is not None:
                return False
            log = self._kdc_log_since_spawn()
            if (b"Error setting up network" in log or
                    b"Cannot bind server socket" in log):
                return False
            if b"commencing operation" not in log:
                time.sleep(0.003)
                continue
            try:
                ok, last = self._probe()
            except subprocess.TimeoutExpired:
                ok, last = False, "kinit timed out"
            if ok:
                return True
            time.sleep(0.02)
        self._kill_kdc()
        raise RealmError("KDC on 127.0.0.1:%d did not answer within %.1fs "
                         "(last kinit: %s)\n%s" % (
                             self.kdc_port, KDC_START_DEADLINE, last.strip(),
                             self._kdc_log_tail()))

    def _start_kdc_any_port(self):
        for attempt in range(PORT_ATTEMPTS):
            if attempt:
                self.kdc_port = _free_port()
                while self.kdc_port == self.down_port:
                    self.kdc_port = _free_port()
                self._write_configs()
                self.env["ZGSS_TEST_KDC_PORT"] = str(self.kdc_port)
            self._spawn_kdc()
            if self._wait_ready(time.monotonic() + KDC_START_DEADLINE):
                return
            self._kill_kdc()
        raise RealmError("KDC failed to start after %d ports\n%s" % (
            PORT_ATTEMPTS, self._kdc_log_tail()))

    def start_kdc(self):
        """(Re)start the KDC on the same port as before."""
        if self.kdc_proc is not None and self.kdc_proc.poll() is None:
            return
        self._spawn_kdc()
        if not self._wait_ready(time.monotonic() + KDC_START_DEADLINE):
            raise RealmError("KDC exited on restart (port %d taken?)\n%s" % (
                self.kdc_port, self._kdc_log_tail()))

    def _kill_kdc(self):
        proc, self.kdc_proc = self.kdc_proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def stop_kdc(self):
        """Stop the KDC; the realm and its files stay."""
        self._kill_kdc()
        self.env["ZGSS_TEST_KDC_PID"] = ""

    def kdc_running(self):
        return self.kdc_proc is not None and self.kdc_proc.poll() is None

    # ------------------------------------------------------------- lifecycle
    def detach(self):
        """Leave KDC and directory alive after this process exits."""
        self._detached = True
        self._closed = True
        atexit.unregister(self.close)

    def describe(self):
        return {"env": dict(self.env), "realm": self.realm,
                "kdc_port": self.kdc_port, "kdc_pid": self.kdc_pid,
                "dir": self.dir, "down_realm": self.down_realm,
                "down_port": self.down_port,
                "server_keytab": self.server_keytab,
                "client_keytab": self.client_keytab,
                "all_keytab": self.all_keytab,
                "down_keytab": self.down_keytab,
                "principals": list(self.principals)}

    def write_env_files(self):
        info = self.describe()
        with open(self.path("env.json"), "w") as f:
            json.dump(info, f, indent=2, sort_keys=True)
            f.write("\n")
        with open(self.path("env.sh"), "w") as f:
            for k in sorted(self.env):
                f.write("export %s=%s\n" % (k, shlex.quote(self.env[k])))
        return info

    def close(self):
        if self._closed:
            return
        self._closed = True
        try:
            self._kill_kdc()
        finally:
            if self._owns_dir and not self.keep_dir:
                shutil.rmtree(self.dir, ignore_errors=True)
            atexit.unregister(self.close)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def add_principal_bytes(realm_dir, realm, name, keytab):
    """Create principal `name` (bytes, any octets) with a random key in the
    realm living in realm_dir, and export its key to `keytab`.

    Each command goes to kadmin.local as a -q argument: its stdin line
    reader garbles bytes above 0x7f.  A principal that already exists is
    only exported again (-norandkey).  A name that is not UTF-8 or holds a
    control byte also turns off the PAC in TGTs (krbtgt
    +no_auth_data_required): MIT 1.20's KDC cannot carry such a client
    name in a PAC (AS: "HANDLE_AUTHDATA: Invalid argument" when it is not
    UTF-8; TGS: "HEADER_PAC ... KDC can't fulfill requested option" for a
    backspace).  No test reads PACs.
    """
    env = dict(os.environ)
    env["KRB5_CONFIG"] = os.path.join(realm_dir, "krb5.conf")
    env["KRB5_KDC_PROFILE"] = os.path.join(realm_dir, "kdc.conf")
    kadmin = _find_tool("kadmin.local")
    queries = [b"addprinc -randkey " + name,
               b"ktadd -norandkey -k " + os.fsencode(keytab) + b" " + name]
    try:
        name.decode("utf-8")
        plain = not any(b < 0x20 or b == 0x7f for b in name)
    except UnicodeDecodeError:
        plain = False
    if not plain:
        queries.append(b"modprinc +no_auth_data_required krbtgt/" +
                       realm.encode() + b"@" + realm.encode())
    for query in queries:
        res = subprocess.run([kadmin, "-r", realm, "-q", query], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        out = res.stdout.decode("utf-8", "replace")
        failed = res.returncode != 0 or (
            "while " in out and "already exists" not in out) or \
            "does not exist" in out
        if failed:
            raise RealmError("kadmin.local -q %r failed:\n%s" % (query, out))
    if not os.path.exists(keytab):
        raise RealmError("kadmin.local wrote no keytab %s" % keytab)


# ---------------------------------------------------------------------- CLI
def _sigterm_to_exit(signum, frame):
    raise SystemExit(128 + signum)


def _cmd_run(args):
    cmd = args.cmd
    if cmd and cmd[0] == "--":
        cmd = cmd[1:]
    if not cmd:
        print("testrealm: run needs a command after --", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _sigterm_to_exit)
    child = None
    with Realm(keep_dir=args.keep, ccache=args.ccache) as r:
        print("testrealm: realm %s kdc 127.0.0.1:%d dir %s (setup %.3fs)" % (
            r.realm, r.kdc_port, r.dir, r.setup_seconds), file=sys.stderr)
        try:
            child = subprocess.Popen(cmd, env=r.child_env())
            rc = child.wait()
        except BaseException:
            if child is not None and child.poll() is None:
                child.terminate()
                try:
                    child.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    child.kill()
            raise
    return rc if rc >= 0 else 128 - rc


def _cmd_start(args):
    d = os.path.abspath(args.dir)
    signal.signal(signal.SIGTERM, _sigterm_to_exit)
    r = Realm(dir=d, ccache=args.ccache, detach_kdc=True)
    try:
        info = r.write_env_files()
    except BaseException:
        r.close()
        raise
    r.detach()
    json.dump(info, sys.stdout, sort_keys=True)
    sys.stdout.write("\n")
    return 0


def _cmd_stop(args):
    d = os.path.abspath(args.dir)
    pid = None
    try:
        with open(os.path.join(d, "kdc.pid")) as f:
            pid = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        pass
    if pid and _pid_alive(pid) and _pid_is_krb5kdc(pid):
        os.kill(pid, signal.SIGTERM)
        end = time.monotonic() + 3
        while _pid_alive(pid) and time.monotonic() < end:
            time.sleep(0.01)
        if _pid_alive(pid):
            os.kill(pid, signal.SIGKILL)
    if os.path.isdir(d):
        if not (os.path.exists(os.path.join(d, "krb5.conf")) or
                os.path.exists(os.path.join(d, "kdc.pid"))):
            print("testrealm: %s does not look like a realm dir; not removing"
                  % d, file=sys.stderr)
            return 1
        shutil.rmtree(d, ignore_errors=True)
    return 0


def _cmd_add(args):
    d = args.dir or os.environ.get("ZGSS_TEST_DIR")
    realm = args.realm or os.environ.get("ZGSS_TEST_REALM")
    if not d or not realm:
        print("testrealm: add needs --dir and --realm (or a realm's "
              "ZGSS_TEST_DIR and ZGSS_TEST_REALM)", file=sys.stderr)
        return 2
    if (args.name is None) == (args.hex is None):
        print("testrealm: add takes NAME or --hex HEX", file=sys.stderr)
        return 2
    name = bytes.fromhex(args.hex) if args.hex is not None else \
        os.fsencode(args.name)
    add_principal_bytes(os.path.abspath(d), realm, name,
                        os.path.abspath(args.keytab))
    return 0


def main(argv=None):
    p = argparse.ArgumentParser(description="Throwaway MIT Kerberos realm")
    sub = p.add_subparsers(dest="command")
    pr = sub.add_parser("run", help="run a command inside a fresh realm")
    pr.add_argument("--keep", action="store_true",
                    help="keep the realm directory afterwards")
    pr.add_argument("--ccache", choices=("FILE", "DIR", "MEMORY"),
                    default="FILE", help="KRB5CCNAME type (default FILE)")
    pr.add_argument("cmd", nargs=argparse.REMAINDER)
    ps = sub.add_parser("start", help="create a realm and leave the KDC running")
    ps.add_argument("--dir", required=True)
    ps.add_argument("--ccache", choices=("FILE", "DIR", "MEMORY"),
                    default="FILE", help="KRB5CCNAME type (default FILE)")
    pt = sub.add_parser("stop", help="stop a realm made by start")
    pt.add_argument("--dir", required=True)
    pa = sub.add_parser("add", help="add a principal to a running realm")
    pa.add_argument("--dir", help="realm directory (default $ZGSS_TEST_DIR)")
    pa.add_argument("--realm", help="realm name (default $ZGSS_TEST_REALM)")
    pa.add_argument("--keytab", required=True, help="keytab to export to")
    pa.add_argument("--hex", help="the name as hex bytes (any octets)")
    pa.add_argument("name", nargs="?")
    args = p.parse_args(argv)
    try:
        if args.command == "run":
            return _cmd_run(args)
        if args.command == "start":
            return _cmd_start(args)
        if args.command == "stop":
            return _cmd_stop(args)
        if args.command == "add":
            return _cmd_add(args)
    except RealmError as e:
        print("testrealm: %s" % e, file=sys.stderr)
        return 1
    p.print_help(sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())

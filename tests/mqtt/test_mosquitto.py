#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End-to-end tests of contrib/mosquitto (mosquitto_zgss.so) against a real
mosquitto 2.0 broker started here on a free port, driven by MQTT 5 packets
from examples/mqtt/zgss_mqtt.py over libzgss's C ABI.

Run inside a realm (tools/testrealm.py run -- ...), with the plugin path as
the only argument. Prints "ok"/"not ok" lines; exit 0 when all passed.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "examples", "mqtt"))
import zgss_mqtt as zm  # noqa: E402

REALM_DIR = os.environ["ZGSS_TEST_DIR"]
failures = 0


def check(cond, what):
    global failures
    if cond:
        print("ok - %s" % what)
    else:
        failures += 1
        print("not ok - %s" % what)
    sys.stdout.flush()
    return cond


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


ACL = """user alice
topic readwrite zgss/alice/#
topic read zgss/public

user bob
topic readwrite zgss/bob/#
topic read zgss/public
"""


class Broker:
    def __init__(self, plugin, workdir, options, run_as_root=True, env=None, settings=()):
        self.port = free_port()
        self.log = os.path.join(workdir, "mosquitto-%d.log" % self.port)
        acl = os.path.join(workdir, "acl")
        with open(acl, "w") as f:
            f.write(ACL)
        conf = os.path.join(workdir, "mosquitto-%d.conf" % self.port)
        settings = dict(settings)
        lines = ["per_listener_settings %s" % settings.pop("per_listener_settings", "false"),
                 "listener %d 127.0.0.1" % self.port,
                 "allow_anonymous %s" % settings.pop("allow_anonymous", "false"),
                 "persistence false",
                 "log_dest stderr",
                 "log_type all",
                 "acl_file %s" % acl]
        lines += ["%s %s" % kv for kv in settings.items()]
        lines += ["plugin %s" % plugin]
        lines += ["plugin_opt_%s %s" % kv for kv in options]
        if run_as_root and os.geteuid() == 0:
            lines.append("user root")
        with open(conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.logf = open(self.log, "w")
        self.proc = subprocess.Popen(["mosquitto", "-c", conf], stdout=self.logf, stderr=subprocess.STDOUT,
                                     env=env)

    def wait_ready(self, deadline=10.0):
        end = time.time() + deadline
        while time.time() < end:
            if self.proc.poll() is not None:
                return False
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return True
            except OSError:
                time.sleep(0.05)
        return False

    def wait_exit(self, deadline=10.0):
        try:
            return self.proc.wait(deadline)
        except subprocess.TimeoutExpired:
            return None

    def log_text(self):
        self.logf.flush()
        with open(self.log) as f:
            return f.read()

    def alive(self):
        return self.proc.poll() is None

    def wait_log(self, predicate, deadline=20.0):
        """Polls the broker's log until predicate(log text) is true, for at
        most `deadline` seconds. Returns whether it became true."""
        end = time.time() + deadline
        while not predicate(self.log_text()):
            if time.time() >= end:
                return False
            time.sleep(0.05)
        return True

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.logf.close()


def client(broker, client_id, **gss):
    return zm.MQTTClient("127.0.0.1", broker.port, service="mqtt@localhost", client_id=client_id, **gss)


def user_options(name):
    return dict(principal="%s@EXAMPLE.TEST" % name,
                client_keytab=os.path.join(REALM_DIR, "keytabs", "%s.keytab" % name),
                ccache="MEMORY:%s" % name)


def test_success_and_acl(broker):
    alice = client(broker, "alice-1")
    connack = alice.connect()
    check(connack.reason == 0x00, "alice: CONNACK 0x00")
    check(alice.auth_packets == 2, "alice: two AUTH packets from the broker (AP-REP, offer): %d" % alice.auth_packets)
    check(alice.gss.server_principal == "mqtt/localhost@EXAMPLE.TEST", "alice: broker proved it is mqtt/localhost")
    log = broker.log_text()
    check("u'alice'" in log, "broker log: alice-1 connected with username 'alice'")
    check("authenticated as alice@EXAMPLE.TEST (username alice)" in log, "plugin log: principal mapped to alice")
    check("unfinished authentications are dropped after 30 s" in log, "plugin log: default timeout 30 s")
    bob = client(broker, "bob-1", **user_options("bob"))
    check(bob.connect().reason == 0, "bob: CONNACK 0x00 (client keytab of his own)")
    check("u'bob'" in broker.log_text(), "broker log: bob-1 has username 'bob'")
    # mosquitto 2.0's acl_file grants every SUBSCRIBE and checks read
    # access per delivered message, write access per PUBLISH.
    check(alice.subscribe("zgss/alice/#", qos=1) == 1, "alice subscribes zgss/alice/#")
    check(alice.subscribe("zgss/bob/#", qos=1) == 1, "alice subscribes zgss/bob/# (read denied later)")
    check(bob.subscribe("zgss/bob/#", qos=1) == 1, "bob subscribes zgss/bob/#")
    check(alice.publish("zgss/alice/hello", b"hi from alice", qos=1) == 0, "alice: PUBACK 0x00 on her topic")
    check(alice.receive(5) == ("zgss/alice/hello", b"hi from alice"), "alice receives her message (ACL user alice)")
    alice.publish("zgss/bob/from-alice", b"intrusion", qos=1)
    check(bob.publish("zgss/bob/from-bob", b"hi from bob", qos=1) == 0, "bob: PUBACK 0x00 on his topic")
    check(bob.receive(5) == ("zgss/bob/from-bob", b"hi from bob"),
          "bob receives his own message, not alice's write to zgss/bob (write denied)")
    check(alice.receive(1) is None, "alice does not receive bob's message (read denied)")
    check("Denied PUBLISH from alice-1" in broker.log_text(), "broker log: alice's PUBLISH to zgss/bob denied")
    alice.disconnect()
    bob.disconnect()


def test_non_mutual(broker):
    c = client(broker, "alice-nm", mutual=False)
    check(c.connect().reason == 0, "non-mutual client: CONNACK 0x00")
    check(c.auth_packets == 1, "non-mutual client: one AUTH packet (the offer)")
    c.disconnect()


def test_not_allowed(broker):
    c = client(broker, "mallory-1", **user_options("mallory"))
    try:
        c.connect()
        check(False, "mallory: refused")
    except zm.ZGSSError as e:
        check("0x87" in str(e) and "not authorized" in str(e), "mallory (not in allowlist): CONNACK 0x87 (%s)" % e)
    c.close()
    check("not in the allowlist" in broker.log_text(), "plugin log says why mallory was refused")


def raw(broker):
    return zm.MQTTConnection("127.0.0.1", broker.port)


def test_garbage_first_token(broker):
    conn = raw(broker)
    conn.send(zm.connect_packet("garbage-1", zm.AUTH_METHOD, b"\x60\x03garbage"))
    p = conn.read_packet()
    check(p.kind == zm.CONNACK and p.reason == 0x87, "garbage first token: CONNACK 0x87 (%r)" % p)
    conn.close()


def test_mismatched_method(broker):
    gss = zm.GSSAPIKerberos("mqtt@localhost")
    conn = raw(broker)
    conn.send(zm.connect_packet("mismatch-1", zm.AUTH_METHOD, gss.initial_data()))
    p = conn.read_packet()
    check(p.kind == zm.AUTH and p.reason == 0x18, "mismatch: broker's first AUTH 0x18")
    conn.send(zm.auth_packet(0x18, "SCRAM-SHA-256", gss.answer_auth(p.reason, p.auth_method, p.auth_data)))
    try:
        p = conn.read_packet()
        check(p.kind == zm.DISCONNECT and p.reason == 0x82,
              "mismatched Authentication-Method on AUTH: DISCONNECT 0x82 protocol error (%r)" % p)
    except zm.ConnectionClosed:
        check(True, "mismatched Authentication-Method on AUTH: connection closed")
    conn.close()
    gss.close()
    check(broker.wait_log(lambda log: "client mismatch-1 left during authentication" in log),
          "mismatch: the plugin freed the exchange when the broker dropped the client (log line within 20 s)")


def test_other_method_not_ours(broker):
    conn = raw(broker)
    conn.send(zm.connect_packet("scram-1", "SCRAM-SHA-1", b"n,,n=user,r=abc"))
    try:
        p = conn.read_packet()
        check(p.kind == zm.CONNACK and p.reason in (0x8C, 0x87), "other method deferred: CONNACK 0x%02x" % p.reason)
    except zm.ConnectionClosed:
        check(False, "other method: broker closed without CONNACK")
    conn.close()


def test_vanishing_clients(broker):
    for i in range(20):
        gss = zm.GSSAPIKerberos("mqtt@localhost")
        conn = raw(broker)
        conn.send(zm.connect_packet("vanish-%d" % i, zm.AUTH_METHOD, gss.initial_data()))
        p = conn.read_packet()
        if i % 2:  # half of them vanish one step later, after the offer
            conn.send(zm.auth_packet(0x18, zm.AUTH_METHOD, gss.answer_auth(p.reason, p.auth_method, p.auth_data)))
            conn.read_packet()
        conn.close()
        gss.close()

    def left(log):
        return sum(("client vanish-%d left during authentication" % i) in log for i in range(20))

    broker.wait_log(lambda log: left(log) == 20)
    check(broker.alive(), "20 clients vanished mid-exchange: broker still running")
    check(left(broker.log_text()) == 20, "plugin freed the state of all 20 on MOSQ_EVT_DISCONNECT "
                                         "(%d log lines within 20 s)" % left(broker.log_text()))
    c = client(broker, "alice-after")
    check(c.connect().reason == 0, "after vanishing clients: a new client still connects")
    c.disconnect()


def test_reauthentication(broker):
    """MQTT 5 AUTH 0x19: the same principal re-authenticates; another one is
    refused, the connection dropped, and the username never changes."""
    alice = client(broker, "alice-reauth")
    check(alice.connect().reason == 0, "re-auth: alice connects")
    check(alice.subscribe("zgss/alice/#", qos=1) == 1, "re-auth: alice subscribes zgss/alice/#")
    try:
        p = alice.reauthenticate()
        check(p.kind == zm.AUTH and p.reason == 0x00, "re-auth as the same principal: AUTH 0x00")
    except zm.ZGSSError as e:
        check(False, "re-auth as the same principal: AUTH 0x00 (%s)" % e)
    check("client alice-reauth re-authenticated as alice@EXAMPLE.TEST (username alice)" in broker.log_text(),
          "plugin log: alice-reauth re-authenticated as alice")
    rc = alice.publish("zgss/alice/after-reauth", b"still alice", qos=1)
    check(rc == 0 and alice.receive(5) == ("zgss/alice/after-reauth", b"still alice"),
          "after re-auth as herself alice still publishes and receives on her topic (PUBACK 0x%02x)" % rc)
    try:
        p = alice.reauthenticate(**user_options("bob"))
        check(False, "re-auth as bob on alice's connection refused (got %r)" % p)
    except zm.ReauthenticationRefused as e:
        check(e.packet is None or e.packet.reason == 0x87, "re-auth as bob on alice's connection refused (%s)" % e)
        if e.packet is not None and e.packet.kind == zm.CONNACK:
            print("# mosquitto answered the refused re-authentication with a second CONNACK 0x87 (2.0.11; "
                  "DISCONNECT 0x87 from 2.0.13)")
    closed = False
    try:
        alice.sock.settimeout(5)
        while True:
            alice.read_packet()
    except zm.ConnectionClosed:
        closed = True
    except OSError:
        pass
    check(closed, "after the refused re-auth the broker closed alice's connection")
    log = broker.log_text()
    check("re-authentication as 'bob@EXAMPLE.TEST' refused" in log, "plugin log says why the re-auth was refused")
    check("client alice-reauth authenticated as bob" not in log and "client alice-reauth re-authenticated as bob" not in log,
          "alice's connection never got bob's username")
    alice.close()
    alice.gss.close()


def test_example_client(broker):
    example = os.path.join(ROOT, "examples", "mqtt", "mqtt_gssapi_client.py")
    r = subprocess.run([sys.executable, example, "--port", str(broker.port), "--service", "mqtt@localhost",
                        "--client-id", "example-bob", "--principal", "bob@EXAMPLE.TEST",
                        "--keytab", os.path.join(REALM_DIR, "keytabs", "bob.keytab"),
                        "--subscribe", "zgss/bob/#", "--publish", "zgss/bob/example", "hello", "--count", "1"],
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == 0 and "received zgss/bob/example: hello" in r.stdout,
          "example client (bob): connects, subscribes, publishes, receives")
    if r.returncode != 0:
        sys.stdout.write("".join("#   " + line + "\n" for line in (r.stdout + r.stderr).splitlines()))
    r = subprocess.run([sys.executable, example, "--port", str(broker.port), "--client-id", "example-mallory",
                        "--service", "mqtt@localhost", "--principal", "mallory@EXAMPLE.TEST",
                        "--keytab", os.path.join(REALM_DIR, "keytabs", "mallory.keytab")],
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == 1 and "0x87" in r.stderr, "example client (mallory): refused with 0x87")


def test_bad_start(plugin, workdir, options, expect, what):
    b = Broker(plugin, workdir, options)
    rc = b.wait_exit()
    log = b.log_text()
    b.stop()
    check(rc not in (None, 0), "%s: broker refuses to start (exit %s)" % (what, rc))
    check(all(e in log for e in expect), "%s: log names the problem %s" % (what, expect))
    if not all(e in log for e in expect):
        sys.stdout.write("".join("#   " + line + "\n" for line in log.splitlines()[-8:]))


def plain_connect(broker, client_id, username=None, password=None, version=5):
    """CONNECT without Kerberos; returns the CONNACK reason code, or None
    when the broker closed without one."""
    conn = raw(broker)
    try:
        conn.send(zm.connect_packet(client_id, method=None, username=username, password=password, version=version))
        p = conn.read_packet()
        return p.reason if p.kind == zm.CONNACK else None
    except zm.ConnectionClosed:
        return None
    finally:
        conn.close()


def test_password_logins(plugin, workdir, good):
    """With allow_anonymous true, a CONNECT that only names a user (no
    Kerberos) must not get that user's ACLs: the plugin refuses every
    username/password login unless plugin_opt_allow_password_logins is true,
    and then password_file decides."""
    b = Broker(plugin, workdir, good, settings=[("allow_anonymous", "true")])
    try:
        if not check(b.wait_ready(), "broker with allow_anonymous true starts"):
            return
        for version in (5, 4):
            check(plain_connect(b, "fake-alice-%d" % version, username="alice", version=version) in (0x87, 0x05),
                  "allow_anonymous true: MQTT %s CONNECT with username alice, no Kerberos: refused" %
                  ("5" if version == 5 else "3.1.1"))
        check(plain_connect(b, "fake-alice-pw", username="alice", password=b"secret") == 0x87,
              "allow_anonymous true: username alice with a password, no Kerberos: refused")
        check(not [line for line in b.log_text().splitlines() if " as fake-alice" in line and "u'alice'" in line],
              "no client without Kerberos connected with the username alice")
        check("refused: username 'alice' without Kerberos" in b.log_text(), "plugin log says why")
        check(plain_connect(b, "anonymous-1") == 0x00, "allow_anonymous true: an anonymous CONNECT is still the admin's choice")
        c = client(b, "alice-kerberos")
        check(c.connect().reason == 0, "allow_anonymous true: alice with Kerberos connects")
        c.disconnect()
    finally:
        b.stop()
    # Password logins explicitly allowed: password_file decides.
    pwfile = os.path.join(workdir, "passwords")
    with open(pwfile, "w"):
        pass
    r = subprocess.run(["mosquitto_passwd", "-b", pwfile, "carol", "carol-pw"], capture_output=True, text=True)
    if not check(r.returncode == 0, "mosquitto_passwd makes a password file (%s)" % r.stderr.strip()):
        return
    b = Broker(plugin, workdir, good + [("allow_password_logins", "true")],
               settings=[("allow_anonymous", "true"), ("password_file", pwfile)])
    try:
        if not check(b.wait_ready(), "broker with plugin_opt_allow_password_logins true and a password_file starts"):
            return
        check(plain_connect(b, "carol-1", username="carol", password=b"carol-pw") == 0x00,
              "allow_password_logins true: carol with her password_file password connects")
        check(plain_connect(b, "carol-2", username="carol", password=b"wrong") == 0x87,
              "allow_password_logins true: a wrong password is refused (password_file)")
        check(plain_connect(b, "fake-alice-3", username="alice") == 0x87,
              "allow_password_logins true: username alice without password or Kerberos still refused")
    finally:
        b.stop()
    test_bad_start(plugin, workdir, good + [("allow_password_logins", "yes")],
                   ["plugin_opt_allow_password_logins 'yes' must be true or false"], "plugin_opt_allow_password_logins yes")


def wait_closed(conn, deadline=10.0):
    """Reads until the broker closes `conn`. Returns (closed, seconds
    waited, packets read on the way)."""
    start = time.time()
    packets = []
    conn.sock.settimeout(0.5)
    while time.time() - start < deadline:
        try:
            packets.append(conn.read_packet())
        except zm.ConnectionClosed:
            return True, time.time() - start, packets
        except socket.timeout:
            continue
        except OSError:
            return True, time.time() - start, packets
    return False, time.time() - start, packets


def stalled_connect(broker, client_id, steps):
    """A client that sends CONNECT (keepalive 0: mosquitto never times it
    out itself), answers `steps` - 1 AUTH packets, reads one more, then
    stops. Returns the connection and its GSSAPI side."""
    gss = zm.GSSAPIKerberos("mqtt@localhost")
    conn = raw(broker)
    conn.send(zm.connect_packet(client_id, zm.AUTH_METHOD, gss.initial_data(), keepalive=0))
    for step in range(steps):
        p = conn.read_packet()
        if step + 1 < steps:
            conn.send(zm.auth_packet(0x18, zm.AUTH_METHOD, gss.answer_auth(p.reason, p.auth_method, p.auth_data)))
    return conn, gss


def test_auth_timeout(plugin, workdir, good):
    """Half-finished authentications are dropped after plugin_opt_auth_timeout
    (1 s here), re-authentications too; finished ones are not."""
    b = Broker(plugin, workdir, good + [("auth_timeout", "1")])
    try:
        if not check(b.wait_ready(), "broker with plugin_opt_auth_timeout 1 starts"):
            return
        check("unfinished authentications are dropped after 1 s" in b.log_text(), "plugin log states the timeout")
        idle = client(b, "alice-idle")
        check(idle.connect().reason == 0, "timeout: alice connects (and then idles)")
        for steps, what in ((1, "after the broker's first AUTH (AP-REP)"), (2, "after the broker's offer")):
            conn, gss = stalled_connect(b, "stalled-%d" % steps, steps)
            closed, waited, packets = wait_closed(conn)
            check(closed and 0.9 <= waited,
                  "client stalling %s (keepalive 0) dropped after the timeout (%.1f s, %s)" % (what, waited, packets))
            conn.close()
            gss.close()
        log = b.log_text()
        check("client stalled-1 dropped: authentication unfinished after 1 s" in log
              and "client stalled-2 dropped: authentication unfinished after 1 s" in log, "plugin log names both")
        # A re-authentication that stops half-way is dropped too.
        alice = client(b, "alice-restall")
        check(alice.connect().reason == 0, "timeout: alice-restall connects")
        fresh = zm.GSSAPIKerberos("mqtt@localhost")
        alice.send(zm.auth_packet(0x19, zm.AUTH_METHOD, fresh.initial_data()))
        closed, waited, packets = wait_closed(alice)
        check(closed and 0.9 <= waited, "re-authentication stalled after AUTH 0x19: dropped after the timeout "
                                        "(%.1f s, %s)" % (waited, packets))
        check("client alice-restall dropped: re-authentication unfinished after 1 s" in b.log_text(),
              "plugin log names the stalled re-authentication")
        fresh.close()
        alice.close()
        alice.gss.close()
        # Authenticated clients are not timed out, and new ones still connect.
        check(idle.publish("zgss/alice/idle", b"still here", qos=1) in (0, 0x10),
              "alice, idle for longer than the timeout after authenticating, still publishes")
        idle.disconnect()
        c = client(b, "alice-after-timeouts")
        check(c.connect().reason == 0, "after the timeouts a new client connects")
        c.disconnect()
        check(b.alive(), "broker survived the timeouts")
    finally:
        b.stop()
    # per_listener_settings true: mosquitto 2.0 sends plugins on a listener
    # no MOSQ_EVT_TICK; the next client's authentication sweeps instead.
    b = Broker(plugin, workdir, good + [("auth_timeout", "1")], settings=[("per_listener_settings", "true")])
    try:
        if not check(b.wait_ready(), "per-listener broker with plugin_opt_auth_timeout 1 starts"):
            return
        conn, gss = stalled_connect(b, "stalled-pl", 1)
        # Not a wait for an event: no tick comes here, so nothing shows the
        # stalled client expiring; it must simply be older than the 1 s
        # auth_timeout when the next client's authentication sweeps, and
        # 1.5 s is past that however loaded the machine (load only adds).
        time.sleep(1.5)
        c = client(b, "alice-sweeper")
        check(c.connect().reason == 0, "per-listener: the next client authenticates")
        closed, waited, _ = wait_closed(conn, deadline=5.0)
        check(closed, "per-listener: the stalled client is dropped when the next one authenticates")
        c.disconnect()
        conn.close()
        gss.close()
    finally:
        b.stop()


def test_blanks_around_values(plugin, workdir, server_keytab):
    """Blanks after a value are invisible in mosquitto.conf (mosquitto keeps
    them): the plugin trims every value, and its errors quote the values."""
    spaced = [("principal", "mqtt/localhost@EXAMPLE.TEST  "), ("keytab", server_keytab + " \t"),
              ("allow", " alice , bob "), ("auth_timeout", "30 ")]
    b = Broker(plugin, workdir, spaced)
    try:
        if check(b.wait_ready(), "principal, keytab, allow and auth_timeout with trailing blanks: broker starts"):
            c = client(b, "alice-spaced")
            check(c.connect().reason == 0, "trailing blanks: alice authenticates (allowlist entries trimmed too)")
            c.disconnect()
    finally:
        b.stop()
    wrong = os.path.join(REALM_DIR, "keytabs", "zmq_localhost.keytab")
    test_bad_start(plugin, workdir, [("principal", "mqtt/localhost@EXAMPLE.TEST "), ("keytab", wrong + " ")],
                   ["plugin_opt_principal 'mqtt/localhost@EXAMPLE.TEST'", "plugin_opt_keytab '%s'" % wrong],
                   "start-up check failure quotes the (trimmed) values")
    test_bad_start(plugin, workdir, [("principal", "mqtt/localhost@EXAMPLE.TEST"), ("keytab", "\x0b")],
                   ["plugin_opt_keytab is empty"], "a value of blanks only (vertical tab)")


def test_configured_twice(plugin, workdir, good):
    """One .so, one set of globals: a second `plugin` line for it (two
    listeners, per_listener_settings true) would silently give the first
    listener the second one's allowlist. The broker must refuse to start."""
    conf = os.path.join(workdir, "twice.conf")
    lines = ["per_listener_settings true", "persistence false", "log_dest stderr"]
    if os.geteuid() == 0:
        lines.append("user root")
    for allowed in ("alice", "bob"):
        lines += ["listener %d 127.0.0.1" % free_port(), "allow_anonymous false", "plugin %s" % plugin]
        lines += ["plugin_opt_%s %s" % kv for kv in good] + ["plugin_opt_allow %s" % allowed]
    with open(conf, "w") as f:
        f.write("\n".join(lines) + "\n")
    try:
        r = subprocess.run(["mosquitto", "-c", conf], capture_output=True, text=True, timeout=10)
        rc, log = r.returncode, r.stdout + r.stderr
    except subprocess.TimeoutExpired as e:
        rc, log = None, (e.stdout or b"").decode() + (e.stderr or b"").decode()
    check(rc not in (None, 0) and "mosquitto_zgss.so is configured twice" in log,
          "plugin on two listeners (per_listener_settings true): broker refuses to start (exit %s)" % rc)


def test_option_mistakes(plugin, workdir, good):
    """Fail closed: a misspelt option, an empty list or entry, a rule list
    without a rule, or an option given twice stops the broker, and the log
    line names the option."""
    mistakes = [
        ([("allowed", "alice")], ["unknown option plugin_opt_allowed 'alice'"], "misspelt plugin_opt_allowed"),
        ([("allow", ",")], ["plugin_opt_allow ','", "empty entry"], "plugin_opt_allow ,"),
        ([("allow", "alice,,bob")], ["plugin_opt_allow 'alice,,bob'", "empty entry"], "plugin_opt_allow alice,,bob"),
        ([("allow", "alice,")], ["plugin_opt_allow 'alice,'", "empty entry"], "plugin_opt_allow alice,"),
        ([("mapping_rules", ",")], ["plugin_opt_mapping_rules ','", "no rule"], "plugin_opt_mapping_rules ,"),
        ([("principal", "mqtt/localhost@EXAMPLE.TEST")], ["plugin_opt_principal is given twice"],
         "plugin_opt_principal given twice"),
        ([("keytab", good[1][1])], ["plugin_opt_keytab is given twice"], "plugin_opt_keytab given twice"),
        ([("auth_timeout", "0")], ["plugin_opt_auth_timeout '0' must be a whole number of seconds"],
         "plugin_opt_auth_timeout 0"),
        ([("auth_timeout", "30s")], ["plugin_opt_auth_timeout '30s' must be a whole number of seconds"],
         "plugin_opt_auth_timeout 30s"),
        ([("auth_timeout", "3601")], ["plugin_opt_auth_timeout '3601'"], "plugin_opt_auth_timeout 3601"),
        ([("auth_timeout", "5"), ("auth_timeout", "6")], ["plugin_opt_auth_timeout is given twice"],
         "plugin_opt_auth_timeout given twice"),
    ]
    for extra, expect, what in mistakes:
        test_bad_start(plugin, workdir, good + extra, expect, what)


def test_dropped_privileges(plugin, server_keytab):
    """Without `user root` a root-started mosquitto drops to the user
    `mosquitto` before it loads plugins. The start-up check must run as that
    user: a root-only keytab, or a replay cache directory it cannot write,
    stops the broker; readable keys and a writable cache let it serve."""
    import grp
    import pwd
    user = pwd.getpwnam("mosquitto")
    group = grp.getgrnam("mosquitto").gr_gid
    # The realm directory is private to root: give the broker a readable
    # krb5.conf in a world-readable directory.
    public = tempfile.mkdtemp(prefix="zgss-mosquitto-drop-")
    os.chmod(public, 0o755)
    conf = os.path.join(public, "krb5.conf")
    shutil.copy(os.environ["KRB5_CONFIG"], conf)
    os.chmod(conf, 0o644)
    private = os.path.join(public, "private.keytab")
    shutil.copy(server_keytab, private)
    os.chmod(private, 0o600)
    shared = os.path.join(public, "mqtt.keytab")  # as docs/mosquitto.md says: root:mosquitto 0640
    shutil.copy(server_keytab, shared)
    os.chown(shared, 0, group)
    os.chmod(shared, 0o640)
    root_cache = os.path.join(public, "rcache-root")  # root's, 0755: mosquitto cannot write
    os.mkdir(root_cache, 0o755)
    own_cache = os.path.join(public, "rcache-mosquitto")
    os.mkdir(own_cache, 0o700)
    os.chown(own_cache, user.pw_uid, group)
    principal = ("principal", "mqtt/localhost@EXAMPLE.TEST")

    def start(keytab, cache):
        env = dict(os.environ, KRB5_CONFIG=conf, KRB5RCACHEDIR=cache)
        return Broker(plugin, public, [principal, ("keytab", keytab)], run_as_root=False, env=env)

    def refuses(b, expect, what):
        rc = b.wait_exit()
        log = b.log_text()
        b.stop()
        ok = check(rc not in (None, 0) and all(e in log for e in expect),
                   "root-started broker as user mosquitto, %s: refuses to start (exit %s), log names %s" % (what, rc, expect))
        if not ok:
            sys.stdout.write("".join("#   " + line + "\n" for line in log.splitlines()[-8:]))

    try:
        refuses(start(private, own_cache), ["Permission denied", private], "root-only keytab")
        cache_file = os.path.join(root_cache, "krb5_%d.rcache2" % user.pw_uid)
        refuses(start(shared, root_cache), ["replay cache", "Permission denied", cache_file],
                "replay cache directory only root can write")
        b = start(shared, own_cache)
        try:
            if check(b.wait_ready(), "root-started broker as user mosquitto, keytab root:mosquitto 0640 and its own "
                                     "replay cache: starts"):
                c = client(b, "alice-dropped")
                check(c.connect().reason == 0, "... and alice authenticates (the broker writes the replay cache)")
                c.disconnect()
        finally:
            b.stop()
    finally:
        shutil.rmtree(public, ignore_errors=True)


def main():
    plugin = os.path.abspath(sys.argv[1])
    workdir = tempfile.mkdtemp(prefix="zgss-mosquitto-", dir=REALM_DIR)
    server_keytab = os.path.join(REALM_DIR, "keytabs", "mqtt_localhost.keytab")
    options = [("principal", "mqtt/localhost@EXAMPLE.TEST"), ("keytab", server_keytab), ("allow", "alice, bob")]
    broker = Broker(plugin, workdir, options)
    try:
        if not check(broker.wait_ready(), "mosquitto 2.0 with mosquitto_zgss.so starts on port %d" % broker.port):
            sys.stdout.write("".join("#   " + line + "\n" for line in broker.log_text().splitlines()[-10:]))
            return 1
        for test in (test_success_and_acl, test_non_mutual, test_not_allowed,
                     test_garbage_first_token, test_mismatched_method, test_other_method_not_ours,
                     test_vanishing_clients, test_reauthentication, test_example_client):
            try:
                test(broker)
            except Exception as e:  # a crash of one scenario is a failure, not the end
                check(False, "%s raised %s: %s" % (test.__name__, type(e).__name__, e))
        check(broker.alive(), "broker survived every scenario")
    finally:
        broker.stop()

    # Mapping rules: principal -> username with a Kafka-style rule.
    ruled = Broker(plugin, workdir, options[:2] + [("mapping_rules", r"RULE:[1:$1@$0](.*@EXAMPLE\.TEST)s/@.*/-krb/")])
    try:
        if check(ruled.wait_ready(), "broker with plugin_opt_mapping_rules starts"):
            c = client(ruled, "alice-rule")
            check(c.connect().reason == 0, "mapping rule: CONNACK 0x00")
            c.disconnect()
            check("u'alice-krb'" in ruled.log_text(), "mapping rule: username is alice-krb")
    finally:
        ruled.stop()

    # Start-up checks (EMQX-style messages).
    wrong_keytab = os.path.join(REALM_DIR, "keytabs", "zmq_localhost.keytab")
    test_bad_start(plugin, workdir, [("principal", "mqtt/localhost@EXAMPLE.TEST"), ("keytab", wrong_keytab)],
                   ["no suitable keys in keytab", wrong_keytab], "keytab without the principal")
    missing = os.path.join(workdir, "missing.keytab")
    test_bad_start(plugin, workdir, [("principal", "mqtt/localhost@EXAMPLE.TEST"), ("keytab", missing)],
                   ["no suitable keys in keytab", missing], "missing keytab")
    test_bad_start(plugin, workdir, [("principal", "mqtt@localhost")],
                   ["service/host@REALM"], "malformed principal")
    test_bad_start(plugin, workdir, [("principal", "mqtt/localhost@EXAMPLE.TEST"), ("mapping_rules", "RULE:[1:$1](")],
                   ["plugin_opt_mapping_rules", "invalid mapping rule"], "bad mapping rule")
    test_option_mistakes(plugin, workdir, options[:2])
    test_configured_twice(plugin, workdir, options[:2])
    test_password_logins(plugin, workdir, options)
    test_blanks_around_values(plugin, workdir, server_keytab)
    test_auth_timeout(plugin, workdir, options)
    if os.geteuid() == 0:
        test_dropped_privileges(plugin, server_keytab)
    else:
        check(False, "the privilege-drop checks need root (mosquitto drops from root to its user)")
    shutil.rmtree(workdir, ignore_errors=True)
    print("# test_mosquitto: %d failed" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

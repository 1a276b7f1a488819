/* SPDX-License-Identifier: MIT
 * Checks that a libzmq has the features Debian's libzmq5
 * has: zmq_has() capabilities, a CURVE REQ/REP exchange over tcp and a
 * plain REQ/REP exchange over ws://. One line per check, "PASS:"/"FAIL:";
 * exit status = number of failures. Build: gcc features.c -lzmq */
#include <zmq.h>
#include <stdio.h>
#include <string.h>

static int failures = 0;
static void check(int ok, const char *what) {
  printf("%s: %s\n", ok ? "PASS" : "FAIL", what);
  if (!ok) failures++;
}

/* one request/reply over endpoint; curve: server and client keys set */
static int exchange(void *ctx, const char *bind_ep, int curve) {
  char spub[41], ssec[41], cpub[41], csec[41], ep[256], buf[16];
  size_t len = sizeof ep;
  int timeout = 10000, one = 1, rc = -1;
  void *srv = zmq_socket(ctx, ZMQ_REP), *cli = zmq_socket(ctx, ZMQ_REQ);
  zmq_setsockopt(srv, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
  zmq_setsockopt(cli, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
  zmq_setsockopt(cli, ZMQ_SNDTIMEO, &timeout, sizeof timeout);
  if (curve) {
    if (zmq_curve_keypair(spub, ssec) || zmq_curve_keypair(cpub, csec)) goto out;
    if (zmq_setsockopt(srv, ZMQ_CURVE_SERVER, &one, sizeof one)) goto out;
    zmq_setsockopt(srv, ZMQ_CURVE_SECRETKEY, ssec, 40);
    zmq_setsockopt(cli, ZMQ_CURVE_SERVERKEY, spub, 40);
    zmq_setsockopt(cli, ZMQ_CURVE_PUBLICKEY, cpub, 40);
    zmq_setsockopt(cli, ZMQ_CURVE_SECRETKEY, csec, 40);
  }
  if (zmq_bind(srv, bind_ep)) goto out;
  if (zmq_getsockopt(srv, ZMQ_LAST_ENDPOINT, ep, &len)) goto out;
  if (zmq_connect(cli, ep)) goto out;
  if (zmq_send(cli, "ping", 4, 0) != 4) goto out;
  if (zmq_recv(srv, buf, sizeof buf, 0) != 4 || memcmp(buf, "ping", 4)) goto out;
  if (zmq_send(srv, "pong", 4, 0) != 4) goto out;
  if (zmq_recv(cli, buf, sizeof buf, 0) != 4 || memcmp(buf, "pong", 4)) goto out;
  rc = 0;
out:
  if (rc) printf("  (%s: %s)\n", bind_ep, zmq_strerror(zmq_errno()));
  zmq_close(cli); zmq_close(srv);
  return rc;
}

int main(void) {
  const char *caps[] = {"ipc", "pgm", "tipc", "norm", "curve", "gssapi", "ws", "wss", "draft"};
  /* Debian 12's libzmq5 answers; 4.3.4 reports "ws" only in a draft build,
     although ws:// works without drafts (checked below). */
  const int want[] =   {1,     1,     1,      1,      1,       1,        0,    0,     0};
  char line[64], pub[41], sec[41];
  for (unsigned i = 0; i < sizeof caps / sizeof *caps; i++) {
    snprintf(line, sizeof line, "zmq_has(\"%s\") == %d", caps[i], want[i]);
    check(zmq_has(caps[i]) == want[i], line);
  }
  check(zmq_curve_keypair(pub, sec) == 0, "zmq_curve_keypair");
  void *ctx = zmq_ctx_new();
  check(exchange(ctx, "tcp://127.0.0.1:*", 1) == 0, "CURVE REQ/REP over tcp");
  check(exchange(ctx, "ws://127.0.0.1:*", 0) == 0, "REQ/REP over ws://");
  zmq_ctx_term(ctx);
  return failures;
}

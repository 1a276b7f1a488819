#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Example MQTT 5 client authenticating with Kerberos ("GSSAPI-KERBEROS").

Connects to a broker (Mosquitto with contrib/mosquitto, or EMQX Enterprise),
optionally subscribes to a topic filter, publishes a message, and prints the
messages it receives. Kerberos credentials come from the environment
(a ticket from kinit in KRB5CCNAME, or a client keytab in
KRB5_CLIENT_KTNAME) or from --principal/--keytab.

    python3 mqtt_gssapi_client.py --host broker.example.com \\
        --service mqtt@broker.example.com \\
        --subscribe 'sensors/#' --publish sensors/t1 21.5 --count 1

Exit status: 0 on success, 1 when the broker refuses or Kerberos fails
(the reason is printed), 2 on usage errors.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zgss_mqtt  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=1883)
    ap.add_argument("--service", help="broker service, e.g. mqtt@broker.example.com (default mqtt@HOST)")
    ap.add_argument("--client-id", default="zgss-example")
    ap.add_argument("--principal", help="client principal (default: the default one)")
    ap.add_argument("--keytab", help="client keytab to get tickets from (no kinit needed)")
    ap.add_argument("--no-mutual", action="store_true", help="do not ask the broker to prove its identity")
    ap.add_argument("--subscribe", metavar="FILTER", help="topic filter to subscribe to")
    ap.add_argument("--publish", nargs=2, metavar=("TOPIC", "MESSAGE"), help="message to publish (QoS 1)")
    ap.add_argument("--count", type=int, default=0, help="messages to wait for after publishing")
    ap.add_argument("--timeout", type=float, default=5.0)
    args = ap.parse_args(argv)

    gss = {"mutual": not args.no_mutual}
    if args.principal:
        gss["principal"] = args.principal
    if args.keytab:
        gss["client_keytab"] = args.keytab
        gss["ccache"] = "MEMORY:zgss-example"
    try:
        client = zgss_mqtt.MQTTClient(args.host, args.port, service=args.service or "mqtt@" + args.host,
                                      client_id=args.client_id, timeout=args.timeout, **gss)
        client.connect()
    except (zgss_mqtt.ZGSSError, OSError) as e:
        print("connect failed: %s" % e, file=sys.stderr)
        return 1
    print("connected to %s as %s (broker principal %s)" % (
        args.host, args.client_id, client.gss.server_principal))
    try:
        if args.subscribe:
            rc = client.subscribe(args.subscribe, qos=1)
            print("subscribed to %s: reason 0x%02x" % (args.subscribe, rc))
            if rc >= 0x80:
                return 1
        if args.publish:
            topic, message = args.publish
            rc = client.publish(topic, message.encode(), qos=1)
            print("published to %s: reason 0x%02x" % (topic, rc))
            if rc >= 0x80:
                return 1
        for _ in range(args.count):
            got = client.receive(args.timeout)
            if got is None:
                print("no message within %.1f s" % args.timeout, file=sys.stderr)
                return 1
            print("received %s: %s" % (got[0], got[1].decode(errors="replace")))
    finally:
        client.disconnect()
    return 0


if __name__ == "__main__":
    sys.exit(main())

# SPDX-License-Identifier: MIT
"""Monitor messages, as pyzmq's zmq.utils.monitor reads them: two parts,
6 bytes (a native 16-bit event number and 32-bit value) and the endpoint."""
import struct


def parse_monitor_message(msg):
    """{'event', 'value', 'endpoint'} from the two parts of one event."""
    if len(msg) != 2 or len(msg[0]) != 6:
        raise RuntimeError("Invalid event message format: %s" % msg)
    event, value = struct.unpack("=Hi", msg[0])
    return {"event": event, "value": value, "endpoint": msg[1]}


def recv_monitor_message(socket, flags=0):
    """Receives and parses one event from a monitor PAIR socket."""
    return parse_monitor_message(socket.recv_multipart(flags))

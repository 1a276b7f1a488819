# SPDX-License-Identifier: MIT
"""pyzmq's zmq.utils, as far as zgss programs need it (monitor)."""

# SPDX-License-Identifier: MIT
"""The KDC really stops: a client with no cached ticket gets the Kerberos
reason, and the same configuration works again once the KDC is back."""
import os

from testrealm import Realm
from zgss_mech import (Mechanism, ZGSSError, ZGSS_CCACHE, ZGSS_CLIENT_KEYTAB, ZMQ_GSSAPI_PRINCIPAL,
                       ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE,
                       ZMQ_GSSAPI_PRINCIPAL_NAMETYPE, ZMQ_GSSAPI_SERVICE_PRINCIPAL)

import pytest


@pytest.fixture
def own_realm():
    saved = dict(os.environ)
    with Realm(realm="STOPPED.TEST") as realm:
        realm.apply_env()
        yield realm
    os.environ.clear()
    os.environ.update(saved)


def client_options(realm, cache):
    return {ZMQ_GSSAPI_SERVICE_PRINCIPAL: "zmq/localhost@STOPPED.TEST", ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE: 2,
            ZMQ_GSSAPI_PRINCIPAL: "alice@STOPPED.TEST", ZMQ_GSSAPI_PRINCIPAL_NAMETYPE: 2,
            ZGSS_CLIENT_KEYTAB: realm.client_keytab, ZGSS_CCACHE: f"MEMORY:{cache}"}


def first_command(mech):
    try:
        return mech.next_command()
    finally:
        mech.close()


def test_stopped_kdc_is_named_then_recovery(own_realm):
    own_realm.stop_kdc()
    mech = Mechanism("REQ", client_options(own_realm, "stopped-1"))
    with pytest.raises(ZGSSError) as failure:
        mech.next_command()
    assert failure.value.code == -4
    assert "Cannot contact any KDC for realm 'STOPPED.TEST'" in failure.value.reason
    mech.close()

    own_realm.start_kdc()
    command = first_command(Mechanism("REQ", client_options(own_realm, "stopped-2")))
    assert command.startswith(b"\x08INITIATE")

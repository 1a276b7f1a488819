#!/usr/bin/env bash
# DRAFT: inside tools/testrealm.py: libzmq's make check (TESTS=... optional) with a
# zmqtest2/<host> keytab so test_security_gssapi really runs. argv: TREE [TESTS]
tree="$1"; w=$(mktemp -d); host="$(hostname | tr 'A-Z' 'a-z')"
kadmin.local -q "addprinc -randkey zmqtest2/$host" >/dev/null 2>&1 || true
for p in $(kadmin.local -q listprincs 2>/dev/null | grep '^zmqtest2/'); do
  kadmin.local -q "ktadd -k $w/zmqtest2.keytab -norandkey $p" >/dev/null 2>&1; done
cd "$tree" && env PATH=/usr/sbin:/usr/bin:/sbin:/bin LD_LIBRARY_PATH=/work/wt/dropin15/.dist/lib \
  KRB5_KTNAME=FILE:$w/zmqtest2.keytab KRB5_CLIENT_KTNAME=FILE:$w/zmqtest2.keytab \
  nice -n 19 make -j1 check ${2:+TESTS="$2"} 2>&1 | grep -E '^(PASS|FAIL|SKIP|ERROR|XFAIL):|^# '
tail -2 tests/test_security_gssapi.log

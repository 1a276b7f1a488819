#!/usr/bin/env bash
# DRAFT: inside tools/testrealm.py: python3-zmq GSSAPI REQ/REP, rebuilt <-> stock both ways.
out=/work/wt/dropin15/.build-libzmq/out; w=$(mktemp -d); pass=0; fail=0
pair() { # server-lib client-lib
  rm -f $w/ep; local sl="$1" cl="$2" skt="$KRB5_CLIENT_KTNAME"
  [ $sl = stock ] && skt="$KRB5_KTNAME"
  env $( [ $sl = rebuilt ] && echo LD_LIBRARY_PATH=$out/lib ) KRB5CCNAME=FILE:$w/cs KRB5_CLIENT_KTNAME="$skt" \
    timeout 40 /usr/bin/python3 /tmp/dropin15/pyzmq-gssapi.py server $w/ep & sp=$!
  env $( [ $cl = rebuilt ] && echo LD_LIBRARY_PATH=$out/lib ) KRB5CCNAME=FILE:$w/cc \
    timeout 40 /usr/bin/python3 /tmp/dropin15/pyzmq-gssapi.py client $w/ep; cr=$?
  wait $sp; sr=$?
  if [ $cr = 0 ] && [ $sr = 0 ]; then echo "PASS: pyzmq $sl server <- $cl client"; pass=$((pass+1)); else echo "FAIL: pyzmq $sl server <- $cl client ($sr/$cr)"; fail=$((fail+1)); fi
}
pair rebuilt stock; pair stock rebuilt; pair rebuilt rebuilt
echo "pyzmq-interop: $pass passed, $fail failed"

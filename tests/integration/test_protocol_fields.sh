#!/usr/bin/env bash
# Every op's answers, successful and failed, against the field tables of
# docs/protocol.md (and schema/products/README.md for the catalog):
# exactly the documented fields, of the documented types (wa_fields.c).
. "$(dirname "$0")/lib.sh"

DOCS=("$WA_SRC/docs/protocol.md" "$WA_SRC/schema/products/README.md")
REQ="$T/requests" ANS="$T/answers"
: >"$REQ"; : >"$ANS"
# ask LINE...: send the requests on one connection, keep both sides.
ask() {
	printf '%s\n' "$@" >"$T/batch"
	raw <"$T/batch" >"$T/batch.out"
	cat "$T/batch" >>"$REQ"
	cat "$T/batch.out" >>"$ANS"
}

# The daemon's ops (its table's rows) and the documented ones agree.
grep -h -A1 '^const struct wa_op wa_op_[a-z]* = {' "$WA_SRC"/daemon/server/op-*.c |
    sed -n 's/.*\.name = "\([a-z]*\)".*/\1/p' | sort >"$T/ops.daemon"
"$BIN/wa_fields" --ops "${DOCS[@]}" | sort >"$T/ops.doc"
check "the daemon has ops" [ -s "$T/ops.daemon" ]
check "docs/protocol.md documents exactly the daemon's ops" \
    diff "$T/ops.daemon" "$T/ops.doc"

start_daemon
# Helpers named under $T, so lib.sh's cleanup ends them if a check fails.
ln -s "$(command -v sleep)" "$T/sleeper"
ln -s "$BIN/wa_raw" "$T/listener"
"$T/sleeper" 300 >/dev/null 2>&1 & SLEEPER=$!
ask '{"op":"ping","id":1}' \
    '{"op":"status","id":"s1"}' \
    '{"op":"lease","product":"apim-4","name":"a","offset":0,"ttl":3600,"labels":{"team":"qa"},"id":[1,2]}' \
    '{"op":"lease","product":"apim-4","name":"a"}' \
    '{"op":"lease","product":"apim-4.5-gateway","name":"m","link":"traffic-manager=a","pid":'"$SLEEPER"'}' \
    '{"op":"lease","product":"is-7","name":"c","offset":0}' \
    '{"op":"lease","product":"mi","name":"a"}' \
    '{"op":"lease","product":"no-such"}' \
    '{"op":"lease","product":"apim-4","offset":70000}'

# A foreign process binds a's 9443 and the free 9493.
"$T/listener" --listen 9443 300 >"$T/l1" 2>&1 & L1=$!
"$T/listener" --listen 9493 300 >"$T/l2" 2>&1 & L2=$!
# The daemon's view of the host is up to 100 ms old: until it sees 9493,
# the lease is granted (and given back).
HOSTREQ='{"op":"lease","product":"is-7","name":"h","offset":50}'
for _ in $(seq 1 250); do
	echo "$HOSTREQ" | raw | grep -q '"holder_kind":"host"' && break
	echo '{"op":"release","name":"h"}' | raw >/dev/null
	sleep 0.02
done
ask '{"op":"who","port":9443}' \
    '{"op":"who","port":9493}' \
    '{"op":"who","port":1,"proto":"udp"}' \
    "$HOSTREQ" \
    '{"op":"renew","name":"a"}' \
    '{"op":"renew","name":"a","ttl":60}' \
    '{"op":"attach","name":"a","pid":'"$SLEEPER"'}' \
    '{"op":"show","name":"a"}' \
    '{"op":"list"}' \
    '{"op":"list","brief":true}' \
    '{"op":"list","product":"mi","state":"all"}' \
    '{"op":"list","state":"all","brief":true}' \
    '{"op":"ports"}' \
    '{"op":"ports","product":"apim"}' \
    '{"op":"products"}' \
    '{"op":"products","id":"mi"}' \
    '{"op":"next","product":"mi"}' \
    '{"op":"next","product":"no-such"}' \
    '{"op":"history"}' \
    '{"op":"history","name":"a","limit":2}' \
    '{"op":"release","name":"m"}' \
    '{"op":"show","name":"m"}' \
    '{"op":"status"}' \
    '{"op":"metrics"}' \
    '{"op":"no-such-op"}' \
    '{"op":"show"}' \
    '{"op":"show","name":"zz"}' \
    '{"op":"ping"}'
kill "$L1" "$L2" "$SLEEPER"
# Last, shutdown: answered before the daemon stops.
ask '{"op":"shutdown","id":"bye"}'

check "as many answers as requests" [ "$(wc -l <"$REQ")" -eq "$(wc -l <"$ANS")" ]
"$BIN/wa_fields" "${DOCS[@]}" -- "$REQ" "$ANS" >"$T/fields" && rc=0 || rc=$?
cat "$T/fields"
check "every answer has exactly the documented fields, typed as documented" \
    [ "$rc" -eq 0 ]
# The walk reached the conditional fields it should.
check "a conflict's error was checked" grep -q 'lease: conflict$' "$T/fields"
check "a name's conflict was checked" grep -q '"holder_kind":"name"' "$ANS"
check "a host holder's fields were checked" \
    grep -q '"holder_kind":"host","holder_pid":' "$ANS"
check "a bound who answer names its holder" \
    grep -q '"bound":true,"holder_pid":' "$ANS"
check "a linked lease was checked" grep -q '"link":"traffic-manager=a"' "$ANS"
for _ in $(seq 1 250); do kill -0 "$DPID" 2>/dev/null || break; sleep 0.02; done
if kill -0 "$DPID" 2>/dev/null; then
	fail "shutdown did not stop the daemon"
	stop_daemon
else
	rc=0; wait "$DPID" || rc=$?; DPID=
	check "shutdown stopped the daemon, exit 0" [ "$rc" -eq 0 ]
fi
finish

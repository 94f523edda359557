#!/usr/bin/env bash
# Every op through a raw socket; bad input never hurts the daemon.
. "$(dirname "$0")/lib.sh"
start_daemon

# A port bound on the host is skipped.
"$BIN/wa_raw" --listen 9443 30 >"$T/listener" &
LPID=$!
for _ in $(seq 1 100); do grep -q listening "$T/listener" 2>/dev/null && break; sleep 0.02; done
r=$(echo '{"op":"lease","product":"apim","offset":0,"name":"pre-zero"}' | raw)
check "a listener on 9443 refuses offset 0 as in use on the host" contains "$r" '"holder_kind":"host"'
check "the refusal names the listener's pid" contains "$r" "\"holder_pid\":$LPID"
r=$(echo '{"op":"lease","product":"apim","name":"pre"}' | raw)
check "lease apim skips offset 0 while 9443 is bound" bash -c '! grep -q "\"offset\":0," <<<"$0" && grep -q "\"ok\":true" <<<"$0"' "$r"
r=$(echo '{"op":"release","name":"pre"}' | raw)
kill "$LPID"; wait "$LPID" 2>/dev/null || true
# A message that quotes a long name cuts it inside a UTF-8 character;
# the answer still carries it (a JSON string must be UTF-8).
long=x$(printf '\303\251%.0s' $(seq 1 40))
r=$(printf '{"op":"lease","product":"mi","name":"%s"}\n' "$long" | raw)
check "a bad name cut inside a character still has its message ($r)" \
    test "$(jq -r '.error.message | startswith("name '"'"'x")' <<<"$r")" = true
sleep 0.2   # the daemon's view of bound ports is at most 100 ms old

out=$(raw <<'REQ'
{"op":"ping","id":"p1"}
{"op":"lease","product":"apim","id":7}
{"op":"lease","product":"mi","name":"mi-a","labels":{"env":"dev"},"ttl":3600}
{"op":"lease","product":"apim","offset":37}
{"op":"lease","product":"apim","name":"apim-4-1"}
{"op":"lease","product":"mi","name":"apim-4-1"}
{"op":"show","name":"mi-a"}
{"op":"list"}
{"op":"who","port":9443}
{"op":"who","port":9443,"proto":"udp"}
{"op":"ports","product":"mi"}
{"op":"products","id":"mi"}
{"op":"history","name":"mi-a","limit":5}
{"op":"renew","name":"mi-a","ttl":60}
{"op":"status"}
{"op":"release","name":"mi-a"}
{"op":"release","name":"mi-a"}
{"op":"lease","product":"nope"}
{"op":"lease","product":"apim","offset":70000}
{"op":"lease","product":"apim","with":["no-such-port"]}
{"op":"frobnicate"}
REQ
)
line() { sed -n "$1p" <<<"$out"; }
check "ping echoes id and protocol" contains "$(line 1)" '"id":"p1"'
check "lease apim answers apim-4 at offset 0" contains "$(line 2)" '"name":"apim-4-1","product":"apim-4","offset":0'
check "lease echoes a numeric id" contains "$(line 2)" '"id":7'
check "lease mi with labels and ttl" contains "$(line 3)" '"labels":{"env":"dev"}'
check "mi avoids apim-4-1's ports (offset not 10, 47, 65)" bash -c '! grep -Eq "\"offset\":(10|47|65)," <<<"$0"' "$(line 3)"
check "offset 37 refused as a conflict" contains "$(line 4)" '"code":"conflict"'
check "the conflict names the holder" contains "$(line 4)" '"holder":"apim-4-1"'
check "conflict carries the port" contains "$(line 4)" '"port":8280'
check "same name, same product: returned as is" contains "$(line 5)" '"created":false'
check "same name, other product: conflict" contains "$(line 6)" '"code":"conflict"'
check "show" contains "$(line 7)" '"name":"mi-a"'
check "list has both leases" bash -c 'grep -q apim-4-1 <<<"$0" && grep -q mi-a <<<"$0"' "$(line 8)"
check "who 9443 names apim-4-1 and the port name" contains "$(line 9)" '"port_name":"servlet-https"'
check "who 9443/udp: not_found" contains "$(line 10)" '"code":"not_found"'
check "ports filtered by product" bash -c '! grep -q apim-4-1 <<<"$0" && grep -q mi-a <<<"$0"' "$(line 11)"
check "products by alias gives the canonical id" contains "$(line 12)" '"id":"mi-4"'
check "history of mi-a" contains "$(line 13)" '"kind":"leased"'
check "renew sets expires_at" contains "$(line 14)" '"expires_at":"20'
check "status counts" contains "$(line 15)" '"active":2'
check "release" contains "$(line 16)" '"state":"released"'
check "second release: not_found" contains "$(line 17)" '"code":"not_found"'
check "unknown product" contains "$(line 18)" '"code":"unknown_product"'
check "offset out of range" contains "$(line 19)" '"code":"invalid"'
check "unknown port name" contains "$(line 20)" '"code":"invalid"'
check "unknown op" contains "$(line 21)" '"code":"unknown_op"'
r=$(echo '{"op":"history","limit":500}' | raw)
check "a refused offset is in the history with its conflict" \
    bash -c 'grep -q "\"kind\":\"refused\",[^}]*\"offset\":37,[^}]*\"holder\":\"apim-4-1\"" <<<"$0"' "$r"

# Pipelined writes and reads on one connection: answered in order, and a
# read sees the write sent before it.
for i in $(seq 1 60); do
	printf '{"op":"lease","product":"mi","name":"pipe-%d","id":%d}\n' "$i" $((i * 3 - 2))
	printf '{"op":"show","name":"pipe-%d","id":%d}\n' "$i" $((i * 3 - 1))
	printf '{"op":"ping","id":%d}\n' $((i * 3))
done >"$T/pipe"
raw --bytes <"$T/pipe" >"$T/pipe.out"
check "180 pipelined requests: answers in request order" \
    bash -c '[ "$(grep -o "\"id\":[0-9]*}*$" "$0" | tr -dc "0-9\n" | paste -sd,)" = "$(seq -s, 1 180)" ]' "$T/pipe.out"
check "a show pipelined after a lease sees it" [ "$(grep -c '"state":"active"' "$T/pipe.out")" -eq 120 ]
for i in $(seq 1 60); do printf '{"op":"release","name":"pipe-%d"}\n' "$i"; done | raw --bytes >/dev/null
# Send, shut down the writing side, read: every answer still comes, also
# when the answers are still queued for writing at the shutdown (four
# catalogs: 0.9 MB, more than the socket buffer) or wait for the batch's
# commit.
big=$(for i in 1 2 3 4; do echo '{"op":"products"}'; done | raw --bytes | grep -c '"ok":true' || true)
check "answers queued at the client's shutdown are still written ($big/4)" [ "$big" -eq 4 ]
for i in $(seq 1 60); do
	printf '{"op":"lease","product":"is","name":"shut-%d"}\n{"op":"ping"}\n' "$i"
done >"$T/shut"
n=$(raw --bytes <"$T/shut" | grep -c '"ok":true' || true)
for i in $(seq 1 60); do printf '{"op":"release","name":"shut-%d"}\n' "$i"; done | raw >/dev/null
check "leases sent before the client's shutdown are all answered ($n/120)" [ "$n" -eq 120 ]

before=$(sqlite3 "$DB" "SELECT count(*) FROM events; SELECT count(*) FROM leased_ports")
bad=$(printf '%s\n' 'garbage' '{"op":' '[1,2]' '{"op":42}' '{"op":"lease","product":7}' \
    '{"op":"lease","product":"apim","offset":"1"}' '{"op":"lease","product":"apim","labels":{"k":1}}' \
    '{"op":"ping","op":"ping"}' '{"op":"ping"}' | raw)
check "garbage: bad_request, connection still usable" bash -c '[ "$(grep -c bad_request <<<"$0")" -eq 7 ] && tail -1 <<<"$0" | grep -q "\"ok\":true"' "$bad"
check "a bad label value is invalid" contains "$bad" '"code":"invalid"'
nul=$(printf '{"op":"ping"}\0\n{"op":"ping"}\n' | raw --bytes)
check "a NUL byte is bad_request, next line served" bash -c 'grep -q bad_request <<<"$0" && grep -q "\"ok\":true" <<<"$0"' "$nul"
big=$( (head -c 1048576 /dev/zero | tr '\0' 'x'; echo) | raw --bytes || true)
check "a 1 MiB line: too_large, then closed" contains "$big" '"code":"too_large"'
printf '{"op":"lease","product":"apim","name":"half"' | raw --half
check "half a request then disconnect changes nothing" bash -c '[ "$(sqlite3 "$0" "SELECT count(*) FROM instances WHERE name=\"half\"")" = 0 ]' "$DB"
after=$(sqlite3 "$DB" "SELECT count(*) FROM events; SELECT count(*) FROM leased_ports")
check "bad input changed nothing in the ledger" [ "$before" = "$after" ]

ulimit -n 4096
held=$("$BIN/wa_raw" "$SOCK" --hold 2000 1)
# Root is never refused (test_daemon_fair.sh: other users' limits).
check "2,000 connections from root at once: none told busy ($held)" bash -c 'set -- $0; [ "$2" -eq 2000 ] && [ "$4" -eq 0 ]' "$held"
check "still serving after 2,000 connections" contains "$(echo '{"op":"ping"}' | raw)" '"ok":true'

# Ownership: another uid may read but not release root's lease.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	chmod 0666 "$SOCK"
	asnobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
	r=$(echo '{"op":"release","name":"apim-4-1"}' | asnobody "$BIN/wa_raw" "$SOCK")
	check "another uid cannot release root's lease" contains "$r" '"code":"forbidden"'
	r=$(echo '{"op":"show","name":"apim-4-1"}' | asnobody "$BIN/wa_raw" "$SOCK")
	check "another uid may read" contains "$r" '"state":"active"'
	r=$(echo '{"op":"lease","product":"si","name":"nobodys"}' | asnobody "$BIN/wa_raw" "$SOCK")
	check "the owner is the peer's uid (SO_PEERCRED)" contains "$r" '"owner_uid":65534'
	r=$(echo '{"op":"release","name":"nobodys"}' | raw)
	check "root may release anyone's lease" contains "$r" '"state":"released"'
else
	echo "skip - ownership needs root and setpriv"
fi

# Restart keeps every lease; SIGTERM removes the socket.
leases=$(sqlite3 "$DB" "SELECT name, offset FROM instances WHERE state='active' ORDER BY name")
stop_daemon
check "SIGTERM removes the socket" [ ! -e "$SOCK" ]
start_daemon
r=$(echo '{"op":"list"}' | raw)
for n in $(cut -d'|' -f1 <<<"$leases"); do
	check "lease $n survives a restart" contains "$r" "\"name\":\"$n\""
done
r=$(echo '{"op":"lease","product":"apim","offset":0,"name":"dup"}' | raw)
check "restarted daemon still refuses a held offset" contains "$r" '"code":"conflict"'

# A second daemon never takes over a live one's ledger or socket.
rc=0; "$BIN/wso2-allocd" --socket "$SOCK" --db "$DB" --catalog "$WA_SRC/schema/products" 2>"$T/second" || rc=$?
check "a second daemon on the same ledger exits ($rc) with a clear message" grep -q "in use by another wso2-allocd" "$T/second"
check "the first daemon still serves" contains "$(echo '{"op":"ping"}' | raw)" '"ok":true'

# Idle connections are closed; a client that never reads is dropped
# while everyone else is served.
stop_daemon
start_daemon --idle-timeout 1
check "an idle connection is closed after --idle-timeout" \
    bash -c '[ "$("$0" "$1" --idle 3)" = closed ]' "$BIN/wa_raw" "$SOCK"
"$BIN/wa_raw" "$SOCK" --flood 200000 >"$T/flood" &
FPID=$!
sleep 0.2
check "others are served while a client does not read" contains "$(echo '{"op":"ping"}' | raw)" '"ok":true'
wait "$FPID" || true
check "the client that never reads is dropped" grep -q '^closed after' "$T/flood"
# A client that pipelines big answers but reads them is not dropped.
n=$(for _ in $(seq 1 12); do echo '{"op":"products"}'; done | raw --bytes | grep -c '"ok":true')
check "12 pipelined products answers (2.4 MB) all arrive ($n)" [ "$n" -eq 12 ]
# The same after a write: the answers wait for the commit, and the daemon
# must not hold them all (200 KB each) until the batch ends.
"$BIN/wa_raw" "$SOCK" --flood 200000 '{"op":"release","name":"nope"}' >"$T/flood" &
FPID=$!
sleep 0.2
check "others are served while a client floods after a write" contains "$(echo '{"op":"ping"}' | raw)" '"ok":true'
wait "$FPID" || true
check "the client that floods after a write is dropped" grep -q '^closed after' "$T/flood"
hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$DPID/status")
# Unbounded, this held 4 GB; bounded, tens of MB (more under ASan).
check "held answers stay bounded (peak RSS ${hwm} KiB < 256 MiB)" [ "$hwm" -lt 262144 ]

# SIGHUP with a broken catalog keeps the old one.
stop_daemon
mkdir "$T/cat"; cp "$WA_SRC"/schema/products/*.json "$T/cat/"
start_daemon --catalog "$T/cat"
echo '{"id": "broken",' > "$T/cat/zz-broken.json"
kill -HUP "$DPID"; sleep 0.3
check "SIGHUP with a broken catalog is refused and logged" grep -q "catalog reload refused" "$T/daemon.log"
r=$(echo '{"op":"lease","product":"si","name":"after-hup"}' | raw)
check "the old catalog still serves" contains "$r" '"product":"si-4"'
rm "$T/cat/zz-broken.json"; sed 's/"aliases": \[/"aliases": ["stream",/' "$WA_SRC/schema/products/si-4.json" > "$T/cat/si-4.json"
kill -HUP "$DPID"; sleep 0.3
r=$(echo '{"op":"products","id":"stream"}' | raw)
check "SIGHUP with a good catalog loads it" contains "$r" '"id":"si-4"'
stop_daemon
finish

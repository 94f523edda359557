#!/usr/bin/env bash
# Big answers and fairness: 20,000 leases listed whole; one uid's 2,000
# connections do not lock out root or another uid; clients that pipeline
# and hang up do not hold the loop and their requests are not run;
# SIGTERM under a queue ends the daemon at once, losing nothing
# acknowledged.
. "$(dirname "$0")/lib.sh"

FLOOD="$BIN/wa_flood"
# asuid UID COMMAND...: COMMAND as UID, no groups.
asuid() { local u=$1; shift; setpriv --reuid="$u" --regid="$u" --clear-groups "$@"; }
status_field() {
	echo '{"op":"status"}' | timeout 10 "$BIN/wa_raw" "$SOCK" |
	    grep -o "\"$1\":[0-9]*" | cut -d: -f2
}
# ping_ok OUT BOUND_MS: OUT is wa_flood --ping's "ok MS" within the bound.
ping_ok() { set -- $1 "$2"; [ "${1:-}" = ok ] && [ "$2" -lt "$3" ]; }
few_conns() { [ "$(status_field connections)" -le "$1" ]; }

# --- Big answers: 20,000 leases, 2,223 active ------------------------
start_daemon --sync normal --port-ceiling 65535
awk 'BEGIN {
	split("ei-6-micro-integrator si-tooling-4 apim-analytics-dashboard", p)
	for (i = 0; i < 20000; i++) {
		printf "{\"op\":\"lease\",\"product\":\"%s\",\"name\":\"b-%d\"}\n", p[i % 3 + 1], i
		if (i % 9 != 0)
			printf "{\"op\":\"release\",\"name\":\"b-%d\"}\n", i
	}
}' >"$T/build"
# In pieces whose answers (0.5 MB) a client may read after sending.
split -l 1000 "$T/build" "$T/piece."
n=$(for f in "$T"/piece.*; do timeout 60 "$BIN/wa_raw" "$SOCK" --bytes <"$f"; done |
    grep -c '"ok":true' || true)
check "37,777 pipelined leases and releases all answered ok ($n)" [ "$n" -eq 37777 ]
counts=$(sqlite3 "$DB" "SELECT count(*), sum(state='active') FROM instances")
check "the ledger holds 20,000 leases, 2,223 active ($counts)" [ "$counts" = "20000|2223" ]

SECONDS=0
rc=0; timeout 120 "$BIN/wso2-alloc" --json list --state all >"$T/list" 2>"$T/err" || rc=$?
secs=$SECONDS
check "--json list --state all of 20,000 leases succeeds (exit $rc, ${secs}s): $(head -c 200 "$T/err")" [ "$rc" -eq 0 ]
check "the list holds all 20,000 ($(grep -c '^      "name": ' "$T/list" || true))" \
    [ "$(grep -c '^      "name": ' "$T/list" || true)" -eq 20000 ]
check "the list holds the 2,223 active ones" \
    [ "$(grep -c '^      "state": "active"' "$T/list" || true)" -eq 2223 ]
echo "# list --state all of 20,000 leases: $(wc -c <"$T/list") bytes in ${secs}s"
rc=0; timeout 120 "$BIN/wso2-alloc" --json history --limit 100000 >"$T/hist" 2>"$T/err" || rc=$?
check "history --limit 100000 succeeds (exit $rc): $(head -c 200 "$T/err")" [ "$rc" -eq 0 ]
check "the history holds all 37,777 events ($(grep -c '"kind": ' "$T/hist" || true))" \
    [ "$(grep -c '"kind": ' "$T/hist" || true)" -eq 37777 ]
stop_daemon
cp "$DB" "$T/big.db"

# --- Connections: a per-uid share; root always gets in -------------------
# The daemon starts with 1,024 descriptors and must take the hard limit.
[ "$(ulimit -Hn)" -ge 8192 ] || ulimit -Hn 8192
ulimit -Sn 1024
start_daemon
ulimit -Sn 8192
lim=$(awk '/^Max open files/ { print $4, $5 }' "/proc/$DPID/limits")
check "the daemon raised its open files limit to the hard one ($lim)" \
    bash -c 'set -- $0; [ "$1" = "$2" ] && [ "$1" -ge 8192 ]' "$lim"
chmod 0666 "$SOCK"
setpriv --reuid=4242 --regid=4242 --clear-groups "$FLOOD" "$SOCK" --hold 2000 60 \
    >"$T/hold4242" &
H1=$!
wait_for 60 grep -q held "$T/hold4242" || true
r=$(cat "$T/hold4242")
check "uid 4242 opening 2,000: 128 get in, the rest told busy ($r)" [ "$r" = "held 128 busy 1872 lost 0" ]
r=$(timeout 10 "$FLOOD" "$SOCK" --ping || true)
check "root's ping is answered promptly meanwhile ($r ms)" ping_ok "$r" 1000
r=$(asuid 4343 timeout 10 "$FLOOD" "$SOCK" --ping || true)
check "uid 4343's ping is answered promptly meanwhile ($r ms)" ping_ok "$r" 1000
r=$(asuid 4242 timeout 10 "$FLOOD" "$SOCK" --ping || true)
check "uid 4242's next connection is told busy ($r)" [ "${r%% *}" = busy ]
# Root past the global limit (1,024) and the descriptors it started with.
"$FLOOD" "$SOCK" --hold 2000 60 >"$T/hold0" &
H2=$!
wait_for 60 grep -q held "$T/hold0" || true
r=$(cat "$T/hold0")
check "root opening 2,000 more: all get in ($r)" [ "$r" = "held 2000 busy 0 lost 0" ]
r=$(timeout 10 "$FLOOD" "$SOCK" --ping || true)
check "root's ping with 2,128 connections open ($r ms)" ping_ok "$r" 1000
r=$(asuid 4343 timeout 10 "$FLOOD" "$SOCK" --ping || true)
check "past the global limit, uid 4343 is told busy ($r)" [ "${r%% *}" = busy ]
kill "$H1" "$H2"; wait "$H1" "$H2" 2>/dev/null || true
check "the held connections are closed" wait_for 20 few_conns 1
r=$(asuid 4343 timeout 10 "$FLOOD" "$SOCK" --ping || true)
check "then uid 4343 gets in again ($r ms)" ping_ok "$r" 1000
stop_daemon
start_daemon --max-connections-per-uid 5
chmod 0666 "$SOCK"
r=$(asuid 4242 timeout 30 "$FLOOD" "$SOCK" --hold 10 0 || true)
check "--max-connections-per-uid 5: 5 of 10 get in ($r)" [ "$r" = "held 5 busy 5 lost 0" ]
stop_daemon

# --- Pipelining clients that hang up ---------------------------------------
DB="$T/fair.db"
start_daemon
for i in 1 2 3; do echo "{\"op\":\"lease\",\"product\":\"mi\",\"name\":\"f$i\"}"; done | raw >/dev/null
before=$(status_field requests)
# 20 connections x 64 KB of list (4,681 requests each), then closed.
"$FLOOD" "$SOCK" --pipeline 20 65536 '{"op":"list"}' 0 >/dev/null &
P=$!
worst=0; bad=0
for _ in $(seq 1 10); do
	r=$(timeout 10 "$FLOOD" "$SOCK" --ping || true)
	set -- $r
	[ "${1:-}" = ok ] || bad=$((bad + 1))
	[ "${2:-99999}" -le "$worst" ] || worst=${2:-99999}
	sleep 0.02
done
wait "$P" || true
check "pings during the flood all answered ok, slowest ${worst} ms < 2000" \
    bash -c '[ "$0" -eq 0 ] && [ "$1" -lt 2000 ]' "$bad" "$worst"
check "the flooding connections are closed" wait_for 20 few_conns 1
ran=$(( $(status_field requests) - before ))
check "requests of the closed connections were mostly not run ($ran of 93,620)" [ "$ran" -lt 18724 ]
stop_daemon

# --- SIGTERM under a queue -------------------------------------------------
DB="$T/big.db"
start_daemon
# Each of these costs milliseconds (a scan of 20,000 leases): 20 sockets
# full of them are minutes of work.
"$FLOOD" "$SOCK" --pipeline 20 1048576 \
    '{"op":"list","state":"released","product":"mi-4"}' 60 >"$T/queue" &
Q=$!
"$FLOOD" "$SOCK" --leases 4 500 mi sig >"$T/acks" &
L=$!
enough_acks() { [ "$(wc -l <"$T/acks")" -ge 20 ] && grep -q sent "$T/queue"; }
check "leases are acknowledged while the queue waits" wait_for 30 enough_acks
r=$(timeout 10 "$FLOOD" "$SOCK" --ping || true)
check "a ping is answered within 2 s meanwhile ($r ms)" ping_ok "$r" 2000
t0=$(date +%s%N)
kill -TERM "$DPID"
gone() { ! kill -0 "$DPID" 2>/dev/null; }
wait_for 10 gone || kill -9 "$DPID"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
rc=0; wait "$DPID" || rc=$?
DPID=
check "SIGTERM under a queue: exit within 2 s (${ms} ms)" [ "$ms" -lt 2000 ]
check "SIGTERM under a queue: exit code 0 ($rc)" [ "$rc" -eq 0 ]
kill "$Q" 2>/dev/null || true
wait "$Q" "$L" 2>/dev/null || true
start_daemon
sort -u "$T/acks" >"$T/acked"
sqlite3 "$DB" "SELECT name FROM instances WHERE state='active' AND name LIKE 'sig-%'" |
    sort >"$T/present"
check "every acknowledged lease ($(wc -l <"$T/acked")) is in the ledger after the restart" \
    [ -z "$(comm -23 "$T/acked" "$T/present")" ]
check "the queued leases were not all run ($(wc -l <"$T/present") of 2,000)" \
    [ "$(wc -l <"$T/present")" -lt 2000 ]
stop_daemon
finish

#!/usr/bin/env bash
# With --sync full no answer leaves before its commit is on disk: the
# WAL frames a lease wrote are fdatasync'ed before the lease's answer is
# written, and by another thread than the loop's, which serves on in the
# meantime.  With --sync normal nothing is synced before the answer.
# Pipelined leases, acknowledged and then killed with SIGKILL, are all
# in the ledger at the next start.
. "$(dirname "$0")/lib.sh"
if ! command -v strace >/dev/null || [ -n "${WA_DAEMON_WRAPPER:-}" ]; then
	echo "skip - needs strace, and a daemon without a wrapper"
	exit 0
fi
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

# Stop the traced daemon (strace's child) and strace with it.
stop_traced() {
	kill -TERM "$(pgrep -P "$DPID" -x wso2-allocd)"
	wait "$DPID" || true
	DPID=
}

# order NAME [FROM]: "WALWRITE SYNCSTART SYNCDONE ANSWER SYNCTID ANSWERTID"
# line numbers in the trace (0: none) around the first answer naming
# NAME after line FROM.
order() {
	awk -v name="$1" -v from="${2:-0}" '
	/pwrite64\([0-9]+<[^>]*-wal>/ { if (!ans) { wal = NR; ss = sd = 0 } }
	/fdatasync\([0-9]+<[^>]*-wal>|fsync\([0-9]+<[^>]*-wal>/ {
		if (!ans && wal) { ss = NR; st = $1; if ($0 ~ /\) = 0$/) sd = NR } }
	/<\.\.\. f(data)?sync resumed>.*= 0$/ {
		if (!ans && ss && $1 == st) sd = NR }
	/writev?\([0-9]+</ && !/writev?\(2</ && index($0, name) && !ans &&
	    NR > from {
		ans = NR; at = $1 }
	END { printf "%d %d %d %d %s %s\n", wal, ss, sd, ans, st, at }
	' "$T/strace"
}

WA_DAEMON_WRAPPER="strace -f -qq -y -o $T/strace -e trace=pwrite64,fdatasync,fsync,write,writev" \
    start_daemon --sync full
check "a lease under --sync full" bash -c \
    'echo "{\"op\":\"lease\",\"product\":\"mi\",\"name\":\"durable-one\"}" |
    "$0" "$1" | grep -q "\"ok\":true"' "$BIN/wa_raw" "$SOCK"
read -r wal ss sd ans st at <<<"$(order durable-one)"
check "its WAL frames were written before the answer ($wal < $ans)" \
    [ "$wal" -gt 0 -a "$ans" -gt "$wal" ]
check "the WAL was synced after them and before the answer ($wal < $ss <= $sd < $ans)" \
    [ "$ss" -gt "$wal" -a "$sd" -ge "$ss" -a "$ans" -gt "$sd" ]
check "by a thread other than the loop's ($st, the answer's $at)" \
    [ -n "$st" -a "$st" != "$at" ]

# A ttl's end is the expiry timer's own commit, outside any batch: a read
# that sees it waits for a sync too.
echo '{"op":"lease","product":"mi","name":"exp-one","ttl":2}' | raw >/dev/null
check "the ttl ended the lease" wait_for 10 grep -q 'exp-one.*expired\|expired.*exp-one' "$T/daemon.log"
from=$(wc -l <"$T/strace")
echo '{"op":"show","name":"exp-one"}' | raw >"$T/show.out"
check "show says expired" grep -q '"state":"expired"' "$T/show.out"
read -r wal ss sd ans st at <<<"$(order exp-one "$from")"
check "the expiry's WAL frames synced before the show's answer ($wal < $ss <= $sd < $ans)" \
    [ "$wal" -gt 0 -a "$ss" -gt "$wal" -a "$sd" -ge "$ss" -a "$ans" -gt "$sd" ]
stop_traced

: >"$T/strace"
WA_DAEMON_WRAPPER="strace -f -qq -y -o $T/strace -e trace=pwrite64,fdatasync,fsync,write,writev" \
    start_daemon --sync normal
echo '{"op":"lease","product":"mi","name":"normal-one"}' | raw >/dev/null
read -r wal ss sd ans st at <<<"$(order normal-one)"
check "--sync normal: WAL written ($wal), answered ($ans), no sync between ($ss)" \
    [ "$wal" -gt 0 -a "$ans" -gt "$wal" -a "$ss" -eq 0 ]
stop_traced

# 400 leases pipelined on 4 connections, SIGKILL once all are answered.
unset WA_DAEMON_WRAPPER
start_daemon --sync full
"$BIN/wa_flood" "$SOCK" --leases 4 100 mi k >"$T/flood.out"
acked=$(sort -u "$T/flood.out" | wc -l)
check "400 pipelined leases acknowledged ($acked)" [ "$acked" -eq 400 ]
kill -KILL "$DPID"; wait "$DPID" 2>/dev/null || true; DPID=
start_daemon --sync full
n=$(cli list | awk '$1 ~ /^k-/' | wc -l)
check "all 400 in the ledger after SIGKILL and a restart ($n)" [ "$n" -eq 400 ]
stop_daemon

# Under steady load a batch is open at almost every turn of the timers
# (it gathers while the last one syncs): pruning still gets its turn,
# while the load runs, not only once it stops.  The load is a count, not
# a time: a slow host takes longer, never too few events.
start_daemon --sync full --history-max-events 50
base=$(sqlite3 "$DB" "SELECT max(id) FROM events")
"$BIN/load" wso2 "$SOCK" 8 8000 mi >"$T/load.out" 2>&1 &
lpid=$!
pruned_under_load() {
	kill -0 "$lpid" 2>/dev/null || return 2
	sqlite3 "$DB" "SELECT max(id) - $base >= 3000 AND
	    2 * count(*) <= max(id) - $base FROM events" 2>/dev/null |
	    grep -qx 1
}
rc=0
wait_for 120 pruned_under_load || rc=$?
check "most history pruned while 8 clients lease and release" \
    [ "$rc" -eq 0 ]
wait "$lpid" || true
check "the load's clients all finished ($(cat "$T/load.out"))" \
    grep -q "failed clients 0" "$T/load.out"
stop_daemon
finish

#!/usr/bin/env bash
# 64 concurrent clients, 500 leases: every one acknowledged, port sets
# pairwise disjoint, the ledger equal to the answers; then SIGKILL in the
# middle of storms: no acknowledged lease is ever lost.
. "$(dirname "$0")/lib.sh"
ROUNDS=${WA_CRASH_ROUNDS:-20}

# Ports of every acknowledged lease, one "proto port" per line.
answer_ports() {
	grep -o '"port":[0-9]*,"proto":"[a-z]*"' "$1" |
	    sed 's/"port":\([0-9]*\),"proto":"\([a-z]*\)"/\2 \1/'
}

start_daemon --port-ceiling 65535
"$BIN/wa_raw" "$SOCK" --storm 64 500 mi >"$T/acks"
check "all 500 leases acknowledged" [ "$(wc -l <"$T/acks")" -eq 500 ]
answer_ports "$T/acks" | sort >"$T/answered"
check "answers carry 2,000 ports (4 per MI lease)" [ "$(wc -l <"$T/answered")" -eq 2000 ]
check "answers: every port set pairwise disjoint" [ -z "$(uniq -d "$T/answered")" ]
sqlite3 "$DB" "SELECT proto || ' ' || port FROM leased_ports" | sort >"$T/ledger"
check "the ledger holds exactly the answered ports" cmp -s "$T/answered" "$T/ledger"
check "the ledger holds 500 active instances" \
    [ "$(sqlite3 "$DB" "SELECT count(*) FROM instances WHERE state='active'")" -eq 500 ]
stop_daemon

# Crash campaign: SIGKILL at a random moment of a 64-client storm.
rm -f "$DB" "$DB"-*
lost=0; dup=0; bad=0
for round in $(seq 1 "$ROUNDS"); do
	start_daemon --port-ceiling 65535
	"$BIN/wa_raw" "$SOCK" --storm 64 640 "apim" >"$T/acks.$round" 2>/dev/null &
	SPID=$!
	sleep "0.$((RANDOM % 4 + 1))$((RANDOM % 10))"
	kill -9 "$DPID"; wait "$DPID" 2>/dev/null || true; DPID=
	wait "$SPID" 2>/dev/null || true
	{ grep -o '"name":"storm-[0-9]*-[0-9]*"' "$T/acks.$round" || true; } | cut -d'"' -f4 | sort -u >"$T/acked"
	sqlite3 "$DB" "SELECT name FROM instances WHERE state='active'" | sort >"$T/present"
	missing=$(comm -23 "$T/acked" "$T/present" | wc -l)
	lost=$((lost + missing))
	[ "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok ] || bad=$((bad + 1))
	d=$(sqlite3 "$DB" "SELECT count(*) FROM (SELECT i1.name FROM instances i1
	    JOIN leased_ports p1 ON p1.instance_id = i1.id
	    JOIN leased_ports p2 ON p2.port = p1.port AND p2.proto = p1.proto
	    AND p2.instance_id != p1.instance_id)")
	dup=$((dup + d))
	# Leases end between rounds, so the storm names can be leased again.
	sqlite3 "$DB" "DELETE FROM leased_ports; UPDATE instances SET state='released'"
	echo "# round $round: $(wc -l <"$T/acked") acknowledged, $missing missing"
done
check "crash campaign: no acknowledged lease lost in $ROUNDS rounds" [ "$lost" -eq 0 ]
check "crash campaign: no two active instances share a port" [ "$dup" -eq 0 ]
check "crash campaign: integrity_check ok after every kill" [ "$bad" -eq 0 ]
finish

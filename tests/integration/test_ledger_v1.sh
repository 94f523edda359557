#!/usr/bin/env bash
# A v1 ledger (schema 3) that a real v1 daemon wrote (data/make-ledger-v1:
# active, released, expired and reclaimed leases, tcp and udp ports, a
# renewed and an attached lease, coalesced refusals of two uids, a name
# refused before it was leased), opened by this daemon: migrated with
# every lease, port and event kept, and the same answers, byte for byte.
. "$(dirname "$0")/lib.sh"
D="$WA_SRC/tests/integration/data"
latest=$(find "$WA_SRC/schema/ledger" -name '[0-9][0-9][0-9]_*.sql' | wc -l)

sqlite3 "$DB" <"$D/ledger-v1.sql"
cp "$DB" "$T/v1.db"
check "the file is a v1 ledger" [ "$(sqlite3 "$DB" 'PRAGMA user_version')" = 3 ]
start_daemon
check "migrated to schema $latest" [ "$(sqlite3 "$DB" 'PRAGMA user_version')" = "$latest" ]
raw <"$D/ledger-v1.requests" >"$T/answers"
if cmp -s "$D/ledger-v1.answers" "$T/answers"; then
	ok "list, show, history, who and ports answer as v1 did ($(wc -l <"$T/answers") requests)"
else
	fail "answers differ from v1's: $(diff "$D/ledger-v1.answers" "$T/answers" | cut -c1-300 | head -6)"
fi
stop_daemon

# The rows themselves, beside the v1 file: every column of every lease,
# port and event (what the protocol shows and what it does not, such as
# a refusal's reason).
v1() { sqlite3 "$T/v1.db" "$1"; }
v2() { sqlite3 "$DB" "$1"; }
cols="id, name, product, offset, state, owner_uid, pid, pid_start, created, renewed, expires, labels, note, home"
check "every instance row kept" [ "$(v1 "SELECT $cols FROM instances ORDER BY id")" = \
    "$(v2 "SELECT $cols FROM instances ORDER BY id")" ]
check "every port key kept, with its holder" [ "$(v1 'SELECT proto, port, instance_id FROM leased_ports ORDER BY 1, 2')" = \
    "$(v2 'SELECT proto, port, instance_id FROM leased_ports ORDER BY 1, 2')" ]
check "every port name in its lease's row" [ "$(v1 "SELECT i.name, p.name, p.port, p.proto FROM leased_ports p JOIN instances i ON i.id = p.instance_id ORDER BY 1, 3, 4")" = \
    "$(v2 "WITH RECURSIVE s(n, e, rest) AS (SELECT name, '', ports || ',' FROM instances WHERE ports IS NOT NULL
	UNION ALL SELECT n, substr(rest, 1, instr(rest, ',') - 1), substr(rest, instr(rest, ',') + 1) FROM s WHERE rest <> '')
	SELECT n, substr(e, 1, instr(e, '=') - 1), CAST(substr(e, instr(e, '=') + 1, instr(e, '/') - instr(e, '=') - 1) AS INTEGER),
	substr(e, instr(e, '/') + 1) FROM s WHERE e <> '' ORDER BY 1, 3, 4")" ]
check "every event kept, its kind, instance, reason and repeats" [ \
    "$(v1 'SELECT id, time, kind, instance, product, offset, uid, pid, detail, repeats, last_time, reason FROM events ORDER BY id')" = \
    "$(v2 "SELECT e.id, e.time, CASE e.kind WHEN 0 THEN 'leased' WHEN 1 THEN 'renewed' WHEN 2 THEN 'released'
	WHEN 3 THEN 'expired' WHEN 4 THEN 'reclaimed' WHEN 5 THEN 'adopted' WHEN 6 THEN 'refused' WHEN 7 THEN 'attached' END,
	coalesce(i.name, e.name), e.product, e.offset, e.uid, e.pid, e.detail, e.repeats, e.last_time, e.reason
	FROM events e LEFT JOIN instances i ON i.id = e.instance_id ORDER BY e.id")" ]
check "the v1 file had coalesced refusals" [ "$(v1 "SELECT group_concat(repeats) FROM (SELECT repeats FROM events WHERE kind = 'refused' ORDER BY id)")" = 3,2,1 ]
check "integrity" [ "$(v2 'PRAGMA integrity_check')" = ok ]

# Read-only, with the daemon down: the client reads the migrated file.
cli --no-start --db "$DB" list --state all >"$T/offline" 2>/dev/null
check "offline list names every lease" [ "$(awk 'NR > 1 { print $1 }' "$T/offline" | sort | tr '\n' ' ')" = \
    "alpha beta delta eps gamma kappa mi-4-1 theta zeta " ]

# Migrated leases live on: beta's ports come free by key when it ends,
# and the same ports can be leased again.
start_daemon
check "beta released" bash -c 'echo "{\"op\":\"release\",\"name\":\"beta\"}" | "$0" "$1" | grep -q "\"state\":\"released\""' "$BIN/wa_raw" "$SOCK"
check "beta's port keys gone" [ "$(v2 "SELECT count(*) FROM leased_ports WHERE instance_id = (SELECT id FROM instances WHERE name = 'beta')")" = 0 ]
check "its row keeps no ports" [ "$(v2 "SELECT ports IS NULL FROM instances WHERE name = 'beta'")" = 1 ]
echo '{"op":"lease","product":"apim-4","name":"beta2","offset":1,"with":["kdc"]}' | raw >"$T/out"
check "the same ports leased again" grep -q '"created":true' "$T/out"
check "8001/udp is beta2's" bash -c 'echo "{\"op\":\"who\",\"port\":8001,\"proto\":\"udp\"}" | "$0" "$1" | grep -q "\"name\":\"beta2\""' "$BIN/wa_raw" "$SOCK"
check "alpha's ports still refused to others" bash -c 'echo "{\"op\":\"lease\",\"product\":\"mi-4\",\"name\":\"x\",\"offset\":0}" | "$0" "$1" | grep -q "\"code\":\"conflict\""' "$BIN/wa_raw" "$SOCK"
check "no port twice" ledger_disjoint
stop_daemon
finish

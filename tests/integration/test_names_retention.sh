#!/usr/bin/env bash
# A leased name is not handed to another owner or another request; the
# history is pruned by count and age and one uid's repeated refusals are
# one row; the ledger's files are private whatever the umask.
. "$(dirname "$0")/lib.sh"
umask 022
start_daemon

mode() { stat -c %a "$1"; }
events() { sqlite3 "$DB" "SELECT count(*) FROM events"; }

# An instance that ends early: its events are the oldest.
cli lease --product mi --name gone1 >/dev/null
cli release gone1 >/dev/null

# --- Offsets: a name's lease is not returned for another offset. ---
check "a1 is leased at offset 0" \
    [ "$(cli lease --product apim --name a1 --format offset)" = 0 ]
expect_rc 3 "lease --name a1 --offset 5 on a1 at 0: conflict" \
    cli lease --product apim --name a1 --offset 5
check "the conflict names a1, its owner and its offset" \
    grep -q "name a1 is taken: leased by uid 0 for apim-4 at offset 0" "$T/err"
check "the client adds the owner's user name" \
    grep -q "a1 belongs to user root" "$T/err"
r=$(echo '{"op":"lease","product":"apim","name":"a1","offset":5}' | raw)
check "the error fields name the holder and what differs" contains "$r" \
    '"holder":"a1","holder_kind":"name","owner_uid":0,"product":"apim-4","offset":0,"home":null,"mismatch":\["offset"\]'
expect_rc 0 "the same request again: exit 0" \
    cli lease --product apim --name a1
check "the text output says the lease already existed" \
    grep -q "already leased" "$T/out"
r=$(echo '{"op":"lease","product":"apim","name":"a1","offset":0}' | raw)
check "the same offset, asked: the same lease, created false" \
    contains "$r" '"created":false,"ok":true'
r=$(echo '{"op":"lease","product":"apim","name":"a2"}' | raw)
check "a new lease says created true" contains "$r" '"created":true'

# --- A running server's name: a second exec would share its ports. ---
"$BIN/wso2-alloc" exec --product mi --name ex1 --no-offset-arg -- sleep 60 &
EX=$!
check "the first exec's lease is bound to its pid" wait_for 10 bash -c \
    "\"\$0\" show ex1 --json 2>/dev/null | grep -q '\"pid\": $EX'" "$BIN/wso2-alloc"
expect_rc 3 "a second exec of the running server's name: conflict" \
    cli exec --product mi --name ex1 --no-offset-arg -- true
check "the conflict says the pid differs" grep -q "pid differs" "$T/err"
kill "$EX"; wait "$EX" 2>/dev/null || true

# --- File modes under umask 022. ---
for f in "$DB" "$DB-wal" "$DB-shm" "$DB.lock"; do
	check "$(basename "$f") is 0600 under umask 022" [ "$(mode "$f")" = 600 ]
done

if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	chmod 0666 "$SOCK"
	U=$T/u4242
	mkdir -p "$U/orders-mi" "$U/run" "$U/state"
	chown -R 4242:4242 "$U"
	as() {
		local uid=$1; shift
		setpriv --reuid="$uid" --regid="$uid" --clear-groups env \
		    HOME="$U" XDG_RUNTIME_DIR="$U/run" XDG_STATE_HOME="$U/state" \
		    WSO2_ALLOC_SOCKET="$SOCK" "$@"
	}

	# --- Squatting by name: the user's lease is not root's. ---
	expect_rc 0 "uid 4242 leases orders-mi with --home in its own dir" \
	    as 4242 "$BIN/wso2-alloc" lease --product mi --home "$U/orders-mi"
	check "the lease is named after its home" grep -q "^orders-mi: mi-4" "$T/out"
	expect_rc 3 "root's lease --name orders-mi --home /other: conflict" \
	    cli lease --product mi --name orders-mi --home /opt/wso2mi-4.2.0
	check "the message names the holder's name, owner and home" grep -q \
	    "name orders-mi is taken: leased by uid 4242 for mi-4 at offset [0-9]*, home $U/orders-mi; this request's owner, home differ" \
	    "$T/err"
	r=$(echo '{"op":"lease","product":"mi","name":"orders-mi","home":"/opt/wso2mi-4.2.0"}' | raw)
	check "the error fields name owner and home" contains "$r" \
	    "\"holder\":\"orders-mi\",\"holder_kind\":\"name\",\"owner_uid\":4242,.*\"home\":\"$U/orders-mi\",\"mismatch\":\[\"owner\",\"home\"\]"
	expect_rc 3 "root asking for the name alone: still a conflict" \
	    cli lease --product mi --name orders-mi
	r=$(echo '{"op":"show","name":"orders-mi"}' | raw)
	check "the lease is still the user's, with the user's home" contains "$r" \
	    "\"owner_uid\":4242,\"pid\":null,\"home\":\"$U/orders-mi\""
	r=$(echo "{\"op\":\"lease\",\"product\":\"mi\",\"home\":\"$U/orders-mi\"}" |
	    as 4242 "$BIN/wa_raw" "$SOCK")
	check "the owner's same request: its lease, created false" \
	    contains "$r" '"created":false,"ok":true'

	# --- 3,000 refused leases from one uid. ---
	wal0=$(stat -c %s "$DB-wal")
	ev0=$(events)
	for _ in $(seq 3000); do
		echo '{"op":"lease","product":"apim","offset":0}'
	done >"$T/refuse"
	n=$(as 4343 timeout 120 "$BIN/wa_raw" "$SOCK" <"$T/refuse" |
	    grep -c '"holder":"a1"' || true)
	check "3,000 leases at a1's offset refused ($n)" [ "$n" = 3000 ]
	ev1=$(events)
	check "they added one event ($ev0 -> $ev1)" [ "$((ev1 - ev0))" -le 2 ]
	wal1=$(stat -c %s "$DB-wal")
	check "the WAL stays small ($wal0 -> $wal1 bytes)" [ "$wal1" -lt 1048576 ]
	check "history counts them, within seconds" wait_for 10 bash -c \
	    "echo '{\"op\":\"history\",\"limit\":100}' | '$BIN/wa_raw' '$SOCK' |
	    grep -q '\"uid\":4343,\"pid\":[0-9]*,\"detail\":{[^}]*},\"repeats\":3000'"
	check "the CLI's history shows the count" bash -c \
	    "'$BIN/wso2-alloc' history | grep -q 'refused x3000 .* 4343'"
else
	echo "skip - names and refusals of other uids need root and setpriv"
fi

# Six events newer than every other.
for i in 1 2 3; do
	cli lease --product is --name "t$i" >/dev/null
	cli release "t$i" >/dev/null
done
stop_daemon

# --- Pruning by count: the newest 5 stay, and instances only they name.
newest=$(sqlite3 "$DB" "SELECT max(id) FROM events")
start_daemon --history-max-events 5
check "pruned to the newest 5 events" wait_for 10 bash -c \
    "[ \"\$(sqlite3 '$DB' 'SELECT count(*) FROM events')\" -le 5 ]"
check "the newest event is kept" \
    [ "$(sqlite3 "$DB" "SELECT max(id) FROM events")" = "$newest" ]
expect_rc 1 "an ended instance left without events is gone" cli show gone1
expect_rc 0 "an active lease whose events went stays" cli show a1
expect_rc 0 "so does the ended t3, whose events are kept" cli show t3
stop_daemon

# --- Pruning by age: all but the newest two made two days old. ---
sqlite3 "$DB" "DROP TRIGGER events_append_only_update;
    UPDATE events SET time = time - 2 * 86400000
    WHERE id < (SELECT max(id) - 1 FROM events)"
start_daemon --history-max-age 1d --history-max-events 0
check "events older than a day are pruned, the rest kept" wait_for 10 bash -c \
    "[ \"\$(sqlite3 '$DB' 'SELECT count(*) FROM events')\" = 2 ]"
stop_daemon

# --- Modes: an older ledger's 0644 is fixed; --group gives 0640. ---
chmod 0644 "$DB"
start_daemon
cli lease --product apim --name m1 >/dev/null
for f in "$DB" "$DB-wal" "$DB-shm" "$DB.lock"; do
	check "$(basename "$f") of a 0644 ledger is 0600 after a start" \
	    [ "$(mode "$f")" = 600 ]
done
stop_daemon
SOCK=$T/g.sock DB=$T/g.db
export WSO2_ALLOC_SOCKET=$SOCK
start_daemon --group nogroup
cli lease --product apim --name g1 >/dev/null
for f in "$DB" "$DB-wal" "$DB-shm" "$DB.lock"; do
	check "$(basename "$f") is 0640 and group nogroup with --group" \
	    [ "$(stat -c %a:%G "$f")" = 640:nogroup ]
done
stop_daemon
# A group member reads the stopped daemon's ledger through the group bit,
# in a directory it may not write (SQLite's -shm cannot be made there).
expect_rc 0 "a group member reads the stopped daemon's 0640 ledger offline" \
    setpriv --reuid=4242 --regid="$(getent group nogroup | cut -d: -f3)" --clear-groups \
    env HOME=/ "$BIN/wso2-alloc" --socket "$SOCK" --db "$DB" list
check "it lists the group daemon's lease" grep -q '^g1 ' "$T/out"
finish

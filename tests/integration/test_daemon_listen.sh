#!/usr/bin/env bash
# Where the daemon listens and how it speaks to systemd: stale and live
# sockets, socket activation, sd_notify, journal priorities, --user
# paths; and the options that bound what it grants.
. "$(dirname "$0")/lib.sh"
CAT="$WA_SRC/schema/products"

# wait_ping SOCKET: the daemon on SOCKET answers within 15 s.
wait_ping() {
	for _ in $(seq 1 750); do
		[ -S "$1" ] && echo '{"op":"ping"}' | "$BIN/wa_raw" "$1" \
		    2>/dev/null | grep -q '"ok":true' && return 0
		sleep 0.02
	done
	return 1
}
lease() { echo "$1" | raw; }

# A crash leaves the socket file behind: the next daemon replaces it.
start_daemon
kill -9 "$DPID"; wait "$DPID" 2>/dev/null || true; DPID=
check "SIGKILL leaves the socket file behind" [ -S "$SOCK" ]
start_daemon
check "the next daemon replaces the stale socket" grep -q "replaced stale socket $SOCK" "$T/daemon.log"

# A live daemon's socket is never taken over, even with another ledger.
rc=0; "$BIN/wso2-allocd" --socket "$SOCK" --db "$T/other.db" --catalog "$CAT" 2>"$T/second" || rc=$?
check "a second daemon on a live socket exits 1 (exit $rc)" [ "$rc" -eq 1 ]
check "it says another daemon serves the socket" grep -q "another wso2-allocd is serving $SOCK" "$T/second"
check "the first daemon still serves" contains "$(echo '{"op":"ping"}' | raw)" '"ok":true'
stop_daemon

# A file that is not a socket is never removed.
echo keep >"$T/notsock"
rc=0; "$BIN/wso2-allocd" --socket "$T/notsock" --db "$T/other.db" --catalog "$CAT" 2>"$T/err" || rc=$?
check "a regular file at the socket path is refused and kept (exit $rc)" \
    bash -c '[ "$0" -eq 1 ] && grep -q "not a socket" "$1" && [ "$(cat "$2")" = keep ]' "$rc" "$T/err" "$T/notsock"

# sd_notify, to a path and to an abstract address.
for addr in "$T/notify" "@wa-notify-$$"; do
	: >"$T/notes"
	"$BIN/wa_raw" --notify "$addr" 1 >"$T/notes" &
	NPID=$!
	for _ in $(seq 1 100); do grep -q ready "$T/notes" && break; sleep 0.02; done
	export NOTIFY_SOCKET="$addr"
	start_daemon
	unset NOTIFY_SOCKET
	for _ in $(seq 1 100); do grep -qx READY=1 "$T/notes" && break; sleep 0.02; done
	check "READY=1 reaches NOTIFY_SOCKET $addr" grep -qx READY=1 "$T/notes"
	stop_daemon
	wait "$NPID" || true
	check "STOPPING=1 reaches NOTIFY_SOCKET $addr" grep -qx STOPPING=1 "$T/notes"
done

# Socket activation: the listening socket comes as fd 3.
ASOCK="$T/activated.sock"
"$BIN/wa_raw" --activate "$ASOCK" "$BIN/wso2-allocd" --socket "$T/own.sock" \
    --db "$DB" --catalog "$CAT" >>"$T/daemon.log" 2>&1 &
DPID=$!
check "socket activation: the daemon serves the passed socket" wait_ping "$ASOCK"
check "socket activation: no socket of its own" [ ! -e "$T/own.sock" ]
r=$(echo '{"op":"lease","product":"mi","name":"activated"}' | "$BIN/wa_raw" "$ASOCK")
check "socket activation: leases are served" contains "$r" '"name":"activated"'
r=$(echo '{"op":"status"}' | "$BIN/wa_raw" "$ASOCK")
check "socket activation: status names the passed socket" contains "$r" "\"socket\":\"$ASOCK\""
check "socket activation: so does the log" grep -q "serving $ASOCK," "$T/daemon.log"
stop_daemon
check "socket activation: the socket file is left to systemd" [ -S "$ASOCK" ]

# Under the journal: <N> priorities instead of timestamps; --log-level.
: >"$T/daemon.log"
export JOURNAL_STREAM=8:12345
start_daemon --log-level notice
unset JOURNAL_STREAM
lease '{"op":"lease","product":"mi","name":"quiet"}' >/dev/null
check "journal: the start line carries <5> (notice)" grep -q '^<5>wso2-allocd .* serving' "$T/daemon.log"
check "journal: no timestamps" bash -c '! grep -q "^20[0-9][0-9]-" "$0"' "$T/daemon.log"
check "--log-level notice hides info lines (leases)" bash -c '! grep -q "leased quiet" "$0"' "$T/daemon.log"
stop_daemon
start_daemon
lease '{"op":"lease","product":"mi","name":"loud"}' >/dev/null
check "info lines (leases) are logged by default, with a timestamp" \
    grep -q '^20[0-9-]*T[0-9:]*Z wso2-allocd\[[0-9]*\]: leased loud' "$T/daemon.log"
stop_daemon

# --user: the socket and ledger under XDG_RUNTIME_DIR and XDG_STATE_HOME.
US="$XDG_RUNTIME_DIR/wso2-alloc/wso2-alloc.sock"
"$BIN/wso2-allocd" --user --catalog "$CAT" >>"$T/daemon.log" 2>&1 &
DPID=$!
check "--user: serves \$XDG_RUNTIME_DIR/wso2-alloc/wso2-alloc.sock" wait_ping "$US"
check "--user: the socket is 0600" [ "$(stat -c %a "$US")" = 600 ]
check "--user: its directory is 0700" [ "$(stat -c %a "$(dirname "$US")")" = 700 ]
check "--user: the ledger is \$XDG_STATE_HOME/wso2-alloc/ledger.db" [ -f "$XDG_STATE_HOME/wso2-alloc/ledger.db" ]
check "--user: the state directory is 0700" [ "$(stat -c %a "$XDG_STATE_HOME/wso2-alloc")" = 700 ]
stop_daemon
check "--user: SIGTERM removes the socket" [ ! -e "$US" ]

# What may be granted: --exclude-ports, the ephemeral ceiling, offsets.
start_daemon --exclude-ports 9000-9010,9443
r=$(lease '{"op":"lease","product":"apim","name":"x0","offset":0}')
check "--exclude-ports: 9443 is refused as excluded" \
    bash -c 'grep -q "\"holder_kind\":\"excluded\"" <<<"$0" && grep -q "\"port\":9443" <<<"$0"' "$r"
r=$(lease '{"op":"lease","product":"apim","name":"e0","offset":30000}')
check "by default no port reaches the ephemeral range" contains "$r" '"code":"invalid"'
stop_daemon
start_daemon --allow-ephemeral
r=$(lease '{"op":"lease","product":"apim","name":"e1","offset":30000}')
check "--allow-ephemeral grants a port in the ephemeral range" contains "$r" '"offset":30000'
check "--allow-ephemeral: the lease carries a warning" contains "$r" 'ephemeral range'
stop_daemon
start_daemon --min-offset 5 --max-offset 6
r=$(lease '{"op":"lease","product":"is","name":"m1"}')
check "--min-offset: the lowest offset granted is 5" contains "$r" '"offset":5'
lease '{"op":"lease","product":"is","name":"m2"}' >/dev/null
r=$(lease '{"op":"lease","product":"is","name":"m3"}')
check "--max-offset: beyond it, exhausted" contains "$r" '"code":"exhausted"'
stop_daemon
# A lease whose product leaves the catalog (SIGHUP) is still served.
mkdir "$T/cat"; cp "$CAT"/*.json "$T/cat/"
"$BIN/wso2-allocd" --socket "$SOCK" --db "$DB" --catalog "$T/cat" >>"$T/daemon.log" 2>&1 &
DPID=$!
wait_ping "$SOCK"
r=$(lease '{"op":"lease","product":"si","name":"orphan","offset":4}')
check "a lease of si-4 before it leaves the catalog" contains "$r" '"offset":4'
rm "$T/cat/si-4.json"; : >"$T/daemon.log"
kill -HUP "$DPID"
for _ in $(seq 1 100); do grep -q "catalog reloaded" "$T/daemon.log" && break; sleep 0.02; done
check "the reloaded catalog has one product less" grep -q "catalog reloaded: $(($(ls "$CAT"/*.json | wc -l) - 1)) products" "$T/daemon.log"
r=$(lease '{"op":"show","name":"orphan"}')
check "a lease of a vanished product is still shown, active" contains "$r" '"state":"active"'
check "... with a warning that says so" contains "$r" 'product no longer in the catalog'
check "... and listed" contains "$(lease '{"op":"list","product":"si-4"}')" '"name":"orphan"'
check "... its ports still held" contains "$(lease '{"op":"who","port":9447}')" '"name":"orphan"'
check "a new lease of the vanished product: unknown_product" contains "$(lease '{"op":"lease","product":"si"}')" '"code":"unknown_product"'
check "the lease of a vanished product can be released" contains "$(lease '{"op":"release","name":"orphan"}')" '"state":"released"'
stop_daemon
expect_rc 64 "an unknown --log-level is a usage error" "$BIN/wso2-allocd" --log-level loud
expect_rc 64 "min-offset above max-offset is a usage error" "$BIN/wso2-allocd" --min-offset 9 --max-offset 3
finish

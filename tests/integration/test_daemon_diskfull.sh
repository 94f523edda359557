#!/usr/bin/env bash
# Group commit when the disk fills: the ledger lives on a small tmpfs in
# the daemon's own mount namespace.  A write that cannot be committed is
# answered "unavailable", changes nothing (ledger and port map), and the
# daemon keeps serving; once space returns, writes succeed again.
. "$(dirname "$0")/lib.sh"
if [ "$(id -u)" -ne 0 ] || ! unshare -m true 2>/dev/null; then
	echo "skip - needs root and mount namespaces"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi
mkdir "$T/small"
cat >"$T/mountns.sh" <<SH
#!/bin/sh
mount -t tmpfs -o size=4m tmpfs "$T/small" || exit 1
exec "\$@"
SH
chmod +x "$T/mountns.sh"
DB="$T/small/ledger.db"
WA_DAEMON_WRAPPER="unshare -m --propagation private $T/mountns.sh" start_daemon
ns() { nsenter -t "$DPID" -m "$@"; }
req() { echo "$1" | raw; }

r=$(req '{"op":"lease","product":"apim","name":"before","offset":0}')
check "a lease before the disk fills" contains "$r" '"name":"before"'
sleep 300 & SP=$!
r=$(req "{\"op\":\"lease\",\"product\":\"mi\",\"name\":\"bound\",\"pid\":$SP}")
check "a pid-bound lease before the disk fills" contains "$r" '"name":"bound"'
ns dd if=/dev/zero of="$T/small/fill" bs=64k 2>/dev/null || true
check "the ledger's file system is full" [ "$(ns df --output=avail "$T/small" | tail -1 | tr -d ' ')" -eq 0 ]

r=$(req '{"op":"lease","product":"is","name":"lost","offset":3}')
check "a lease that cannot be committed: unavailable" contains "$r" '"code":"unavailable"'
r=$(req '{"op":"release","name":"before"}')
check "a release that cannot be committed: unavailable" contains "$r" '"code":"unavailable"'
r=$(req '{"op":"release","name":"bound"}')
check "so is the release of a pid-bound lease" contains "$r" '"code":"unavailable"'
# Several writes of one batch (one connection, no waiting between lines).
r=$(printf '%s\n' '{"op":"lease","product":"is","name":"b1"}' \
    '{"op":"lease","product":"si","name":"b2"}' '{"op":"list","id":"l1"}' \
    '{"op":"ping"}' | raw --bytes)
check "every write of a failed batch: unavailable" [ "$(grep -c '"code":"unavailable"' <<<"$r")" -eq 3 ]
check "so is a list that saw those writes" bash -c 'grep "\"l1\"" <<<"$0" | grep -q "\"code\":\"unavailable\""' "$r"
check "a read of no lease in the same batch is still answered" contains "$r" '"protocol":'
# An error read from the batch's uncommitted state is not sent either:
# after the release that will not commit, 9443 looks free.
r=$(printf '%s\n' '{"op":"release","name":"before"}' \
    '{"op":"who","port":9443,"id":"w1"}' | raw --bytes)
check "a not_found read from a failed batch: unavailable" bash -c 'grep "\"w1\"" <<<"$0" | grep -q "\"code\":\"unavailable\""' "$r"
r=$(req '{"op":"show","name":"lost"}')
check "the failed lease is not in the ledger" contains "$r" '"code":"not_found"'
r=$(req '{"op":"show","name":"before"}')
check "the failed release left the lease active" contains "$r" '"state":"active"'
r=$(req '{"op":"list"}')
check "list shows what the ledger holds, not what failed" [ "$(grep -o '"name":"[^"]*","product"' <<<"$r" | cut -d'"' -f4 | paste -sd, -)" = "before,bound" ]
check "the log names no lease that was not committed" bash -c '! grep -Eq "leased (lost|b1|b2)|released (before|bound)" "$0"' "$T/daemon.log"
check "the log says the commit failed" grep -q "ledger commit failed (disk full)" "$T/daemon.log"
check "the daemon keeps serving" contains "$(req '{"op":"ping"}')" '"ok":true'

ns rm -f "$T/small/fill"
r=$(req '{"op":"lease","product":"is","name":"after","offset":3}')
check "space back: the failed lease's ports were never held" contains "$r" '"name":"after"'
r=$(req '{"op":"lease","product":"apim","name":"again","offset":0}')
check "space back: the failed release's ports are still held" contains "$r" '"holder":"before"'
r=$(req '{"op":"release","name":"before"}')
check "space back: release commits" contains "$r" '"state":"released"'
kill "$SP"; wait "$SP" 2>/dev/null || true
for _ in $(seq 1 40); do
	contains "$(req '{"op":"show","name":"bound"}')" '"state":"reclaimed"' && break
	sleep 0.05
done
check "the failed release kept watching the lease's process" contains "$(req '{"op":"show","name":"bound"}')" '"state":"reclaimed"'
names=$(ns sqlite3 "$DB" "SELECT group_concat(name) FROM (SELECT name FROM instances ORDER BY name)")
check "the ledger holds exactly the committed leases ($names)" [ "$names" = "after,before,bound" ]
stop_daemon
finish

#!/usr/bin/env bash
# The lease op's explicit host ports (adopt of a server in a container):
# a port bound on the host is recorded only for the user whose process
# holds it (or whose container a runtime's proxy forwards it to), or for
# root; every port stays within the daemon's port ceiling.  Without it
# a user could squat a port another user's unrecorded server holds.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "SKIP - needs root for other uids"; exit 77; }
command -v ip >/dev/null || { echo "SKIP - no ip(8)"; exit 77; }
start_daemon
A=4242 B=4343
mkdir -p "$T/bin"
cp "$BIN/fake_java" "$T/bin/docker-proxy"
bound() { [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]; }
# adopt UID PORTNAME PORT NAME: the lease op as scan --adopt sends it.
adopt() {
	local req
	req=$(printf '{"op":"lease","product":"apim-4","name":"%s","adopt":true,"ports":{"%s":%s}}' \
	    "$4" "$2" "$3")
	if [ "$1" = 0 ]; then raw <<<"$req"; else as_user "$1" "$BIN/wa_raw" "$SOCK" <<<"$req"; fi
}
leased() { sqlite3 "$DB" "SELECT count(*) FROM leased_ports WHERE port = $1"; }
code() { jq -r '.error.code // "ok"' <<<"$1"; }

# uid A's server, not recorded anywhere, on 9450 and on 127.0.0.1:9451;
# uid B binds 127.0.0.2:9451 beside it.
as_user $A env FAKE_JAVA_BIND=9450,9451 "$BIN/fake_java" &
APID=$!
as_user $B env FAKE_JAVA_BIND=9451 FAKE_JAVA_ADDR=127.0.0.2 "$BIN/fake_java" &
BPID=$!
check "both listen" wait_for 10 bash -c "$(declare -f bound); bound 9450 && [ \$(ss -Hltn 'sport = :9451' | wc -l) -eq 2 ]"

r=$(adopt $B servlet-https 9450 squat)
check "uid B may not record uid A's bound port: forbidden ($r)" test "$(code "$r")" = forbidden
check "the refusal names the holder's uid" test "$(jq -c '.error | [.owner_uid, .port, .holder_kind]' <<<"$r")" = "[$A,9450,\"host\"]"
check "and its pid: uid A's fake_java" test "$(cat "/proc/$(jq .error.holder_pid <<<"$r")/comm")" = fake_java
check "nothing recorded" test "$(leased 9450)" = 0
AJ=$(jq .error.holder_pid <<<"$r")
# The same squat through a lease bound to uid A's pid: a lease binds
# only to the caller's own process (and only its ports count as free).
bind_req() { printf '{"op":"lease","product":"apim-4","name":"%s","offset":7,"pid":%s,"adopt":true}' "$1" "$AJ"; }
r=$(as_user $B "$BIN/wa_raw" "$SOCK" <<<"$(bind_req bypid)")
check "uid B may not lease uid A's port by naming A's pid ($r)" test "$(code "$r")" = forbidden
check "the refusal names A as the process's owner" test "$(jq -r .error.owner_uid <<<"$r")" = $A
check "nothing recorded by pid" test "$(leased 9450)" = 0
r=$(adopt $B servlet-https 9451 squat)
check "nor a port uid A holds beside uid B's own socket: forbidden ($r)" test "$(code "$r")" = forbidden
check "nothing recorded for 9451" test "$(leased 9451)" = 0
r=$(adopt $B servlet-https 40000 far)
check "a port above the ceiling (32767) is refused: invalid ($r)" test "$(code "$r")" = invalid
contains "$r" "32767" && ok "the refusal names the ceiling" || fail "no ceiling in: $r"
r=$(adopt 0 servlet-https 61000 far2)
check "even for root ($r)" test "$(code "$r")" = invalid
check "nothing recorded above the ceiling" test "$(sqlite3 "$DB" "SELECT count(*) FROM leased_ports WHERE port > 32767")" = 0
r=$(adopt $B servlet-https 9460 free)
check "a free port is uid B's to record, as lease --offset would ($r)" test "$(code "$r")" = ok
r=$(adopt $A servlet-https 9450 mine)
check "uid A records its own server's port ($r)" test "$(code "$r")" = ok
check "9450 recorded for uid A" test "$(sqlite3 "$DB" "SELECT i.owner_uid FROM leased_ports p JOIN instances i ON i.id = p.instance_id WHERE p.port = 9450")" = $A
expect_rc 0 "uid A releases it" as_user $A "$BIN/wso2-alloc" release mine
r=$(adopt 0 servlet-https 9450 root)
check "root records it ($r)" test "$(code "$r")" = ok
expect_rc 0 "root releases it" cli release root
r=$(as_user $A "$BIN/wa_raw" "$SOCK" <<<"$(bind_req ownpid)")
check "uid A leases offset 7 bound to its own server ($r)" test "$(code "$r")" = ok
check "9450 recorded for uid A by pid" test "$(leased 9450)" = 1

# A container of uid A behind a proxy run by root: the proxy's uid says
# nothing; the container's does.
unshare -n -- bash -c 'ip link set lo up && ip addr add 172.17.0.9/32 dev lo &&
    exec setpriv --reuid='$A' --regid='$A' --clear-groups env FAKE_JAVA_BIND=9443 "$0"' \
    "$BIN/fake_java" &
CPID=$!
FAKE_JAVA_BIND=9470 "$T/bin/docker-proxy" -proto tcp -host-ip 0.0.0.0 \
    -host-port 9470 -container-ip 172.17.0.9 -container-port 9443 &
check "the proxy listens" wait_for 10 bash -c "$(declare -f bound); bound 9470"
check "the container's address is up" wait_for 10 bash -c "nsenter -t $CPID -n ip -o addr | grep -q 172.17.0.9"
r=$(adopt $B servlet-https 9470 squat2)
check "uid B may not record the port of uid A's container ($r)" test "$(code "$r")" = forbidden
check "nothing recorded for 9470" test "$(leased 9470)" = 0
r=$(adopt $A servlet-https 9470 ctr)
check "uid A records its container's port ($r)" test "$(code "$r")" = ok

# A lease binds to a process only of the caller's own (root: any one):
# bound to uid B's server, uid A's lease would claim it, and B's own
# scan --adopt would find it taken.
# (setpriv execs sleep: $! is the sleeper itself, not a shell above it.)
setpriv --reuid=$B --regid=$B --clear-groups sleep 300 & BS=$!
setpriv --reuid=$A --regid=$A --clear-groups sleep 300 & AS=$!
check "both sleepers run as their users" wait_for 10 bash -c \
    "[ \$(stat -c %u /proc/$BS) = $B ] && [ \$(stat -c %u /proc/$AS) = $A ]"
asA() { as_user $A "$BIN/wa_raw" "$SOCK" <<<"$1"; }
r=$(asA '{"op":"lease","product":"mi","name":"bind-b","pid":'"$BS"'}')
check "uid A may not bind a lease to uid B's process: forbidden ($r)" test "$(code "$r")" = forbidden
check "nothing recorded for it" test "$(code "$(raw <<<'{"op":"show","name":"bind-b"}')")" = not_found
r=$(asA '{"op":"lease","product":"mi","name":"bind-b","adopt":true,"pid":'"$BS"'}')
check "nor adopt it ($r)" test "$(code "$r")" = forbidden
r=$(asA '{"op":"lease","product":"mi","name":"mine"}')
r=$(asA '{"op":"attach","name":"mine","pid":'"$BS"'}')
check "nor attach its lease to uid B's process ($r)" test "$(code "$r")" = forbidden
r=$(asA '{"op":"attach","name":"mine","pid":'"$AS"'}')
check "its own process: attached ($r)" test "$(jq -r .lease.pid <<<"$r")" = "$AS"
r=$(raw <<<'{"op":"lease","product":"mi","name":"root-binds","pid":'"$BS"'}')
check "root binds any process ($r)" test "$(jq -r .lease.pid <<<"$r")" = "$BS"

kill "$APID" "$BPID" "$CPID" "$AS" "$BS" 2>/dev/null || true
finish

#!/usr/bin/env bash
# Leases that end with their process, expire, or are attached later.
. "$(dirname "$0")/lib.sh"
start_daemon

gone_within() { # NAME STATE SECONDS
	for _ in $(seq 1 $(($3 * 20))); do
		cli show "$1" 2>/dev/null | grep -q "($2)" && return 0
		sleep 0.05
	done
	return 1
}

sleep 300 & SP=$!
cli lease --product apim --name bound --pid "$SP" >/dev/null
check "a lease bound to a live pid is active" gone_within bound active 1
kill "$SP"; wait "$SP" 2>/dev/null || true
check "killing the process reclaims its lease within a second" gone_within bound reclaimed 1
check "the history says reclaimed" bash -c '"$0" history bound | grep -q reclaimed' "$BIN/wso2-alloc"

expect_rc 65 "a pid that does not exist is invalid" cli lease --product apim --name ghost --pid 999999

# TTL: expiry and renewal.
cli lease --product mi --name short --ttl 1s >/dev/null
cli lease --product mi --name renewed --ttl 2s >/dev/null
sleep 1; cli renew renewed --ttl 5s >/dev/null
check "a 1 s lease expires on time" gone_within short expired 2
check "a renewed lease is still active" gone_within renewed active 1

# attach with a pid file (Type=forking, wso2carbon.pid).
cli lease --product is --name forking >/dev/null
sleep 300 & SP=$!
echo "$SP" > "$T/wso2carbon.pid"
expect_rc 0 "attach --pid-file" cli attach forking --pid-file "$T/wso2carbon.pid"
kill "$SP"; wait "$SP" 2>/dev/null || true
check "the attached lease ends with its process" gone_within forking reclaimed 1

# Restart: a dead owner's lease is reclaimed, a living one kept, and a
# recorded start time that differs means the pid was reused: dead.
sleep 300 & LIVE=$!
sleep 300 & DYING=$!
sleep 300 & REUSED=$!
cli lease --product apim --name live --pid "$LIVE" >/dev/null
cli lease --product apim --name dying --pid "$DYING" >/dev/null
cli lease --product apim --name reused --pid "$REUSED" >/dev/null
stop_daemon
kill "$DYING"; wait "$DYING" 2>/dev/null || true
sqlite3 "$DB" "UPDATE instances SET pid_start = pid_start + 1 WHERE name = 'reused'"
start_daemon
check "after a restart a lease whose process died is reclaimed" gone_within dying reclaimed 1
check "after a restart a living owner keeps its lease" gone_within live active 1
check "a pid whose start time differs counts as dead" gone_within reused reclaimed 1
kill "$LIVE" "$REUSED"; wait "$LIVE" "$REUSED" 2>/dev/null || true
check "the living one ends when its process does" gone_within live reclaimed 2

# exec: a fake server records its arguments and environment, then exits.
cat > "$T/fake-server.sh" <<'SH'
#!/bin/sh
echo "args: $*" > "$FAKE_OUT"
env | grep '^WSO2_' >> "$FAKE_OUT"
echo "pid: $$" >> "$FAKE_OUT"
sleep 0.5
SH
chmod +x "$T/fake-server.sh"
export FAKE_OUT="$T/fake.out"
expect_rc 0 "exec runs the server in the foreground" cli exec --product mi --name execd -- "$T/fake-server.sh" --console
check "the offset argument is appended" grep -q "^args: --console -DportOffset=[0-9]*$" "$FAKE_OUT"
check "the lease's variables are in the environment" grep -q "^WSO2_PORT_PASSTHROUGH_HTTP=" "$FAKE_OUT"
check "WSO2_ALLOC_NAME is the lease" grep -q "^WSO2_ALLOC_NAME=execd$" "$FAKE_OUT"
check "the server ran with the pid the lease is bound to" bash -c '"$0" --json show execd | grep -q "\"pid\": $(sed -n "s/^pid: //p" "$1")"' "$BIN/wso2-alloc" "$FAKE_OUT"
check "the lease ends after the server exits" gone_within execd reclaimed 1
expect_rc 0 "exec --no-offset-arg" cli exec --product mi --name execd2 --no-offset-arg -- "$T/fake-server.sh"
check "no offset argument with --no-offset-arg" grep -q "^args: $" "$FAKE_OUT"
rc=0; cli -s "$T/none.sock" --no-start exec --product mi -- "$T/fake-server.sh" x 2>/dev/null || rc=$?
check "daemon unreachable: COMMAND not started, exit 69" bash -c '[ "$0" -eq 69 ] && ! grep -q "args: x" "$1"' "$rc" "$FAKE_OUT"
rc=0; cli exec --product nope -- "$T/fake-server.sh" y 2>/dev/null || rc=$?
check "lease refused: COMMAND not started, exit 65" bash -c '[ "$0" -eq 65 ] && ! grep -q "args: y" "$1"' "$rc" "$FAKE_OUT"
stop_daemon
finish

#!/usr/bin/env bash
# exec and attach for a container's lease: exec --container hands the
# runtime's foreground client (docker run, podman run) the lease's -p
# options in place of {ports}, and no -DportOffset; attach binds a
# container's lease only to a process that stands for it (the container's
# own, seen in its network namespace, or the runtime's proxy holding its
# ports), and the reaper takes the ports the runtime holds for it as its
# own, not as foreign binds.
. "$(dirname "$0")/lib.sh"
export WSO2_ALLOC_CATALOG="$WA_SRC/schema/products"
command -v ip >/dev/null || { echo "SKIP - no ip(8)"; exit 77; }
[ "$(id -u)" -eq 0 ] || { echo "SKIP - needs root for namespaces"; exit 77; }
start_daemon
mkdir -p "$T/bin"
cp "$BIN/fake_java" "$T/bin/docker-proxy"
state() { cli --json show "$1" | jq -r '.lease.state // .state'; }
field() { cli --json show "$1" | jq -r "(.lease // .) | $2"; }

# exec --container: a fake runtime client that records what it got and
# stays in the foreground under the same pid.
cat >"$T/bin/docker" <<'SH'
#!/bin/sh
printf '%s\n' "$@" >"$FAKE_OUT.argv"
printf '%s\n' "$WSO2_ALLOC_PUBLISH" >"$FAKE_OUT.pub"
echo $$ >"$FAKE_OUT.pid"
exec sleep 60
SH
chmod +x "$T/bin/docker"
export FAKE_OUT="$T/fake"
"$BIN/wso2-alloc" exec --product apim --container --name ex1 -- "$T/bin/docker" run --rm --name ex1 '{ports}' wso2/wso2am:4.2.0 &
EX=$!
check "the client ran" wait_for 10 test -s "$FAKE_OUT.pid"
check "under exec's own pid" test "$(cat "$FAKE_OUT.pid")" = "$EX"
check "{ports} became the lease's -p options, in order, image last" bash -c '
	args=$(tr "\n" " " <"$0")
	case $args in "run --rm --name ex1 -p "*"-p 9443:9443 "*" wso2/wso2am:4.2.0 ") ;; *) exit 1;; esac' "$FAKE_OUT.argv"
check "no -DportOffset for a container" bash -c '! grep -q -- -DportOffset "$0"' "$FAKE_OUT.argv"
check "every -p maps a leased host port to the port inside" bash -c '
	got=$(grep -A1 -x -- -p "$0" | grep -v -x -- -p | grep -v -- -- | cut -d: -f1 | sort -n | tr "\n" " ")
	want=$("$1" --json show ex1 | jq -r "(.lease // .).ports[].port" | sort -n | tr "\n" " ")
	[ -n "$got" ] && [ "$got" = "$want" ]' "$FAKE_OUT.argv" "$BIN/wso2-alloc"
check "WSO2_ALLOC_PUBLISH holds the same options" bash -c '[ "$(tr " " "\n" <"$1")" = "$(sed -n "/^-p$/,\$p" "$0" | head -n -1)" ]' "$FAKE_OUT.argv" "$FAKE_OUT.pub"
check "the lease is a container's, bound to the client" test "$(field ex1 '[.labels.container, .pid] | join(" ")')" = "true $EX"
kill "$EX"; wait "$EX" 2>/dev/null || true
check "the lease ends with the client" wait_for 10 bash -c "[ \"\$($BIN/wso2-alloc --json show ex1 | jq -r '.lease.state // .state')\" = reclaimed ]"

# attach: a container's lease, the container (a fake server in a network
# namespace of its own at 172.17.0.5, listening on 9443 inside), a proxy
# publishing the lease's servlet-https host port to it.
expect_rc 0 "a container's lease" cli lease --product apim --container --name ca --offset 3
H=$(field ca '.ports[] | select(.name == "servlet-https") | .port')
H2=$(field ca '.ports[] | select(.name == "servlet-http") | .port')
check "its host ports: offset 3" test "$H/$H2" = 9446/9766
FAKE_JAVA_BIND=9443 unshare -n -- bash -c 'ip link set lo up && ip addr add 172.17.0.5/32 dev lo && exec "$0"' "$BIN/fake_java" &
CJ=$!
FAKE_JAVA_BIND=$H "$T/bin/docker-proxy" -proto tcp -host-ip 0.0.0.0 -host-port "$H" \
    -container-ip 172.17.0.5 -container-port 9443 &
PX=$!
sleep 60 & OTHER=$!
check "the proxy listens on $H" wait_for 10 bash -c "[ -n \"\$(ss -Hltn 'sport = :$H')\" ]"
check "the container's address is up" wait_for 10 bash -c "nsenter -t $CJ -n ip -o addr | grep -q 172.17.0.5"
expect_rc 65 "attach to a process that holds none of its ports is refused" cli attach ca --pid "$OTHER"
check "the refusal says what to attach" grep -q "neither holds nor has published" "$T/err"
check "the lease stays unbound" test "$(field ca .pid)" = null
expect_rc 0 "attach to the proxy holding its port" cli attach ca --pid "$PX"
expect_rc 0 "attach to the container's process" cli attach ca --pid "$CJ"
check "bound to the container's process" test "$(field ca .pid)" = "$CJ"
# servlet-http's host port bound by a process that is no runtime's: a
# foreign bind, logged; servlet-https's, held by the proxy, is the lease's.
FAKE_JAVA_BIND=$H2 "$BIN/fake_java" &
FOREIGN=$!
check "the reaper logs the foreign bind of $H2" wait_for 30 grep -q "port $H2/tcp (servlet-http) of ca is bound by a process other than" "$T/daemon.log"
check "but not the proxy's $H" bash -c '! grep -q "port $0/tcp (servlet-https) of ca is bound by a process other" "$1"' "$H" "$T/daemon.log"
kill "$CJ"; wait "$CJ" 2>/dev/null || true
check "the lease ends with the container's process" wait_for 10 bash -c "[ \"\$($BIN/wso2-alloc --json show ca | jq -r '.lease.state // .state')\" = reclaimed ]"

kill "$PX" "$OTHER" "$FOREIGN" 2>/dev/null || true
finish

#!/usr/bin/env bash
# adopt of a server in a network namespace of its own (a container)
# without its published host ports: the ports it binds there are not
# host ports, so the daemon refuses it.  A user's scan cannot see the
# namespaces of another user's process and took such a container for a
# host server: its scan --adopt recorded the container's in-namespace
# ports (offset 0, not even its own) as a lease of the scanning user,
# bound to the other user's pid, which kept root's scan from adopting it
# with its real host ports.
. "$(dirname "$0")/lib.sh"
export WSO2_ALLOC_CATALOG="$WA_SRC/schema/products"
command -v ip >/dev/null || { echo "SKIP - no ip(8)"; exit 77; }
[ "$(id -u)" -eq 0 ] || { echo "SKIP - needs root for namespaces and other uids"; exit 77; }
start_daemon
chmod 0666 "$SOCK"
mkdir -p "$T/jvm/bin" "$T/ctr/repository/conf"
cp "$BIN/fake_java" "$T/jvm/bin/java"
chmod 755 "$T/jvm" "$T/jvm/bin"
printf '[server]\noffset = 2\n' >"$T/ctr/repository/conf/deployment.toml"
CHOME=/home/wso2carbon/wso2am-4.2.0
# uid 4343's container: its own network and mount namespaces, 9445
# bound inside, nothing published on the host.
FAKE_JAVA_BIND=9445 unshare -n -m --propagation private -- bash -c '
    ip link set lo up && ip addr add 172.17.0.7/32 dev lo &&
    mount -t tmpfs wa-ctr-home /home && mkdir -p "$3" && mount --bind "$1" "$3" &&
    exec setpriv --reuid=4343 --regid=4343 --clear-groups "$2" -Xms256m \
        "-Dcarbon.home=$3" org.wso2.carbon.bootstrap.Bootstrap' \
    ctr "$T/ctr" "$T/jvm/bin/java" "$CHOME" &
C=$!
check "the container's server listens inside" wait_for 10 bash -c \
    "nsenter -t $C -n ss -Hltn 'sport = :9445' 2>/dev/null | grep -q ."
leases_of() { sqlite3 "$DB" "SELECT count(*) FROM instances WHERE pid = $1 AND state = 'active'"; }

req=$(printf '{"op":"lease","product":"apim-4","name":"n1","adopt":true,"pid":%s}' "$C")
r=$(raw <<<"$req")
check "adopt of a process in its own network namespace, without ports, is invalid ($r)" \
    test "$(jq -r .error.code <<<"$r")" = invalid
contains "$r" "network namespace" && ok "the refusal says why" || fail "no reason in: $r"
check "nothing recorded for it" test "$(leases_of "$C")" = 0

expect_rc 3 "uid 4242's scan --adopt refuses it" as_user 4242 "$BIN/wso2-alloc" --json scan --adopt
check "still nothing recorded for the container" test "$(leases_of "$C")" = 0
check "and scan says why" python3 -c '
import json,sys
s=[x for x in json.load(open(sys.argv[1]))["servers"] if x["pid"]==int(sys.argv[2])][0]
assert "network namespace" in s["adopt_error"] and not s["in_ledger"],s' "$T/out" "$C"

# A server on the host's network is adopted as before.
FAKE_JAVA_BIND=9763 setpriv --reuid=4242 --regid=4242 --clear-groups "$T/jvm/bin/java" \
    -Xms256m -Dcarbon.home=/opt/wso2am-4.2.0 org.wso2.carbon.bootstrap.Bootstrap &
H=$!
check "the host server listens" wait_for 10 bash -c "[ -n \"\$(ss -Hltn 'sport = :9763')\" ]"
req=$(printf '{"op":"lease","product":"apim-4","name":"n2","adopt":true,"pid":%s}' "$H")
r=$(as_user 4242 "$BIN/wa_raw" "$SOCK" <<<"$req")
check "uid 4242 adopts its own host server at the offset it runs at ($r)" \
    test "$(jq -c '[.ok, .lease.offset]' <<<"$r")" = "[true,0]"
kill "$C" "$H" 2>/dev/null || true
finish

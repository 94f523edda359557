#!/usr/bin/env bash
# End to end with a real rootful podman (no registry: an image imported
# from a tarball holding a static fake server): `podman run $(wso2-alloc
# lease --container --format docker)` publishes exactly the lease's host
# ports; rootful podman's conmon holds them open and netavark's NAT rules
# forward them, so who, a conflict and scan name the container from
# conmon's arguments and podman's own state, and scan --adopt leases
# exactly those host ports; attach takes conmon's pid, and exec
# --container runs `podman run` in the foreground with {ports}.
# Skipped (saying why) where podman is missing or cannot run a container.
WA_SYSTEM_PATHS=private
. "$(dirname "$0")/lib.sh"
export WSO2_ALLOC_CATALOG="$WA_SRC/schema/products"
command -v podman >/dev/null || { echo "SKIP - podman is not installed"; exit 77; }
[ "$(id -u)" -eq 0 ] || { echo "SKIP - rootful podman needs root"; exit 77; }
[ "${WA_ISOLATED:-}" = 1 ] || { echo "SKIP - no private /run and /var/lib for podman's state"; exit 77; }
# podman stages imports in /var/tmp: the test's own.
mkdir -p /var/tmp && mount -t tmpfs wa-var-tmp /var/tmp
R="$T/rootfs" CHOME=/home/wso2carbon/wso2am-4.2.0
mkdir -p "$R/opt/java/bin" "$R$CHOME/repository/conf" "$R/tmp"
printf '[server]\nhostname = "localhost"\n' >"$R$CHOME/repository/conf/deployment.toml"
"${CC:-cc}" -static -O2 -o "$R/opt/java/bin/java" "$WA_SRC/tests/integration/fake_java.c" 2>"$T/cc.err" ||
	{ echo "SKIP - no static C library to build the image's server: $(head -1 "$T/cc.err")"; exit 77; }
tar -C "$R" -cf "$T/img.tar" .
podman import -q "$T/img.tar" localhost/wa-fake:1 >/dev/null 2>"$T/podman.err" ||
	{ echo "SKIP - podman import failed: $(tail -1 "$T/podman.err")"; exit 77; }
start_daemon

# podman run with the lease's ports; this host's limits may be below
# podman's default ulimits, and crun refuses a hybrid cgroup layout that
# runc takes: runc is tried when the default runtime fails.
RT=()
prun() {
	timeout 120 podman "${RT[@]}" run --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
	    -e FAKE_JAVA_SECS=600 -e FAKE_JAVA_BIND=9443,9763,8280,8243 -e FAKE_JAVA_ADDR=0.0.0.0 \
	    "$@" localhost/wa-fake:1 /opt/java/bin/java "-Dcarbon.home=$CHOME" \
	    org.wso2.carbon.bootstrap.Bootstrap
}
cant() { echo "SKIP - podman cannot run a container here: $(tr '\n' ' ' <"$T/run.err")"; exit 77; }
expect_rc 0 "a container's lease at offset 2" cli lease --product apim --container --name pod1 --offset 2 --format docker
P=$(cat "$T/out")
# shellcheck disable=SC2086
if ! prun -d --name pod1 $P >"$T/run.out" 2>"$T/run.err"; then
	podman rm -f pod1 >/dev/null 2>&1 || true
	command -v runc >/dev/null || cant
	RT=(--runtime runc)
	# shellcheck disable=SC2086
	prun -d --name pod1 $P >"$T/run.out" 2>>"$T/run.err" || cant
fi
ID=$(podman inspect -f '{{.Id}}' pod1)
CONMON=$(podman inspect -f '{{.State.ConmonPid}}' pod1)
CPID=$(podman inspect -f '{{.State.Pid}}' pod1)
IP=$(podman inspect -f '{{.NetworkSettings.IPAddress}}' pod1)
echo "note - podman ${RT[*]:-(default runtime)}: container $ID, conmon $CONMON, pid $CPID at $IP"
leased() { cli --json show "$1" | python3 -c 'import json,sys; d=json.load(sys.stdin); d=d.get("lease",d); print(" ".join(str(p["port"]) for p in sorted(d["ports"], key=lambda p: p["port"])))'; }
bound_ports() { ss -Hltn | awk '{n=split($4,a,":"); print a[n]}' | sort -n | tr '\n' ' ' | sed 's/ $//'; }
WANT=$(leased pod1)
check "the host ports bound are exactly the lease's ($WANT)" wait_for 10 bash -c "[ \"\$($(declare -f bound_ports); bound_ports)\" = '$WANT' ]"
check "conmon holds them" bash -c "ss -Hltnp 'sport = :9445' | grep -q 'conmon\",pid=$CONMON'"

expect_rc 0 "who 9445: the lease" cli who 9445
check "who names the container, the port inside and its address" grep -q "published for container pod1 (${ID:0:12}) port 9443 at $IP" "$T/out"
expect_rc 0 "release the lease (the container runs on)" cli release pod1
expect_rc 3 "a lease of 9445 now conflicts" cli lease --product apim --offset 2 --name clash
check "the conflict names the container and conmon" grep -q "9445/tcp.*container pod1 (${ID:0:12}) port 9443 at $IP, pid $CONMON: .*conmon" "$T/err"

r=$(as_user 4242 "$BIN/wa_raw" "$SOCK" <<<'{"op":"lease","product":"apim-4","name":"squat","adopt":true,"ports":{"servlet-https":9445}}')
check "another user may not record a port conmon holds for root's container ($r)" \
    bash -c 'python3 -c "import json,sys; e=json.loads(sys.argv[1])[\"error\"]; assert (e[\"code\"],e[\"owner_uid\"],e[\"holder_pid\"])==(\"forbidden\",0,int(sys.argv[2])),e" "$0" "$1"' "$r" "$CONMON"
expect_rc 0 "scan" cli --json scan
py() { python3 -c "$1" "$T/out" "${@:2}"; }
check "scan: apim-4 in a podman container named pod1" py '
import json,sys
s=[x for x in json.load(open(sys.argv[1]))["servers"] if x["pid"]==int(sys.argv[2])][0]
c=s["container"]
assert (s["product"],s["offset"],c["runtime"],c["name"],c["id"],c["addresses"])==("apim-4",0,"podman","pod1",sys.argv[3],[sys.argv[4]]),s' "$CPID" "$ID" "$IP"
check "scan: each port's host port is the lease's, from conmon and podman's state" py '
import json,sys
s=[x for x in json.load(open(sys.argv[1]))["servers"] if x["pid"]==int(sys.argv[2])][0]
m={p["name"]:(p["container_port"],p["host_port"]) for p in s["ports"]}
assert m["servlet-https"]==(9443,9445) and m["passthrough-http"]==(8280,8282),m
assert all(p["proxy_pid"]==int(sys.argv[3]) for p in s["published"]),s["published"]
assert sorted(p["host_port"] for p in s["published"])==[int(x) for x in sys.argv[4].split()],s["published"]' "$CPID" "$CONMON" "$WANT"
expect_rc 0 "scan --adopt" cli --json scan --adopt
check "the adopted lease holds exactly the published host ports" test "$(leased pod1)" = "$WANT"
check "labelled with the container's id, bound to its process" test \
    "$(cli --json show pod1 | python3 -c 'import json,sys; d=json.load(sys.stdin); d=d.get("lease",d); print(d["labels"]["container"], d["pid"])')" = "$ID $CPID"
expect_rc 0 "attach to conmon (it holds the ports)" cli attach pod1 --pid "$CONMON"
timeout 60 podman "${RT[@]}" stop -t 1 pod1 >/dev/null 2>&1 || true
check "the lease ends with the container" wait_for 20 bash -c "$BIN/wso2-alloc show pod1 | grep -q '(reclaimed)'"
podman rm -f pod1 >/dev/null 2>&1 || true

# exec --container: podman run in the foreground, {ports} its -p options.
"$BIN/wso2-alloc" exec --product apim --container --name pod2 -- \
    podman "${RT[@]}" run --rm --name pod2 --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
    -e FAKE_JAVA_SECS=600 -e FAKE_JAVA_BIND=9443 -e FAKE_JAVA_ADDR=0.0.0.0 '{ports}' \
    localhost/wa-fake:1 /opt/java/bin/java "-Dcarbon.home=$CHOME" x >"$T/exec.out" 2>&1 &
EX=$!
check "exec --container: its lease" wait_for 20 bash -c "$BIN/wso2-alloc show pod2 >/dev/null 2>&1"
WANT2=$(leased pod2)
check "podman publishes exactly the lease's ports ($WANT2)" wait_for 30 bash -c "[ \"\$($(declare -f bound_ports); bound_ports)\" = '$WANT2' ]"
check "bound to the podman client" test "$(cli --json show pod2 | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("lease",d)["pid"])')" = "$EX"
timeout 60 podman "${RT[@]}" stop -t 1 pod2 >/dev/null 2>&1 || true
check "the lease ends when podman run returns" wait_for 30 bash -c "$BIN/wso2-alloc show pod2 | grep -q '(reclaimed)'"
wait "$EX" 2>/dev/null || true
podman rm -af -t 0 >/dev/null 2>&1 || true
finish

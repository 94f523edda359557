#!/usr/bin/env bash
# WSO2 servers in containers on the same host: a fake server in a network
# and mount namespace of its own (its carbon home bind-mounted at the
# in-container path, an address of its own: no veth driver is needed), a fake
# docker-proxy with dockerd's arguments listening on the host port; scan
# reads the server's files through /proc/PID/root and takes its host ports
# from the proxy only, scan --adopt leases exactly those, and who and a
# conflict name the container behind the proxy.
WA_SYSTEM_PATHS=private
. "$(dirname "$0")/lib.sh"
export WSO2_ALLOC_CATALOG="$WA_SRC/schema/products"
command -v ip >/dev/null || { echo "SKIP - no ip(8)"; exit 77; }
[ "$(id -u)" -eq 0 ] || { echo "SKIP - needs root for namespaces"; exit 77; }
start_daemon
mkdir -p "$T/jvm/bin" "$T/bin"
cp "$BIN/fake_java" "$T/jvm/bin/java"
# fake_java listens on $FAKE_JAVA_BIND whatever its name and arguments.
cp "$BIN/fake_java" "$T/bin/docker-proxy"
CID=3f2a1b9c0d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8
CHOME=/home/wso2carbon/wso2am-4.2.0
# The container's carbon home: offset 2 in its deployment.toml, so it
# binds 9445 inside; the host has no such path.
mkdir -p "$T/ctr1/repository/conf" "$T/ctr2/repository/conf"
printf '[server]\noffset = 2\n' >"$T/ctr1/repository/conf/deployment.toml"
printf '[server]\noffset = 5\n' >"$T/ctr2/repository/conf/deployment.toml"
check "the in-container home does not exist on the host" test ! -e "$CHOME"

# container DIR ADDR PORTS: a fake server in namespaces of its own.
container() {
	FAKE_JAVA_BIND=$3 unshare -n -m --propagation private -- bash -c '
	    ip link set lo up && ip addr add "$2/32" dev lo &&
	    mount -t tmpfs wa-ctr-home /home && mkdir -p "$3" &&
	    mount --bind "$1" "$3" &&
	    exec "$4" -Xms256m "-Dcarbon.home=$3" org.wso2.carbon.bootstrap.Bootstrap' \
	    ctr "$1" "$2" "$CHOME" "$T/jvm/bin/java" &
}
container "$T/ctr1" 172.17.0.2 9445; C1=$!
container "$T/ctr2" 172.17.0.3 9448; C2=$!
# dockerd's own arguments for docker run -p 9500:9445.
FAKE_JAVA_BIND=9500 "$T/bin/docker-proxy" -proto tcp -host-ip 0.0.0.0 \
    -host-port 9500 -container-ip 172.17.0.2 -container-port 9445 &
PROXY=$!
# The container's id from its cgroup, its name from dockerd's files (the
# test's own /var/lib); without a writable cgroup v2 the id is not shown.
CG=
for root in /sys/fs/cgroup/unified /sys/fs/cgroup; do
	if [ -f "$root/cgroup.procs" ] && mkdir "$root/docker-$CID.scope" 2>/dev/null; then
		CG="$root/docker-$CID.scope"
		break
	fi
done
mkdir -p "/var/lib/docker/containers/$CID"
printf '{"ID":"%s","Name":"/apim-web"}\n' "$CID" >"/var/lib/docker/containers/$CID/config.v2.json"
bound() { [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]; }
inside() { nsenter -t "$1" -n ss -Hltn "sport = :$2" 2>/dev/null | grep -q .; }
for _ in $(seq 1 250); do
	bound 9500 && inside "$C1" 9445 && inside "$C2" 9448 && break
	sleep 0.02
done
[ -n "$CG" ] && { echo "$C1" >"$CG/cgroup.procs" || CG=; }
check "the proxy listens on the host port" bound 9500
check "the server's 9445 is not on the host" bash -c '! (: </dev/tcp/127.0.0.1/9445) 2>/dev/null'

py() { python3 -c "$1" "$T/out" "${@:2}"; }
expect_rc 0 "scan" cli --json scan
check "container 1: apim-4, offset 2 from its own deployment.toml" py '
import json,sys
s=[x for x in json.load(open(sys.argv[1]))["servers"] if x["pid"]==int(sys.argv[2])][0]
assert (s["product"],s["offset"],s["offset_from"],s["home"])==("apim-4",2,"deployment.toml","/home/wso2carbon/wso2am-4.2.0"),s
assert s["container"]["addresses"]==["172.17.0.2"],s' "$C1"
check "container 1: only servlet-https is published, at 9500" py '
import json,sys
s=[x for x in json.load(open(sys.argv[1]))["servers"] if x["pid"]==int(sys.argv[2])][0]
pub={p["name"]:p["host_port"] for p in s["ports"] if p["host_port"] is not None}
assert pub=={"servlet-https":9500},pub
assert [p["container_port"] for p in s["ports"] if p["name"]=="servlet-https"]==[9445]
assert [(p["host_port"],p["container_port"],p["proxy_pid"]) for p in s["published"]]==[(9500,9445,int(sys.argv[3]))],s["published"]' "$C1" "$PROXY"
check "container 2: offset 5 and nothing published" py '
import json,sys
s=[x for x in json.load(open(sys.argv[1]))["servers"] if x["pid"]==int(sys.argv[2])][0]
assert s["offset"]==5 and s["published"]==[] and all(p["host_port"] is None for p in s["ports"]),s' "$C2"
if [ -n "$CG" ]; then
	check "container 1: id from its cgroup, name from dockerd's config" py '
import json,sys
s=[x for x in json.load(open(sys.argv[1]))["servers"] if x["pid"]==int(sys.argv[2])][0]
c=s["container"]; assert (c["id"],c["runtime"],c["name"])==(sys.argv[3],"docker","apim-web"),c' "$C1" "$CID"
else
	echo "note - no writable cgroup v2 here: container id and name not checked"
fi

# A host port the proxy holds, not leased: who and a conflict name the
# container, not only the proxy.
expect_rc 1 "who 9500 before adoption: no lease" cli who 9500
check "who names the container behind the proxy" grep -q "published for container .* port 9445 at 172.17.0.2" "$T/err"
expect_rc 3 "a lease at offset 57 (9443+57 = 9500) is refused" cli lease --product apim --offset 57 --name clash
check "the conflict names the container and the proxy" grep -q "9500/tcp.*container .* port 9445 at 172.17.0.2, pid $PROXY: .*docker-proxy" "$T/err"
expect_rc 3 "json: the error carries the container" cli --json lease --product apim --offset 57 --name clash
check "json: container ip and port" py '
import json,sys
e=json.load(open(sys.argv[1]))["error"]
assert e["holder_kind"]=="host" and e["container"]["ip"]=="172.17.0.2" and e["container_port"]==9445 and e["container"]["pid"]==int(sys.argv[2]),e' "$C1"

expect_rc 3 "scan --adopt: container 1 adopted, container 2 not" cli --json scan --adopt
check "container 2 is refused: nothing published" py '
import json,sys
s=[x for x in json.load(open(sys.argv[1]))["servers"] if x["pid"]==int(sys.argv[2])][0]
assert "not published" in s["adopt_error"] or "none of its ports is published" in s["adopt_error"],s' "$C2"
check "the adopted lease holds exactly 9500, at the offset inside" py '
import json,sys
s=[x for x in json.load(open(sys.argv[1]))["servers"] if x["pid"]==int(sys.argv[2])][0]
l=s["lease"]; assert [(p["name"],p["port"]) for p in l["ports"]]==[("servlet-https",9500)],l
assert l["offset"]==2 and l["pid"]==int(sys.argv[2]) and l["labels"]["container"],l' "$C1"
check "the ledger holds no in-namespace port of either container" test \
    "$(sqlite3 "$DB" "SELECT count(*) FROM leased_ports WHERE port IN (9443,9445,9448,9763,9765,9768,8280,8282,8285)")" = 0
check "the ledger holds 9500" test \
    "$(sqlite3 "$DB" "SELECT group_concat(port) FROM leased_ports")" = 9500
expect_rc 0 "who 9500 now: the adopted lease" cli who 9500
check "who names the lease and the container" bash -c 'grep -q "9500/tcp: servlet-https of" "$0" && grep -q "published for container" "$0"' "$T/out"
expect_rc 0 "a second scan --adopt changes nothing for container 1" cli --json scan
check "container 1 in the ledger, container 2 not" py '
import json,sys
d={x["pid"]:x["in_ledger"] for x in json.load(open(sys.argv[1]))["servers"]}
assert d[int(sys.argv[2])] is True and d[int(sys.argv[3])] is False,d' "$C1" "$C2"

# Host ports for a container that keeps offset 0 inside.
expect_rc 0 "lease --container (first)" cli lease --product apim --container --name ctr-a --format docker
check "docker format: host 9443 to container 9443" grep -q -- "-p 9443:9443 " "$T/out"
expect_rc 0 "lease --container (second)" cli lease --product apim --container --name ctr-b --format docker
check "docker format: the second's host ports shift, the container's do not" bash -c 'grep -q -- "-p 9444:9443 " "$0" && grep -q -- "-p 8281:8280" "$0" && ! grep -q -- ":9444" "$0"' "$T/out"
check "every -p maps a leased host port" py '
import json,re,subprocess,sys
out=open(sys.argv[1]).read()
l=json.loads(subprocess.check_output([sys.argv[2],"--json","show","ctr-b"]))
l=l.get("lease",l)
got=sorted(int(h) for h,c in re.findall(r"-p (\d+):(\d+)",out))
assert got==sorted(p["port"] for p in l["ports"]),(got,l["ports"])
assert l["labels"]["container"]=="true"' "$BIN/wso2-alloc"
expect_rc 0 "the same lease as a compose ports: list" cli lease --product apim --container --name ctr-b --format compose
check "compose format" bash -c 'head -1 "$0" | grep -qx "ports:" && grep -q "^  - \"9444:9443\"  # servlet-https" "$0"' "$T/out"

kill "$C1" "$C2" "$PROXY" 2>/dev/null || true
wait "$C1" "$C2" "$PROXY" 2>/dev/null || true
[ -n "$CG" ] && rmdir "$CG" 2>/dev/null
finish

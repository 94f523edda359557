#!/usr/bin/env bash
# scan tells the Carbon 5 runtimes of one carbon home apart by
# -Dwso2.runtime: an API-M Analytics 3.2 worker (internal offset 1) and
# dashboard (3) started from one home, as bin/worker.sh and
# bin/dashboard.sh start them; --adopt reserves each one's own ports.
. "$(dirname "$0")/lib.sh"
export WSO2_ALLOC_CATALOG="$WA_SRC/schema/products"
start_daemon
mkdir -p "$T/jvm/bin"
cp "$BIN/fake_java" "$T/jvm/bin/java"
H="$T/wso2am-analytics-3.2.0"
mkdir -p "$H/conf/worker" "$H/conf/dashboard"
PIDS=()
runtime() { # RUNTIME: a fake JVM of that runtime of $H
	"$T/jvm/bin/java" -Xms256m "-Dcarbon.home=$H" \
	    "-Dwso2.runtime.path=$H/wso2/$1" "-Dwso2.runtime=$1" \
	    org.wso2.carbon.launcher.Main &
	PIDS+=($!)
}
# jq FILTER [FILE]: every result true, and at least one (jq 1.6's -e
# passes on empty input).
jqe() { local r; r=$(jq "$@") && [ -n "$r" ] && ! grep -qvx true <<<"$r"; }
started() { # PID RUNTIME: its command line is the JVM's
	for _ in $(seq 1 250); do
		tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q -- "-Dwso2.runtime=$2 " && return 0
		sleep 0.02
	done
	return 1
}
runtime worker
runtime dashboard
check "the worker runs" started "${PIDS[0]}" worker
check "the dashboard runs" started "${PIDS[1]}" dashboard

expect_rc 0 "scan --json" cli --json scan
srv() { jq -c --argjson p "$1" '.servers[] | select(.pid == $p)' "$T/out"; }
W=$(srv "${PIDS[0]}") D=$(srv "${PIDS[1]}")
check "the worker is apim-analytics-worker at offset 1" \
    jqe '.product == "apim-analytics-worker" and .offset == 1 and .runtime == "worker"' <<<"$W"
check "the dashboard is apim-analytics-dashboard at offset 3" \
    jqe '.product == "apim-analytics-dashboard" and .offset == 3 and .runtime == "dashboard"' <<<"$D"
expect_rc 0 "scan's table" cli scan
check "the table names the dashboard" grep -q "^${PIDS[1]} .*apim-analytics-dashboard  *3 " "$T/out"

# Other tests' fake servers (they sleep a minute) may be found and refused
# too (exit 3): only ours are judged.
cli scan --adopt >"$T/out" 2>"$T/err" || true
check "each runtime has a lease of its own name" bash -c \
    'grep -q "^$1 .*wso2am-analytics-3.2.0-worker (adopted)" "$0" && grep -q "^$2 .*wso2am-analytics-3.2.0-dashboard (adopted)" "$0"' \
    "$T/out" "${PIDS[0]}" "${PIDS[1]}"
check "neither was refused" bash -c '! grep -q "pid \($1\|$2\) not adopted" "$0"' "$T/err" "${PIDS[0]}" "${PIDS[1]}"
expect_rc 0 "the dashboard's lease" cli --json show wso2am-analytics-3.2.0-dashboard
check "it holds the dashboard's ports at offset 3 (9643, 9092), bound to its pid" \
    jqe --argjson p "${PIDS[1]}" '.product == "apim-analytics-dashboard" and .offset == 3 and .pid == $p
        and ([.ports[].port] | index(9643) != null and index(9092) != null)' "$T/out"
expect_rc 0 "the worker's lease" cli --json show wso2am-analytics-3.2.0-worker
check "it holds the worker's ports at offset 1 (9444, 9091)" \
    jqe '.product == "apim-analytics-worker" and .offset == 1
        and ([.ports[].port] | index(9444) != null and index(9091) != null and index(9643) == null)' "$T/out"
expect_rc 0 "scan after adopting" cli --json scan
lease_of() { jq -r --argjson p "$1" '.servers[] | select(.pid == $p) | .lease.name' "$T/out"; }
check "the worker is matched to its own lease" [ "$(lease_of "${PIDS[0]}")" = wso2am-analytics-3.2.0-worker ]
check "the dashboard to its own, not the worker's of the same home" \
    [ "$(lease_of "${PIDS[1]}")" = wso2am-analytics-3.2.0-dashboard ]

# A runtime the catalog has no product for is unknown: its ports are not
# the worker's, and it is not adopted as the worker.
runtime editor
check "the editor runs" started "${PIDS[2]}" editor
expect_rc 0 "scan with an editor runtime" cli --json scan
check "the editor is no product" jqe --argjson p "${PIDS[2]}" \
    '.servers[] | select(.pid == $p) | .product == null and .runtime == "editor"' "$T/out"
expect_rc 3 "scan --adopt refuses the editor" cli scan --adopt
check "and says why" grep -q "pid ${PIDS[2]} not adopted: unknown product: no catalog product is this home's runtime" "$T/err"

kill "${PIDS[@]}" 2>/dev/null; wait "${PIDS[@]}" 2>/dev/null || true
stop_daemon
finish

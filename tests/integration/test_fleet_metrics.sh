#!/usr/bin/env bash
# The fleet view (issue 17), run for real: export --prometheus on a ledger
# holding every kind of state (active, released, expired and reclaimed
# leases, refusals of each reason, drift that check finds) passes
# promtool check metrics and says what happened; counters start again
# with the daemon; a daemon that is down is reported, not started; export
# --every keeps the file fresh across a daemon restart; the systemd units
# run the same export; the alert rules pass promtool check rules and
# their unit tests; the Grafana dashboard is JSON whose queries parse and
# name only metrics the export writes.
# A user's export with no socket set looks for the system daemon: the
# host's own must be out of sight.
WA_SYSTEM_PATHS=private
. "$(dirname "$0")/lib.sh"
export WSO2_ALLOC_CATALOG="$WA_SRC/schema/products"
PROM="$WA_SRC/packaging/prometheus"
DASH="$WA_SRC/packaging/grafana/wso2-alloc-fleet.json"

# promtool (Debian's prometheus package) is required in CI.
PROMTOOL=$(command -v promtool || true)
if [ -z "$PROMTOOL" ]; then
	if [ "${CI:-}" = true ]; then
		fail "promtool is missing (install Debian's prometheus package; .ci/run does)"
	else
		echo "skip - promtool missing (apt-get install prometheus): metrics and rules not checked by it"
	fi
fi
promtool_ok() { # DESCRIPTION promtool-args...: passes on exit 0 and no complaint
	local d=$1; shift
	[ -n "$PROMTOOL" ] || return 0
	if "$PROMTOOL" "$@" >"$T/promtool.out" 2>&1; then ok "$d"
	else fail "$d: $(cat "$T/promtool.out")"; fi
}
metrics_ok() { # DESCRIPTION FILE
	[ -n "$PROMTOOL" ] || return 0
	if "$PROMTOOL" check metrics <"$2" >"$T/promtool.out" 2>&1 &&
	    [ ! -s "$T/promtool.out" ]; then ok "$1"
	else fail "$1: $(cat "$T/promtool.out")"; fi
}
# has FILE LINE: the file holds exactly that sample line.
has() { grep -qxF -- "$2" "$1"; }
# value FILE METRIC{LABELS}: the sample's value.
value() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }
state_is() { cli --json show "$1" 2>/dev/null | grep -q "\"state\": \"$2\""; }

# A ceiling above the ephemeral range, so one lease can be put there.
start_daemon --port-ceiling 65535

# --- every kind of state ---
cli lease --product apim --name act >/dev/null
cli lease --product apim --name multicast --with cluster-multicast >/dev/null
cli lease --product is-7 --name rel >/dev/null
cli release rel >/dev/null
cli lease --product si-4 --name exp --ttl 1s >/dev/null
sleep 300 &
gone=$!
cli lease --product ei-6 --name rec --pid "$gone" >/dev/null
kill "$gone"; wait "$gone" 2>/dev/null || true
sleep 300 &
owner=$!
cli lease --product mi --name owned --pid "$owner" >/dev/null
cli lease --product mi --name eph --offset 25000 >/dev/null
check "the ttl'd lease expired" wait_for 10 state_is exp expired
check "the dead owner's lease was reclaimed" wait_for 10 state_is rec reclaimed
# Refusals, one of each reason.
off=$(cli lease --product apim --name act --format offset)
expect_rc 3 "a taken offset is refused (conflict)" cli lease --product apim --name clash --offset "$off"
expect_rc 3 "a taken fixed port leaves no offset (exhausted)" cli lease --product apim --name none --with cluster-multicast
expect_rc 77 "another user's release is refused (forbidden)" as_user 4242 "$BIN/wso2-alloc" release act
# Drift: a process that is not the owner binds one of owned's ports, and
# a WSO2 server runs with no lease.
port=$(cli --json show owned | sed -n 's/.*"port": \([0-9]*\),.*/\1/p' | head -1)
FAKE_JAVA_BIND="$port" "$BIN/fake_java" &
binder=$!
mkdir -p "$T/jvm/bin" "$T/wso2mi-4.2.0/conf"
cp "$BIN/fake_java" "$T/jvm/bin/java"
"$T/jvm/bin/java" "-Dcarbon.home=$T/wso2mi-4.2.0" org.wso2.carbon.bootstrap.Bootstrap &
unrec=$!
listening() { (: </dev/tcp/127.0.0.1/"$1") 2>/dev/null; }
check "the foreign process listens on $port" wait_for 10 listening "$port"

expect_rc 0 "export --prometheus FILE" cli export --prometheus "$T/full.prom"
F="$T/full.prom"
metrics_ok "promtool check metrics passes on every kind of state" "$F"
bad=$(grep -vE '^(# (HELP|TYPE) wso2_alloc_[a-z_]+ .+|wso2_alloc_[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? -?[0-9]+(\.[0-9]+)?)$' "$F" || true)
check "every line is a HELP, TYPE or sample line" [ -z "$bad" ]
check "up" has "$F" 'wso2_alloc_up 1'
check "leases by product and state: active" has "$F" 'wso2_alloc_leases{product="apim-4",state="active"} 2'
check "released" has "$F" 'wso2_alloc_leases{product="is-7",state="released"} 1'
check "expired" has "$F" 'wso2_alloc_leases{product="si-4",state="expired"} 1'
check "reclaimed" has "$F" 'wso2_alloc_leases{product="ei-6",state="reclaimed"} 1'
check "a product never leased shows zeros" has "$F" 'wso2_alloc_leases{product="si-tooling-4",state="active"} 0'
check "refusals: conflict" has "$F" 'wso2_alloc_refusals_total{reason="conflict"} 1'
check "refusals: exhausted" has "$F" 'wso2_alloc_refusals_total{reason="exhausted"} 1'
check "refusals: forbidden" has "$F" 'wso2_alloc_refusals_total{reason="forbidden"} 1'
check "reclaimed since start" has "$F" 'wso2_alloc_leases_reclaimed_total 1'
check "expired since start" has "$F" 'wso2_alloc_leases_expired_total 1'
check "check: a leased port bound by someone else" has "$F" 'wso2_alloc_check_findings{kind="foreign"} 1'
# Other tests' fake servers may still run (they sleep a minute): at
# least ours, which check names.
check "check: an unrecorded server" bash -c '[ "$0" -ge 1 ]' "$(value "$F" 'wso2_alloc_check_findings{kind="unrecorded"}')"
check "check names ours unrecorded" bash -c '"$0" check | grep -q "^unrecorded .*$1"' "$BIN/wso2-alloc" "$T/wso2mi-4.2.0"
check "check: leased ports in the ephemeral range" bash -c '[ "$0" -ge 1 ]' "$(value "$F" 'wso2_alloc_check_findings{kind="ephemeral"}')"
check "check: no dead owner while the daemon runs" has "$F" 'wso2_alloc_check_findings{kind="owner-dead"} 0'
check "the history's length, a gauge (retention prunes it)" bash -c 'grep -qx "# TYPE wso2_alloc_ledger_events gauge" "$0" && [ "$(awk "\$1 == \"wso2_alloc_ledger_events\" { print \$2 }" "$0")" -gt 5 ]' "$F"
check "the ledger's size" bash -c '[ "$0" -gt 0 ]' "$(value "$F" 'wso2_alloc_ledger_size_bytes{file="db"}')"
check "ports leased, as the ports op lists them" [ "$(value "$F" wso2_alloc_ports_leased)" = "$(cli --json ports | grep -c '"port":')" ]
check "the daemon's version and mode" grep -qE '^wso2_alloc_daemon_info\{version="[0-9][^"]*",mode="(system|private)"\} 1$' "$F"
now=$(date +%s)
check "the last commit is recent" bash -c '[ "${0%.*}" -ge $(($1 - 60)) ] && [ "${0%.*}" -le "$1" ]' "$(value "$F" wso2_alloc_ledger_last_commit_timestamp_seconds)" "$now"
check "the export's own time" bash -c '[ "${0%.*}" -ge $(($1 - 60)) ] && [ "${0%.*}" -le "$1" ]' "$(value "$F" wso2_alloc_export_timestamp_seconds)" "$now"
started=$(value "$F" wso2_alloc_daemon_start_time_seconds)
check "the daemon's start time" bash -c '[ "${0%.*}" -ge $(($1 - 600)) ] && [ "${0%.*}" -le "$1" ]' "$started" "$now"
labels=$(grep -v '^#' "$F" | grep -o '[a-z_]*="' | sort -u | tr -d '="' | tr '\n' ' ')
check "labels are product, state, reason, kind, file, version, mode only (no lease name, no pid): $labels" \
    bash -c '[ -z "$(tr " " "\n" <<<"$0" | grep -vxE "product|state|reason|kind|file|version|mode|")" ]' "$labels"
# Free offsets follow the daemon's own range, not the client's guess.
free_mi=$(value "$F" 'wso2_alloc_free_offsets{product="mi-4"}')
check "free offsets counted by the daemon" bash -c '[ "$0" -gt 1000 ]' "$free_mi"

# --- counters since start, a daemon that is down, the dead owner left ---
stop_daemon
kill "$owner"; wait "$owner" 2>/dev/null || true
expect_rc 0 "export with the daemon down" cli --db "$DB" export --prometheus "$T/down.prom"
check "up 0" has "$T/down.prom" 'wso2_alloc_up 0'
# Where any other command would start a daemon (a user's own socket),
# export does not: its monitoring must see the daemon down.
as_user 4242 env -u WSO2_ALLOC_SOCKET timeout 20 "$BIN/wso2-alloc" export --prometheus - >"$T/user.prom" 2>"$T/user.err" || true
check "a user's export with no daemon says up 0" has "$T/user.prom" 'wso2_alloc_up 0'
check "and starts no private daemon" bash -c '[ ! -e "$0/run/wso2-alloc/wso2-alloc.sock" ] && ! pgrep -u 4242 wso2-allocd >/dev/null' "$T/home-4242"
check "check, from the ledger, finds the dead owner nobody reclaims" has "$T/down.prom" 'wso2_alloc_check_findings{kind="owner-dead"} 1'
check "the export's time is written with the daemon down" grep -q '^wso2_alloc_export_timestamp_seconds ' "$T/down.prom"
metrics_ok "promtool check metrics passes with the daemon down" "$T/down.prom"
start_daemon --port-ceiling 65535
cli export --prometheus "$T/again.prom"
check "the restarted daemon reclaimed the dead owner: its counter starts at 1" has "$T/again.prom" 'wso2_alloc_leases_reclaimed_total 1'
check "refusals start again at 0" has "$T/again.prom" 'wso2_alloc_refusals_total{reason="conflict"} 0'
check "a later start time" awk -v a="$(value "$T/again.prom" wso2_alloc_daemon_start_time_seconds)" -v b="$started" 'BEGIN { exit !(a > b) }'
check "the ledger still holds the reclaimed leases" has "$T/again.prom" 'wso2_alloc_leases{product="mi-4",state="reclaimed"} 1'
kill "$binder" "$unrec" 2>/dev/null || true
wait "$binder" "$unrec" 2>/dev/null || true

# --- export --every keeps the file fresh ---
mkdir "$T/textfile"
E="$T/textfile/wso2_alloc.prom"
"$BIN/wso2-alloc" export --prometheus "$E" --every 1 2>"$T/every.err" &
every=$!
check "--every writes the file" wait_for 10 test -s "$E"
t0=$(value "$E" wso2_alloc_export_timestamp_seconds)
newer() { local t; t=$(value "$E" wso2_alloc_export_timestamp_seconds); [ -n "$t" ] && awk -v a="$t" -v b="$1" 'BEGIN { exit !(a > b) }'; }
check "the file is rewritten (a newer timestamp)" wait_for 10 newer "$t0"
cli lease --product is-7 --name fresh >/dev/null
check "a new lease shows in the file by itself" wait_for 10 has "$E" 'wso2_alloc_leases{product="is-7",state="active"} 1'
stop_daemon
check "a daemon stopped under it: the file says up 0" wait_for 10 has "$E" 'wso2_alloc_up 0'
start_daemon --port-ceiling 65535
check "the daemon back: up 1 again" wait_for 10 has "$E" 'wso2_alloc_up 1'
metrics_ok "promtool check metrics passes on the --every file" "$E"
kill -TERM "$every"
if timeout 10 tail --pid="$every" -f /dev/null; then
	rc=0; wait "$every" || rc=$?
else
	rc="still running after 10 s"; kill -9 "$every"
fi
check "SIGTERM ends export --every with 0 ($rc)" [ "$rc" = 0 ]
check "no temporary file left behind" bash -c '[ "$(ls -A "$0")" = wso2_alloc.prom ]' "$T/textfile"
expect_rc 64 "--every needs a number of seconds" cli export --prometheus "$E" --every 0

# --- the systemd units ---
unitdir="$T/units"
mkdir -p "$unitdir"
for u in wso2-alloc-export.service wso2-alloc-export.timer; do
	sed "s|@WA_BINDIR@|$BIN|" "$WA_SRC/packaging/systemd/$u.in" >"$unitdir/$u"
done
execstart=$(sed -n 's/^ExecStart=//p' "$unitdir/wso2-alloc-export.service")
check "the service runs the export without auto-start" contains "$execstart" '--no-start export --prometheus ${WSO2_ALLOC_TEXTFILE}'
rm -f "$E"
expect_rc 0 "the service's ExecStart writes the textfile" env WSO2_ALLOC_TEXTFILE="$E" bash -c "$execstart"
check "with the daemon's metrics" has "$E" 'wso2_alloc_up 1'
check "the timer runs it every 30 seconds" grep -qx 'OnUnitActiveSec=30s' "$unitdir/wso2-alloc-export.timer"
if command -v systemd-analyze >/dev/null; then
	if SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no \
	    "$unitdir/wso2-alloc-export.service" "$unitdir/wso2-alloc-export.timer" \
	    >"$T/verify" 2>&1 && [ ! -s "$T/verify" ]; then
		ok "systemd-analyze verify: the service and the timer"
	else
		fail "systemd-analyze verify: $(cat "$T/verify")"
	fi
else
	echo "skip - systemd-analyze missing: the units are not verified"
fi

# --- the alert rules ---
promtool_ok "promtool check rules" check rules "$PROM/wso2-alloc.rules.yml"
promtool_ok "promtool test rules: each alert firing and silent" test rules "$PROM/wso2-alloc.rules.test.yml"
alerts=$(sed -n 's/^ *- alert: //p' "$PROM/wso2-alloc.rules.yml" | sort -u)
for a in $alerts; do
	n=$(grep -c "alertname: $a\$" "$PROM/wso2-alloc.rules.test.yml" || true)
	fired=$(awk -v a="$a" '$0 ~ "alertname: " a "$" { getline; print }' "$PROM/wso2-alloc.rules.test.yml" | grep -c 'exp_alerts:$' || true)
	check "$a is tested firing and silent" bash -c '[ "$0" -ge 2 ] && [ "$1" -ge 1 ] && [ "$1" -lt "$0" ]' "$n" "$fired"
done

# --- the names the rules and the dashboard use are the export's ---
names=$(sed -n 's/^# TYPE \(wso2_alloc_[a-z_]*\) .*/\1/p' "$F" | sort -u)
unknown() { grep -o 'wso2_alloc_[a-z_]*' "$1" | sort -u | grep -vxF "$names" || true; }
check "the rules name only exported metrics" [ -z "$(unknown "$PROM/wso2-alloc.rules.yml")" ]
check "the dashboard is JSON" [ "$(sqlite3 :memory: "SELECT json_valid(readfile('$DASH'))")" = 1 ]
check "the dashboard names only exported metrics" [ -z "$(unknown "$DASH")" ]
sqlite3 :memory: "SELECT value FROM json_tree(readfile('$DASH')) WHERE key = 'expr'" >"$T/exprs"
check "the dashboard has queries" [ "$(wc -l <"$T/exprs")" -ge 10 ]
for m in wso2_alloc_leases wso2_alloc_free_offsets wso2_alloc_refusals_total wso2_alloc_check_findings; do
	check "the dashboard shows $m" grep -q "$m" "$T/exprs"
done
# Each query parses as PromQL once Grafana's variables are filled in.
{
	echo "groups:"; echo "  - name: dashboard"; echo "    rules:"
	i=0
	while IFS= read -r e; do
		i=$((i + 1))
		e=${e//\$__rate_interval/5m}; e=${e//\$__range/6h}
		e=${e//\$instance/.*}; e=${e//\$product/.*}
		printf '      - record: dashboard:query_%d\n        expr: %s\n' "$i" "'${e//\'/\'\'}'"
	done <"$T/exprs"
} >"$T/dashboard.rules.yml"
promtool_ok "the dashboard's queries parse (promtool check rules)" check rules "$T/dashboard.rules.yml"

stop_daemon
finish

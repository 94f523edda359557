#!/usr/bin/env bash
# scan, scan --adopt and check against fake WSO2 servers: a program named
# java started with -Dcarbon.home=<tmp>/wso2mi-4.2.0 and friends.
. "$(dirname "$0")/lib.sh"
export WSO2_ALLOC_CATALOG="$WA_SRC/schema/products"
# The fake servers bind real ports, so a host already listening on one of
# them cannot run this test: say which, rather than fail an assertion.
for p in 8290 8253 9300 9201 9164; do
	if (: </dev/tcp/127.0.0.1/$p) 2>/dev/null; then
		echo "FAIL - port $p is already listened on here; this test binds it"
		exit 1
	fi
done
start_daemon
mkdir -p "$T/jvm/bin"
cp "$BIN/fake_java" "$T/jvm/bin/java"
JAVA="$T/jvm/bin/java"
FAKES=()
fake() { # HOME [ARGS...]: start a fake server
	local home=$1; shift
	"$JAVA" -Xms256m "-Dcarbon.home=$home" "$@" org.wso2.carbon.bootstrap.Bootstrap &
	FAKES+=($!)
}

# Four ways an offset is set: the command line, deployment.toml,
# carbon.xml, and the product's internal default.
mkdir -p "$T/wso2mi-4.2.0/conf" "$T/wso2am-4.2.0/repository/conf" \
    "$T/wso2is-5.11.0/repository/conf" "$T/wso2mi-4.3.0/conf"
printf '[server]\nhostname = "localhost"\noffset = 3\n' > "$T/wso2mi-4.2.0/conf/deployment.toml"
printf '[server]\n#offset = 0\n[super_admin]\nusername = "admin"\n' > "$T/wso2am-4.2.0/repository/conf/deployment.toml"
printf '[server]\noffset = 20\n' > "$T/wso2is-5.11.0/repository/conf/deployment.toml"
printf '<Server>\n<!-- <Offset>99</Offset> -->\n<Ports>\n  <Offset>7</Offset>\n</Ports>\n</Server>\n' > "$T/wso2am-4.2.0/repository/conf/carbon.xml"
fake "$T/wso2mi-4.2.0"                       # toml: 3
fake "$T/wso2am-4.2.0" -DportOffset=50       # command line wins: 50
fake "$T/wso2mi-4.3.0"                       # internal default: 10
mkdir -p "$T/carbon/wso2am-2.6.0/repository/conf"
printf '<Server><Ports><Offset>7</Offset></Ports></Server>\n' > "$T/carbon/wso2am-2.6.0/repository/conf/carbon.xml"
fake "$T/carbon/wso2am-2.6.0"                # carbon.xml: 7
sleep 0.3

expect_rc 0 "scan" cli --json scan
out=$(cat "$T/out")
row() { grep -A6 "\"home\": \"$T/$1\"" <<<"$out"; }
check "mi-4 offset from deployment.toml" bash -c 'grep -q "\"offset\": 3," <<<"$0" && grep -q "\"product\": \"mi-4\"" <<<"$0" && grep -q deployment.toml <<<"$0"' "$(row wso2mi-4.2.0)"
check "apim-4 offset from -DportOffset (it replaces the file's)" bash -c 'grep -q "\"offset\": 50," <<<"$0" && grep -q "\"product\": \"apim-4\"" <<<"$0"' "$(row wso2am-4.2.0)"
check "mi-4 without configuration: the internal offset 10" bash -c 'grep -q "\"offset\": 10," <<<"$0" && grep -q "internal default" <<<"$0"' "$(row wso2mi-4.3.0)"
check "apim-2.6 offset from carbon.xml" bash -c 'grep -q "\"offset\": 7," <<<"$0" && grep -q "\"product\": \"apim-2.6\"" <<<"$0" && grep -q carbon.xml <<<"$0"' "$(row carbon/wso2am-2.6.0)"
check "nothing is in the ledger yet" bash -c '! grep -q "\"in_ledger\": true" <<<"$0"' "$out"
expect_rc 1 "check reports unrecorded servers" cli check
check "check names the unrecorded MI" grep -q "unrecorded.*wso2mi-4.2.0" "$T/out"

# A lease holding the internal-offset MI's ports makes its adoption collide.
cli lease --product apim --name blocker --offset 10 >/dev/null
expect_rc 3 "scan --adopt: one refused, the others adopted" cli scan --adopt
check "the refusal names the conflict" grep -q "not adopted: .*held by blocker" "$T/err"
check "the MI at offset 3 was adopted under its home's name" bash -c '"$0" show wso2mi-4.2.0 | grep -q "mi-4 at offset 3"' "$BIN/wso2-alloc"
check "adopted leases are bound to the server's pid" bash -c '"$0" --json show wso2am-4.2.0 | grep -q "\"pid\": $1"' "$BIN/wso2-alloc" "${FAKES[1]}"
check "the history says adopted" bash -c '"$0" history wso2mi-4.2.0 | grep -q adopted' "$BIN/wso2-alloc"
expect_rc 0 "scan marks them in the ledger" cli scan
check "in the ledger now" grep -q "wso2am-4.2.0 " "$T/out"

# check: a pid-bound lease whose process binds only some of its ports.
cli release blocker >/dev/null
kill "${FAKES[2]}"; wait "${FAKES[2]}" 2>/dev/null || true
FAKE_JAVA_BIND=8290,8253,9300 "$JAVA" "-Dcarbon.home=$T/wso2mi-4.3.0" &
FAKES+=($!)
sleep 0.3
expect_rc 0 "a server's own bound ports do not block its lease" cli lease --product mi --name partial --offset 10 --pid "${FAKES[-1]}"
expect_rc 1 "check reports a partial server" cli check
check "missing: the leased ports it did not bind" bash -c 'grep -q "missing .*partial .*9201" "$0" && grep -q "missing .*partial .*9164" "$0"' "$T/out"
check "unexpected: a port it bound outside its lease" grep -q "unexpected .*partial .*tcp/9300" "$T/out"
check "no 'missing' for the ports it did bind" bash -c '! grep -q "missing .*partial .*8290" "$0"' "$T/out"
# A foreign process on a leased port: check names it, the daemon logs it.
"$BIN/wa_raw" --listen 9201 30 >"$T/foreign" &
FAKES+=($!)
for _ in $(seq 1 100); do grep -q listening "$T/foreign" 2>/dev/null && break; sleep 0.02; done
expect_rc 1 "check with a foreign listener on a leased port" cli check
check "check names the foreign holder's pid" grep -q "foreign .*partial .*9201/tcp.*bound by pid ${FAKES[-1]}" "$T/out"
logged() { for _ in $(seq 1 80); do grep -q "port 9201/tcp (mgmt-api-http) of partial is bound by a process other than its owner" "$T/daemon.log" && return 0; sleep 0.1; done; return 1; }
check "the daemon's reconcile logs the foreign bind" logged
expect_rc 0 "who on a leased port bound by a foreign process" cli --json who 9201
check "who names the process that binds it" grep -q "\"holder_pid\": ${FAKES[-1]}" "$T/out"
expect_rc 1 "check --json" cli --json check
check "check --json has findings" grep -q '"clean": false' "$T/out"
kill "${FAKES[@]}" 2>/dev/null; wait "${FAKES[@]}" 2>/dev/null || true
stop_daemon
finish

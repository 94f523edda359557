#!/usr/bin/env bash
# What other users wrote reaches root's terminal escaped: a process of uid
# 4242 whose -Dcarbon.home and command line hold escape sequences (ESC ]
# OSC, CSI, BEL, C1 CSI in UTF-8) is shown by scan, check, the conflict it
# causes and the history; a lease whose home and label hold them, by show,
# list and history.
. "$(dirname "$0")/lib.sh"
export WSO2_ALLOC_CATALOG="$WA_SRC/schema/products"
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
	echo "skip - another uid needs root and setpriv"
	exit 0
fi
for p in 8280 8290; do
	if (: </dev/tcp/127.0.0.1/$p) 2>/dev/null; then
		echo "FAIL - port $p is already listened on here; this test binds it"
		exit 1
	fi
done
start_daemon
chmod 0666 "$SOCK"
as4242() { setpriv --reuid=4242 --regid=4242 --clear-groups "$@"; }
# Raw bytes a terminal acts on: C0 but tab and newline, DEL, C1 in UTF-8.
raw_controls() { LC_ALL=C grep -qaP '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' "$@"; }
clean() { ! raw_controls "$@"; }

mkdir -p "$T/jvm/bin"
cp "$BIN/fake_java" "$T/jvm/bin/java"
EVIL=$'\e]0;pwned\a\e[2J\e[31m\xc2\x9b31m'
SHOWN='\e]0;pwned\a\e[2J\e[31m\u009b31m'
FAKE_JAVA_BIND=8280 as4242 "$T/jvm/bin/java" "-Dcarbon.home=$T/h$EVIL/wso2mi-4.2.0" \
    org.wso2.carbon.bootstrap.Bootstrap &
FAKE=$!
listening() { for _ in $(seq 1 200); do grep -qi ':2058 .* 0A ' /proc/net/tcp && return 0; sleep 0.02; done; return 1; }
check "the fake server of uid 4242 listens on 8280" listening

expect_rc 0 "scan" timeout 20 "$BIN/wso2-alloc" scan
check "scan shows the carbon home" grep -qF "h$SHOWN/wso2mi-4.2.0" "$T/out"
check "scan prints no raw control character" clean "$T/out" "$T/err"
expect_rc 1 "check reports the unrecorded server" timeout 20 "$BIN/wso2-alloc" check
check "check shows the carbon home escaped" grep -qF "unrecorded" "$T/out"
check "check quotes the carbon home escaped" grep -qF "h$SHOWN/wso2mi-4.2.0" "$T/out"
check "check prints no raw control character" clean "$T/out" "$T/err"

# The daemon's refusal quotes the foreign process's command line.
expect_rc 3 "root's lease collides with uid 4242's process" cli lease --product mi --name m0 --offset 0
check "the conflict names the process, escaped" grep -qF "$SHOWN" "$T/err"
check "the conflict prints no raw control character" clean "$T/out" "$T/err"
expect_rc 0 "history" cli history
check "the history's refusal shows the command line escaped" grep -qF "$SHOWN" "$T/out"
check "history prints no raw control character" clean "$T/out" "$T/err"

# Adopted, the home is in the ledger.
expect_rc 0 "scan --adopt records the server" timeout 20 "$BIN/wso2-alloc" scan --adopt
check "scan --adopt prints no raw control character" clean "$T/out" "$T/err"
expect_rc 0 "show the adopted lease" cli show wso2mi-4.2.0
check "show prints its home escaped" grep -qF "  home $T/h$SHOWN/wso2mi-4.2.0" "$T/out"
check "show prints no raw control character" clean "$T/out" "$T/err"

# A lease of uid 4242 with a home and a label holding escapes.
r=$(printf '%s\n' '{"op":"lease","product":"apim","name":"u1","home":"/home/u\u001b]0;x\u0007","labels":{"note":"\u001b[2J\u009b1m\u202e"}}' |
    as4242 "$BIN/wa_raw" "$SOCK")
check "uid 4242 leases with escapes in its home and label" contains "$r" '"owner_uid":4242'
expect_rc 0 "show u1" cli show u1
check "show: the home escaped" grep -qF '  home /home/u\e]0;x\a' "$T/out"
check "show: the label escaped" grep -qF '  label note=\e[2J\u009b1m\u202e' "$T/out"
check "show prints no raw control character" clean "$T/out"
expect_rc 0 "list" cli list --state all
check "list prints no raw control character" clean "$T/out" "$T/err"
check "list shows u1" grep -q "^u1 " "$T/out"
# --json prints the daemon's text: JSON's escapes, and \u ones for DEL,
# C1 and bidi overrides, which JSON may carry raw.
expect_rc 0 "list --json" cli --json list --state all
check "list --json prints no raw control character" clean "$T/out" "$T/err"
check "list --json: the label as \\u escapes" grep -qF '"note": "\u001B[2J\u009B1m\u202E"' "$T/out"
check "list --json: the home as \\u escapes" grep -qF '"home": "/home/u\u001B]0;x\u0007"' "$T/out"
expect_rc 0 "history u1" cli history u1
check "history prints no raw control character" clean "$T/out" "$T/err"
kill "$FAKE" 2>/dev/null; wait "$FAKE" 2>/dev/null || true
stop_daemon
finish

# Shared by the integration tests: a private daemon on a temporary socket
# and ledger, the real binaries, and small assertions.
set -euo pipefail
: "${WA_BUILD:?}" "${WA_SRC:?}"
# As root, each test runs in network, mount and pid namespaces of its own
# (loopback only, its own /proc): what the host listens on or runs cannot
# make it fail, and tests running side by side cannot take each other's
# ports or see each other's servers.
# A test that sets WA_SYSTEM_PATHS=private before sourcing this file also
# gets mount and pid namespaces of its own, with empty tmpfs over /run,
# /var/lib and /tmp: the system daemon it starts (as root, or by
# auto-start) serves /run/wso2-alloc and writes /var/lib/wso2-alloc of
# that namespace only, /tmp/wso2-alloc-UID is the test's, a host's own
# system daemon is out of sight, and every process left over dies with
# the test (its pid 1).  WA_ISOLATED=1 says it is so.
if [ "$(id -u)" -eq 0 ] && [ -z "${WA_NETNS:-}" ] && command -v unshare >/dev/null &&
    unshare -n true 2>/dev/null; then
	if [ "${WA_SYSTEM_PATHS:-}" = private ] &&
	    unshare -m -p -f --mount-proc true 2>/dev/null; then
		exec env WA_NETNS=1 WA_MOUNTNS=1 WA_ISOLATED=1 unshare -n -m -p -f --kill-child \
		    --mount-proc --propagation private -- bash -c \
		    'ip link set lo up 2>/dev/null || true
		    mount -t tmpfs -o mode=755 wa-run /run &&
		    mount -t tmpfs -o mode=755 wa-var-lib /var/lib || exit 1
		    # A tree under /tmp (a clone there) is carried into the
		    # new /tmp: bound aside first, then back in place.
		    i=0
		    for d in "$WA_SRC" "$WA_BUILD"; do
			case $d in /tmp/*) i=$((i + 1))
			    mkdir -p /run/wa-keep/$i && mount --bind "$d" /run/wa-keep/$i;;
			esac
		    done
		    mount -t tmpfs -o mode=1777 wa-tmp /tmp || exit 1
		    i=0
		    for d in "$WA_SRC" "$WA_BUILD"; do
			case $d in /tmp/*) i=$((i + 1))
			    mkdir -p "$d" && mount --bind /run/wa-keep/$i "$d";;
			esac
		    done
		    exec bash "$0" "$@"' "$0" "$@"
	fi
	# A pid namespace too where the kernel allows it: scan and check see
	# this test's processes only, not the fake servers of a test running
	# beside it (scan --adopt took those), and none outlives the test.
	if unshare -m -p -f --mount-proc true 2>/dev/null; then
		exec env WA_NETNS=1 WA_MOUNTNS=1 unshare -n -m -p -f --kill-child \
		    --mount-proc --propagation private -- bash -c \
		    'ip link set lo up 2>/dev/null || true; exec bash "$0" "$@"' "$0" "$@"
	fi
	exec env WA_NETNS=1 unshare -n -- bash -c \
	    'ip link set lo up 2>/dev/null || true; exec bash "$0" "$@"' "$0" "$@"
fi
BIN="$WA_BUILD/bin"
T=$(mktemp -d /tmp/wa-it.XXXXXX)
chmod 755 "$T"
# A host with the package installed has the wso2-alloc group, which makes
# a test daemon's socket 0660 to it and shuts the tests' other uids out:
# in the test's own mount namespace the account does not exist.
if [ "${WA_MOUNTNS:-}" = 1 ] && grep -q '^wso2-alloc:' /etc/group /etc/passwd; then
	for f in group passwd; do
		grep -v '^wso2-alloc:' "/etc/$f" >"$T/etc-$f"
		mount --bind "$T/etc-$f" "/etc/$f"
	done
	WA_ETC_BOUND=1
fi
SOCK="$T/wso2-alloc.sock"
DB="$T/ledger.db"
DPID=
export XDG_RUNTIME_DIR="$T/run" XDG_STATE_HOME="$T/state"
export WSO2_ALLOC_SOCKET="$SOCK"
mkdir -p "$XDG_RUNTIME_DIR" "$XDG_STATE_HOME"
FAILS=0
PASSES=0

cleanup() {
	if [ -n "$DPID" ]; then
		kill "$DPID" 2>/dev/null || true
		wait "$DPID" 2>/dev/null || true
	fi
	pkill -9 -f "$T" 2>/dev/null || true
	# The files bound over /etc live in $T: unbound first.
	if [ -n "${WA_ETC_BOUND:-}" ]; then
		while umount /etc/group 2>/dev/null; do :; done
		while umount /etc/passwd 2>/dev/null; do :; done
	fi
	rm -rf "$T"
}
trap cleanup EXIT

# Start the daemon in the background; wait until it answers.
# WA_DAEMON_WRAPPER runs the daemon under a tool (scripts/valgrind-test).
start_daemon() {
	${WA_DAEMON_WRAPPER:-} "$BIN/wso2-allocd" --socket "$SOCK" --db "$DB" \
	    --catalog "$WA_SRC/schema/products" "$@" >>"$T/daemon.log" 2>&1 &
	DPID=$!
	for _ in $(seq 1 750); do
		[ -S "$SOCK" ] && echo '{"op":"ping"}' | "$BIN/wa_raw" "$SOCK" \
		    2>/dev/null | grep -q '"ok":true' && return 0
		sleep 0.02
	done
	echo "daemon did not start:"; cat "$T/daemon.log"; exit 1
}

# SIGTERM must end the daemon cleanly: exit 0 (and, under ASan, no leak).
stop_daemon() {
	local rc=0
	kill -TERM "$DPID"
	wait "$DPID" 2>/dev/null || rc=$?
	DPID=
	if [ "$rc" -eq 0 ]; then ok "daemon stopped cleanly"
	else fail "daemon exit $rc on SIGTERM: $(tail -5 "$T/daemon.log")"; fi
}

raw() { "$BIN/wa_raw" "$SOCK" "$@"; }
# as_user UID COMMAND...: COMMAND as uid (and gid) UID, which needs no
# account, with no supplementary groups and a HOME, XDG_RUNTIME_DIR and
# XDG_STATE_HOME of its own under $T/home-UID.
as_user() {
	local u=$1 h="$T/home-$1"; shift
	if [ ! -d "$h" ]; then
		mkdir -p "$h/run" "$h/state"
		chown -R "$u:$u" "$h"
		chmod 700 "$h" "$h/run"
	fi
	setpriv --reuid="$u" --regid="$u" --clear-groups env HOME="$h" \
	    XDG_RUNTIME_DIR="$h/run" XDG_STATE_HOME="$h/state" "$@"
}
cli() { "$BIN/wso2-alloc" "$@"; }

ok() { PASSES=$((PASSES + 1)); echo "ok - $*"; }
fail() { FAILS=$((FAILS + 1)); echo "FAIL - $*"; }
# check DESCRIPTION COMMAND...: passes when COMMAND succeeds.
check() { local d=$1; shift; if "$@"; then ok "$d"; else fail "$d"; fi; }
# expect_rc CODE DESCRIPTION COMMAND...
expect_rc() {
	local want=$1 d=$2 rc=0; shift 2
	"$@" >"$T/out" 2>"$T/err" || rc=$?
	if [ "$rc" -eq "$want" ]; then ok "$d (exit $rc)"
	else fail "$d: exit $rc, wanted $want: $(cat "$T/err")"; fi
}
contains() { grep -q -- "$2" <<<"$1"; }
# wait_for SECS COMMAND...: poll until COMMAND succeeds, at most SECS
# seconds: tests wait on conditions, never on a fixed sleep.
wait_for() {
	local end=$((SECONDS + $1)); shift
	until "$@"; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.05
	done
}
finish() {
	echo "$PASSES passed, $FAILS failed"
	[ "$FAILS" -eq 0 ]
}
# Every active lease's ports pairwise disjoint, straight from the ledger.
ledger_disjoint() {
	sqlite3 "$DB" "SELECT count(*) FROM (SELECT proto, port FROM leased_ports
	    GROUP BY proto, port HAVING count(*) > 1)" | grep -qx 0
}

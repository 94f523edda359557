#!/usr/bin/env bash
# A shared host: root and unprivileged users (uids that need no account)
# with no daemon running.  One ledger per host: root's client starts the
# system daemon and users lease from it; a user alone gets a private
# daemon and is warned.  The client talks only to a daemon it can trust:
# not through a /tmp directory another user planted, not to a daemon of
# another uid whatever directory its socket is linked into.  With the
# daemon down it reads that daemon's ledger, or refuses, and says which.
# The system paths are real: all of it runs in namespaces of its own.
WA_SYSTEM_PATHS=private
. "$(dirname "$0")/lib.sh"
if [ -z "${WA_ISOLATED:-}" ] || ! command -v setpriv >/dev/null; then
	echo "skip - needs root, unshare (mount and pid namespaces) and setpriv:" \
	    "the system daemon's paths are real paths"
	exit 0
fi
unset WSO2_ALLOC_SOCKET
export WSO2_ALLOC_CATALOG="$WA_SRC/schema/products"
SYS_SOCK=/run/wso2-alloc/wso2-alloc.sock
SYS_DB=/var/lib/wso2-alloc/ledger.db
SYS_LOG=/var/lib/wso2-alloc/wso2-allocd.log
# The host's own account and group of the package, if any, stay out.
grep -v '^wso2-alloc:' /etc/group >"$T/group.none"
grep -v '^wso2-alloc:' /etc/passwd >"$T/passwd"
mount --bind "$T/group.none" /etc/group
mount --bind "$T/passwd" /etc/passwd

c() { timeout 20 "$BIN/wso2-alloc" "$@"; }
u() { local uid=$1; shift; as_user "$uid" timeout 20 "$BIN/wso2-alloc" "$@"; }
spid() { jq -r .pid <<<"$1"; }
# Wait (bounded) until process $1 is gone (or a zombie).
wait_gone() {
	for _ in $(seq 1 500); do
		[ -e "/proc/$1" ] || return 0
		grep -q '^[0-9]* (.*) Z' "/proc/$1/stat" 2>/dev/null && return 0
		sleep 0.02
	done
	return 1
}
stop_pid() { kill "$1" 2>/dev/null || true; wait_gone "$1"; }
# The ports of a lease answer, one "port/proto" a line, sorted.
ports_of() { jq -r '.ports[] | "\(.port)/\(.proto)"' "$1" | sort; }

# (a) Root first: root's client starts the system daemon, the user's
# client finds it: one ledger, disjoint ports.
expect_rc 0 "root: lease with no daemon running" c --json lease --product apim --name root-first
cp "$T/out" "$T/root.json"
check "root: no private-daemon warning" bash -c '! grep -q "private daemon" "$0"' "$T/err"
check "root's client started the system daemon on $SYS_SOCK" [ -S "$SYS_SOCK" ]
check "its ledger is $SYS_DB" [ -f "$SYS_DB" ]
check "its log is $SYS_LOG, root's, 0600" \
    [ "$(stat -c '%U %a' "$SYS_LOG" 2>/dev/null)" = "root 600" ]
check "root started no private daemon" [ ! -e "$T/run/wso2-alloc/wso2-alloc.sock" ]
check "with no group wso2-alloc the system socket is 0666" \
    [ "$(stat -c %a "$SYS_SOCK")" = 666 ]
expect_rc 0 "uid 4242: lease finds the system daemon" u 4242 --json lease --product apim --name user-second
cp "$T/out" "$T/user.json"
check "uid 4242: no private-daemon warning from the system daemon" \
    bash -c '! grep -q "private daemon" "$0"' "$T/err"
check "uid 4242 started no private daemon" [ ! -e "$T/home-4242/run/wso2-alloc/wso2-alloc.sock" ]
check "both leases are in the system ledger" \
    [ "$(sqlite3 "$SYS_DB" "SELECT count(*) FROM instances WHERE name IN ('root-first','user-second')")" = 2 ]
check "their offsets differ" [ "$(jq .offset "$T/root.json")" != "$(jq .offset "$T/user.json")" ]
check "their port sets are disjoint" \
    [ -z "$(comm -12 <(ports_of "$T/root.json") <(ports_of "$T/user.json"))" ]
expect_rc 77 "uid 4242 may not release root's lease (SO_PEERCRED)" u 4242 release root-first

# (b) status says which daemon answered.
expect_rc 0 "status as root" c status
check "status: system, uid 0" grep -qx "daemon   system, uid 0 (root)" "$T/out"
check "status: the system socket" grep -qx "socket   $SYS_SOCK" "$T/out"
check "status: the system ledger" grep -q "^ledger   $SYS_DB " "$T/out"
expect_rc 0 "status --json as uid 4242" u 4242 --json status
check "status --json: mode, uid, socket, ledger" jq -e --arg s "$SYS_SOCK" --arg l "$SYS_DB" \
    '.mode == "system" and .uid == 0 and .socket == $s and .ledger == $l' "$T/out"
SPID=$(spid "$(cat "$T/out")")
stop_pid "$SPID"
check "the system daemon stopped" [ ! -e "$SYS_SOCK" ]

# (e) The daemon down: the ledger of the daemon the socket names, said.
expect_rc 0 "root, --no-start list: reads the system ledger" c --no-start list
check "and names it" grep -q "read the ledger $SYS_DB directly" "$T/err"
check "and lists its leases" grep -q "^user-second " "$T/out"

# (a) The user first: a private daemon, and a warning on every write.
rm -rf /run/wso2-alloc /var/lib/wso2-alloc
expect_rc 0 "uid 4242 alone: lease starts a private daemon" u 4242 lease --product apim --name mine
USOCK="$T/home-4242/run/wso2-alloc/wso2-alloc.sock"
check "at the user socket" [ -S "$USOCK" ]
check "the warning says private" grep -q "a private daemon (uid 4242) answered" "$T/err"
check "the warning says other users' leases are invisible" grep -q "other users' leases are invisible" "$T/err"
check "the warning says how to get the host daemon" \
    bash -c 'grep -q "systemctl enable --now wso2-allocd.socket" "$0" && grep -q "have root run any" "$0"' "$T/err"
expect_rc 0 "uid 4242: renew" u 4242 renew mine --ttl 1h
check "renew warns too" grep -q "a private daemon" "$T/err"
expect_rc 0 "uid 4242: lease and release" u 4242 lease --product mi --name brief
expect_rc 0 "uid 4242: release" u 4242 release brief
check "release warns too" grep -q "a private daemon" "$T/err"
expect_rc 0 "uid 4242: exec" u 4242 exec --product mi -- /bin/true
check "exec warns too" grep -q "a private daemon" "$T/err"
expect_rc 0 "uid 4242: list" u 4242 list
check "a read does not warn" bash -c '! grep -q "private daemon" "$0"' "$T/err"
expect_rc 0 "status as uid 4242" u 4242 --json status
check "status --json: private, uid 4242, the user socket and ledger" \
    jq -e --arg s "$USOCK" --arg l "$T/home-4242/state/wso2-alloc/ledger.db" \
    '.mode == "private" and .uid == 4242 and .socket == $s and .ledger == $l' "$T/out"
UPID=$(spid "$(cat "$T/out")")
expect_rc 0 "status (text) as uid 4242" u 4242 status
check "status: private, uid 4242" grep -qx "daemon   private, uid 4242" "$T/out"
expect_rc 0 "root now: any command starts the system daemon" c status
check "it is the system daemon" grep -qx "daemon   system, uid 0 (root)" "$T/out"
SPID=$(c --json status | jq .pid)
expect_rc 0 "uid 4242 then leases from the system daemon" u 4242 lease --product apim --name shared
check "without the warning" bash -c '! grep -q "private daemon" "$0"' "$T/err"
stop_pid "$UPID"
stop_pid "$SPID"

# (e) Offline with --socket or WSO2_ALLOC_SOCKET naming a dead daemon
# whose ledger is unknown: refused, never the caller's own ledger.
mkdir -p "$T/dead"
expect_rc 69 "--socket of a dead daemon: list refused" u 4242 --socket "$T/dead/x.sock" list
check "it names the socket and asks for --db" \
    bash -c 'grep -q "no daemon answers on $1" "$0" && grep -q -- "--db" "$0"' "$T/err" "$T/dead/x.sock"
check "and prints nothing of the caller's private ledger" bash -c '! grep -q mine "$0"' "$T/out"
for op in "show mine" "who 9443" "history"; do
	# shellcheck disable=SC2086
	expect_rc 69 "WSO2_ALLOC_SOCKET of a dead daemon: $op refused" \
	    as_user 4242 env WSO2_ALLOC_SOCKET="$T/dead/x.sock" timeout 20 "$BIN/wso2-alloc" $op
done
expect_rc 0 "uid 4242, its own socket down: reads its own ledger" u 4242 --no-start list
check "and names it" grep -q "read the ledger $T/home-4242/state/wso2-alloc/ledger.db directly" "$T/err"
check "its lease is there" grep -q "^mine " "$T/out"
expect_rc 77 "--socket naming a file that is no socket" c --socket /etc/passwd list
check "is refused as not a socket" grep -q "/etc/passwd: not trusted: not a socket" "$T/err"

# A system socket the user may not connect to: the group to join, and no
# private daemon behind the user's back.
rm -rf /run/wso2-alloc /var/lib/wso2-alloc
{ cat "$T/group.none"; echo "wso2-alloc:x:4500:"; } >"$T/group.with"
mount --bind "$T/group.with" /etc/group
expect_rc 0 "root starts the system daemon with group wso2-alloc" c status
SPID=$(c --json status | jq .pid)
check "the socket is 0660 to group wso2-alloc" \
    [ "$(stat -c '%a %G' "$SYS_SOCK")" = "660 wso2-alloc" ]
expect_rc 77 "uid 4244, not in the group: lease refused" u 4244 lease --product apim
check "the error names the socket and the group to join" \
    bash -c 'grep -q "$1" "$0" && grep -q "add you to group wso2-alloc" "$0"' "$T/err" "$SYS_SOCK"
check "no private daemon was started instead" [ ! -e "$T/home-4244/run/wso2-alloc" ]
expect_rc 0 "uid 4244 in the group: lease" \
    setpriv --reuid=4244 --regid=4244 --groups=4500 env HOME="$T/home-4244" \
    XDG_RUNTIME_DIR="$T/home-4244/run" XDG_STATE_HOME="$T/home-4244/state" \
    timeout 20 "$BIN/wso2-alloc" lease --product apim
stop_pid "$SPID"
umount /etc/group

# (c) The planted /tmp directory: uid 4343 makes /tmp/wso2-alloc-4242
# first and serves a daemon of its own there.
mkdir -p "$T/evil"; chown 4343:4343 "$T/evil"
as_user 4343 mkdir -m 0777 /tmp/wso2-alloc-4242
as_user 4343 "$BIN/wso2-allocd" --socket /tmp/wso2-alloc-4242/wso2-alloc.sock \
    --db "$T/evil/planted.db" >"$T/evil.log" 2>&1 &
EPID=$!
for _ in $(seq 1 250); do [ -S /tmp/wso2-alloc-4242/wso2-alloc.sock ] && break; sleep 0.02; done
as_user 4343 chmod 0666 /tmp/wso2-alloc-4242/wso2-alloc.sock
r=$(echo '{"op":"lease","product":"mi","name":"planted"}' | "$BIN/wa_raw" /tmp/wso2-alloc-4242/wso2-alloc.sock)
check "the planted daemon serves anyone who connects" contains "$r" '"name":"planted"'
nox() { local uid=$1; shift; as_user "$uid" env -u XDG_RUNTIME_DIR timeout 20 "$BIN/wso2-alloc" "$@"; }
expect_rc 77 "uid 4242 without XDG_RUNTIME_DIR: status refused" nox 4242 status
check "the error names the directory and its owner" \
    bash -c 'grep -q "/tmp/wso2-alloc-4242" "$0" && grep -q "uid 4343" "$0"' "$T/err"
check "no answer of the planted daemon" bash -c '! grep -q "wso2-allocd" "$0"' "$T/out"
expect_rc 77 "uid 4242 without XDG_RUNTIME_DIR: list refused" nox 4242 list
check "the planted lease is not shown" bash -c '! grep -q planted "$0"' "$T/out"
expect_rc 77 "uid 4242 without XDG_RUNTIME_DIR: lease refused" nox 4242 lease --product apim --name victim
check "nothing reached the planted ledger" \
    [ "$(sqlite3 "$T/evil/planted.db" "SELECT count(*) FROM instances WHERE name = 'victim'")" = 0 ]
# An empty planted directory: the client does not start a daemon in it,
# and neither does wso2-allocd --user.
as_user 4343 mkdir -m 0777 /tmp/wso2-alloc-4245
expect_rc 77 "uid 4245 without XDG_RUNTIME_DIR, planted empty directory: lease refused" \
    nox 4245 lease --product apim
check "the error names the directory and its owner" \
    bash -c 'grep -q "/tmp/wso2-alloc-4245" "$0" && grep -q "uid 4343" "$0"' "$T/err"
check "no socket was made in it" [ -z "$(ls -A /tmp/wso2-alloc-4245)" ]
rc=0; as_user 4245 env -u XDG_RUNTIME_DIR timeout 5 "$BIN/wso2-allocd" --user \
    >"$T/out" 2>"$T/err" || rc=$?
check "wso2-allocd --user refuses the planted directory (exit $rc)" \
    bash -c '[ "$1" != 0 ] && [ "$1" != 124 ] && grep -q "/tmp/wso2-alloc-4245 is not a private directory" "$0"' "$T/err" "$rc"
# With no directory there, the client makes one of its own, 0700.
expect_rc 0 "uid 4246 without XDG_RUNTIME_DIR: lease" nox 4246 lease --product apim
check "in /tmp/wso2-alloc-4246, its own, 0700" \
    [ "$(stat -c '%u %a' /tmp/wso2-alloc-4246)" = "4246 700" ]
UPID=$(nox 4246 --json status | jq .pid)
stop_pid "$UPID"

# (d) A daemon of another uid behind a socket in an acceptable directory:
# a Unix socket's inode linked into a root-owned directory still reaches
# its listener, and only SO_PEERCRED tells.
mkdir -m 0755 "$T/rootdir"
ln /tmp/wso2-alloc-4242/wso2-alloc.sock "$T/rootdir/linked.sock"
r=$(echo '{"op":"ping"}' | "$BIN/wa_raw" "$T/rootdir/linked.sock")
check "the linked socket reaches uid 4343's daemon" contains "$r" '"ok":true'
expect_rc 77 "uid 4242: --socket to it refused" u 4242 --socket "$T/rootdir/linked.sock" status
check "the error names the path and the daemon's uid" \
    bash -c 'grep -q "$1" "$0" && grep -q "runs as uid 4343" "$0"' "$T/err" "$T/rootdir/linked.sock"
check "no answer of that daemon" bash -c '! grep -q "wso2-allocd" "$0"' "$T/out"
expect_rc 77 "root: refused as well" c --socket "$T/rootdir/linked.sock" list
ln -s /tmp/wso2-alloc-4242/wso2-alloc.sock "$T/rootdir/symlink.sock"
expect_rc 77 "a symlink as the socket is refused" u 4242 --socket "$T/rootdir/symlink.sock" status
check "as a symlink" grep -q "not a socket but a symlink" "$T/err"
mkdir -m 0777 "$T/open"
expect_rc 77 "a socket in a directory others may write is refused" \
    u 4242 --socket "$T/open/x.sock" status
check "naming the directory's mode" grep -q "mode 0777" "$T/err"
stop_pid "$EPID"
finish

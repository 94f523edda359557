#!/usr/bin/env bash
# What root reads and writes for users: config --write on a carbon home
# uid 4242 owns (planted .bak and target symlinks, a symlinked directory),
# scan/scan --adopt/check on files a uid-4242 process names (a FIFO,
# /dev/zero, an oversized file, a root-only file), and export --prometheus
# beside a planted FILE.tmp.
. "$(dirname "$0")/lib.sh"
export WSO2_ALLOC_CATALOG="$WA_SRC/schema/products"
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
	echo "skip - needs root and setpriv"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi
U=4242
as_user() { setpriv --reuid=$U --regid=$U --clear-groups "$@"; }
# Every client call is bounded: a regression fails instead of hanging.
tcli() { timeout 20 "$BIN/wso2-alloc" "$@"; }
start_daemon

# Root's own: a directory only root may enter, a file only root may read.
R="$T/rootonly"
mkdir -m 0700 "$R" "$R/cron.d"
printf 'root secret\n' >"$R/secret"
chmod 0600 "$R/secret"
cp "$R/secret" "$T/secret.orig"
mkdir -m 0755 "$T/u"
chown $U:$U "$T/u"

# A fresh API-M home owned by uid 4242, leased by root as NAME.
newhome() {
	local h="$T/u/$1"
	as_user mkdir -p "$h/repository/conf"
	as_user sh -c 'printf "[server]\nhostname = \"localhost\"\n#offset = 0\n" >"$0"; chmod 0640 "$0"' \
	    "$h/repository/conf/deployment.toml"
	cli lease --product apim --name "$1" --home "$h" >/dev/null
	H=$h C=$h/repository/conf
}
secret_kept() { cmp -s "$T/secret.orig" "$R/secret"; }

# (a) deployment.toml.bak is the user's symlink to a root-only file.
newhome bak-link
as_user ln -s "$R/secret" "$C/deployment.toml.bak"
expect_rc 0 "config --write with a .bak symlink to a root-only file" tcli config bak-link --write
check "the root-only file the .bak pointed to is unchanged" secret_kept
check "the .bak is a new regular file, not the link" bash -c '[ -f "$0" ] && [ ! -L "$0" ]' "$C/deployment.toml.bak"
check "the .bak holds the original" grep -q '^#offset = 0' "$C/deployment.toml.bak"
check "the offset was written" grep -q '^offset = ' "$C/deployment.toml"

# (b) a dangling .bak symlink into a root-only directory.
newhome bak-dangling
as_user ln -s "$R/cron.d/job" "$C/deployment.toml.bak"
expect_rc 0 "config --write with a dangling .bak symlink" tcli config bak-dangling --write
check "nothing was created where the dangling link pointed" test ! -e "$R/cron.d/job"
check "the .bak is a regular file in the home" bash -c '[ -f "$0" ] && [ ! -L "$0" ]' "$C/deployment.toml.bak"

# (c) deployment.toml itself is a symlink.
newhome target-link
printf '[server]\n#offset = 0\n' >"$R/deployment.toml"
cp "$R/deployment.toml" "$T/root-toml.orig"
as_user rm "$C/deployment.toml"
as_user ln -s "$R/deployment.toml" "$C/deployment.toml"
expect_rc 77 "config --write on a deployment.toml that is a symlink is refused" tcli config target-link --write
check "the refusal says why" grep -q "symbolic link (not followed): not read" "$T/err"
check "the link is still a link" test -L "$C/deployment.toml"
check "its target is unchanged" cmp -s "$T/root-toml.orig" "$R/deployment.toml"
check "no .bak was written" test ! -e "$C/deployment.toml.bak"

# (d) a directory on the path is the user's symlink to a root-only one.
newhome dir-link
mkdir -p "$R/repo/conf"
printf '[server]\n#offset = 0\n' >"$R/repo/conf/deployment.toml"
as_user rm -r "$H/repository"
as_user ln -s "$R/repo" "$H/repository"
expect_rc 77 "config --write through a user's symlink to a root-only directory fails" tcli config dir-link --write
check "it fails as uid 4242 would" grep -q "permission denied to its owner uid $U" "$T/err"
check "root's file behind the link is unchanged" cmp -s "$T/root-toml.orig" "$R/repo/conf/deployment.toml"
check "no .bak in root's directory" test ! -e "$R/repo/conf/deployment.toml.bak"

# (e) the normal case: owner and mode kept on the result and the .bak.
newhome normal
expect_rc 0 "config --write on a user's home" tcli config normal --write
check "the result keeps owner 4242 and mode 0640" [ "$(stat -c %u:%a "$C/deployment.toml")" = "$U:640" ]
check "the .bak keeps owner 4242 and mode 0640" [ "$(stat -c %u:%a "$C/deployment.toml.bak")" = "$U:640" ]
check "no temporary file is left" bash -c '[ "$(ls -A "$0" | wc -l)" -eq 2 ]' "$C"
# ... and root writes nowhere the owner could not: a directory of root's.
newhome root-dir
mv "$C" "$C.user"
mkdir -m 0755 "$C"
cp -p "$C.user/deployment.toml" "$C/deployment.toml"
cp "$C/deployment.toml" "$T/user-toml.orig"
expect_rc 70 "config --write of a user's file in a directory only root may write fails" tcli config root-dir --write
check "the file is unchanged" cmp -s "$T/user-toml.orig" "$C/deployment.toml"
check "no .bak was created" test ! -e "$C/deployment.toml.bak"

# The shell hook of docs/provisioning.md writes its env file as the owner.
newhome hook
as_user ln -s "$R/secret" "$H/wso2-alloc.env"
sed -n '/^#!\/bin\/sh/,/^```/p' "$WA_SRC/docs/provisioning.md" | sed '$d' >"$T/hook.sh"
# Written aside as the owner and renamed: the planted link is replaced,
# never followed.
expect_rc 0 "the provisioning hook with a planted env-file symlink" \
    env PATH="$BIN:$PATH" timeout 20 sh "$T/hook.sh" hook apim "$H"
check "the root-only file behind the env file is unchanged" secret_kept
check "the link was replaced by a regular file" bash -c '[ -f "$0" ] && [ ! -L "$0" ]' "$H/wso2-alloc.env"
check "its env file is the owner's" [ "$(stat -c %u "$H/wso2-alloc.env")" = $U ]
as_user ln -sf "$R/secret" "$H/wso2-alloc.env.tmp"
expect_rc 0 "the hook with a planted .tmp symlink" env PATH="$BIN:$PATH" timeout 20 sh "$T/hook.sh" hook apim "$H"
check "the root-only file behind the .tmp is unchanged" secret_kept

# (f, g) fake servers of uid 4242 whose homes hold a FIFO, a symlink to
# /dev/zero, a file over 1 MiB, and a file only root can read.
mkdir -p "$T/jvm/bin"
cp "$BIN/fake_java" "$T/jvm/bin/java"
chmod 0755 "$T/jvm" "$T/jvm/bin" "$T/jvm/bin/java"
FAKES=()
fake() {
	# setpriv execs the server: $! is its pid.
	setpriv --reuid=$U --regid=$U --clear-groups "$T/jvm/bin/java" \
	    "-Dcarbon.home=$1" org.wso2.carbon.bootstrap.Bootstrap &
	FAKES+=($!)
}
as_user mkdir -p "$T/u/fifo/wso2mi-4.2.0/conf" "$T/u/zero/wso2am-4.2.0/repository/conf" \
    "$T/u/big/wso2mi-4.3.0/conf"
as_user mkfifo "$T/u/fifo/wso2mi-4.2.0/conf/deployment.toml"
as_user ln -s /dev/zero "$T/u/zero/wso2am-4.2.0/repository/conf/deployment.toml"
as_user sh -c '{ printf "[server]\noffset = 5\n"; head -c 2097152 /dev/zero | tr "\0" "#"; echo; } >"$0"' \
    "$T/u/big/wso2mi-4.3.0/conf/deployment.toml"
mkdir -p "$R/wso2is-5.11.0/repository/conf"
printf '[server]\noffset = 20\n' >"$R/wso2is-5.11.0/repository/conf/deployment.toml"
chmod 0600 "$R/wso2is-5.11.0/repository/conf/deployment.toml"
fake "$T/u/fifo/wso2mi-4.2.0"
fake "$T/u/zero/wso2am-4.2.0"
fake "$T/u/big/wso2mi-4.3.0"
fake "$R/wso2is-5.11.0"
running() {
	for _ in $(seq 1 100); do
		[ "$(pgrep -u $U -f -c "$T/jvm/bin/java")" -ge 4 ] && return 0
		sleep 0.05
	done
	return 1
}
check "the four fake servers run as uid 4242" running

# The client's memory stays bounded: with the limit below, reading
# /dev/zero whole fails (ASan reserves more address space than that).
limit=
case "$(ldd "$BIN/wso2-alloc")" in
*libasan*) ;;
*) limit="ulimit -v 1048576;" ;;
esac
scan() { # EXPECTED-EXIT DESCRIPTION ARGS...: scan or check, bounded
	local want=$1 d=$2; shift 2
	expect_rc "$want" "$d" bash -c "$limit"' exec /usr/bin/time -f %M -o "$0" timeout 20 "$1" "${@:2}"' \
	    "$T/rss" "$BIN/wso2-alloc" "$@"
	check "$d: peak memory under 64 MiB ($(tail -1 "$T/rss") KiB)" [ "$(tail -1 "$T/rss")" -lt 65536 ]
}
# Other tests' fake servers may run too: the messages name our pids.
said() { grep -q -- "pid $1: $2" "$T/err"; }
scan 0 "root's scan with a FIFO, /dev/zero and oversized files in users' homes" --json scan
check "the FIFO is skipped, saying why" said "${FAKES[0]}" "conf/deployment.toml under its carbon home: a FIFO, not a regular file: not read"
check "the /dev/zero link is skipped, saying why" said "${FAKES[1]}" "repository/conf/deployment.toml under its carbon home: a symbolic link (not followed): not read"
check "the file over 1 MiB is skipped, saying why" said "${FAKES[2]}" "conf/deployment.toml under its carbon home: larger than 1 MiB: not read"
check "the root-only file is not read as root, saying why" said "${FAKES[3]}" "repository/conf/deployment.toml under its carbon home: permission denied to its owner uid $U: not read"
# One server's JSON, from its home to the next server's pid.
row() { awk -v h="\"home\": \"$1\"" 'index($0, h) { p = 1 } p && /"pid":/ { exit } p' "$T/out"; }
check "the oversized file's offset 5 was not used" bash -c 'grep -q "\"offset\": 10," <<<"$0" && grep -q "internal default" <<<"$0"' "$(row "$T/u/big/wso2mi-4.3.0")"
check "the root-only file's offset 20 did not reach the scan" bash -c '! grep -q "\"offset\": 20," <<<"$0" && grep -q "internal default" <<<"$0"' "$(row "$R/wso2is-5.11.0")"
check "the JSON names the unread file and the reason" bash -c 'grep -q "\"reason\": \"a FIFO, not a regular file\"" <<<"$0"' "$(row "$T/u/fifo/wso2mi-4.2.0")"
scan 1 "root's check with the same servers" check
check "check says why the FIFO was skipped" said "${FAKES[0]}" "conf/deployment.toml under its carbon home: a FIFO, not a regular file: not read"
# Exit 3: the leases above (or other tests' servers) hold some ports.
scan 3 "root's scan --adopt with the same servers" scan --adopt
check "scan --adopt says why /dev/zero was skipped" said "${FAKES[1]}" "repository/conf/deployment.toml under its carbon home: a symbolic link (not followed): not read"
kill "${FAKES[@]}" 2>/dev/null || true
wait "${FAKES[@]}" 2>/dev/null || true

# (h) export --prometheus FILE beside a planted FILE.tmp symlink.
mkdir -m 0755 "$T/prom"
chown $U:$U "$T/prom"
as_user ln -s "$R/secret" "$T/prom/wso2.prom.tmp"
if command -v strace >/dev/null; then
	# LeakSanitizer cannot run under ptrace: an ASan build skips it here.
	expect_rc 0 "export --prometheus with a planted FILE.tmp symlink" \
	    env ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" strace -f -o "$T/strace" -e trace=openat,fsync,rename,renameat,renameat2 \
	    timeout 20 "$BIN/wso2-alloc" export --prometheus "$T/prom/wso2.prom"
	n() { grep -n -m1 -E "$1" "$T/strace" | cut -d: -f1 || true; }
	tmpopen=$(n 'openat\(.*"wso2.prom.tmp.[A-Za-z0-9]+", O_WRONLY\|O_CREAT\|O_EXCL\|O_NOFOLLOW')
	sync1=$(n 'fsync\(')
	ren=$(n 'rename(at2?)?\(.*"wso2.prom.tmp.[A-Za-z0-9]+", .*"wso2.prom"\) = 0')
	sync2=$(grep -n -E "fsync\\(" "$T/strace" | tail -1 | cut -d: -f1 || true)
	check "a new temporary file (O_EXCL|O_NOFOLLOW), fsynced, renamed, the directory fsynced" \
	    bash -c '[ -n "$0" ] && [ -n "$1" ] && [ -n "$2" ] && [ "$0" -lt "$1" ] && [ "$1" -lt "$2" ] && [ "$2" -lt "$3" ]' \
	    "$tmpopen" "$sync1" "$ren" "$sync2"
else
	expect_rc 0 "export --prometheus with a planted FILE.tmp symlink" tcli export --prometheus "$T/prom/wso2.prom"
	echo "skip - strace missing: fsync and rename not traced"
fi
check "the root-only file behind FILE.tmp is unchanged" secret_kept
check "the planted link is left as it was" test -L "$T/prom/wso2.prom.tmp"
check "the metrics are in FILE" grep -q '^wso2_alloc_up 1' "$T/prom/wso2.prom"
check "FILE is a regular file" bash -c '[ -f "$0" ] && [ ! -L "$0" ]' "$T/prom/wso2.prom"
mkdir "$T/cwd"
expect_rc 0 "export --prometheus - writes to stdout" bash -c 'cd "$0" && timeout 20 "$1" export --prometheus -' "$T/cwd" "$BIN/wso2-alloc"
check "the metrics went to stdout" grep -q '^wso2_alloc_up 1' "$T/out"
check "no file named - was written" test ! -e "$T/cwd/-"

stop_daemon
finish

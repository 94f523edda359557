#!/usr/bin/env bash
# Offline reads (the daemon down, --db) on a path that is no ledger: a
# FIFO must not stall the client, a directory, an absent file or one the
# caller may not read must be refused saying which, and nothing is
# written there.
. "$(dirname "$0")/lib.sh"
start_daemon
expect_rc 0 "a lease" cli lease --product apim --name off1
stop_daemon
off() { timeout 10 "$BIN/wso2-alloc" -s "$T/nobody.sock" --no-start --db "$@"; }

mkfifo "$T/fifo.db"
expect_rc 69 "a FIFO as the ledger is refused, not waited on" off "$T/fifo.db" list
check "it says it is not a regular file" grep -q "fifo.db: a FIFO, not a regular file" "$T/err"
mkdir "$T/dir.db"
expect_rc 69 "a directory as the ledger is refused" off "$T/dir.db" show off1
check "it says it is a directory" grep -q "dir.db: a directory, not a regular file" "$T/err"
expect_rc 69 "an absent ledger is refused" off "$T/none.db" history
check "it says it is absent" grep -q "none.db: No such file or directory" "$T/err"
check "and makes no file there" test ! -e "$T/none.db"
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	chmod 0600 "$DB"
	expect_rc 69 "another user's 0600 ledger is refused" as_user 4242 \
	    timeout 10 "$BIN/wso2-alloc" -s "$T/nobody.sock" --no-start --db "$DB" list
	check "it says permission denied" grep -q "ledger $DB: Permission denied" "$T/err"
	# Root reads a user's ledger as that user: SQLite's -wal and -shm,
	# made in the user's directory, are the user's, never root's.
	mkdir "$T/u"; chown 4242:4242 "$T/u"
	as_user 4242 "$BIN/wso2-allocd" --socket "$T/u/s" --db "$T/u/l.db" \
	    --catalog "$WA_SRC/schema/products" >>"$T/u.log" 2>&1 & U=$!
	wait_for 10 test -S "$T/u/s"
	as_user 4242 "$BIN/wso2-alloc" -s "$T/u/s" lease --product mi --name u1 >/dev/null
	kill "$U"; wait "$U" || true
	expect_rc 0 "root reads uid 4242's ledger offline" off "$T/u/l.db" show u1
	check "every file beside it is still 4242's" \
	    bash -c '[ -z "$(find "$0" ! -user 4242)" ]' "$T/u"
	# The user plants its -shm and -wal as symlinks to root's files.
	printf 'root only\n' >"$T/victim"; chmod 0600 "$T/victim"
	cp "$T/victim" "$T/victim.orig"
	rm -f "$T/u/l.db-shm" "$T/u/l.db-wal"
	as_user 4242 ln -s "$T/victim" "$T/u/l.db-shm"
	as_user 4242 ln -s "$T/victim" "$T/u/l.db-wal"
	off "$T/u/l.db" list >/dev/null 2>&1 || true
	check "root's file behind the user's symlinks is untouched" \
	    bash -c 'cmp -s "$0" "$1" && [ "$(stat -c %u:%a "$0")" = 0:600 ]' \
	    "$T/victim" "$T/victim.orig"
else
	echo "skip - another uid needs root and setpriv"
fi
expect_rc 0 "the ledger itself still reads" off "$DB" show off1
finish

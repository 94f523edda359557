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
else
	echo "skip - another uid needs root and setpriv"
fi
expect_rc 0 "the ledger itself still reads" off "$DB" show off1
finish

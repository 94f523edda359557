#!/usr/bin/env bash
# The request path's system calls, counted by strace: a request costs no
# epoll_ctl and no getpid; pipelined requests share the writes of their
# log lines and of their answers (one a connection an iteration); and
# every held log line reaches the log by a clean stop.
. "$(dirname "$0")/lib.sh"
if ! command -v strace >/dev/null || [ -n "${WA_DAEMON_WRAPPER:-}" ]; then
	echo "skip - needs strace, and a daemon without a wrapper"
	exit 0
fi
# LeakSanitizer (an ASan build) cannot run under ptrace: its own tests
# look for leaks.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
WA_DAEMON_WRAPPER="strace -f -qq -o $T/strace -e trace=write,writev,epoll_ctl,getpid" \
    start_daemon --sync normal
DAEMON=$(pgrep -P "$DPID" -x wso2-allocd)
check "the daemon runs under strace" [ -n "$DAEMON" ]
lines() { wc -l <"$T/strace"; }
# calls FROM PATTERN: the traced calls matching PATTERN since line FROM.
calls() { tail -n "+$(($1 + 1))" "$T/strace" | grep -cE "$2" || true; }

# 50 leases and their releases, one at a time on one connection.
from=$(lines)
for i in $(seq 1 50); do
	echo "{\"op\":\"lease\",\"product\":\"mi\",\"name\":\"s$i\"}"
	echo "{\"op\":\"release\",\"name\":\"s$i\"}"
done | raw >"$T/seq.out"
check "100 requests answered one by one" [ "$(grep -c '"ok":true' "$T/seq.out")" -eq 100 ]
n=$(calls "$from" ' epoll_ctl\(')
check "no epoll_ctl per request ($n for 100)" [ "$n" -lt 10 ]
n=$(calls "$from" ' getpid\(')
check "no getpid per request ($n for 100)" [ "$n" -eq 0 ]

# 400 leases pipelined on two connections: lines and answers batched.
from=$(lines)
"$BIN/wa_flood" "$SOCK" --leases 2 200 mi p >"$T/flood.out"
check "400 pipelined leases acknowledged" [ "$(wc -l <"$T/flood.out")" -eq 400 ]
n=$(calls "$from" ' write\(2, ')
check "their 400 log lines in few writes ($n)" [ "$n" -lt 100 ]
n=$(calls "$from" ' writev?\([0-9]+, \[?\{?"\{')
check "their 400 answers in few writes ($n)" [ "$n" -lt 100 ]

# A clean stop writes what the log holds.
kill -TERM "$DAEMON"
rc=0
wait "$DPID" || rc=$?
DPID=
check "the daemon stopped cleanly (exit $rc)" [ "$rc" -eq 0 ]
check "every pipelined lease is in the log" [ "$(grep -c ': leased p-' "$T/daemon.log")" -eq 400 ]
check "every release is in the log" [ "$(grep -c ': released s' "$T/daemon.log")" -eq 50 ]
check "the log ends with the stop" bash -c 'tail -1 "$0" | grep -q ": stopped$"' "$T/daemon.log"
finish

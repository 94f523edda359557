#!/usr/bin/env bash
# next: the offset a lease would get now, and the free count, with
# nothing taken; the lease that follows gets exactly that offset.
. "$(dirname "$0")/lib.sh"
start_daemon
CLI=(cli --socket "$SOCK" --no-start)
off() { "${CLI[@]}" --json next --product "$1" | jq -r "$2"; }
nleases() { "${CLI[@]}" --json list | jq ".leases | length"; }

o=$(off mi .offset); f0=$(off mi .free)
check "next mi on an empty ledger: offset 0 ($o)" [ "$o" = 0 ]
check "nothing is leased by next" [ "$(nleases)" = 0 ]
got=$("${CLI[@]}" lease --product mi --name a --format offset)
check "the lease gets the offset next said ($got)" [ "$got" = "$o" ]
o=$(off mi .offset); f1=$(off mi .free)
check "next moves on: offset 1 ($o)" [ "$o" = 1 ]
check "fewer free offsets after the lease ($f0 > $f1)" [ "$f0" -gt "$f1" ]
# An API Manager at 10 shares 8290 with an unconfigured MI (internal 10).
"${CLI[@]}" lease --product apim --name g --offset 10 >/dev/null
p=$("${CLI[@]}" --json next --product mi)
check "next never names a leased port (mi after apim@10)" \
    bash -c '! jq -e ".ports[] | select(.port == 8290)" <<<"$0" >/dev/null' "$p"

# A port bound on the host by no lease is skipped as a lease skips it.
port=$(off mi '.ports[] | select(.name == "passthrough-http") | .port')
at=$(off mi .offset)
"$BIN/wa_raw" --listen "$port" 300 >/dev/null 2>&1 & L=$!
moved() { [ "$(off mi .offset)" != "$at" ]; }
check "a port bound on the host moves next past it ($port)" wait_for 10 moved
kill "$L"

expect_rc 65 "next of an unknown product" "${CLI[@]}" next --product nope
expect_rc 64 "next without --product" "${CLI[@]}" next
stop_daemon

# An offset range with no room left: exhausted, exit 3.
DB="$T/one.db"
start_daemon --max-offset 0
"${CLI[@]}" lease --product mi --name only >/dev/null
expect_rc 3 "next when no offset fits: exhausted" "${CLI[@]}" next --product mi
stop_daemon
finish

#!/usr/bin/env bash
# list is served from the daemon's in-memory mirror of active leases; it
# must always say what the ledger says.  After every kind of change the
# live answer is compared with the ledger's active rows, and at the end
# with the answer of a restarted daemon, which builds its mirror from the
# ledger alone.
. "$(dirname "$0")/lib.sh"
start_daemon
req() { echo "$1" | raw; }
# Lease names of a list answer, in order (a port's "name" is followed by
# "port", a lease's by "product").
names() { grep -o '"name":"[^"]*","product"' <<<"$1" | cut -d'"' -f4 | paste -sd, -; }
ledger() { sqlite3 "$DB" "SELECT coalesce(group_concat(name), '') FROM (SELECT name FROM instances WHERE state = 'active' ORDER BY name)"; }
same() { # DESCRIPTION: list and ledger agree
	local l; l=$(req '{"op":"list"}')
	check "$1: list = ledger ($(names "$l"))" [ "$(names "$l")" = "$(ledger)" ]
}

sleep 300 & SP=$!
sleep 300 & SP2=$!
req '{"op":"lease","product":"apim","name":"c-apim"}' >/dev/null
req '{"op":"lease","product":"mi","name":"b-mi","ttl":600}' >/dev/null
req "{\"op\":\"lease\",\"product\":\"is\",\"name\":\"a-is\",\"pid\":$SP}" >/dev/null
same "three leases"
l=$(req '{"op":"list"}')
check "in name order" [ "$(names "$l")" = "a-is,b-mi,c-apim" ]
check "ports carry no description in a list" bash -c '! grep -q description <<<"$0"' "$l"
check "show still describes them" contains "$(req '{"op":"show","name":"b-mi"}')" '"description":'

r=$(req '{"op":"renew","name":"b-mi","ttl":7200}')
exp=$(grep -o '"expires_at":"[^"]*"' <<<"$r")
check "a renewal shows in the list" contains "$(req '{"op":"list"}')" "$exp"
r=$(req '{"op":"lease","product":"mi","name":"b-mi","ttl":3600}')
check "a lease of an active name (renewed) shows in the list" contains "$(req '{"op":"list","product":"mi"}')" "$(grep -o '"expires_at":"[^"]*"' <<<"$r")"

req '{"op":"release","name":"c-apim"}' >/dev/null
same "after a release"
r=$(req '{"op":"list","state":"released"}')
check "state released comes from the ledger" [ "$(names "$r")" = "c-apim" ]
check "state all too, every row" [ "$(names "$(req '{"op":"list","state":"all"}')")" = "a-is,b-mi,c-apim" ]
req '{"op":"lease","product":"apim","name":"c-apim"}' >/dev/null
same "after the name is leased again"
r=$(req "{\"op\":\"attach\",\"name\":\"c-apim\",\"pid\":$SP2}")
check "an attachment shows in the list" contains "$(req '{"op":"list","product":"apim"}')" "\"pid\":$SP2"
check "filters: product, by alias" [ "$(names "$(req '{"op":"list","product":"mi"}')")" = "b-mi" ]
check "filters: an owner with no leases" [ "$(names "$(req '{"op":"list","owner_uid":4242}')")" = "" ]
check "filters: the owner" [ "$(names "$(req "{\"op\":\"list\",\"owner_uid\":$(id -u)}")")" = "a-is,b-mi,c-apim" ]

kill "$SP2"; wait "$SP2" 2>/dev/null || true
for _ in $(seq 1 50); do
	contains "$(req '{"op":"show","name":"c-apim"}')" '"state":"reclaimed"' && break
	sleep 0.05
done
same "after the reaper reclaimed an attached lease"
r=$(req '{"op":"lease","product":"nosuch","name":"x"}')
check "a refused lease is not listed" bash -c '! grep -q "\"name\":\"x\"" <<<"$0"' "$(req '{"op":"list"}')"
same "after a refusal"
# A batch of writes on one connection, one of them refused halfway.
printf '%s\n' '{"op":"lease","product":"si","name":"d-si"}' \
    '{"op":"lease","product":"apim","name":"e-apim","offset":60000}' \
    '{"op":"release","name":"a-is"}' | raw --bytes >/dev/null
same "after a batch with a refused write"

before=$(req '{"op":"list"}')
stop_daemon
start_daemon
check "a restarted daemon lists the same bytes" [ "$(req '{"op":"list"}')" = "$before" ]

# Brief lists: one row per lease, the columns named once.
r=$(req '{"op":"list","brief":true}')
check "a brief list names its columns" contains "$r" '"columns":\["name","product","offset","state","owner_uid","pid","expires_at","ports","port_min","port_max"\]'
check "a brief list has a row per active lease" [ "$(grep -o '\["[a-z]-[a-z]*","[a-z0-9.-]*",[0-9]*,"active"' <<<"$r" | wc -l)" -eq 2 ]
r=$(req '{"op":"list","brief":true,"state":"released"}')
check "a brief list of another state comes from the ledger" contains "$r" '"rows":\[\["a-is","is-7",[0-9]*,"released",[0-9]*,[0-9]*,null,0,null,null\]\]'
check "brief must be a boolean" contains "$(req '{"op":"list","brief":"yes"}')" '"code":"bad_request"'
# The CLI's table comes from brief rows: the daemon's from its mirror,
# the offline reader's from the ledger file. The same table either way.
cli list >"$T/table.daemon"
cli list --state all >"$T/table.daemon.all"
kill "$SP"; wait "$SP" 2>/dev/null || true
stop_daemon
cli --no-start --db "$DB" list >"$T/table.offline" 2>/dev/null
cli --no-start --db "$DB" list --state all >"$T/table.offline.all" 2>/dev/null
check "the table from the mirror equals the one read offline from the ledger" cmp -s "$T/table.daemon" "$T/table.offline"
check "also for every state" cmp -s "$T/table.daemon.all" "$T/table.offline.all"
check "the table has a line per lease" [ "$(wc -l <"$T/table.daemon")" -eq 3 ]
check "and every state's too" [ "$(wc -l <"$T/table.daemon.all")" -eq 5 ]
finish

#!/usr/bin/env bash
# The wso2-alloc command line against the real daemon: every command in
# table and --json form, every exit code, auto-start, offline reads.
WA_SYSTEM_PATHS=private
. "$(dirname "$0")/lib.sh"

# Auto-start from an empty XDG_RUNTIME_DIR: the user socket, no daemon
# yet.  A per-user daemon is a non-root user's (root's client starts the
# system daemon: test_shared_host.sh); as root, uid 4242 is that user.
if [ "$(id -u)" -eq 0 ]; then
	me() { as_user 4242 "$@"; }
	URUN="$T/home-4242/run" USTATE="$T/home-4242/state"
else
	me() { "$@"; }
	URUN=$XDG_RUNTIME_DIR USTATE=$XDG_STATE_HOME
fi
unset WSO2_ALLOC_SOCKET
export WSO2_ALLOC_CATALOG="$WA_SRC/schema/products"
expect_rc 69 "--no-start with no daemon" me "$BIN/wso2-alloc" --no-start lease --product apim
check "--no-start names the socket" grep -q "no daemon answers on $URUN/wso2-alloc/wso2-alloc.sock" "$T/err"
expect_rc 0 "lease auto-starts a per-user daemon" me "$BIN/wso2-alloc" lease --product apim
check "the text answer shows the offset" grep -q "apim-4-1: apim-4 at offset 0" "$T/out"
check "the write warns that the daemon is private" grep -q "a private daemon (uid [0-9]*) answered" "$T/err"
check "the daemon's log is in the state directory" [ -s "$USTATE/wso2-alloc/wso2-allocd.log" ]
check "the user socket is 0600" [ "$(stat -c %a "$URUN/wso2-alloc/wso2-alloc.sock")" = 600 ]
UPID=$(me "$BIN/wso2-alloc" --json status | sed -n 's/^ *"pid": \([0-9]*\),*/\1/p')
check "status --json has the daemon's pid" [ -n "$UPID" ]
kill "$UPID"; sleep 0.3

export WSO2_ALLOC_SOCKET="$SOCK"
start_daemon

expect_rc 0 "lease --format offset" cli lease --product apim --name a1 --format offset
check "offset alone" [ "$(cat "$T/out")" = 0 ]
expect_rc 0 "lease --format args" cli lease --product mi --name m1 --format args
check "-DportOffset=K" grep -qx -- '-DportOffset=[0-9]*' "$T/out"
expect_rc 0 "lease --format toml" cli lease --product is --name i1 --format toml
check "[server] offset" bash -c 'head -1 "$0" | grep -qx "\[server\]" && sed -n 2p "$0" | grep -qx "offset = [0-9]*"' "$T/out"
expect_rc 0 "lease --format xml" cli lease --product ei --name e1 --format xml
check "<Offset>" grep -qx '<Offset>[0-9]*</Offset>' "$T/out"
expect_rc 0 "lease --format env" cli lease --product si --name s1 --format env --label team=qa --ttl 2h
( set +u; eval "$(cat "$T/out")"; [ "$WSO2_ALLOC_NAME" = s1 ] && [ -n "$WSO2_PORT_OFFSET" ] && [ "$WSO2_PORT_HTTPS" -eq $((9443 + WSO2_PORT_OFFSET)) ] ) \
    && ok "env output evaluates in sh, with one variable per port" || fail "env output"
expect_rc 0 "lease --json" cli --json lease --product apim --name a2 --with hazelcast-member
check "json lease has the protocol's fields" bash -c 'for f in name product offset state owner_uid pid created_at expires_at labels ports warnings; do grep -q "\"$f\"" "$0" || exit 1; done' "$T/out"
expect_rc 0 "list" cli list
check "list is a table with a header" bash -c 'head -1 "$0" | grep -q "^NAME  *PRODUCT  *OFFSET  *STATE"' "$T/out"
check "list shows 6 leases" [ "$(($(wc -l <"$T/out") - 1))" -eq 6 ]
expect_rc 0 "list --json" cli --json list --product mi
check "list --json is {leases: [...]} with ports" bash -c 'grep -q "\"leases\"" "$0" && grep -q "\"ports\"" "$0" && ! grep -q "\"a1\"" "$0"' "$T/out"
expect_rc 0 "list --owner root" cli list --owner root
expect_rc 65 "list --owner nobody-such" cli list --owner no-such-user-xyz
expect_rc 0 "show" cli show a1
expect_rc 0 "show --json" cli --json show a1
expect_rc 0 "who 9443" cli who 9443
check "who names port and lease" grep -q "9443/tcp: servlet-https of a1" "$T/out"
expect_rc 0 "who --json" cli --json who 9443/tcp
check "who --json fields" bash -c 'for f in port proto port_name bound lease; do grep -q "\"$f\"" "$0" || exit 1; done' "$T/out"
expect_rc 1 "who on a free port: not found" cli who 1/udp
expect_rc 0 "ports" cli ports
check "ports table names the product and offset of each port" bash -c 'head -1 "$0" | grep -q "^PORT  *PROTO  *NAME  *LEASE  *PRODUCT  *OFFSET$" &&
    grep -Eq "^9443  *tcp  *servlet-https  *a1  *apim-4  *0$" "$0" && ! grep -q " - " "$0"' "$T/out"
expect_rc 0 "ports --json" cli --json ports --product apim
check "ports --json: product a string, offset a number" grep -q '"product": "apim-4",' "$T/out"
check "ports --json: offset" grep -Eq '"offset": [0-9]+' "$T/out"
expect_rc 0 "products" cli products
expect_rc 0 "products mi shows its ports" cli products mi
check "products mi lists passthrough-http" grep -q passthrough-http "$T/out"
expect_rc 0 "products --json" cli --json products
expect_rc 0 "history" cli history a1
expect_rc 0 "history --json" cli --json history --limit 3
expect_rc 0 "status" cli status
expect_rc 0 "renew" cli renew s1 --ttl 1d
expect_rc 0 "release" cli release a2

# Exit codes of every error class.
expect_rc 1 "show of an unknown name" cli show no-such
expect_rc 1 "release of an unknown name" cli release no-such
expect_rc 1 "renew of an unknown name" cli renew no-such
expect_rc 3 "conflict: an explicit held offset" cli lease --product apim --offset 37
check "the error is one line naming the holder" bash -c '[ "$(wc -l <"$0")" -eq 1 ] && grep -q "^wso2-alloc: lease: .*held by a1" "$0"' "$T/err"
expect_rc 65 "invalid: a fixed port above the port ceiling" cli lease --product apim --name a3 --with cluster-multicast
check "the message names the ceiling" grep -q "port-ceiling" "$T/err"
cli lease --product apim --name a4 --with hazelcast-member >/dev/null 2>&1 || true
expect_rc 3 "exhausted: the fixed port 4000 held by a4" cli lease --product apim --name a5 --with hazelcast-member
check "the message says the port does not shift" grep -q "does not shift with the offset and is held by a4" "$T/err"
expect_rc 64 "usage: no product" cli lease
expect_rc 64 "usage: unknown command" cli frobnicate
expect_rc 64 "usage: bad format" cli lease --product apim --format yaml
expect_rc 65 "invalid: unknown product" cli lease --product nope
expect_rc 65 "invalid: offset out of range" cli lease --product apim --offset 70000
expect_rc 65 "invalid: bad duration" cli lease --product apim --ttl 5x
expect_rc 65 "invalid: bad label" cli lease --product apim --label novalue
expect_rc 65 "invalid: unknown port name" cli lease --product apim --with no-such-port
am42="$T/homes/wso2am-4.2.0"; mkdir -p "$am42/repository/conf" "$am42/bin"
touch "$am42/repository/conf/deployment.toml" "$am42/bin/api-manager.sh"
expect_rc 65 "invalid: an mi lease on an API Manager home" cli lease --product mi --home "$am42"
check "it says what the home looks like" grep -q "home $am42 looks like apim-4 (by its name, and it has repository/conf/deployment.toml and bin/api-manager.sh), not mi-4 (no conf/deployment.toml)" "$T/err"
check "nothing was leased for it" bash -c '! "$0" list | grep -q wso2am-4.2.0' "$BIN/wso2-alloc"
expect_rc 0 "the product the home is" cli lease --product apim --home "$am42"
expect_rc 0 "released" cli release wso2am-4.2.0
expect_rc 69 "unreachable: a socket nobody serves" cli -s "$T/nobody.sock" --no-start status
expect_rc 0 "--help of a command" cli lease --help
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	chmod 0666 "$SOCK"
	expect_rc 77 "permission denied: another uid releases root's lease" \
	    setpriv --reuid=65534 --regid=65534 --clear-groups "$BIN/wso2-alloc" -s "$SOCK" release a1
else
	echo "skip - exit 77 needs root and setpriv"
fi

# Reading with the daemon down: list, show, who, history read the ledger.
stop_daemon
expect_rc 0 "list with the daemon down reads the ledger" cli --no-start --db "$DB" list
check "it says so on stderr, naming the file" grep -q "read the ledger $DB directly" "$T/err"
check "and lists the leases" grep -q "^a1 " "$T/out"
expect_rc 0 "show with the daemon down" cli --no-start --db "$DB" show a1
expect_rc 0 "who with the daemon down" cli --no-start --db "$DB" who 9443
expect_rc 0 "history with the daemon down" cli --no-start --db "$DB" history
expect_rc 69 "a writing command never bypasses the daemon" cli --no-start --db "$DB" release a1
finish

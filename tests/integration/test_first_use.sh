#!/usr/bin/env bash
# What a new user meets first, against the real daemon and client: each
# command's --help, usage errors said once, unknown products and offsets
# out of range explained, conflicts naming the holder's port, user names,
# released leases, `shutdown`, `--json export` and the bash completion.
WA_SYSTEM_PATHS=private
. "$(dirname "$0")/lib.sh"
export WSO2_ALLOC_CATALOG="$WA_SRC/schema/products"
start_daemon
chmod 0666 "$SOCK"
W="$BIN/wso2-alloc"
# jq FILTER [FILE]: every result true, and at least one (jq 1.6's -e
# passes on empty input).
jqe() { local r; r=$(jq "$@") && [ -n "$r" ] && ! grep -qvx true <<<"$r"; }

# --- --help: a described, wrapped line per option. ---
expect_rc 0 "--list-cmds" cli --list-cmds
CMDS=$(cat "$T/out")
check "the command list has every command, shutdown too" bash -c \
    'for c in lease release renew list show who ports products history status exec attach scan check config export shutdown; do grep -qx "$c" <<<"$0" || exit 1; done' "$CMDS"
for c in $CMDS; do
	expect_rc 0 "$c --help" cli "$c" --help
	cp "$T/out" "$T/help"
	check "$c --help: no line over 80 columns" bash -c '! grep -q ".\{81\}" "$0"' "$T/help"
	cli "$c" --completion-helper >"$T/opts"
	missing=
	while read -r o; do
		[ "$o" = --help ] && continue
		# The option at the start of a row, its description beside it or
		# on the next line.
		awk -v o="$o" '
		    $1 == o || index($0, "    " o " ") == 1 || $0 == "    " o { want = 1; if (NF > 1 && substr($0, 27) ~ /[a-z]/) found = 1; next }
		    want { if ($0 ~ /^ {26}[^ ]/) found = 1; want = 0 }
		    END { exit !found }' "$T/help" || missing="$missing $o"
	done <"$T/opts"
	check "$c --help describes each of its options${missing:+ (not:$missing)}" [ -z "$missing" ]
done
expect_rc 0 "wso2-alloc --help" cli --help
check "--help: no line over 80 columns" bash -c '! grep -q ".\{81\}" "$0"' "$T/out"
check "--help: each command with its summary" bash -c \
    'for c in $1; do grep -q "^    $c  *[a-z]" "$0" || exit 1; done' "$T/out" "$CMDS"
cli lease --help >"$T/help"
check "lease --help: --product described" grep -q '^    --product P  *the product: an id or alias' "$T/help"
check "lease --help: the usage wraps under itself" bash -c \
    '[ "$(grep -c "^                        \[" "$0")" -ge 2 ]' "$T/help"
COLUMNS=60 cli lease --help >"$T/help60"
check "COLUMNS=60: no line over 60 columns" bash -c '! grep -q ".\{61\}" "$0"' "$T/help60"
check "a long description continues at its column" grep -q '^                          [a-z(]' "$T/help60"
check "wso2-alloc help lease is lease --help" bash -c 'cmp -s <("$0" help lease) "$1"' "$W" "$T/help"
check "the hidden helpers are not in the help" bash -c \
    '! "$0" products --help | grep -q -- --ids && ! "$0" list --help | grep -q -- --names' "$W"

# --- A bad option: one message, and the dispatcher counts arguments. ---
expect_rc 64 "lease --bogus" cli lease --product apim --bogus
check "one message, naming the option" bash -c \
    '[ "$(grep -vc "^usage: \|^  " "$0")" -eq 1 ] && grep -q "lease: unknown option .--bogus." "$0" && ! grep -q unrecognized "$0"' "$T/err"
expect_rc 64 "a global --bogus" cli --bogus status
check "one line for it" bash -c '[ "$(wc -l <"$0")" -eq 1 ] && grep -q "unknown option .--bogus." "$0"' "$T/err"
expect_rc 64 "--product without its value" cli lease --product
check "says the value is missing" grep -q "option '--product' needs a value" "$T/err"
expect_rc 64 "scan --adopt=yes" cli scan --adopt=yes
check "says --adopt takes none" grep -q "option '--adopt' takes no value" "$T/err"
expect_rc 64 "an ambiguous abbreviation" cli lease --product apim --wi x
check "is named ambiguous" grep -q "'--wi' is ambiguous" "$T/err"
expect_rc 64 "release without NAME" cli release
check "NAME expected" grep -q "release: NAME expected" "$T/err"
expect_rc 64 "release a b" cli release a b
check "the extra argument is named" grep -q "unexpected argument 'b'" "$T/err"
expect_rc 64 "scan with an argument (max_args 0)" cli scan extra
expect_rc 64 "status with an argument" cli status extra
expect_rc 64 "export with two files" cli export --prometheus a b
expect_rc 64 "exec without COMMAND" cli exec --product mi
check "COMMAND expected" grep -q "exec: COMMAND expected" "$T/err"
expect_rc 64 "config without NAME" cli config

# --- Unknown product: the nearest ids. ---
expect_rc 65 "lease --product apimm" cli lease --product apimm
check "suggests apim (apim-4)" grep -q "unknown product 'apimm': did you mean apim (apim-4)?" "$T/err"
expect_rc 65 "products apimm" cli products apimm
check "products suggests too" grep -q "did you mean apim (apim-4)?" "$T/err"
r=$(echo '{"op":"lease","product":"apim-analytics"}' | raw)
check "a prefix names products it begins (three at most)" jqe \
    '.error.code == "unknown_product" and (.error.suggestions | length) == 3 and all(.error.suggestions[]; startswith("apim-analytics-"))' <<<"$r"
r=$(echo '{"op":"lease","product":"zzzzzz"}' | raw)
check "nothing near: no guess" jqe '.error.suggestions == [] and (.error.message | test("did you mean") | not)' <<<"$r"

# --- An offset out of range states the range. ---
lo=$(awk '{ print $1 }' /proc/sys/net/ipv4/ip_local_port_range)
max=$((lo - 1 - 11111))
expect_rc 65 "lease --offset 70000" cli lease --product apim --offset 70000
check "the range apim-4 may have" grep -q "offset 70000 is outside 0-$max, the offsets that keep every port of apim-4 at or below $((lo - 1))" "$T/err"
r=$(echo '{"op":"lease","product":"apim","offset":30000}' | raw)
check "in the error fields too" jqe --argjson m "$max" \
    '.error.code == "invalid" and .error.offset_min == 0 and .error.offset_max == $m' <<<"$r"
expect_rc 65 "a non-number" cli lease --product apim --offset 3x
check "is said to be none" grep -q "'3x' is not an offset" "$T/err"

# --- A conflict names the holder's own port. ---
expect_rc 0 "a1 at offset 0" cli lease --product apim --name a1 --ttl 1h --offset 0
expect_rc 3 "offset 37 collides with a1" cli lease --product apim --offset 37
check "8280 is a1's passthrough-http" grep -q \
    "port 8280/tcp (passthrough-https) of apim-4 is held by a1 as its passthrough-http" "$T/err"
r=$(echo '{"op":"lease","product":"apim","offset":37}' | raw)
check "holder_port in the error" jqe '.error.holder == "a1" and .error.holder_port == "passthrough-http"' <<<"$r"

# --- who prints the user name list prints. ---
expect_rc 0 "uid 4242 leases mi" as_user 4242 env WSO2_ALLOC_SOCKET="$SOCK" "$W" lease --product mi --name u1
expect_rc 0 "who 9443" cli who 9443
check "who names root" grep -q "servlet-https of a1 (apim-4, offset 0, owner root)" "$T/out"
cli list >"$T/list"
owner_in_list() { awk -v n="$1" '$1 == n { print $5 }' "$T/list"; }
p=$(cli --json show u1 | jq '.ports[0].port')
expect_rc 0 "who on u1's port" cli who "$p"
check "who and list name u1's owner alike" bash -c \
    'grep -q "of u1 (mi-4, offset [0-9]*, owner $1)" "$0"' "$T/out" "$(owner_in_list u1)"
check "and a1's" [ "$(owner_in_list a1)" = root ]

# --- A released lease has no expiry. ---
expect_rc 0 "release a1" cli release a1
expect_rc 0 "show a1" cli show a1
check "no expiry shown" bash -c '! grep -q expire "$0"' "$T/out"
check "expires_at null" bash -c '[ "$("$0" --json show a1 | jq ".state == \"released\" and .expires_at == null")" = true ]' "$W"
cli list --state all >"$T/list"
check "list's EXPIRES is - for it" bash -c 'awk "\$1 == \"a1\" { exit \$8 != \"-\" }" "$0"' "$T/list"

# --- --json export: the metrics as one JSON object. ---
expect_rc 0 "--json export" cli --json export
check "is JSON: up, active leases per product, free offsets" jqe \
    '.wso2_alloc_up == 1 and (.wso2_alloc_leases_active | map(select(.product == "mi-4"))[0].value) == 1
    and (.wso2_alloc_free_offsets | length) > 10' "$T/out"
expect_rc 0 "export --prometheus (text still)" cli export --prometheus
check "text" grep -q '^wso2_alloc_up 1$' "$T/out"
expect_rc 0 "--json export --prometheus FILE" cli --json export --prometheus "$T/metrics.prom"
check "stdout JSON, the file Prometheus text" bash -c \
    '[ "$(jq ".wso2_alloc_up == 1" "$0")" = true ] && grep -q "^wso2_alloc_up 1$" "$1"' "$T/out" "$T/metrics.prom"

# --- The bash completion asks wso2-alloc. ---
. "$WA_SRC/client/wso2-alloc.bash-completion"
comp() { # WORDS...: what TAB offers after them (the last is the word typed)
	COMP_WORDS=("$W" "$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_wso2_alloc
	printf '%s\n' "${COMPREPLY[@]}" | sort
}
has() { grep -qx -- "$2" <<<"$1"; }
once() { [ -z "$(sort <<<"$1" | uniq -d)" ] && [ -n "$1" ]; }
c=$(comp "")
check "commands, shutdown among them" bash -c 'grep -qx shutdown <<<"$0" && grep -qx lease <<<"$0"' "$c"
c=$(comp products "")
check "products: ids and aliases" bash -c 'grep -qx apim-4 <<<"$0" && grep -qx apim <<<"$0"' "$c"
check "each once" once "$c"
c=$(comp lease --product a)
check "lease --product: ids" has "$c" apim-analytics-worker
c=$(comp lease --)
check "lease --: its options" bash -c 'grep -qx -- --product <<<"$0" && grep -qx -- --format <<<"$0" && ! grep -qx -- --no-offset-arg <<<"$0"' "$c"
expect_rc 0 "a renewable lease" cli lease --product is --name r1
for cmd in renew attach config release; do
	c=$(comp "$cmd" "")
	check "$cmd: the active leases' names" bash -c 'grep -qx r1 <<<"$0" && grep -qx u1 <<<"$0" && ! grep -qx a1 <<<"$0"' "$c"
done
for cmd in show history; do
	c=$(comp "$cmd" "")
	check "$cmd: every lease's name, released ones too" bash -c 'grep -qx r1 <<<"$0" && grep -qx a1 <<<"$0"' "$c"
done
c=$(comp -s "$SOCK" renew r)
check "a --socket typed before the command is asked" has "$c" r1
# With a package installed, its catalog sits beside the one in use: the
# products are listed once, daemon or none.
if [ "${WA_ISOLATED:-}" = 1 ]; then
	mount -t tmpfs wa-share /usr/local/share
	mkdir -p /usr/local/share/wso2-alloc/products
	cp "$WA_SRC"/schema/products/*.json /usr/local/share/wso2-alloc/products/
	c=$(WSO2_ALLOC_SOCKET="$T/none.sock" comp products "")
	check "no daemon, a package installed: each product once" once "$c"
	check "and every one of them" [ "$(grep -c . <<<"$c")" -ge "$(ls "$WA_SRC"/schema/products/*.json | wc -l)" ]
fi

# --- shutdown: the daemon's owner or root. ---
expect_rc 77 "uid 4343 may not stop root's daemon" as_user 4343 env WSO2_ALLOC_SOCKET="$SOCK" "$W" shutdown
check "says who may" grep -q "only root or the daemon's owner, uid 0 (root), may stop it" "$T/err"
check "the daemon still answers" bash -c 'echo "{\"op\":\"ping\"}" | "$0" "$1" | grep -q "\"ok\":true"' "$BIN/wa_raw" "$SOCK"
expect_rc 0 "root stops it" cli shutdown
check "it says so" grep -q "wso2-allocd (pid $DPID) on $SOCK stopped" "$T/out"
gone() { for _ in $(seq 1 250); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.02; done; return 1; }
if gone "$DPID"; then
	rc=0; wait "$DPID" || rc=$?
	check "the daemon exited 0" [ "$rc" -eq 0 ]
	DPID=
else
	fail "the daemon is still running"
	stop_daemon
fi
check "its log says who asked" grep -q "shutdown asked by uid 0 (pid [0-9]*): stopping" "$T/daemon.log"
expect_rc 0 "shutdown with none running" cli shutdown
check "says there is none, starts none" bash -c 'grep -q "none to stop" "$0" && [ ! -S "$1" ]' "$T/out" "$SOCK"
# A daemon whose parent does not reap it (it stays a zombie): stopped is
# stopped all the same.
ln -sf "$(command -v sleep)" "$T/sleeper"
bash -c '"$0" --socket "$1" --db "$2" --catalog "$3" >/dev/null 2>&1 & exec "$4" 60' \
    "$BIN/wso2-allocd" "$T/z.sock" "$T/z.db" "$WA_SRC/schema/products" "$T/sleeper" &
ZP=$!
for _ in $(seq 1 250); do echo '{"op":"ping"}' | "$BIN/wa_raw" "$T/z.sock" 2>/dev/null | grep -q '"ok":true' && break; sleep 0.02; done
expect_rc 0 "shutdown of a daemon its parent does not reap" env WSO2_ALLOC_SOCKET="$T/z.sock" "$W" shutdown
check "is said to have stopped" grep -q "stopped" "$T/out"
kill "$ZP" 2>/dev/null; wait "$ZP" 2>/dev/null || true
# A private daemon: its owner stops it.
U=4242 UR="$T/home-4242/run"
expect_rc 0 "uid 4242's private daemon starts" as_user 4242 env -u WSO2_ALLOC_SOCKET "$W" status
UPID=$(as_user 4242 env -u WSO2_ALLOC_SOCKET "$W" --json status | jq .pid)
expect_rc 0 "its owner stops it" as_user 4242 env -u WSO2_ALLOC_SOCKET "$W" shutdown
check "it is gone" gone "$UPID"
check "and its socket" [ ! -S "$UR/wso2-alloc/wso2-alloc.sock" ]
finish

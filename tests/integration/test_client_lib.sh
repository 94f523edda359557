#!/usr/bin/env bash
# libwso2alloc as a C provisioning tool links it (static and shared,
# nothing else of the tree), responses of several MiB, the exit codes of
# daemon answers a healthy daemon rarely gives (busy, unavailable,
# garbage, a hang-up), and clients racing to auto-start one daemon.
WA_SYSTEM_PATHS=private
. "$(dirname "$0")/lib.sh"
CC=${CC:-cc}
LIB="$WA_BUILD/lib"
JANSSON=$(pkg-config --cflags --libs jansson)
# A sanitized tree's libraries need the sanitizer runtimes to link.
SAN=
if nm "$LIB/libwso2alloc.a" 2>/dev/null | grep __asan_ >/dev/null; then
	SAN="-fsanitize=address,undefined"
fi

# A tool using only the public header: lease, show, list, release, and
# the daemon's error object for an unknown name.
cat >"$T/tool.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <wso2alloc.h>

int
main(int argc, char **argv)
{
	struct wa_lease_request r = { .product = "apim", .name = argv[1],
	    .offset = -1, .ttl = 3600 };
	char *path = wa_socket_path_resolve(NULL);
	wa_client *c;
	json_t *l = NULL, *all = NULL;
	int rc;

	(void)argc;
	if ((rc = wa_client_open(&c, path)) != 0) {
		printf("open: %s\n", wa_strerror(rc));
		return 1;
	}
	if ((rc = wa_lease(c, &r, &l)) != 0)
		printf("lease: %s\n", wa_strerror(rc));
	else
		printf("leased %s %s offset %lld ports %zu\n",
		    json_string_value(json_object_get(l, "name")),
		    json_string_value(json_object_get(l, "product")),
		    json_integer_value(json_object_get(l, "offset")),
		    json_array_size(json_object_get(l, "ports")));
	json_decref(l);
	if ((rc = wa_list(c, "apim", -1, NULL, &all)) == 0)
		printf("list %zu\n", json_array_size(all));
	json_decref(all);
	rc = wa_show(c, "no-such-lease", &l);
	printf("show: %d %s %s\n", rc == WA_ENOTFOUND, wa_err_code(rc),
	    json_string_value(json_object_get(wa_client_error(c), "code")));
	if ((rc = wa_release(c, argv[1], &l)) == 0)
		printf("released %s\n", json_string_value(json_object_get(l,
		    "state")));
	json_decref(l);
	printf("ping %d\n", wa_ping(c));
	wa_client_close(c);
	free(path);
	return 0;
}
EOF

check "the tool builds against libwso2alloc.a alone" \
    $CC $SAN -I"$WA_SRC/include" -o "$T/tool-static" "$T/tool.c" \
    "$LIB/libwso2alloc.a" $JANSSON
check "the tool builds against libwso2alloc.so" \
    $CC $SAN -I"$WA_SRC/include" -o "$T/tool-shared" "$T/tool.c" \
    -L"$LIB" -lwso2alloc -Wl,-rpath,"$LIB" $JANSSON
check "the shared library exports only wa_* calls" bash -c \
    '! nm -D --defined-only "$0" | awk "NF == 3 && \$2 != \"A\" { print \$3 }" | grep -v "^wa_" | grep -q .' \
    "$LIB/libwso2alloc.so"
PC="$WA_BUILD/client/wso2alloc.pc"
check "wso2alloc.pc names the library and jansson" bash -c \
    'grep -qx "Libs: -L\${libdir} -lwso2alloc" "$0" && grep -qx "Requires: jansson" "$0"' "$PC"

start_daemon
for kind in static shared; do
	"$T/tool-$kind" "lib-$kind" >"$T/out" 2>&1 || true
	check "$kind: lease through the library" grep -qx "leased lib-$kind apim-4 offset [0-9]* ports [0-9]*" "$T/out"
	check "$kind: list" grep -qx "list 1" "$T/out"
	check "$kind: an unknown name is WA_ENOTFOUND with the daemon's error object" grep -qx "show: 1 not_found not_found" "$T/out"
	check "$kind: release" grep -qx "released released" "$T/out"
	check "$kind: ping" grep -qx "ping 0" "$T/out"
done

# Several hundred leases on one connection, then one list far beyond the
# 64 KiB request limit: the client reads it whole.
for i in $(seq 1 300); do
	echo "{\"op\":\"lease\",\"product\":\"mi\",\"name\":\"big-$i\"}"
done | raw | grep -c '"ok":true' >"$T/n" || true
check "300 leases granted" [ "$(cat "$T/n")" -eq 300 ]
expect_rc 0 "list --json of 300 leases" cli --json list
check "the answer is over 64 KiB" [ "$(wc -c <"$T/out")" -gt 65536 ]
check "and holds every lease" [ "$(jq '.leases | length' "$T/out")" -eq 300 ]
expect_rc 0 "list of 300 leases as a table" cli list
check "one line per lease under the header" [ "$(wc -l <"$T/out")" -eq 301 ]

# Bash completion: commands, options, and product ids from the daemon,
# else from the catalog files when none answers.
complete_words() {
	PATH="$BIN:$PATH" bash -c '. "$0"; COMP_WORDS=("$@");
	    COMP_CWORD=$(($# - 1)); _wso2_alloc; echo "${COMPREPLY[*]}"' \
	    "$WA_SRC/client/wso2-alloc.bash-completion" "$@"
}
check "completion of commands" [ "$(complete_words wso2-alloc --json re)" = "release renew" ]
check "completion of a command's options" [ "$(complete_words wso2-alloc lease --wi)" = "--with --without" ]
check "completion of formats" [ "$(complete_words wso2-alloc lease --format x)" = "xml" ]
check "completion of product ids and aliases from the daemon" bash -c \
    '[ "$0" = "mi-1 mi-4 mi" ]' "$(complete_words wso2-alloc lease --product m)"
# big-1, big-10 to big-19, big-100 to big-199.
check "completion of lease names" bash -c '[ "$(wc -w <<<"$0")" -eq 111 ]' \
    "$(complete_words wso2-alloc release big-1)"
stop_daemon
check "completion of product ids from the catalog with no daemon" bash -c \
    '[ "$0" = "si-4 si si-dashboard-1 si-tooling-4 si-tooling" ]' \
    "$(WSO2_ALLOC_CATALOG="$WA_SRC/schema/products" complete_words wso2-alloc lease --product s)"

# A stand-in daemon answering each connection with the next canned line.
cat >"$T/fake.c" <<'EOF'
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static void
say(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);

		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

int
main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_STREAM, 0), fd;
	char buf[65536];

	strncpy(sa.sun_path, argv[1], sizeof sa.sun_path - 1);
	if (bind(s, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(s, 8))
		return 1;
	printf("listening\n");
	fflush(stdout);
	for (int i = 2; i < argc; i++) {
		if ((fd = accept(s, NULL, NULL)) < 0)
			return 1;
		/* The whole request line: closing on unread bytes would
		 * reset the connection before the client reads the answer. */
		for (size_t n = 0; n == 0 || memchr(buf, '\n', n) == NULL;) {
			ssize_t r = read(fd, buf + n, sizeof buf - n);

			if (r <= 0)
				return 1;
			n += (size_t)r;
		}
		if (strcmp(argv[i], "big") == 0) {
			/* 20,000 leases in one line: over 3 MiB. */
			const char *l = "{\"name\":\"x\",\"product\":\"mi-4\","
			    "\"offset\":1,\"state\":\"active\",\"owner_uid\":0,"
			    "\"pid\":null,\"expires_at\":null,\"labels\":{},"
			    "\"ports\":[{\"name\":\"https\",\"port\":9164,"
			    "\"proto\":\"tcp\",\"description\":\"HTTPS of the "
			    "management API, padded to make the line long\"}]}";

			say(fd, "{\"ok\":true,\"leases\":[", 21);
			for (int k = 0; k < 20000; k++) {
				if (k > 0)
					say(fd, ",", 1);
				say(fd, l, strlen(l));
			}
			say(fd, "]}\n", 3);
		} else if (strcmp(argv[i], "hangup") != 0) {
			say(fd, argv[i], strlen(argv[i]));
			say(fd, "\n", 1);
		}
		close(fd);
	}
	return 0;
}
EOF
check "the stand-in daemon builds" $CC -o "$T/fake" "$T/fake.c"
FAKE="$T/fake.sock"
"$T/fake" "$FAKE" \
    'this is not json' \
    '{"ok":false,"error":{"code":"busy","message":"too many connections"}}' \
    '{"ok":false,"error":{"code":"unavailable","message":"the ledger cannot be written: disk full"}}' \
    '{"ok":false,"error":{"code":"internal","message":"a bug"}}' \
    '{"ok":false,"error":{"code":"too_large","message":"line too long"}}' \
    'hangup' \
    big >"$T/fake.out" &
FPID=$!
for _ in $(seq 1 100); do grep -q listening "$T/fake.out" && break; sleep 0.02; done
expect_rc 70 "a malformed answer is an internal error" cli -s "$FAKE" status
check "said as one line" bash -c '[ "$(wc -l <"$0")" -eq 1 ] && grep -q "^wso2-alloc: status: malformed response" "$0"' "$T/err"
expect_rc 69 "busy is unreachable for now" cli -s "$FAKE" status
check "with the daemon's words" grep -qx "wso2-alloc: status: too many connections" "$T/err"
expect_rc 70 "unavailable (disk full)" cli -s "$FAKE" release x
check "named as the daemon names it" grep -qx "wso2-alloc: x: the ledger cannot be written: disk full" "$T/err"
expect_rc 70 "internal" cli -s "$FAKE" show x
expect_rc 64 "too_large is a usage error" cli -s "$FAKE" status
expect_rc 69 "a daemon hanging up mid-call is unreachable" cli -s "$FAKE" status
expect_rc 0 "a 3 MiB list answer" cli -s "$FAKE" --json list
check "read whole: 20,000 leases" [ "$(jq '.leases | length' "$T/out")" -eq 20000 ]
wait "$FPID" 2>/dev/null || true

# Clients racing to auto-start: one daemon serves, every client is
# answered, no offset given twice.  The per-user daemon is a non-root
# user's; as root, uids 4242 and 4243 are those users.
unset WSO2_ALLOC_SOCKET
export WSO2_ALLOC_CATALOG="$WA_SRC/schema/products"
if [ "$(id -u)" -eq 0 ]; then
	me() { as_user 4242 "$@"; }
	me3() { as_user 4243 "$@"; }
	export XDG_RUNTIME_DIR="$T/home-4242/run" XDG_STATE_HOME="$T/home-4242/state"
	me true
else
	me() { "$@"; }
	me3() { "$@"; }
	export XDG_RUNTIME_DIR="$T/run2" XDG_STATE_HOME="$T/state2"
	mkdir -p "$XDG_RUNTIME_DIR"
fi
for i in 1 2 3 4; do
	( rc=0; me "$BIN/wso2-alloc" lease --product apim --name "race-$i" \
	    --format offset >"$T/race-$i" 2>"$T/race-$i.err" || rc=$?
	  echo "$rc" >"$T/race-$i.rc" ) &
done
wait
check "every racing client succeeded" bash -c 'cat "$0"/race-*.rc | grep -qvx 0 && exit 1; exit 0' "$T"
check "four distinct offsets" [ "$(cat "$T"/race-? | sort -u | wc -l)" -eq 4 ]
LOG="$XDG_STATE_HOME/wso2-alloc/wso2-allocd.log"
check "one daemon served" [ "$(grep -c ' serving ' "$LOG")" -eq 1 ]
UPID=$(me "$BIN/wso2-alloc" --json status | jq .pid)
# Daemons of this test's user directory still running (the losers exit
# as soon as they find the ledger locked).
ours() {
	local n=0 p
	for p in $(pgrep -x wso2-allocd); do
		tr '\0' '\n' 2>/dev/null <"/proc/$p/environ" |
		    grep -qx "XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR" && n=$((n + 1))
	done
	echo "$n"
}
for _ in $(seq 1 100); do [ "$(ours)" -le 1 ] && break; sleep 0.02; done
check "the others stood down" [ "$(ours)" -eq 1 ]
kill "$UPID" 2>/dev/null || true

# A daemon that cannot be started, or dies at once, is said so.
if [ "$(id -u)" -eq 0 ]; then
	export XDG_RUNTIME_DIR="$T/home-4243/run" XDG_STATE_HOME="$T/home-4243/state"
	me3 true
else
	export XDG_RUNTIME_DIR="$T/run3" XDG_STATE_HOME="$T/state3"
	mkdir -p "$XDG_RUNTIME_DIR"
fi
mkdir -p "$T/alone"
cp "$BIN/wso2-alloc" "$T/alone/"
if command -v wso2-allocd >/dev/null || [ -e /usr/sbin/wso2-allocd ] ||
    [ -e /usr/local/sbin/wso2-allocd ]; then
	echo "skip - a wso2-allocd is installed: the missing one cannot be tested"
else
	# (a PATH with no directory the user may not search: else EACCES)
	expect_rc 69 "no wso2-allocd anywhere" me3 env PATH=/usr/bin:/bin "$T/alone/wso2-alloc" status
	check "says it could not be started" grep -q "wso2-allocd could not be started: No such file or directory" "$T/err"
fi
printf '#!/bin/sh\necho "cannot open the ledger" >&2\nexit 1\n' >"$T/alone/wso2-allocd"
chmod +x "$T/alone/wso2-allocd"
expect_rc 69 "a daemon that dies at once" me3 "$T/alone/wso2-alloc" status
check "points at the log" grep -q "did not answer (see wso2-allocd.log" "$T/err"
check "where its words are" grep -q "cannot open the ledger" "$XDG_STATE_HOME/wso2-alloc/wso2-allocd.log"
finish

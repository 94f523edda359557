#!/usr/bin/env bash
# The config editor against readers it shares no code with: Python's
# tomllib for every deployment.toml of tests/data/toml, xmllint for every
# carbon.xml of tests/data/xml (see their README.md). Both are installed by
# scripts/bootstrap; without them this test fails, it does not skip.
. "$(dirname "$0")/lib.sh"

if ! python3 -c 'import tomllib' 2>/dev/null || ! command -v xmllint >/dev/null; then
	fail "python3 (with tomllib) and xmllint are required: run scripts/bootstrap"
	finish
fi
ED="$BIN/wa_confedit"
cat >"$T/oracle.py" <<'PY'
import copy, math, os, sys, tomllib

def load(path):
    b = open(path, "rb").read()
    if b.startswith(b"\xef\xbb\xbf"):   # kept by the editor; not TOML's
        b = b[3:]
    return tomllib.loads(b.decode("utf-8"))

def valid(path):
    try:
        load(path)
        return True
    except Exception:
        return False

def norm(v):
    # nan != nan: compare it by name.
    if isinstance(v, float) and math.isnan(v):
        return "nan"
    if isinstance(v, dict):
        return {k: norm(x) for k, x in v.items()}
    if isinstance(v, list):
        return [norm(x) for x in v]
    return v

def read(path):
    """The offset as scan must read it."""
    try:
        d = load(path)
    except Exception:
        return "invalid"
    s = d.get("server")
    if not isinstance(s, dict) or "offset" not in s:
        return "absent"
    o = s["offset"]
    if isinstance(o, int) and not isinstance(o, bool) and 0 <= o <= 65535:
        return str(o)
    if isinstance(o, str) and o.isascii() and o.isdigit() and int(o) <= 65535:
        return str(int(o))
    return "invalid"

def edited(orig, out, k):
    try:
        b, a = norm(load(orig)), norm(load(out))
    except Exception as e:
        return "not TOML: %s" % e
    old = b.get("server", {}).get("offset") if isinstance(b.get("server"), dict) else None
    want = str(k) if isinstance(old, str) else k
    s = a.get("server")
    if not isinstance(s, dict) or s.get("offset") != want or type(s.get("offset")) != type(want):
        return "server.offset reads %r, not %r" % (s.get("offset") if isinstance(s, dict) else s, want)
    a, b = copy.deepcopy(a), copy.deepcopy(b)
    del a["server"]["offset"]
    if isinstance(b.get("server"), dict):
        b["server"].pop("offset", None)
    if "server" not in b and a["server"] == {}:
        del a["server"]
    return "ok" if a == b else "other values changed"

def bare_newlines(path):
    b = open(path, "rb").read()
    return b.count(b"\n") - b.count(b"\r\n")

def check(ok, what):
    print(("ok\t" if ok else "FAIL\t") + what)

if sys.argv[1] == "one":             # one ORIGINAL EDITED K
    print(edited(sys.argv[2], sys.argv[3], int(sys.argv[4])))
    sys.exit(0)
# Each record: name, the original, the edit's exit code, its outputs (to
# 7, again to 7, then to 12), the offset as scan read it, why refused.
d = sys.argv[1]
for name in sorted(os.listdir(d)):
    if not name.endswith(".toml"):
        continue
    f, r = os.path.join(d, name), os.path.join(sys.argv[2], name)
    rc = int(open(r + ".rc").read())
    why = open(r + ".why").read().strip()
    if name.startswith("invalid-"):
        check(not valid(f), name + ": tomllib refuses it too")
        check(rc == 3, name + ": refused (%s)" % why)
        continue
    check(valid(f), name + ": tomllib reads it")
    check(open(r + ".read").read().strip() == read(f),
          name + ": scan reads the offset as tomllib does")
    if name.startswith("refuse-"):
        check(rc == 3, name + ": refused (%s)" % why)
        continue
    if rc != 0:
        check(False, name + ": refused: " + why)
        continue
    e1, e2, e3 = r + ".e1", r + ".e2", r + ".e3"
    res = edited(f, e1, 7)
    check(res == "ok", name + ": [server] offset = 7, every other value as it was (%s)" % res)
    check(open(e1, "rb").read() == open(e2, "rb").read(), name + ": a second edit to 7 changes nothing")
    res = edited(e1, e3, 12) if os.path.getsize(e3) > 0 else "refused"
    check(res == "ok", name + ": then to 12 (%s)" % res)
    if open(f, "rb").read(3) == b"\xef\xbb\xbf":
        check(open(e1, "rb").read(3) == b"\xef\xbb\xbf", name + ": the byte order mark is kept")
    if b"\r" in open(f, "rb").read():
        check(bare_newlines(f) == bare_newlines(e1), name + ": no bare newline added to a CRLF file")
print("files\t%d" % sum(1 for n in os.listdir(d) if n.endswith(".toml")))
PY
oracle() { python3 "$T/oracle.py" "$@"; }

# The editor's side, file by file; then every check in one Python run.
mkdir -p "$T/toml"
for f in "$WA_SRC"/tests/data/toml/*.toml; do
	r="$T/toml/$(basename "$f")"
	rc=0; "$ED" toml "$f" 7 >"$r.e1" 2>"$r.why" || rc=$?
	echo "$rc" >"$r.rc"
	"$ED" read "$f" >"$r.read"
	if [ "$rc" -eq 0 ]; then
		"$ED" toml "$r.e1" 7 >"$r.e2" 2>>"$r.why" || true
		"$ED" toml "$r.e1" 12 >"$r.e3" 2>>"$r.why" || : >"$r.e3"
	fi
done
oracle "$WA_SRC/tests/data/toml" "$T/toml" >"$T/verdicts"
while IFS=$'\t' read -r v what; do
	case "$v" in
	ok) ok "$what" ;;
	FAIL) fail "$what" ;;
	files) check "the TOML corpus is there ($what files)" [ "$what" -ge 40 ] ;;
	esac
done <"$T/verdicts"
check "the oracle ran to its end" grep -q '^files' "$T/verdicts"

# carbon.xml: well-formed, /Server/Ports/Offset = K, and the canonical form
# changed in that element's line only.
xp='string(/*[local-name()="Server"]/*[local-name()="Ports"]/*[local-name()="Offset"])'
n=0
for f in "$WA_SRC"/tests/data/xml/*.xml; do
	b=$(basename "$f"); n=$((n + 1))
	wf=0; xmllint --noout "$f" 2>/dev/null || wf=1
	rc=0; "$ED" xml "$f" 7 >"$T/x1" 2>"$T/why" || rc=$?
	case "$b" in
	invalid-*)
		check "$b: xmllint refuses it too" [ "$wf" -eq 1 ]
		check "$b: refused" [ "$rc" -eq 3 ]
		continue ;;
	refuse-*)
		check "$b: xmllint reads it" [ "$wf" -eq 0 ]
		check "$b: refused" [ "$rc" -eq 3 ]
		continue ;;
	esac
	check "$b: xmllint reads it" [ "$wf" -eq 0 ]
	if [ "$rc" -ne 0 ]; then fail "$b: refused: $(cat "$T/why")"; continue; fi
	check "$b: the result is well-formed" xmllint --noout "$T/x1"
	check "$b: /Server/Ports/Offset is 7" [ "$(xmllint --xpath "$xp" "$T/x1")" = 7 ]
	diff <(xmllint --c14n "$f") <(xmllint --c14n "$T/x1") >"$T/d" || true
	old=$(grep '^< ' "$T/d" | sed 's/^< //'); new=$(grep '^> ' "$T/d" | sed 's/^> //')
	check "$b: one line of the canonical form changed" [ "$(grep -c '^[<>] ' "$T/d")" -eq 2 ]
	check "$b: that line is the Offset's" [ "$(sed 's|<Offset\([^>]*\)>[^<]*</Offset>|<Offset\1>7</Offset>|' <<<"$old")" = "$new" ]
	"$ED" xml "$T/x1" 7 >"$T/x2"
	check "$b: a second edit to 7 changes nothing" cmp -s "$T/x1" "$T/x2"
done
check "the XML corpus is there" [ "$n" -ge 15 ]

# End to end: config --write on a file whose multi-line string holds
# [server] and offset lines; the string is left alone, and a second run
# finds the file as leased.
export WSO2_ALLOC_CATALOG="$WA_SRC/schema/products"
start_daemon
home="$T/wso2mi-4.2.0"; mkdir -p "$home/conf" "$home/bin"
cp "$WA_SRC/tests/data/toml/multiline-string.toml" "$home/conf/deployment.toml"
touch "$home/bin/micro-integrator.sh"
cli lease --product mi --home "$home" --offset 20 >/dev/null
expect_rc 0 "config --write" cli config wso2mi-4.2.0 --write
check "the string is as it was" grep -qx 'offset = 1' "$home/conf/deployment.toml"
r=$(oracle one "$WA_SRC/tests/data/toml/multiline-string.toml" "$home/conf/deployment.toml" 20)
check "tomllib reads server.offset = 20, every other value as it was ($r)" [ "$r" = ok ]
expect_rc 0 "config again" cli config wso2mi-4.2.0
check "it says the file is already at the offset" grep -q "already at offset 20" "$T/out"
printf '[server]\nhostname = "h"\n[server]\n' >"$home/conf/deployment.toml"
cp "$home/conf/deployment.toml" "$T/bad.toml"
expect_rc 65 "config --write on a file that is not TOML" cli config wso2mi-4.2.0 --write
check "it says why, and that nothing was written" grep -q "not TOML: line 3: table server is defined twice; nothing written" "$T/err"
check "the file is untouched" cmp -s "$T/bad.toml" "$home/conf/deployment.toml"
h26="$T/wso2am-2.6.0"; mkdir -p "$h26/repository/conf"
cp "$WA_SRC/tests/data/xml/invalid-mismatch.xml" "$h26/repository/conf/carbon.xml"
cli lease --product apim-2.6 --home "$h26" >/dev/null
expect_rc 65 "config --write on a carbon.xml that is not well-formed" cli config wso2am-2.6.0 --write
check "it says why" grep -q "not well-formed XML: line 3: </Ports> closes <Offset>; nothing written" "$T/err"
check "the file is untouched" cmp -s "$WA_SRC/tests/data/xml/invalid-mismatch.xml" "$h26/repository/conf/carbon.xml"
stop_daemon
finish

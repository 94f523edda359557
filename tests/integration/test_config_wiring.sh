#!/usr/bin/env bash
# config on WSO2's real deployment.toml files (tests/data/toml/wso2) at
# non-zero offsets: the literal URL ports of the instance follow its
# offset, the URLs of linked leases take their ports, ${...} values and
# every other key stay as they were (read back by Python's tomllib), a
# second --write is a no-op; links to unknown or released leases are
# refused, show lists links, release warns the dependants.
. "$(dirname "$0")/lib.sh"
export WSO2_ALLOC_CATALOG="$WA_SRC/schema/products"
W="$WA_SRC/tests/data/toml/wso2/apim-4.5.0"
if ! python3 -c 'import tomllib' 2>/dev/null; then
	fail "python3 with tomllib is required: run scripts/bootstrap"
	finish
fi
start_daemon

# home NAME FILE: a carbon home holding a copy of FILE.
home() {
	mkdir -p "$T/$1/repository/conf"
	cp "$2" "$T/$1/repository/conf/deployment.toml"
	echo "$T/$1"
}
offset() { cli show "$1" | sed -n 's/.* at offset \([0-9]*\) .*/\1/p'; }

# want ORIG NEW 'path=value' ...: NEW is ORIG with server.offset and
# exactly the listed values changed (path: keys joined by '.', list
# indexes as numbers), and all of them hold what is listed.
cat >"$T/want.py" <<'PY'
import json, sys, tomllib
a = tomllib.load(open(sys.argv[1], "rb"))
b = tomllib.load(open(sys.argv[2], "rb"))
def flat(d, p="", out=None):
    out = {} if out is None else out
    if isinstance(d, dict):
        for k, v in d.items():
            flat(v, p + "." + k if p else k, out)
    elif isinstance(d, list):
        for i, v in enumerate(d):
            flat(v, "%s.%d" % (p, i), out)
    else:
        out[p] = d
    return out
fa, fb = flat(a), flat(b)
want = {}
for w in sys.argv[3:]:
    k, v = w.split("=", 1)
    want[k] = json.loads(v)
bad = []
for k in sorted(set(fa) | set(fb)):
    if k in want:
        if fb.get(k) != want[k]:
            bad.append("%s: %r, not %r" % (k, fb.get(k), want[k]))
    elif fa.get(k) != fb.get(k):
        bad.append("%s: %r became %r" % (k, fa.get(k), fb.get(k)))
for k in want:
    if k not in fb:
        bad.append("%s: missing" % k)
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
want() { python3 "$T/want.py" "$@" >"$T/why" || { cat "$T/why"; return 1; }; }

# All-in-one 4.5 at a non-zero offset: its own literal ports follow.
cli lease --product apim-4 --name zero >/dev/null          # takes offset 0
aio=$(home wso2am-4.5.0 "$W/all-in-one-apim.toml")
cli lease --product apim-4 --name aio --home "$aio" >/dev/null
k=$(offset aio); f="$aio/repository/conf/deployment.toml"
check "the all-in-one is at a non-zero offset" [ "$k" -gt 0 ]
expect_rc 0 "config --write on the all-in-one" cli config aio --write
E=apim.gateway.environment.0
check "offset, ws, wss and websub endpoints carry the leased ports; \${...} and every other value unchanged" \
    want "$W/all-in-one-apim.toml" "$f" server.offset=$k \
    "$E.ws_endpoint=\"ws://localhost:$((9099 + k))\"" "$E.wss_endpoint=\"wss://localhost:$((8099 + k))\"" \
    "$E.websub_event_receiver_http_endpoint=\"http://localhost:$((9021 + k))\"" \
    "$E.websub_event_receiver_https_endpoint=\"https://localhost:$((8021 + k))\""
cp "$f" "$T/aio1"
expect_rc 0 "a second config --write" cli config aio --write
check "a second --write is a no-op" cmp -s "$T/aio1" "$f"
check "and says so" grep -q "already at offset $k" "$T/out"
# Leased again at another offset: ports at the file's previous offset move.
cli release aio >/dev/null
cli lease --product apim-4 --name aio --home "$aio" --offset $((k + 5)) >/dev/null
expect_rc 0 "config --write at a new offset" cli config aio --write
check "ports written at the previous offset move to the new one" \
    want "$W/all-in-one-apim.toml" "$f" server.offset=$((k + 5)) \
    "$E.ws_endpoint=\"ws://localhost:$((9099 + k + 5))\"" "$E.wss_endpoint=\"wss://localhost:$((8099 + k + 5))\"" \
    "$E.websub_event_receiver_http_endpoint=\"http://localhost:$((9021 + k + 5))\"" \
    "$E.websub_event_receiver_https_endpoint=\"https://localhost:$((8021 + k + 5))\""
# A URL on another host, a port that is not the product's, a placeholder.
printf '[server]\nhostname = "am.local"\n\n[[apim.gateway.environment]]\nname = "a"\nws_endpoint = "ws://am.local:9099"\nwss_endpoint = "wss://elsewhere:8099"\nhttp_endpoint = "http://localhost:1234"\nhttps_endpoint = "https://localhost:${https.nio.port}"\n#websub_event_receiver_http_endpoint = "http://localhost:9021"\n' >"$T/odd.toml"
odd=$(home wso2am-4.5.1 "$T/odd.toml")
cli lease --product apim-4 --name odd --home "$odd" >/dev/null
ko=$(offset odd)
expect_rc 0 "config --write on hand-written URLs" cli config odd --write
check "only the [server] hostname's catalog port moves; other hosts, other ports, placeholders, comments stay" \
    want "$T/odd.toml" "$odd/repository/conf/deployment.toml" server.offset=$ko \
    "apim.gateway.environment.0.ws_endpoint=\"ws://am.local:$((9099 + ko))\""
check "the commented-out line is untouched" grep -qx '#websub_event_receiver_http_endpoint = "http://localhost:9021"' "$odd/repository/conf/deployment.toml"

# Links: refused to an unknown lease, a released one, an undeclared role,
# a product the role does not allow.
expect_rc 65 "a link to an unknown lease is refused" cli lease --product apim-gateway --name bad --link control-plane=nosuch
check "saying there is no such lease" grep -q "control-plane=nosuch: no lease named nosuch" "$T/err"
cli lease --product apim-4 --name gone >/dev/null; cli release gone >/dev/null
expect_rc 65 "a link to a released lease is refused" cli lease --product apim-gateway --name bad --link control-plane=gone
check "saying it is released" grep -q "gone is released, not leased" "$T/err"
expect_rc 65 "an undeclared role is refused" cli lease --product apim-gateway --name bad --link km=zero
expect_rc 65 "a lease of the wrong product is refused" cli lease --product apim-gateway --name bad --link traffic-manager=odd-no
check "no lease was made by the refusals" bash -c '! "$0" show bad >/dev/null 2>&1' "$BIN/wso2-alloc"

# The key-manager recipe of docs/provisioning.md, as written: WSO2's
# documented pair, API-M 4.0.0 with IS 5.11.0 as its global key manager.
K="$WA_SRC/tests/data/toml/wso2"
mkdir -p "$T/km/wso2is-5.11.0/repository/conf" "$T/km/wso2am-4.0.0/repository/conf"
cp "$K/is-5.11.0/deployment.toml" "$T/km/wso2is-5.11.0/repository/conf/deployment.toml"
cp "$K/apim-4.0.0/deployment.toml" "$T/km/wso2am-4.0.0/repository/conf/deployment.toml"
sed -n '/^# apim-4-is-km$/,/^```/p' "$WA_SRC/docs/provisioning.md" | sed '$d' >"$T/km.sh"
check "the key-manager recipe is in the doc" grep -q "config am --write" "$T/km.sh"
expect_rc 0 "the key-manager recipe runs" env PATH="$BIN:$PATH" WSO2_DIR="$T/km" sh -e "$T/km.sh"
I=$(offset is); A=$(offset am)
check "IS and API-M at distinct non-zero offsets" [ "$I" -gt 0 -a "$A" -gt 0 -a "$I" != "$A" ]
check "IS: only its offset changed" \
    want "$K/is-5.11.0/deployment.toml" "$T/km/wso2is-5.11.0/repository/conf/deployment.toml" server.offset=$I
check "API-M: the key manager at the IS lease's https port, type WSO2-IS, its own literal ports; \${...} and every other value unchanged" \
    want "$K/apim-4.0.0/deployment.toml" "$T/km/wso2am-4.0.0/repository/conf/deployment.toml" server.offset=$A \
    "apim.key_manager.service_url=\"https://localhost:$((9443 + I))/services/\"" \
    "apim.key_manager.type=\"WSO2-IS\"" \
    "$E.ws_endpoint=\"ws://localhost:$((9099 + A))\"" "$E.wss_endpoint=\"wss://localhost:$((8099 + A))\"" \
    "$E.websub_event_receiver_http_endpoint=\"http://localhost:$((9021 + A))\"" \
    "$E.websub_event_receiver_https_endpoint=\"https://localhost:$((8021 + A))\""
cp -r "$T/km" "$T/km1"
for n in is am; do expect_rc 0 "config $n --write again" cli config $n --write; done
check "a second run is a no-op" diff -r "$T/km1" "$T/km"
# With the docs' token revocation listener added, the IS notifies the
# API-M lease that links to it, at that lease's https port.
printf '\n[[event_listener]]\nid = "token_revocation"\ntype = "org.wso2.carbon.identity.core.handler.AbstractIdentityHandler"\nname = "org.wso2.is.notification.ApimOauthEventInterceptor"\norder = 1\n\n[event_listener.properties]\nnotification_endpoint = "https://localhost:9443/internal/data/v1/notify"\nusername = "${admin.username}"\npassword = "${admin.password}"\n'"'header.X-WSO2-KEY-MANAGER'"' = "WSO2IS"\n' |
    cat "$K/is-5.11.0/deployment.toml" - >"$T/is-listener.toml"
is2=$(home wso2is-5.11.1 "$T/is-listener.toml")
cli lease --product is-5 --name is2 --home "$is2" >/dev/null
cli lease --product apim-4 --name am2 --link key-manager=is2 >/dev/null
I2=$(offset is2); A2=$(offset am2)
expect_rc 0 "config --write on the IS with the listener" cli config is2 --write
check "IS: the listener's notification_endpoint at the linking API-M's https port; every other value unchanged" \
    want "$T/is-listener.toml" "$is2/repository/conf/deployment.toml" server.offset=$I2 \
    "event_listener.0.properties.notification_endpoint=\"https://localhost:$((9443 + A2))/internal/data/v1/notify\""
cp "$is2/repository/conf/deployment.toml" "$T/is2.1"
expect_rc 0 "config is2 --write again" cli config is2 --write
check "a second --write is a no-op" cmp -s "$T/is2.1" "$is2/repository/conf/deployment.toml"
# IS 6.x/7.x are third-party key managers, set up in the Admin Portal.
cli lease --product is-7 --name is7 >/dev/null
expect_rc 65 "an IS 7 lease as the global key manager is refused" cli lease --product apim-4 --name bad --link key-manager=is7
check "saying the role does not take an is-7 lease" grep -q "is7 is is-7, which cannot be apim-4.s key-manager" "$T/err"
check "no lease was made by the refusal" bash -c '! "$0" show bad >/dev/null 2>&1' "$BIN/wso2-alloc"

# The recipe of docs/provisioning.md, as written, on the 4.5.0 files.
mkdir -p "$T/opt"
for d in wso2am-acp-4.5.0:api-control-plane wso2am-tm-4.5.0:traffic-manager wso2am-universal-gw-4.5.0:gateway; do
	mkdir -p "$T/opt/${d%%:*}/repository/conf"
	cp "$W/${d#*:}.toml" "$T/opt/${d%%:*}/repository/conf/deployment.toml"
done
sed -n '/^# apim-4.5-one-host$/,/^```/p' "$WA_SRC/docs/provisioning.md" | sed '$d' >"$T/recipe.sh"
check "the recipe is in the doc" grep -q "config gw --write" "$T/recipe.sh"
expect_rc 0 "the recipe runs" env PATH="$BIN:$PATH" WSO2_DIR="$T/opt" sh -e "$T/recipe.sh"
C=$(offset cp); TM=$(offset tm); G=$(offset gw)
check "three distinct offsets" [ "$C" != "$TM" -a "$TM" != "$G" -a "$C" != "$G" ]
S=$T/opt/wso2am-acp-4.5.0/repository/conf/deployment.toml
E=apim.gateway.environment.0
check "control plane: the gateway's URLs and the traffic manager's, nothing else changed" \
    want "$W/api-control-plane.toml" "$S" server.offset=$C \
    "$E.name=\"Default\"" "$E.type=\"hybrid\"" "$E.gateway_type=\"Regular\"" "$E.provider=\"wso2\"" \
    "$E.display_in_api_console=true" "$E.show_as_token_endpoint_url=true" \
    "$E.username=\"\${admin.username}\"" "$E.password=\"\${admin.password}\"" \
    "$E.service_url=\"https://localhost:$((9443 + G))/services/\"" \
    "$E.ws_endpoint=\"ws://localhost:$((9099 + G))\"" "$E.wss_endpoint=\"wss://localhost:$((8099 + G))\"" \
    "$E.http_endpoint=\"http://localhost:$((8280 + G))\"" "$E.https_endpoint=\"https://localhost:$((8243 + G))\"" \
    "$E.websub_event_receiver_http_endpoint=\"http://localhost:$((9021 + G))\"" \
    "$E.websub_event_receiver_https_endpoint=\"https://localhost:$((8021 + G))\"" \
    "apim.throttling.throttle_decision_endpoints.0=\"tcp://localhost:$((5672 + TM))\"" \
    "apim.throttling.url_group.0.traffic_manager_urls.0=\"tcp://localhost:$((9611 + TM))\"" \
    "apim.throttling.url_group.0.traffic_manager_auth_urls.0=\"ssl://localhost:$((9711 + TM))\""
EH() { echo "apim.event_hub.enable=true" "apim.event_hub.username=\"\$ref{super_admin.username}\"" \
    "apim.event_hub.password=\"\$ref{super_admin.password}\"" \
    "apim.event_hub.service_url=\"https://localhost:$((9443 + C))/services/\"" \
    "apim.event_hub.event_listening_endpoints.0=\"tcp://localhost:$((5672 + C))\""; }
check "traffic manager: the control plane's event hub" \
    want "$W/traffic-manager.toml" "$T/opt/wso2am-tm-4.5.0/repository/conf/deployment.toml" server.offset=$TM $(EH)
check "gateway: the control plane's key manager and event hub, the traffic manager's throttling" \
    want "$W/gateway.toml" "$T/opt/wso2am-universal-gw-4.5.0/repository/conf/deployment.toml" server.offset=$G $(EH) \
    "apim.key_manager.service_url=\"https://localhost:$((9443 + C))/services/\"" \
    "apim.throttling.throttle_decision_endpoints.0=\"tcp://localhost:$((5672 + TM))\"" \
    "apim.throttling.url_group.0.traffic_manager_urls.0=\"tcp://localhost:$((9611 + TM))\"" \
    "apim.throttling.url_group.0.traffic_manager_auth_urls.0=\"ssl://localhost:$((9711 + TM))\""
cp -r "$T/opt" "$T/opt1"
for n in cp tm gw; do expect_rc 0 "config $n --write again" cli config $n --write; done
check "a second run of the three is a no-op" diff -r "$T/opt1" "$T/opt"
expect_rc 0 "show lists the links" cli show gw
check "show names both links" grep -q "control-plane=cp" "$T/out"
expect_rc 0 "releasing the control plane" cli release cp
check "warns the leases that link to it" bash -c 'grep -q "gw links to cp" "$0" && grep -q "tm links to cp" "$0"' "$T/err"
finish

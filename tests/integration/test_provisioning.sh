#!/usr/bin/env bash
# The provisioning recipes of docs/provisioning.md, run for real: the
# shell hook (twice), config on sample product files, the systemd
# template's ExecStart line, and the Prometheus textfile.
. "$(dirname "$0")/lib.sh"
export WSO2_ALLOC_CATALOG="$WA_SRC/schema/products"
export PATH="$BIN:$PATH"
start_daemon

# The shell hook, from the doc, on an API Manager 4 home.
home="$T/wso2am-4.2.0"
mkdir -p "$home/repository/conf"
printf '[server]\nhostname = "localhost"\n#offset = 0\n\n[super_admin]\nusername = "admin"\n' >"$home/repository/conf/deployment.toml"
cp "$home/repository/conf/deployment.toml" "$T/orig.toml"
sed -n '/^#!\/bin\/sh/,/^```/p' "$WA_SRC/docs/provisioning.md" | sed '$d' >"$T/hook.sh"
cli lease --product apim --name first >/dev/null     # takes offset 0
expect_rc 0 "the shell hook" sh "$T/hook.sh" gw1 apim "$home"
check "the hook wrote the env file" grep -q '^WSO2_PORT_OFFSET=1$' "$home/wso2-alloc.env"
check "deployment.toml: the commented offset is uncommented in place" \
    bash -c 'sed -n 3p "$0" | grep -qx "offset = 1"' "$home/repository/conf/deployment.toml"
check "every other line is unchanged" bash -c 'diff <(sed 3d "$0") <(sed 3d "$1")' "$T/orig.toml" "$home/repository/conf/deployment.toml"
check "a .bak holds the original" cmp -s "$T/orig.toml" "$home/repository/conf/deployment.toml.bak"
cp "$home/repository/conf/deployment.toml" "$T/after1"
expect_rc 0 "the hook again (idempotent)" sh "$T/hook.sh" gw1 apim "$home"
check "a second run changes nothing" cmp -s "$T/after1" "$home/repository/conf/deployment.toml"
check "a second run says so" grep -q "already at offset 1" "$T/out"
cp "$home/wso2-alloc.env" "$T/env1"
expect_rc 65 "the hook with an unknown product fails" sh "$T/hook.sh" gw1 nosuchproduct "$home"
check "a failed run keeps the last good env file" cmp -s "$T/env1" "$home/wso2-alloc.env"

# carbon.xml (API-M 2.6) and a missing [server] table (gateway 4.5).
h26="$T/wso2am-2.6.0"; mkdir -p "$h26/repository/conf"
printf '<Server>\r\n  <!-- <Offset>5</Offset> -->\r\n  <Ports>\r\n    <Offset>0</Offset>\r\n  </Ports>\r\n</Server>\r\n' >"$h26/repository/conf/carbon.xml"
cli lease --product apim-2.6 --name am26 --home "$h26" >/dev/null
expect_rc 0 "config shows a diff without writing" cli config am26
check "the diff names the new offset" grep -q '^+    <Offset>[0-9]*</Offset>' "$T/out"
check "nothing written without --write" grep -q '<Offset>0</Offset>' "$h26/repository/conf/carbon.xml"
expect_rc 0 "config --write on carbon.xml" cli config am26 --write
off=$(cli show am26 | sed -n 's/.* at offset \([0-9]*\) .*/\1/p')
f26="$h26/repository/conf/carbon.xml"
check "carbon.xml has the lease's offset" grep -q "<Offset>$off</Offset>" "$f26"
check "carbon.xml keeps its CRLF line endings" [ "$(grep -c $'\r$' "$f26")" -eq 6 ]
check "the commented-out <Offset> is untouched" grep -q "<!-- <Offset>5</Offset> -->" "$f26"
# API-M 2.6 Gateway paired with its Key Manager (am26): Thrift ports and
# the workflow callback address follow the leases.
g26="$T/gw/wso2am-2.6.0"; mkdir -p "$g26/repository/conf" \
    "$g26/repository/deployment/server/synapse-configs/default/proxy-services"
printf '<Server><Ports><Offset>0</Offset></Ports></Server>\n' >"$g26/repository/conf/carbon.xml"
printf '<APIManager>\n  <KeyValidatorClientType>ThriftClient</KeyValidatorClientType>\n  <ThriftClientPort>10397</ThriftClientPort>\n  <ThriftServerPort>10397</ThriftServerPort>\n</APIManager>\n' >"$g26/repository/conf/api-manager.xml"
printf '<proxy>\n  <address uri="https://localhost:9443/store/site/blocks/workflow/workflow-listener/ajax/workflow-listener.jag" format="rest"/>\n</proxy>\n' \
    >"$g26/repository/deployment/server/synapse-configs/default/proxy-services/WorkflowCallbackService.xml"
cli lease --product apim-2.6 --name gw26 --home "$g26" --link km=am26 >/dev/null
goff=$(cli show gw26 | sed -n 's/.* at offset \([0-9]*\) .*/\1/p')
expect_rc 0 "config --write for an API-M 2.6 gateway linked to its key manager" cli config gw26 --write
check "Thrift client and server ports = 10397 + the key manager's offset" bash -c \
    '[ "$(grep -c "<Thrift\(Client\|Server\)Port>$((10397 + $1))<" "$0")" -eq 2 ]' "$g26/repository/conf/api-manager.xml" "$off"
check "the workflow callback address follows the gateway's offset" \
    grep -q "localhost:$((9443 + goff))/store" "$g26/repository/deployment/server/synapse-configs/default/proxy-services/WorkflowCallbackService.xml"
hgw="$T/wso2am-universal-gw-4.5.0"; mkdir -p "$hgw/repository/conf"
printf '[super_admin]\nusername = "admin"\n' >"$hgw/repository/conf/deployment.toml"
cli lease --product apim-gateway --name gw45 --home "$hgw" >/dev/null
expect_rc 0 "config --write adds a missing [server] table" cli config gw45 --write
check "the table comes first" bash -c 'head -1 "$0" | grep -qx "\[server\]"' "$hgw/repository/conf/deployment.toml"

# Carbon 5 (EI Analytics): instructions with the leased listener ports.
cli lease --product ei-analytics-7 --name eia --home "$T/wso2ei-analytics-7.1.0" >/dev/null
expect_rc 0 "config for a deployment.yaml product prints what to set" cli config eia
check "it names wso2.carbon.ports.offset and each listener port" bash -c \
    'grep -q "wso2.carbon.ports.offset" "$0" && grep -q "mgmt-https .*tcp port: [0-9]" "$0"' "$T/out"

# The systemd template's ExecStart=, with %i and its environment.
unit="$WA_SRC/packaging/systemd/wso2@.service.in"
mkdir -p "$T/opt/orders-mi/bin"
cat >"$T/opt/orders-mi/bin/micro-integrator.sh" <<'SH'
#!/bin/sh
echo "started with $* as $WSO2_ALLOC_NAME" > "$(dirname "$0")/../started"
SH
chmod +x "$T/opt/orders-mi/bin/micro-integrator.sh"
execstart=$(sed -n 's/^ExecStart=//p' "$unit" | sed -e "s|@WA_BINDIR@|$BIN|" \
    -e "s|/opt/wso2/%i|$T/opt/orders-mi|g" -e 's|%i|orders-mi|g' \
    -e 's|${WSO2_PRODUCT}|mi|' -e 's|${WSO2_START}|bin/micro-integrator.sh|')
expect_rc 0 "the template's ExecStart runs the product under exec" bash -c "$execstart"
check "the start script got -DportOffset and the lease name" grep -q -- "-DportOffset=[0-9]* as orders-mi" "$T/opt/orders-mi/started"

# export --prometheus, parsed line by line against the text format.
expect_rc 0 "export --prometheus FILE" cli export --prometheus "$T/wso2_alloc.prom"
check "no temporary file left" bash -c '! ls "$0"/*.tmp 2>/dev/null' "$T"
bad=$(grep -vE '^(# (HELP|TYPE) wso2_alloc_[a-z_]+ .+|wso2_alloc_[a-z_]+(\{[a-z_]+="[a-z0-9.-]+"(,[a-z_]+="[a-z0-9.-]+")*\})? -?[0-9]+(\.[0-9]+)?)$' "$T/wso2_alloc.prom" || true)
check "every line is a HELP, TYPE or sample line" [ -z "$bad" ]
check "daemon up" grep -qx 'wso2_alloc_up 1' "$T/wso2_alloc.prom"
check "active leases per product" grep -q '^wso2_alloc_leases_active{product="apim-4"} 2$' "$T/wso2_alloc.prom"
check "free offsets per product" grep -q '^wso2_alloc_free_offsets{product="mi-4"} [1-9]' "$T/wso2_alloc.prom"
# The cloud-init runcmd lines, as written, with this test's directories.
mkdir -p "$T/opt/wso2mi-4.2.0/conf"
printf '[server]\nhostname = "localhost"\n' >"$T/opt/wso2mi-4.2.0/conf/deployment.toml"
sed -n '/^runcmd:/,/^```/p' "$WA_SRC/docs/provisioning.md" | grep '^  - \[' |
    sed -e "s|/etc/wso2|$T/etc/wso2|g" -e "s|/opt/|$T/opt/|g" >"$T/runcmd"
check "the cloud-init recipe has its three commands" [ "$(wc -l <"$T/runcmd")" -eq 3 ]
# Each "- [ a, b, 'c d' ]" is one argv, as cloud-init runs it.
rc=0
while IFS= read -r line; do
	line=${line#  - [ }; line=${line% ]}
	eval "set -- $(sed "s/, / /g" <<<"$line")"
	"$@" >/dev/null 2>"$T/err" || { rc=$?; break; }
done <"$T/runcmd"
check "the cloud-init commands run as written (exit $rc: $(cat "$T/err"))" [ "$rc" -eq 0 ]
check "the offset file is in the directory the recipe creates" \
    grep -qx '[0-9][0-9]*' "$T/etc/wso2/orders-mi.offset"
check "the MI's deployment.toml has the offset" grep -qx "offset = $(cat "$T/etc/wso2/orders-mi.offset")" \
    "$T/opt/wso2mi-4.2.0/conf/deployment.toml"

# The Ansible tasks, as written, run twice: changed, then ok.
if command -v ansible-playbook >/dev/null; then
	ahome="$T/wso2am-4.2.0-ansible"
	mkdir -p "$ahome/repository/conf"
	printf '[server]\nhostname = "localhost"\n' >"$ahome/repository/conf/deployment.toml"
	{
		printf -- '- hosts: localhost\n  connection: local\n  gather_facts: false\n  tasks:\n'
		sed -n '/^## Ansible/,/^```$/p' "$WA_SRC/docs/provisioning.md" |
		    sed -n '/^```yaml/,/^```$/p' | sed -e '1d' -e '$d' |
		    sed -e "s|/opt/wso2am-4.2.0|$ahome|" -e 's/^/    /'
		printf '    - ansible.builtin.assert: { that: "gw_offset | int >= 0" }\n'
	} >"$T/play.yml"
	play() { ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false \
	    ansible-playbook -i localhost, "$T/play.yml" 2>&1; }
	out1=$(play) || true
	out2=$(play) || true
	grep -q 'failed=0' <<<"$out1" || sed -e 's/^/ansible: /' -e 's/\(.\{300\}\).*/\1.../' <<<"$out1" | tail -15
	check "ansible: the first run changes (lease created, offset written)" \
	    grep -Eq 'localhost *: ok=[0-9]+ +changed=2 .*failed=0' <<<"$out1"
	check "ansible: the second run changes nothing" \
	    grep -Eq 'localhost *: ok=[0-9]+ +changed=0 .*failed=0' <<<"$out2"
	check "ansible: deployment.toml has the gateway's offset" \
	    grep -qx "offset = $(cli show localhost-gw --json | sed -n 's/^  "offset": \([0-9]*\),/\1/p')" \
	    "$ahome/repository/conf/deployment.toml"
elif [ "${CI:-}" = true ]; then
	fail "ansible-playbook is missing (.ci/run installs ansible-core)"
else
	echo "skip - ansible-playbook not installed (apt-get install ansible-core)"
fi

stop_daemon
finish

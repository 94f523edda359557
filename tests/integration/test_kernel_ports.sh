#!/usr/bin/env bash
# --reserve-kernel-ports, in a network namespace of its own (the sysctl
# is per namespace): leased ports are added, released ones removed, and
# the administrator's reservations kept.
. "$(dirname "$0")/lib.sh"
if [ "$(id -u)" -ne 0 ] || ! unshare -n true 2>/dev/null; then
	echo "skip - needs root and network namespaces"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi
cat >"$T/netns.sh" <<'SH'
#!/bin/sh
echo 7000-7001 > /proc/sys/net/ipv4/ip_local_reserved_ports
exec "$@"
SH
chmod +x "$T/netns.sh"
WA_DAEMON_WRAPPER="unshare -n $T/netns.sh" start_daemon --reserve-kernel-ports
reserved() { nsenter -t "$DPID" -n cat /proc/sys/net/ipv4/ip_local_reserved_ports; }
check "the administrator's ports stay reserved at start" [ "$(reserved)" = "7000-7001" ]
cli lease --product mi --name k1 --offset 0 >/dev/null
check "leased ports are reserved" [ "$(reserved)" = "7000-7001,8243,8280,9154,9191" ]
cli lease --product mi --name k2 --offset 1 >/dev/null
check "adjacent leased ports merge into ranges" [ "$(reserved)" = "7000-7001,8243-8244,8280-8281,9154-9155,9191-9192" ]
cli release k1 >/dev/null
check "released ports are removed, the administrator's kept" [ "$(reserved)" = "7000-7001,8244,8281,9155,9192" ]
stop_daemon
WA_DAEMON_WRAPPER= 
mkdir -m 0777 "$T/nb"
rc=0; setpriv --reuid=65534 --regid=65534 --clear-groups "$BIN/wso2-allocd" --socket "$T/nb/x.sock" --db "$T/nb/x.db" --catalog "$WA_SRC/schema/products" --reserve-kernel-ports 2>"$T/err" || rc=$?
check "--reserve-kernel-ports is refused without root" bash -c '[ "$0" -ne 0 ] && grep -q "needs root" "$1"' "$rc" "$T/err"
finish

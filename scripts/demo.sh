#!/usr/bin/env bash
# The main job: two hosts in network namespaces, `synaptic up` on both, then ping over HIT and LSI,
# a TCP transfer with its SHA-256 checked on both ends, both `synaptic status` tables, and cleanup.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/netns.sh
source scripts/lib/hosts.sh

[ "$(id -u)" -eq 0 ] || { echo "demo: needs root (network namespaces and TUN devices)"; exit 1; }
scripts/install-deps.sh socat
echo "== building synaptic (release)"
synaptic_binary release

work=$(mktemp -d /tmp/synaptic-demo.XXXXXX)
trap 'netns_cleanup; rm -rf "$work"' EXIT
a="${NETNS_TAG}-a" b="${NETNS_TAG}-b"
netns_add "$a"; netns_add "$b"; netns_link "$a" "$b" 1
echo "== hosts: $a (198.18.1.1, fd00:1::1) and $b (198.18.1.2, fd00:1::2), a veth between them"

host_identity "$work" a; host_identity "$work" b
echo "   a: HIT $HIT_a  LSI $LSI_a"
echo "   b: HIT $HIT_b  LSI $LSI_b"
host_config "$work" a b '"198.18.1.2", "[fd00:1::2]:10500"'
host_config "$work" b a '"198.18.1.1", "[fd00:1::1]:10500"'

echo "== synaptic up on both hosts"
netns_bg "$a" "$work/a.log" "$SYNAPTIC" up "$work/a.toml" >/dev/null
netns_bg "$b" "$work/b.log" "$SYNAPTIC" up "$work/b.toml" >/dev/null
wait_for ip -n "$a" link show hipa && wait_for ip -n "$b" link show hipb || {
    echo "demo: synaptic up did not bring up its TUN"; cat "$work"/*.log; exit 1; }

echo "== ping b's HIT from a (the first packet starts the base exchange)"
ip netns exec "$a" ping -6 -c 3 -i 0.3 -W 5 "$HIT_b"
echo "== ping a's LSI from b"
ip netns exec "$b" ping -c 3 -i 0.3 -W 5 "$LSI_a"

echo "== 16 MiB over TCP from a to b by HIT"
head -c 16M /dev/urandom >"$work/payload"
ip netns exec "$b" socat -u "TCP6-LISTEN:5001,reuseaddr,bind=[$HIT_b]" "CREATE:$work/received" &
NETNS_PIDS+=($!)
wait_for ip netns exec "$b" sh -c "ss -Hltn 'sport = :5001' | grep -q ."
sleep 0.2
ip netns exec "$a" socat -u "OPEN:$work/payload" "TCP6:[$HIT_b]:5001"
wait "${NETNS_PIDS[-1]}" || true
sent=$(sha256sum <"$work/payload" | cut -d' ' -f1); got=$(sha256sum <"$work/received" | cut -d' ' -f1)
echo "   sent     $sent"; echo "   received $got"
[ "$sent" = "$got" ] || { echo "demo: checksum mismatch"; exit 1; }

echo "== synaptic status on a"; "$SYNAPTIC" status --config "$work/a.toml"
echo "== synaptic status on b"; "$SYNAPTIC" status --config "$work/b.toml"
echo "== logs"; sed 's/^/   a: /' "$work/a.log" | tail -n 5; sed 's/^/   b: /' "$work/b.log" | tail -n 5
echo "== done: removing namespaces, TUNs and files"

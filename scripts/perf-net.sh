#!/usr/bin/env bash
# Side-by-side network measurements in one run, reported as ratios to the direct veth path:
#   - base-exchange latency (median and p99 over N exchanges, from the nodes' own reports)
#   - TCP_RR: 1024-byte request/response transactions per second over one TCP connection (Perf/tools/tcprr.c)
#   - iperf3 single-stream TCP throughput, and the tunnel processes' CPU time per GB received (user + system
#     of both ends' daemons, all their threads, during the iperf3 run)
# for: the direct veth path, synaptic (HIT), a baseline synaptic binary when given (--baseline: e.g. a
# release build of main, measured the same way in the same run), and wireguard-go when it is installed;
# then, for synaptic only,
#   - mobility: N address changes of host A on its link while B sends A's HIT a datagram every 1 ms; from a
#     capture in A's namespace: the UPDATE exchange (A's first UPDATE from the new address → A's UPDATE with
#     ECHO_RESPONSE_SIGNED, which is when B moves its ESP), that UPDATE → the first ESP from B to the new
#     address, and the gap in B's ESP (its last packet to the old address → its first to the new one).
# Usage: scripts/perf-net.sh [--exchanges N] [--seconds S] [--moves N] [--baseline BINARY]
#        (root; release build)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/netns.sh
source scripts/lib/hosts.sh
EXCHANGES=100; SECONDS_EACH=10; MOVES=20; BASELINE=""
while (($#)); do case $1 in
    --exchanges) EXCHANGES=$2; shift 2;; --seconds) SECONDS_EACH=$2; shift 2;; --moves) MOVES=$2; shift 2;;
    --baseline) BASELINE=$(realpath "$2"); shift 2;;
    *) echo "usage: $0 [--exchanges N] [--seconds S] [--moves N] [--baseline BINARY]"; exit 2;; esac; done
[ "$(id -u)" -eq 0 ] || { echo "perf-net: needs root"; exit 1; }
scripts/install-deps.sh iperf3 wireguard-go wireguard-tools >/dev/null
synaptic_binary release
W=$(mktemp -d /tmp/synaptic-perf.XXXXXX); chmod 755 "$W"
trap 'netns_cleanup; netns_sweep; rm -rf "$W"' EXIT
cc -O2 -o "$W/tcprr" Perf/tools/tcprr.c

A="${NETNS_TAG}-a" B="${NETNS_TAG}-b"
netns_add "$A"; netns_add "$B"; netns_link "$A" "$B" 1

rr() { # rr ADDRESS -> transactions/s
    ip netns exec "$B" "$W/tcprr" server "$1" 5201 1024 & local srv=$!
    sleep 0.3
    ip netns exec "$A" "$W/tcprr" client "$1" 5201 1024 "$SECONDS_EACH" | awk '{print $2}'
    wait $srv 2>/dev/null || true
}
cpu_ticks() { # cpu_ticks PID... -> user + system clock ticks of those processes, all threads
    local pid total=0
    for pid in "$@"; do total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); done
    echo "$total"
}
tput_() { # tput_ ADDRESS [TUNNEL_PID...] -> "Mbit/s CPU-seconds-per-GB" (CPU "-" without PIDs)
    local address=$1; shift
    ip netns exec "$B" iperf3 -s -1 -B "$address" >/dev/null 2>&1 & local srv=$!
    sleep 0.5
    local before; before=$(cpu_ticks "$@")
    ip netns exec "$A" iperf3 -c "$address" -t "$SECONDS_EACH" -J >"$W/iperf.json"
    local after; after=$(cpu_ticks "$@")
    python3 - "$W/iperf.json" "$#" "$((after - before))" "$(getconf CLK_TCK)" <<'PY'
import json, sys
received = json.load(open(sys.argv[1]))["end"]["sum_received"]
cpu = "-" if sys.argv[2] == "0" else "%.2f" % (int(sys.argv[3]) / int(sys.argv[4]) / (received["bytes"] / 1e9))
print("%.0f %s" % (received["bits_per_second"] / 1e6, cpu))
PY
    wait $srv 2>/dev/null || true
}
ping_rtt() { ip netns exec "$A" ping -c 20 -i 0.05 -q "$1" | awk -F/ '/rtt/{print $5}'; }

declare -A RR TP CPU
echo "== direct veth"
RR[direct]=$(rr 198.18.1.2); read -r TP[direct] CPU[direct] <<<"$(tput_ 198.18.1.2)"; RTT_DIRECT=$(ping_rtt 198.18.1.2)

host_identity "$W" a; host_identity "$W" b
LOG_LEVEL=info host_config "$W" a b '"198.18.1.2"'; LOG_LEVEL=info host_config "$W" b a '"198.18.1.1"'
sed -i '/^\[keylog\]/,+1d' "$W/a.toml" "$W/b.toml"

if [ -n "$BASELINE" ]; then
    echo "== baseline synaptic ($BASELINE)"
    netns_bg "$B" "$W/base-b.log" "$BASELINE" up "$W/b.toml" >/dev/null; pb=${NETNS_PIDS[-1]}
    netns_bg "$A" "$W/base-a.log" "$BASELINE" up "$W/a.toml" >/dev/null; pa=${NETNS_PIDS[-1]}
    wait_for ip -n "$A" link show hipa
    ip netns exec "$A" ping -6 -c 3 -W 5 "$HIT_b" >/dev/null || true
    RR[baseline]=$(rr "$HIT_b"); read -r TP[baseline] CPU[baseline] <<<"$(tput_ "$HIT_b" "$pa" "$pb")"
    kill -TERM "$pa" "$pb"; wait "$pa" "$pb" 2>/dev/null || true
fi

echo "== synaptic"
netns_bg "$B" "$W/b.log" "$SYNAPTIC" up "$W/b.toml" >/dev/null; pb=${NETNS_PIDS[-1]}
lat=()
for i in $(seq 1 "$EXCHANGES"); do
    netns_bg "$A" "$W/a.log" "$SYNAPTIC" up "$W/a.toml" >/dev/null; pa=${NETNS_PIDS[-1]}
    wait_for ip -n "$A" link show hipa
    ip netns exec "$A" ping -6 -c 1 -W 5 "$HIT_b" >/dev/null || true
    l=$(grep -o 'latency[= ][0-9.]*' "$W/a.log" | tail -n 1 | grep -o '[0-9.]*$' || true)
    [ -n "$l" ] && lat+=("$l")
    if ((i < EXCHANGES)); then kill -TERM "$pa"; wait "$pa" 2>/dev/null || true; fi
done
RR[synaptic]=$(rr "$HIT_b"); read -r TP[synaptic] CPU[synaptic] <<<"$(tput_ "$HIT_b" "$pa" "$pb")"
stats=$(printf '%s\n' "${lat[@]}" | sort -n | awk '{v[NR]=$1} END {if (NR) printf "%s %s %d", v[int((NR+1)/2)], v[int(NR*0.99+0.999)], NR}')

echo "== synaptic: $MOVES moves"
IFACE_A=$(ip -n "$A" -o -4 addr show | awk '$4 ~ /^198\.18\.1\.1\// {print $2; exit}')
ip netns exec "$A" sysctl -qw net.ipv4.conf.all.promote_secondaries=1 "net.ipv4.conf.$IFACE_A.promote_secondaries=1"
# A steady probe that does not back off when replies stop (ping slows to 10 ms then): a UDP datagram to
# A's HIT every millisecond.
ip netns exec "$B" python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
while True:
    s.sendto(b"x" * 32, (sys.argv[1], 9)); time.sleep(0.001)' "$HIT_a" >/dev/null 2>&1 & NETNS_PIDS+=($!)
ip netns exec "$A" tcpdump -i any -U -w "$W/moves.pcap" "udp port 10500 or ip proto 139 or ip6 proto 139" >/dev/null 2>&1 & CAPTURE=$!; NETNS_PIDS+=($CAPTURE)
sleep 1
current=198.18.1.1; : >"$W/moves.txt"
for i in $(seq 1 "$MOVES"); do
    next=198.18.1.$((100 + i))
    echo "$(date +%s.%N) $next" >>"$W/moves.txt"
    ip -n "$A" addr add "$next/24" dev "$IFACE_A"
    ip -n "$A" addr del "$current/24" dev "$IFACE_A"
    current=$next
    sleep 0.5
done
kill "$CAPTURE"; wait "$CAPTURE" 2>/dev/null || true
tshark -r "$W/moves.pcap" -d udp.port==10500,hip -T fields -E separator=' ' \
    -e frame.time_epoch -e ip.src -e ip.dst -e hip.packet_type -e hip.type 2>/dev/null >"$W/moves.frames" || true
mobility=$(python3 - "$W/moves.txt" "$W/moves.frames" <<'PY'
import sys, statistics
moves = [(float(t), a) for t, a in (l.split() for l in open(sys.argv[1]))]
frames = []
for line in open(sys.argv[2]):
    f = line.split()
    if len(f) >= 3: frames.append((float(f[0]), f[1], f[2], f[3] if len(f) > 3 else "", f[4] if len(f) > 4 else ""))
exchange, resumed, gap = [], [], []
for i, (at, address) in enumerate(moves):
    old = moves[i - 1][1] if i else "198.18.1.1"
    until = moves[i + 1][0] if i + 1 < len(moves) else float("inf")
    window = [f for f in frames if at <= f[0] < until]
    first = next((f[0] for f in window if f[3] == "16" and f[1] == address), None)
    echo = next((f[0] for f in window if f[3] == "16" and f[1] == address and "961" in f[4].split(",")), None)
    esp = next((f[0] for f in window if f[3] == "" and f[2] == address), None)
    last_old = max((f[0] for f in frames if f[3] == "" and f[2] == old and esp and f[0] < esp), default=None)
    if first and echo: exchange.append((echo - first) * 1000)
    if first and esp: resumed.append((esp - first) * 1000)
    if esp and last_old: gap.append((esp - last_old) * 1000)
def fmt(v): return f"median {statistics.median(v):.2f} ms, max {max(v):.2f} ms ({len(v)} moves)" if v else "none measured"
print(f"UPDATE exchange (first UPDATE → ECHO_RESPONSE sent): {fmt(exchange)}")
print(f"first UPDATE from the new address → first ESP from the peer there: {fmt(resumed)}")
print(f"gap in the peer's ESP (last to the old address → first to the new; a datagram every 1 ms): {fmt(gap)}")
PY
)

if command -v wireguard-go >/dev/null; then
    echo "== wireguard-go"
    for side in a b; do (umask 077; wg genkey >"$W/wg$side"); wg pubkey <"$W/wg$side" >"$W/wg$side.pub"; done
    WG_PIDS=()
    wgup() { # wgup NS me peer peerip myaddr peeraddr
        # Interface names carry the run's tag: wireguard-go's UAPI socket (/var/run/wireguard/NAME.sock) is
        # shared by every namespace, so a fixed name would collide with another run's.
        local name="wg${NETNS_TAG: -6}$2"
        ip netns exec "$1" env WG_PROCESS_FOREGROUND=1 wireguard-go "$name" >/dev/null 2>&1 & NETNS_PIDS+=($!); WG_PIDS+=($!)
        wait_for ip -n "$1" link show "$name"
        ip netns exec "$1" wg set "$name" listen-port 51820 private-key "$W/wg$2" \
            peer "$(cat "$W/wg$3.pub")" endpoint "$4:51820" allowed-ips "$6/32"
        ip -n "$1" addr add "$5/24" dev "$name"; ip -n "$1" link set "$name" up
    }
    wgup "$A" a b 198.18.1.2 198.18.9.1 198.18.9.2; wgup "$B" b a 198.18.1.1 198.18.9.2 198.18.9.1
    RR[wireguard]=$(rr 198.18.9.2); read -r TP[wireguard] CPU[wireguard] <<<"$(tput_ 198.18.9.2 "${WG_PIDS[@]}")"
fi

echo
echo "$mobility"
echo "Base exchange (synaptic, $(awk '{print $3}' <<<"$stats") exchanges): median $(awk '{print $1}' <<<"$stats") ms, p99 $(awk '{print $2}' <<<"$stats") ms; direct ping RTT $RTT_DIRECT ms"
printf '%-10s %14s %10s %14s %10s %12s\n' path "TCP_RR (t/s)" "ratio" "iperf3 Mbit/s" "ratio" "CPU-s/GB"
for p in direct baseline synaptic wireguard; do
    [ -n "${RR[$p]:-}" ] || continue
    awk -v p="$p" -v r="${RR[$p]}" -v rd="${RR[direct]}" -v t="${TP[$p]}" -v td="${TP[direct]}" -v c="${CPU[$p]}" \
        'BEGIN { printf "%-10s %14s %10.3f %14s %10.3f %12s\n", p, r, r / rd, t, t / td, c }'
done

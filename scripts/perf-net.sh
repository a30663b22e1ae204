#!/usr/bin/env bash
# Side-by-side network measurements, the short form of the evaluation (Perf/evaluate.sh, `make evaluate`):
# one round of the direct veth path, synaptic (by HIT) and wireguard-go (when it can be installed) —
# TCP_RR (1024 bytes, Perf/tools/tcprr.c), sockperf round trips, iperf3 with 1 and 4 streams and the tunnels'
# CPU per GB — then base-exchange latency over N exchanges, and mobility: an iperf3 stream across two moves
# of its sender, and N moves of a synaptic host with a 1 ms probe and a capture (the UPDATE exchange, UPDATE
# → first ESP at the new address, the gap in the peer's ESP). Ratios to the direct path and to the other
# tunnel; the Markdown report, plots and raw data go to a temporary folder, named at the end.
# Usage: scripts/perf-net.sh [--exchanges N] [--seconds S] [--moves N]   (root; release build)
set -euo pipefail
cd "$(dirname "$0")/.."
EXCHANGES=100; SECONDS_EACH=10; MOVES=20
while (($#)); do case $1 in
    --exchanges) EXCHANGES=$2; shift 2;; --seconds) SECONDS_EACH=$2; shift 2;; --moves) MOVES=$2; shift 2;;
    *) echo "usage: $0 [--exchanges N] [--seconds S] [--moves N]"; exit 2;; esac; done
[ "$(id -u)" -eq 0 ] || { echo "perf-net: needs root"; exit 1; }
out=$(mktemp -d /tmp/synaptic-perf-net.XXXXXX)
status=0
Perf/evaluate.sh --cases direct,synaptic,wireguard-go --parts datapath,exchange,mobility --rounds 1 \
    --seconds "$SECONDS_EACH" --exchanges "$EXCHANGES" --mobility-seconds 10 --mobility-moves 2 --moves "$MOVES" \
    --out "$out" || status=$?
[ -f "$out/report.md" ] && sed -n '/^## Targets/,/^## Cases/p' "$out/report.md" | sed '$d'
echo "perf-net: the whole report, plots and raw data are in $out"
exit $status

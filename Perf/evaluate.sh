#!/usr/bin/env bash
# The evaluation of issue 10 (`make evaluate`): synaptic against the direct path and other tunnels, all in
# network namespaces on this machine, written up as a Markdown report with PNG plots (Perf/tools/
# evaluate_report.py renders them from the raw data the run keeps under DIR/data).
#
# Parts (--parts, comma-separated; all by default):
#   datapath    the cases side by side, interleaved over --rounds rounds (direct synaptic wireguard-go openvpn
#               weave-plain weave-enc direct synaptic …), each measured for --seconds per test:
#                 TCP_RR, 1024-byte request and response (Perf/tools/tcprr.c): transactions/s   (Fig. 4c)
#                 sockperf ping-pong over TCP, 1024 bytes: round-trip percentiles
#                 iperf3 with 1 and with 4 streams: Mbit/s received, and the CPU time of the tunnel
#                 processes on both sides (/proc/PID/stat) per GB moved
#               The machine's load average (and how many compiler processes run) is recorded per round
#               and per case.
#   exchange    --exchanges base exchanges between two synaptic nodes, a fresh Initiator each time: the
#               Initiator's I1 sent → R2 received (status `latencyMilliseconds`), as a CDF   (Fig. 4a)
#   initiators  N initiator hosts (--initiators, e.g. 20,40,…,100; one namespace and one `synaptic up` each)
#               start base exchanges with one Responder at the same moment (one datagram each, sent from
#               one process that opened a socket in every namespace); per step the mean and standard
#               deviation of the Initiators' latency and how many completed; --trials times each,
#               the steps interleaved                                                        (Fig. 4b)
#   mobility    a TCP stream (iperf3) while its sender changes address --mobility-moves times on its link:
#               the received throughput over time (50 ms samples of the receiver's interface), for
#               synaptic, wireguard-go and the direct path; then --moves moves of a synaptic host with
#               a 1 ms UDP probe and a capture: UPDATE exchange, UPDATE → ESP at the new address, the
#               gap in the peer's ESP                                                        (Fig. 5)
# Comparators that are not installed are installed (scripts/install-deps.sh); one that cannot be is
# skipped with a line saying why. Weave Net needs the prebuilt router in WEAVE_DIR (default
# ../shared/lab/weave next to the repository; see its README): skipped when that folder is absent.
#
# Usage: Perf/evaluate.sh [--rounds N] [--seconds S] [--exchanges N] [--initiators 20,40,60,80,100]
#          [--trials N] [--mobility-seconds S] [--mobility-moves N] [--moves N] [--cases LIST]
#          [--parts LIST] [--binary release|debug] [--out DIR] [--smoke]      (root)
#   --out DIR   where report.md, the PNGs and data/ go (default Perf/results/<UTC date>)
#   --smoke     a few seconds per case, debug binary, output in a temporary folder (the check `make test`
#               runs: it keeps the harness from rotting, its numbers mean nothing)
# Prints "ok - …", "not ok - …" and "skip - …" per step and "evaluate: N passed, N failed, N skipped" at
# the end; exits non-zero when a step failed. KEEP=1 keeps the work directory (node logs, captures).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
source scripts/lib/netns.sh
source scripts/lib/hosts.sh
source scripts/lib/tunnels.sh
COMMAND_LINE="Perf/evaluate.sh${*:+ $*}"

ROUNDS=5 SECONDS_EACH=10 EXCHANGES=100 INITIATORS=20,40,60,80,100 TRIALS=3 MOB_SECONDS=20 MOB_MOVES=3 MOVES=20
CASES=direct,synaptic,wireguard-go,openvpn,weave-plain,weave-enc PARTS=datapath,exchange,initiators,mobility
BINARY=release OUT="" SMOKE=0
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2; }
while (($#)); do case $1 in
    --rounds) ROUNDS=$2; shift 2;; --seconds) SECONDS_EACH=$2; shift 2;; --exchanges) EXCHANGES=$2; shift 2;;
    --initiators) INITIATORS=$2; shift 2;; --trials) TRIALS=$2; shift 2;;
    --mobility-seconds) MOB_SECONDS=$2; shift 2;; --mobility-moves) MOB_MOVES=$2; shift 2;; --moves) MOVES=$2; shift 2;;
    --cases) CASES=$2; shift 2;; --parts) PARTS=$2; shift 2;; --binary) BINARY=$2; shift 2;; --out) OUT=$2; shift 2;;
    --smoke) SMOKE=1; ROUNDS=1 SECONDS_EACH=1 EXCHANGES=5 INITIATORS=2,4 TRIALS=1 MOB_SECONDS=3 MOB_MOVES=1 MOVES=2
             BINARY=debug; shift;;
    -h|--help) usage;; *) echo "evaluate: unknown option $1" >&2; usage;; esac; done
[ "$(id -u)" -eq 0 ] || { echo "evaluate: skipped (needs root for namespaces and TUN devices)"; exit 0; }
part() { [[ ",$PARTS," == *",$1,"* ]]; }
WEAVE_DIR=${WEAVE_DIR:-$REPO/../shared/lab/weave}

# ---- results so far ---------------------------------------------------------------------------------
passed=0 failed=0 skipped=0
ok()   { passed=$((passed + 1));  echo "ok - $*"; }
bad()  { failed=$((failed + 1));  echo "not ok - $*"; }
skip() { skipped=$((skipped + 1)); echo "skip - $*"; }
say()  { echo "== $*" >&2; }

# ---- work directory, output, cleanup ---------------------------------------------------------------
W=$(mktemp -d /tmp/synaptic-evaluate.XXXXXX); chmod 755 "$W"
if ((SMOKE)) && [ -z "$OUT" ]; then OUT="$W/out"; fi
OUT=${OUT:-Perf/results/$(date -u +%F)}
mkdir -p "$OUT/data"; OUT=$(cd "$OUT" && pwd); D="$OUT/data"
rm -f "$D"/*
# Only processes this shell started and that still run are stopped by PID (PIDs are reused quickly on a
# busy machine: pid_max is 32768 here); whatever else runs in our namespaces goes with them (netns_sweep).
ours() { [ "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f2)" = "$$" ]; }
cleanup() {
    local keep=() pid
    for pid in "${NETNS_PIDS[@]}"; do ours "$pid" && keep+=("$pid"); done
    NETNS_PIDS=("${keep[@]}")
    netns_cleanup; netns_sweep
    if [ -n "${KEEP:-}" ]; then echo "evaluate: work directory kept: $W" >&2; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 130' INT; trap 'exit 143' TERM
forget() { local keep=() pid; for pid in "${NETNS_PIDS[@]}"; do [[ " $* " == *" $pid "* ]] || keep+=("$pid"); done; NETNS_PIDS=("${keep[@]}"); }
stop() { # stop PID...: SIGTERM, SIGKILL after 5 s, reaped and forgotten
    local pid deadline=$((SECONDS + 5))
    for pid in "$@"; do ours "$pid" && kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "$@"; do
        while ours "$pid" && kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.05; done
        ours "$pid" && kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    forget "$@"
}
meta() { printf '%s\t%s\n' "$1" "$2" >>"$D/meta.tsv"; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
# Compiler and build processes running on the machine now (other people's builds: the machine is shared).
builders() { ps -eo comm= | grep -cE '^(swift-frontend|swift-build|swiftc|swift-driver|clang|clang\+\+|cc1|cc1plus|ld|ld\.lld|ld\.gold|go|compile|rustc|cargo|make)$' || true; }
record_load() { # record_load PART LABEL: a row of load.tsv
    printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$(date +%s.%N)" "$(loadavg | tr ' ' '\t')" "$(builders)" >>"$D/load.tsv"
}
listening() { # listening NS PORT: a TCP listener on PORT in NS within 5 s
    local i; for i in $(seq 100); do ip netns exec "$1" ss -Hltn "sport = :$2" | grep -q . && return 0; sleep 0.05; done; return 1
}
cpu_ticks() { local s=0 pid; for pid in "$@"; do s=$((s + $(sed 's/.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}'))); done; echo "$s"; }
CLK_TCK=$(getconf CLK_TCK)

# ---- what the run needs ------------------------------------------------------------------------------
say "installing what is missing (scripts/install-deps.sh)"
scripts/install-deps.sh iperf3 sockperf tcpdump tshark ethtool >/dev/null || { bad "install: iperf3 sockperf tcpdump tshark ethtool"; exit 1; }
try_install() { scripts/install-deps.sh "$@" >"$W/install.log" 2>&1 || { tail -n 3 "$W/install.log" >&2; return 1; }; }
PLOTS=1; try_install gnuplot-nox || { PLOTS=0; skip "plots: gnuplot-nox cannot be installed (the report comes without them)"; }
synaptic_binary "$BINARY"
cc -O2 -o "$W/tcprr" Perf/tools/tcprr.c
HELPERS="$REPO/Perf/tools/evaluate_helpers.py"
STARTED=$SECONDS
meta command "$COMMAND_LINE"
meta date "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
meta smoke "$SMOKE"
meta cpu "$(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo), $(nproc) CPUs"
meta memory "$(awk '/^MemTotal/{printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
meta kernel "$(uname -sr)"
meta os "$(. /etc/os-release && echo "$PRETTY_NAME")"
meta virtualization "$(systemd-detect-virt 2>/dev/null || echo unknown)"
meta swift "$(swift --version 2>&1 | head -n 1)"
meta synaptic "$(git rev-parse --short HEAD 2>/dev/null || echo unknown) (Sources/ last changed in $(git log -1 --format=%h -- Sources Package.swift 2>/dev/null || echo unknown))$(git diff --quiet HEAD -- Sources Package.swift 2>/dev/null || echo ', with local changes'), $BINARY build"
meta tools "iperf3 $(dpkg-query -W -f='${Version}' iperf3 2>/dev/null), sockperf $(dpkg-query -W -f='${Version}' sockperf 2>/dev/null), gnuplot $(dpkg-query -W -f='${Version}' gnuplot-nox 2>/dev/null)"
meta settings "rounds $ROUNDS x $SECONDS_EACH s per test; exchanges $EXCHANGES; initiators $INITIATORS x $TRIALS trials; mobility $MOB_SECONDS s with $MOB_MOVES moves, then $MOVES moves with a probe"
meta mobility_seconds "$MOB_SECONDS"
meta load_start "$(loadavg)"
meta builders_start "$(builders)"

# ---- data path: the cases side by side -------------------------------------------------------------
rr() { # rr CASE -> transactions/s
    local s=${CASE_SERVER[$1]} c=${CASE_CLIENT[$1]} a=${CASE_ADDR[$1]}
    ip netns exec "$s" timeout $((SECONDS_EACH + 15)) "$W/tcprr" server "$a" 5201 1024 >/dev/null 2>&1 & local srv=$!
    listening "$s" 5201 || { kill "$srv" 2>/dev/null || true; wait "$srv" 2>/dev/null || true; echo -; return; }
    ip netns exec "$c" timeout $((SECONDS_EACH + 10)) "$W/tcprr" client "$a" 5201 1024 "$SECONDS_EACH" 2>/dev/null \
        | awk '/transactions_per_second/ {print $2}' | grep . || echo -
    wait "$srv" 2>/dev/null || true
}
latency() { # latency CASE -> "p50 p90 p99 mean" round trip in µs (sockperf ping-pong over TCP, 1024 bytes)
    local s=${CASE_SERVER[$1]} c=${CASE_CLIENT[$1]} a=${CASE_ADDR4[$1]}
    ip netns exec "$s" timeout $((SECONDS_EACH + 20)) sockperf sr --tcp -i "$a" -p 5202 >/dev/null 2>&1 & local srv=$!
    listening "$s" 5202 || { kill "$srv" 2>/dev/null || true; wait "$srv" 2>/dev/null || true; echo "- - - -"; return; }
    ip netns exec "$c" timeout $((SECONDS_EACH + 15)) sockperf pp --tcp -i "$a" -p 5202 -m 1024 -t "$SECONDS_EACH" --full-rtt \
        >"$W/sockperf.out" 2>&1 || true
    kill "$srv" 2>/dev/null || true; wait "$srv" 2>/dev/null || true
    sed 's/\x1b\[[0-9;]*m//g' "$W/sockperf.out" | awk '
        /percentile 50.000 =/ { p50 = $NF } /percentile 90.000 =/ { p90 = $NF } /percentile 99.000 =/ { p99 = $NF }
        /avg-(rtt|latency)=/ { sub(/.*avg-(rtt|latency)=/, ""); sub(/ .*/, ""); mean = $0 }
        END { printf "%s %s %s %s\n", p50 ? p50 : "-", p90 ? p90 : "-", p99 ? p99 : "-", mean ? mean : "-" }'
}
throughput() { # throughput CASE STREAMS -> "Mbit/s bytes tunnel-CPU-seconds retransmits"
    local s=${CASE_SERVER[$1]} c=${CASE_CLIENT[$1]} a=${CASE_ADDR[$1]} pids=${CASE_PIDS[$1]} t0 t1
    ip netns exec "$s" timeout $((SECONDS_EACH + 25)) iperf3 -s -1 -B "$a" -p 5203 >/dev/null 2>&1 & local srv=$!
    listening "$s" 5203 || { kill "$srv" 2>/dev/null || true; wait "$srv" 2>/dev/null || true; echo "- - - -"; return; }
    t0=$(cpu_ticks $pids)
    ip netns exec "$c" timeout $((SECONDS_EACH + 20)) iperf3 -c "$a" -p 5203 -P "$2" -t "$SECONDS_EACH" -J >"$W/iperf3.json" 2>/dev/null || true
    t1=$(cpu_ticks $pids)
    wait "$srv" 2>/dev/null || true
    python3 - "$W/iperf3.json" "$t0" "$t1" "$CLK_TCK" "$pids" <<'PY' || echo "- - - -"
import json, sys
e = json.load(open(sys.argv[1]))["end"]
cpu = "%.3f" % ((int(sys.argv[3]) - int(sys.argv[2])) / int(sys.argv[4])) if sys.argv[5].strip() else "-"
print("%.1f %d %s %d" % (e["sum_received"]["bits_per_second"] / 1e6, e["sum_received"]["bytes"], cpu, e["sum_sent"].get("retransmits", 0)))
PY
}

if part datapath; then
    say "data path: setting up the cases ($CASES)"
    A="${NETNS_TAG}-a" B="${NETNS_TAG}-b"
    netns_add "$A"; netns_add "$B"; netns_link "$A" "$B" 1
    ACTIVE=()
    for c in ${CASES//,/ }; do
        TUNNEL_ERROR="" available=1
        case $c in
            wireguard-go) try_install wireguard-go wireguard-tools || { skip "$c: wireguard-go/wireguard-tools cannot be installed"; available=0; } ;;
            openvpn) try_install openvpn openssl || { skip "$c: openvpn cannot be installed"; available=0; } ;;
            weave-*)
                if [ ! -x "$WEAVE_DIR/weaver" ]; then skip "$c: no prebuilt Weave Net router ($WEAVE_DIR/weaver is absent; see ../shared/lab/weave/README.md)"; available=0
                elif ! try_install libpcap0.8 iptables ipset curl ethtool; then skip "$c: weaver's packages (libpcap0.8 iptables ipset curl) cannot be installed"; available=0; fi ;;
        esac
        ((available)) || { printf '%s\t%s\n' "$c" skipped >>"$D/cases.tsv"; continue; }
        mkdir -p "$W/$c"
        case $c in
            direct) tunnel_direct "$A" "$B" ;;
            synaptic) tunnel_synaptic "$W/$c" "$A" "$B" ;;
            wireguard-go) tunnel_wireguard "$W/$c" "$A" "$B" ;;
            openvpn) tunnel_openvpn "$W/$c" "$A" "$B" ;;
            weave-plain) tunnel_weave "$W/$c" plain 21 ;;
            weave-enc) tunnel_weave "$W/$c" enc 22 ;;
            *) TUNNEL_ERROR="unknown case" false ;;
        esac || { bad "$c: setup failed: $TUNNEL_ERROR"; printf '%s\t%s\n' "$c" failed >>"$D/cases.tsv"; continue; }
        ACTIVE+=("$c")
        printf '%s\t%s\t%s\n' "$c" up "${CASE_NOTE[$c]}" >>"$D/cases.tsv"
    done
    say "data path: ${ACTIVE[*]:-no case}; $ROUNDS rounds, $SECONDS_EACH s per test"
    declare -A GOT
    for round in $(seq 1 "$ROUNDS"); do
        record_load datapath "round $round"
        for c in "${ACTIVE[@]}"; do
            record_load datapath "round $round $c"
            v=$(rr "$c"); read -r p50 p90 p99 mean < <(latency "$c")
            read -r m1 b1 cpu1 re1 < <(throughput "$c" 1); read -r m4 b4 cpu4 re4 < <(throughput "$c" 4)
            for kv in "rr_tps $v" "rtt_p50_us $p50" "rtt_p90_us $p90" "rtt_p99_us $p99" "rtt_mean_us $mean" \
                      "tput1_mbit $m1" "tput1_bytes $b1" "tput1_cpu_s $cpu1" "tput1_retransmits $re1" \
                      "tput4_mbit $m4" "tput4_bytes $b4" "tput4_cpu_s $cpu4" "tput4_retransmits $re4"; do
                printf '%s\t%s\t%s\t%s\n' "$round" "$c" ${kv} >>"$D/datapath.tsv"
            done
            echo "   round $round $c: TCP_RR $v t/s; RTT p50 $p50 p99 $p99 µs; iperf3 $m1 / $m4 Mbit/s (1 / 4 streams), tunnel CPU $cpu1 / $cpu4 s" >&2
            [[ $v != - && $p50 != - && $m1 != - && $m4 != - ]] && GOT[$c]=${GOT[$c]:-1} || GOT[$c]=0
        done
    done
    for c in "${ACTIVE[@]}"; do
        if [ "${GOT[$c]:-0}" = 1 ]; then ok "datapath $c: TCP_RR, sockperf, iperf3 1 and 4 streams in every round"
        else bad "datapath $c: a measurement gave no number (see the table)"; fi
    done
    # The tunnels go before the next part: idle ones must not share the CPU with it.
    stop "${NETNS_PIDS[@]}"
fi

# ---- base exchange latency (Fig. 4a) -----------------------------------------------------------------
# Per exchange, interleaved: a fresh synaptic Initiator (its I1 → R2 from status, and the round trip of the
# ping that started the exchange); wireguard-go with A's peer removed and added again (the next packet makes
# a new handshake: the first ping's round trip); the direct path with A's neighbour cache flushed (ARP + RTT).
first_ping() { # first_ping NS ADDRESS -> the round trip of one ping in ms, or -
    ip netns exec "$1" ping -c 1 -W 5 "$2" 2>/dev/null | sed -n 's/.* time=\([0-9.]*\) ms.*/\1/p' | grep . || echo -
}
if part exchange; then
    say "base exchange: $EXCHANGES exchanges, a fresh Initiator each"
    record_load exchange start
    X="$W/exchange"; mkdir -p "$X"
    XA="${NETNS_TAG}-xa" XB="${NETNS_TAG}-xb"
    netns_add "$XA"; netns_add "$XB"; netns_link "$XA" "$XB" 2
    host_identity "$X" xa; host_identity "$X" xb
    host_config "$X" xa xb '"198.18.2.2"'; host_config "$X" xb xa '"198.18.2.1"'
    sed -i '/^\[keylog\]/,+1d' "$X/xa.toml" "$X/xb.toml"
    netns_bg "$XB" "$X/xb.log" "$SYNAPTIC" up "$X/xb.toml" >/dev/null; pb=${NETNS_PIDS[-1]}
    wait_for ip -n "$XB" link show hipxb || bad "exchange: the Responder did not start: $(tail -n 2 "$X/xb.log")"
    WG=0
    if try_install wireguard-go wireguard-tools; then
        mkdir -p "$X/wg"
        if tunnel_wireguard "$X/wg" "$XA" "$XB" 2; then WG=1; WG_PEER=$(cat "$X/wg/wgb.pub")
        else bad "exchange: wireguard-go comparator: $TUNNEL_ERROR"; fi
    else skip "exchange: wireguard-go comparator cannot be installed"; fi
    done_=0
    for i in $(seq 1 "$EXCHANGES"); do
        netns_bg "$XA" "$X/xa.log" "$SYNAPTIC" up "$X/xa.toml" >/dev/null; pa=${NETNS_PIDS[-1]}
        l=- p=-
        if wait_for ip -n "$XA" link show hipxa; then
            p=$(first_ping "$XA" "$HIT_xb")
            l=$("$SYNAPTIC" status --config "$X/xa.toml" --json 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(next((a["latencyMilliseconds"] for a in d["associations"] if a.get("latencyMilliseconds") is not None), "-"))' 2>/dev/null || echo -)
        fi
        stop "$pa"
        wgp=-
        if ((WG)); then
            ip netns exec "$XA" wg set "$(wg_interface a)" peer "$WG_PEER" remove
            ip netns exec "$XA" wg set "$(wg_interface a)" peer "$WG_PEER" endpoint 198.18.2.2:51820 allowed-ips 198.18.9.2/32
            wgp=$(first_ping "$XA" 198.18.9.2)
        fi
        ip -n "$XA" neigh flush all; dp=$(first_ping "$XA" 198.18.2.2)
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$i" "$l" "$p" "$wgp" "$dp" "$(cut -d' ' -f1 /proc/loadavg)" >>"$D/exchange.tsv"
        [ "$l" = - ] || done_=$((done_ + 1))
    done
    "$SYNAPTIC" status --config "$X/xb.toml" --json >"$D/exchange-responder.json" 2>/dev/null || true
    stop "${NETNS_PIDS[@]}"
    record_load exchange end
    if ((done_ == EXCHANGES)); then ok "exchange: $done_ of $EXCHANGES base exchanges measured"
    else bad "exchange: $done_ of $EXCHANGES base exchanges measured"; fi
fi

# ---- many initiators at once (Fig. 4b) ---------------------------------------------------------------
if part initiators; then
    STEPS=(${INITIATORS//,/ }); MAX=0; for n in "${STEPS[@]}"; do ((n > MAX)) && MAX=$n; done
    say "initiators: ${STEPS[*]} at once, $TRIALS trials; $MAX namespaces with one node each"
    record_load initiators setup
    I="$W/initiators"; mkdir -p "$I"
    # A bridge namespace; the Responder at 198.19.0.1/16 and initiator k at 198.19.<k/250+1>.<k%250+1>, each
    # in its own namespace with eth0 on the bridge.
    SW="${NETNS_TAG}-sw" RN="${NETNS_TAG}-r"; t6=${NETNS_TAG: -6}
    netns_add "$SW"; ip -n "$SW" link add br0 type bridge; ip -n "$SW" link set br0 up
    attach() { # attach NS IFNAME ADDRESS
        netns_add "$1"
        ip link add "$2" netns "$SW" type veth peer name eth0 netns "$1"
        ip -n "$SW" link set "$2" master br0 up; ip -n "$1" addr add "$3/16" dev eth0; ip -n "$1" link set eth0 up
    }
    attach "$RN" "r$t6" 198.19.0.1
    for k in $(seq 1 "$MAX"); do attach "${NETNS_TAG}-i$k" "i$t6$k" "198.19.$((k / 250 + 1)).$((k % 250 + 1))"; done
    host_identity "$I" r
    node_config "$I" r $'[policy]\nallow = "any"'; sed -i '/^\[keylog\]/,+1d' "$I/r.toml"
    seq 1 "$MAX" | xargs -P "$(nproc)" -I{} "$SYNAPTIC" keygen --out "$I/i{}.key" >/dev/null
    for k in $(seq 1 "$MAX"); do host_config "$I" "i$k" r '"198.19.0.1"'; sed -i '/^\[keylog\]/,+1d' "$I/i$k.toml"; done
    netns_bg "$RN" "$I/r.log" "$SYNAPTIC" up "$I/r.toml" >/dev/null; pr=${NETNS_PIDS[-1]}
    wait_for ip -n "$RN" link show hipr || bad "initiators: the Responder did not start: $(tail -n 2 "$I/r.log")"
    # The sender of the N first datagrams runs at real-time priority where allowed, so the nodes it wakes do
    # not hold it up: all N leave within a few milliseconds (the 'spread' of the report).
    FIRE_PRIO=""; chrt -f 1 true 2>/dev/null && FIRE_PRIO="chrt -f 1"
    meta initiators_fire_priority "${FIRE_PRIO:-normal}"
    all_ok=1
    for trial in $(seq 1 "$TRIALS"); do
        for n in "${STEPS[@]}"; do
            record_load initiators "n=$n trial $trial"
            pids=(); names=(); logs=()
            for k in $(seq 1 "$n"); do
                netns_bg "${NETNS_TAG}-i$k" "$I/i$k.log" "$SYNAPTIC" up "$I/i$k.toml" >/dev/null
                pids+=("${NETNS_PIDS[-1]}"); names+=("${NETNS_TAG}-i$k"); logs+=("$I/i$k.log")
            done
            up=0; for k in $(seq 1 "$n"); do wait_for ip -n "${NETNS_TAG}-i$k" link show "hipi$k" && up=$((up + 1)); done
            rss=$(ps -o rss= -p "$(IFS=,; echo "${pids[*]}")" | awk '{s += $1} END {printf "%.0f", s / 1024}')
            sleep 1
            read -r t0 spread fire_failed < <($FIRE_PRIO python3 "$HELPERS" fire "$HIT_r" 9 "${names[@]}")
            deadline=$((SECONDS + 30))
            while (($(grep -l "association up" "${logs[@]}" 2>/dev/null | wc -l) < n)) && ((SECONDS < deadline)); do sleep 0.2; done
            completed=0
            for k in $(seq 1 "$n"); do
                # "LATENCY I1_SENT I2_SENT RETRANSMISSIONS" of this Initiator
                read -r l i1 i2 rtx < <("$SYNAPTIC" status --config "$I/i$k.toml" --json 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
l = next((a["latencyMilliseconds"] for a in d["associations"] if a.get("state") == "ESTABLISHED" and a.get("latencyMilliseconds") is not None), "-")
s = d.get("hipPacketsSent", {})
print(l, s.get("i1", 0), s.get("i2", 0), d.get("hipEvents", {}).get("retransmissions", 0))' 2>/dev/null || echo "- - - -")
                [ "$l" = - ] || completed=$((completed + 1))
                printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$trial" "$k" "$l" "$i1" "$i2" "$rtx" >>"$D/initiators.tsv"
            done
            printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$trial" "$up" "$completed" "$spread" "$rss" "$(cut -d' ' -f1 /proc/loadavg)" >>"$D/initiators-steps.tsv"
            echo "   $n initiators (trial $trial): $completed completed; datagrams sent within $spread s; nodes' RSS $rss MiB" >&2
            ((completed == n)) || all_ok=0
            stop "${pids[@]}"
            sleep 1
        done
    done
    "$SYNAPTIC" status --config "$I/r.toml" --json >"$D/initiators-responder.json" 2>/dev/null || true
    stop "$pr"
    for k in $(seq 1 "$MAX"); do ip netns del "${NETNS_TAG}-i$k" 2>/dev/null || true; done
    if ((all_ok)); then ok "initiators: every exchange of every step completed (${STEPS[*]})"
    else bad "initiators: some exchanges did not complete (see the report)"; fi
fi

# ---- session continuity while the sender moves (Fig. 5) ----------------------------------------------
move_on_link() { ip -n "$1" addr add "$4/24" dev "$2" && ip -n "$1" addr del "$3/24" dev "$2"; }
if part mobility; then
    say "mobility: $MOB_SECONDS s of iperf3 with $MOB_MOVES moves of the sender, per case"
    record_load mobility start
    M="$W/mobility"; mkdir -p "$M"
    mob_cases=(synaptic direct)
    if try_install wireguard-go wireguard-tools; then mob_cases=(synaptic wireguard-go direct); else skip "mobility wireguard-go: cannot be installed"; fi
    n=3
    for c in "${mob_cases[@]}"; do
        n=$((n + 1)); MA="${NETNS_TAG}-m${n}a" MB="${NETNS_TAG}-m${n}b"
        netns_add "$MA"; netns_add "$MB"; netns_link "$MA" "$MB" 1
        ia="v${NETNS_TAG: -6}a1"; ib="v${NETNS_TAG: -6}b1"
        ip netns exec "$MA" sysctl -qw net.ipv4.conf.all.promote_secondaries=1 "net.ipv4.conf.$ia.promote_secondaries=1"
        mkdir -p "$M/$c"; TUNNEL_ERROR=""
        case $c in
            synaptic) tunnel_synaptic "$M/$c" "$MA" "$MB" && rxif=hipb ;;
            wireguard-go) tunnel_wireguard "$M/$c" "$MA" "$MB" && rxif=$(wg_interface b) ;;
            direct) tunnel_direct "$MA" "$MB"; rxif=$ib ;;
        esac || { bad "mobility $c: setup failed: $TUNNEL_ERROR"; continue; }
        addr=${CASE_ADDR[$c]}
        ip netns exec "$MB" timeout $((MOB_SECONDS + 30)) iperf3 -s -1 -B "$addr" -p 5204 >/dev/null 2>&1 & srv=$!
        listening "$MB" 5204 || { bad "mobility $c: no iperf3 server"; continue; }
        : >"$D/mobility-$c.samples"
        ip netns exec "$MB" timeout $((MOB_SECONDS + 10)) python3 "$HELPERS" sample "$rxif" 0.05 $((MOB_SECONDS + 2)) "$D/mobility-$c.samples" & sampler=$!
        sleep 0.5
        t_start=$(date +%s.%N)
        ip netns exec "$MA" timeout $((MOB_SECONDS + 15)) iperf3 -c "$addr" -p 5204 -t "$MOB_SECONDS" -J >"$M/$c.json" 2>/dev/null & cli=$!
        current=198.18.1.1
        for j in $(seq 1 "$MOB_MOVES"); do
            sleep "$(awk -v t="$t_start" -v s="$MOB_SECONDS" -v k="$MOB_MOVES" -v j="$j" -v now="$(date +%s.%N)" \
                'BEGIN { d = t + s * j / (k + 1) - now; printf "%.3f", (d > 0 ? d : 0) }')"
            next=198.18.1.$((100 + j))
            printf '%s\t%s\t%s\n' "$c" "$(date +%s.%N)" "$next" >>"$D/mobility-moves.tsv"
            move_on_link "$MA" "$ia" "$current" "$next"; current=$next
        done
        wait "$sampler" 2>/dev/null || true
        # The sampler ends 1.5 s after the stream should have; a stream still running then is stuck (a TCP
        # connection whose address went away never ends by itself): 0.5 s more, then it is stopped and
        # counts as not completed whatever its exit status.
        for _ in $(seq 5); do kill -0 "$cli" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$cli" 2>/dev/null; then kill "$cli" 2>/dev/null || true; wait "$cli" 2>/dev/null || true; cli_ok=0
        else wait "$cli" && cli_ok=1 || cli_ok=0; fi
        kill "$srv" 2>/dev/null || true; wait "$srv" 2>/dev/null || true
        # iperf3's own word: "completed", or the error in its JSON (a stopped stream ends with one)
        result=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get("error") or "completed")' "$M/$c.json" 2>/dev/null || echo "no result")
        ((cli_ok)) || [ "$result" != completed ] || result="stopped after the run"
        printf '%s\t%s\t%s\t%s\t%s\n' "$c" "$t_start" "$cli_ok" "$rxif" "$result" >>"$D/mobility-runs.tsv"
        echo "   $c: iperf3 $( ((cli_ok)) && echo completed || echo 'did not complete') across $MOB_MOVES moves" >&2
        # synaptic's stream must live (the point of the mobility work); the others are measured as they are.
        if [ ! -s "$D/mobility-$c.samples" ]; then bad "mobility $c: no samples of the receiver's interface"
        elif [ "$c" = synaptic ]; then
            # bytes still arriving in the last second of the stream
            alive=$(python3 -c '
import sys
t0, length = float(sys.argv[2]), float(sys.argv[3])
s = [tuple(map(float, l.split())) for l in open(sys.argv[1]) if len(l.split()) == 2]
w = [b for t, b in s if t0 + length - 1 <= t <= t0 + length]
print(1 if len(w) >= 2 and w[-1] > w[0] else 0)' "$D/mobility-$c.samples" "$t_start" "$MOB_SECONDS" 2>/dev/null || echo 0)
            ((cli_ok && alive)) && ok "mobility $c: the TCP stream lived through $MOB_MOVES moves" || bad "mobility $c: the TCP stream broke across the moves (iperf3: $result)"
        else ok "mobility $c: measured (the stream $( ((cli_ok)) && echo completed || echo 'did not complete'))"; fi
        stop "${NETNS_PIDS[@]}"
    done

    # The UPDATE exchange, measured from a capture over --moves moves (a datagram to A's HIT every 1 ms).
    say "mobility: $MOVES moves of a synaptic host with a 1 ms probe and a capture"
    MA="${NETNS_TAG}-m9a" MB="${NETNS_TAG}-m9b"; netns_add "$MA"; netns_add "$MB"; netns_link "$MA" "$MB" 1
    ia="v${NETNS_TAG: -6}a1"
    ip netns exec "$MA" sysctl -qw net.ipv4.conf.all.promote_secondaries=1 "net.ipv4.conf.$ia.promote_secondaries=1"
    mkdir -p "$M/probe"
    if tunnel_synaptic "$M/probe" "$MA" "$MB"; then
        ip netns exec "$MB" timeout $((MOVES + 30)) python3 "$HELPERS" probe "$HIT_a" 9 >/dev/null 2>&1 & probe=$!
        ip netns exec "$MA" timeout $((MOVES + 30)) tcpdump -i any -U -w "$M/moves.pcap" "udp port 10500 or ip proto 139 or ip6 proto 139" >/dev/null 2>&1 & cap=$!
        wait_for test -s "$M/moves.pcap"; sleep 1
        current=198.18.1.1; : >"$M/moves.txt"
        for j in $(seq 1 "$MOVES"); do
            next=198.18.1.$((100 + j)); echo "$(date +%s.%N) $next" >>"$M/moves.txt"
            move_on_link "$MA" "$ia" "$current" "$next"; current=$next; sleep 0.5
        done
        sleep 1   # the last move's UPDATE exchange, on a busy machine
        kill "$cap" "$probe" 2>/dev/null || true; wait "$cap" "$probe" 2>/dev/null || true
        tshark -r "$M/moves.pcap" -d udp.port==10500,hip -T fields -E separator=' ' \
            -e frame.time_epoch -e ip.src -e ip.dst -e hip.packet_type -e hip.type 2>/dev/null >"$M/moves.frames" || true
        python3 - "$M/moves.txt" "$M/moves.frames" >"$D/mobility-updates.tsv" <<'PY'
import sys
moves = [(float(t), a) for t, a in (l.split() for l in open(sys.argv[1]))]
frames = []
for line in open(sys.argv[2]):
    f = line.split()
    if len(f) >= 3: frames.append((float(f[0]), f[1], f[2], f[3] if len(f) > 3 else "", f[4] if len(f) > 4 else ""))
for i, (at, address) in enumerate(moves):
    old = moves[i - 1][1] if i else "198.18.1.1"
    until = moves[i + 1][0] if i + 1 < len(moves) else float("inf")
    window = [f for f in frames if at <= f[0] < until]
    first = next((f[0] for f in window if f[3] == "16" and f[1] == address), None)
    echo = next((f[0] for f in window if f[3] == "16" and f[1] == address and "961" in f[4].split(",")), None)
    esp = next((f[0] for f in window if f[3] == "" and f[2] == address), None)
    last_old = max((f[0] for f in frames if f[3] == "" and f[2] == old and esp and f[0] < esp), default=None)
    ms = lambda a, b: "%.3f" % ((b - a) * 1000) if a is not None and b is not None else "-"
    # move, UPDATE exchange (A's first UPDATE from the new address → A's UPDATE with ECHO_RESPONSE_SIGNED),
    # first UPDATE → first ESP from B to the new address, gap in B's ESP (last to the old → first to the new)
    print(f"{i + 1}\t{ms(first, echo)}\t{ms(first, esp)}\t{ms(last_old, esp)}")
PY
        got=$(awk -F'\t' '$2 != "-" && $3 != "-"' "$D/mobility-updates.tsv" | wc -l)
        # A move whose UPDATE exchange ran into the next move (a busy machine) is left out, and counted.
        ((got > 0)) && ok "mobility updates: $got of $MOVES moves measured from the capture" || bad "mobility updates: no move measured from the capture"
        stop "${NETNS_PIDS[@]}"
    else bad "mobility updates: setup failed: $TUNNEL_ERROR"; fi
    record_load mobility end
fi

meta seconds $((SECONDS - STARTED))
meta load_end "$(loadavg)"
meta builders_end "$(builders)"
meta checks "$passed passed, $failed failed, $skipped skipped"

# ---- report and plots ---------------------------------------------------------------------------------
say "report: $OUT/report.md"
if python3 Perf/tools/evaluate_report.py "$OUT"; then
    ok "report: $(wc -l <"$OUT/report.md") lines"
    pngs=$(find "$OUT" -maxdepth 1 -name '*.png' | wc -l)
    if ((PLOTS)); then ((pngs > 0)) && ok "plots: $pngs PNG files" || bad "plots: no PNG written"; fi
else bad "report: evaluate_report.py failed"; fi
((SMOKE)) || echo "evaluate: report in $OUT/report.md"
echo "evaluate: $passed passed, $failed failed, $skipped skipped"
((failed == 0))

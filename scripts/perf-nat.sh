#!/usr/bin/env bash
# NAT traversal, rendezvous and relay measured side by side in one run (the NAT topologies of
# scripts/lib/nat.sh: hosts hA/hB behind routers rA/rB, a hub namespace that routes between the sites and
# runs the server node at 198.18.9.1):
#   1. base exchange, direct vs through a rendezvous server: B has no NAT and registers with the hub for
#      rendezvous only; A reaches B by B's locator, or with only `via = "hub"` (I1 through the hub, R1 back
#      directly). A fresh initiator node per exchange, the two ways alternating; the Initiator's I1→R2
#      latency from its status (`latencyMilliseconds`). Median, p90 and the ratio.
#   2. first packet → data → direct path: A and B behind `masq` NATs, both registered for rendezvous and
#      relay, each reaching the other `via` the hub. Per repeat both nodes start afresh (NAT state flushed),
#      register, then A sends a UDP datagram to B's HIT every 1 ms (the first one starts the exchange) and
#      B echoes. From t0 (the first datagram): the first echo; the first ESP datagram between the two NATs'
#      outside addresses that does not involve 198.18.9.1 (a capture in the hub); A's status saying
#      path "direct" (polled every 100 ms).
#   3. TCP_RR (1024 bytes, Perf/tools/tcprr.c) and iperf3 single-stream throughput over synaptic by HIT:
#      relayed (both behind `random` NATs: no direct path, all ESP through the hub), direct (both behind
#      `masq` NATs, after the upgrade of part 2), and the plain path between the two hosts without synaptic
#      (`none`/`none`, no NAT). Rounds interleaved; medians and ratios.
#   4. the relay's CPU per relayed GB: the hub node's utime+stime (/proc/PID/stat) and its relay.bytes
#      (`synaptic status --json`) before and after each relayed iperf3.
#   5. the server's RSS with many registered hosts: one fresh server node; client nodes, one per namespace
#      behind a bridge (their own address each), started in batches, each registering a pre-generated
#      identity for rendezvous and relay, then SIGKILLed (no CLOSE: the registration stays at the server
#      until its lifetime ends); the next batch uses new identities and new addresses. VmRSS
#      (/proc/PID/status) of the server before and after, and its `registrations` count. When the first
#      batch shows the whole would take longer than --budget seconds, it stops at 200 and extrapolates.
# Usage: scripts/perf-nat.sh [--exchanges N] [--repeats N] [--rounds N] [--seconds S] [--registrations N]
#          [--batch N] [--budget SECONDS] [--parts 1,2,3,5] [--out FILE]     (root; release build)
# Part 4 runs inside part 3. KEEP=1 keeps the work directory (node logs, captures, raw samples).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/netns.sh
source scripts/lib/hosts.sh
source scripts/lib/nat.sh
COMMAND_LINE="scripts/perf-nat.sh${*:+ $*}"
EXCHANGES=20; REPEATS=5; ROUNDS=3; SECONDS_EACH=10; REGISTRATIONS=1000; BATCH=50; BUDGET=300
PARTS="1,2,3,5"; OUT=""
usage() { echo "usage: $0 [--exchanges N] [--repeats N] [--rounds N] [--seconds S] [--registrations N] [--batch N] [--budget S] [--parts LIST] [--out FILE]"; exit 2; }
while (($#)); do case $1 in
    --exchanges) EXCHANGES=$2; shift 2;; --repeats) REPEATS=$2; shift 2;; --rounds) ROUNDS=$2; shift 2;;
    --seconds) SECONDS_EACH=$2; shift 2;; --registrations) REGISTRATIONS=$2; shift 2;; --batch) BATCH=$2; shift 2;;
    --budget) BUDGET=$2; shift 2;; --parts) PARTS=$2; shift 2;; --out) OUT=$2; shift 2;;
    *) usage;; esac; done
[ "$(id -u)" -eq 0 ] || { echo "perf-nat: needs root"; exit 1; }
part() { [[ ",$PARTS," == *",$1,"* ]]; }
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
scripts/install-deps.sh iperf3 tcpdump tshark >/dev/null
synaptic_binary release
W=$(mktemp -d /tmp/synaptic-perf-nat.XXXXXX); chmod 755 "$W"; R="$W/results"; mkdir -p "$R"
trap 'netns_cleanup; netns_sweep; if [ -n "${KEEP:-}" ]; then echo "perf-nat: work directory kept: $W" >&2; else rm -rf "$W"; fi' EXIT
trap 'exit 130' INT; trap 'exit 143' TERM
cc -O2 -o "$W/tcprr" Perf/tools/tcprr.c
STARTED=$SECONDS
{
    echo "command=$COMMAND_LINE"
    echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "machine=nproc $(nproc), $(uname -r), $(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo), load average at start $LOAD_AT_START"
    echo "commit=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- Sources Package.swift || echo ' (with local changes)')"
    echo "seconds_each=$SECONDS_EACH"
    echo "defaults=exchanges $EXCHANGES, repeats $REPEATS, rounds $ROUNDS x $SECONDS_EACH s, registrations $REGISTRATIONS in batches of $BATCH"
} >"$R/meta"
meta() { echo "$1=$2" >>"$R/meta"; }
say() { echo "== $*" >&2; }

# ---- helpers ---------------------------------------------------------------------------------------
# Node names are unique over the run (TUN hip<name>, config, log and socket in $W); every node logs at info
# level without a keylog.
conf() { node_config "$W" "$@"; sed -i '/^\[keylog\]/,+1d' "$W/$1.toml"; }   # conf NAME [extra TOML]
peer_conf() { # peer_conf NAME PEER LOCATORS [extra TOML] [peer TOML] (host_config)
    host_config "$W" "$@"; sed -i '/^\[keylog\]/,+1d' "$W/$1.toml"; }
SERVER_TOML() { # SERVER_TOML "services list": the [[servers]] entry for the hub
    printf '[[servers]]\nname = "hub"\nhit = "%s"\nlocators = ["198.18.9.1"]\nservices = [%s]' "$HIT_hub" "$1"
}
HUB_TOML() { printf '[server]\nrendezvous = true\nrelay = %s\nallow = "any"\n\n[policy]\nallow = "any"' "$1"; }
up() { # up NAME NS [CONFIG]: start a node (log $W/NAME.log, appended), wait for its TUN; PID_<NAME>
    local name=$1 ns=$2 config=${3:-$W/$1.toml} tun
    tun=$(awk -F'"' '/^name = "hip/{print $2; exit}' "$config")
    echo "---- start $(date +%T.%N)" >>"$W/$name.log"
    ip netns exec "$ns" "$SYNAPTIC" up "$config" >>"$W/$name.log" 2>&1 &
    NETNS_PIDS+=($!); printf -v "PID_$name" '%s' "$!"
    wait_for ip -n "$ns" link show "$tun" || { echo "node $name did not start: $(tail -3 "$W/$name.log")" >&2; return 1; }
}
down() { # down NAME: SIGTERM (the node sends CLOSE), SIGKILL after 3 s
    local v="PID_$1" pid; pid=${!v:-}; [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
    printf -v "PID_$1" '%s' ""
}
registered() { WAIT_SECONDS=${2:-20} wait_for sh -c "tail -n +\$(grep -n '^---- start' '$W/$1.log' | tail -1 | cut -d: -f1) '$W/$1.log' | grep -q 'registered with'"; }
status() { "$SYNAPTIC" status --socket "$W/$1.sock" --json 2>/dev/null; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)" 2>/dev/null || echo "${2:--}"; }
assoc() { # assoc NAME PEER_HIT FIELD: a field of NAME's association with the peer ("-" if none)
    status "$1" | json "next((str(a.get('$3')) for a in d['associations'] if a['hit']=='$2'), '-')"
}
path_is() { [ "$(assoc "$1" "$2" path)" = "$3" ]; }  # path_is NAME PEER_HIT direct|relayed
now() { date +%s.%N; }
ms_since() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) * 1000 }'; }
hub_capture() { # hub_capture FILE: UDP 10500 in the hub namespace ($HUB), all interfaces; sets CAPTURE
    ip netns exec "$HUB" tcpdump -i any -n -U -w "$1" "udp port 10500" >/dev/null 2>&1 &
    CAPTURE=$!; NETNS_PIDS+=($!)
    wait_for test -s "$1"
}
capture_stop() { kill "$CAPTURE" 2>/dev/null || true; wait "$CAPTURE" 2>/dev/null || true; }

rr() { # rr CLIENT_NS SERVER_NS ADDRESS -> transactions/s
    ip netns exec "$2" timeout $((SECONDS_EACH + 20)) "$W/tcprr" server "$3" 5201 1024 & local srv=$!
    sleep 0.3
    ip netns exec "$1" timeout $((SECONDS_EACH + 15)) "$W/tcprr" client "$3" 5201 1024 "$SECONDS_EACH" | awk '{print $2}' | grep . || echo -
    wait $srv 2>/dev/null || true
}
tput_() { # tput_ CLIENT_NS SERVER_NS ADDRESS -> "Mbit/s bytes"
    ip netns exec "$2" timeout $((SECONDS_EACH + 20)) iperf3 -s -1 -B "$3" >/dev/null 2>&1 & local srv=$!
    sleep 0.5
    ip netns exec "$1" timeout $((SECONDS_EACH + 15)) iperf3 -c "$3" -t "$SECONDS_EACH" -J | python3 -c 'import json,sys; e=json.load(sys.stdin)["end"]["sum_received"]; print("%.0f %d" % (e["bits_per_second"]/1e6, e["bytes"]))' || echo "- -"
    wait $srv 2>/dev/null || true
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# ---- 1. base exchange: direct vs through a rendezvous server --------------------------------------
if part 1; then
    meta p1_load "$(cut -d" " -f1 /proc/loadavg)"
    say "1. base exchange: direct vs via a rendezvous server (none/none, $EXCHANGES each)"
    t=$SECONDS
    CASE_NO=1 nat_topology none none; P_HUB=$HUB P_HA=$HA P_HB=$HB P_HOST_B=$HOST_B
    host_identity "$W" hub; host_identity "$W" a; host_identity "$W" b
    conf hub "$(HUB_TOML false)"
    peer_conf b a "" "$(SERVER_TOML '"rendezvous"')"
    peer_conf a b "\"$HOST_B\"" "$(SERVER_TOML '"rendezvous"')"; mv "$W/a.toml" "$W/a-direct.toml"
    peer_conf a b "" "$(SERVER_TOML '"rendezvous"')" 'via = "hub"'; mv "$W/a.toml" "$W/a-via.toml"
    up hub "$HUB"; up b "$HB"; registered b || echo "b did not register: $(tail -3 "$W/b.log")" >&2
    : >"$R/p1_direct"; : >"$R/p1_via"; failed=0
    for i in $(seq 1 "$EXCHANGES"); do
        for how in direct via; do
            up a "$HA" "$W/a-$how.toml"
            registered a 10 || echo "a did not register ($how, $i)" >&2
            if ip netns exec "$HA" ping -6 -c 1 -W 5 "$HIT_b" >/dev/null; then
                l=$(assoc a "$HIT_b" latencyMilliseconds)
                [[ $l =~ ^[0-9.]+$ ]] && echo "$l" >>"$R/p1_$how" || failed=$((failed + 1))
            else failed=$((failed + 1)); fi
            down a
        done
    done
    meta p1_failed "$failed"
    meta p1_hub_relayed "$(status hub | json "d['hipEvents'].get('hip_relayed', 0)")"
    meta p1_hub_rejections "$(status hub | json "', '.join(f'{k}={v}' for k, v in d['rejections'].items()) or 'none'")"
    meta p1_rtt "$(ip netns exec "$HA" ping -c 20 -i 0.05 -q "$HOST_B" | awk -F/ '/rtt/{print $5}')"
    down b; down hub
    meta p1_seconds $((SECONDS - t))
fi

# ---- 2. first packet → first reply → direct path (masq/masq) ---------------------------------------
if part 2 || part 3; then
    CASE_NO=2 nat_topology masq masq; D_HUB=$HUB D_HA=$HA D_HB=$HB D_RA=$RA D_RB=$RB D_OUT_A=$OUT_A D_OUT_B=$OUT_B
    host_identity "$W" hub2; host_identity "$W" a2; host_identity "$W" b2
    conf hub2 "$(HUB_TOML true)"
    peer_conf a2 b2 "" "$(HIT_hub=$HIT_hub2 SERVER_TOML '"rendezvous", "relay"')" 'via = "hub"'
    peer_conf b2 a2 "" "$(HIT_hub=$HIT_hub2 SERVER_TOML '"rendezvous", "relay"')" 'via = "hub"'
    up hub2 "$D_HUB"
fi
d_start() { # both clients of the masq/masq topology afresh: stopped, NAT state flushed, started, registered
    down a2; down b2; echo_stop; RA=$D_RA RB=$D_RB; nat_flush A; nat_flush B
    up b2 "$D_HB"; up a2 "$D_HA"
    registered b2 && registered a2 || echo "a2/b2 did not register: $(tail -2 "$W/a2.log") $(tail -2 "$W/b2.log")" >&2
    ip netns exec "$D_HB" python3 scripts/lib/flows.py echo-server "$HIT_b2" 7000 >/dev/null 2>&1 & ECHO=$!; NETNS_PIDS+=($!)
    wait_for ip netns exec "$D_HB" sh -c "ss -Hlun 'sport = :7000' | grep -q ."
}
echo_stop() { [ -z "${ECHO:-}" ] || { kill "$ECHO" 2>/dev/null || true; wait "$ECHO" 2>/dev/null || true; ECHO=""; }; }
if part 2; then
    meta p2_load "$(cut -d" " -f1 /proc/loadavg)"
    say "2. first packet → direct path (masq/masq, $REPEATS repeats)"
    t=$SECONDS; : >"$R/p2"
    for i in $(seq 1 "$REPEATS"); do
        d_start
        HUB=$D_HUB hub_capture "$W/p2-$i.pcap"
        rm -f "$W/probe.t0" "$W/probe.out" "$W/poll.out"
        # A's status every 100 ms from t0 (one poller process, so a poll costs one `synaptic status --json`)
        # until its association with B says "direct", at most 15 s; prints "FIRST_POLL_MS DIRECT_MS" (the
        # times the answers came, from t0).
        python3 - "$SYNAPTIC" "$W/a2.sock" "$HIT_b2" "$W/probe.t0" >"$W/poll.out" <<'PY' &
import json, os, subprocess, sys, time
synaptic, sock, hit, t0file = sys.argv[1:5]
deadline = time.time() + 20
while not os.path.exists(t0file) or not open(t0file).read().endswith("\n"):
    if time.time() > deadline: sys.exit(print("- -"))
    time.sleep(0.0005)
t0 = float(open(t0file).read()); first = None
while time.time() - t0 < 15:
    t = time.time()
    try:
        d = json.loads(subprocess.run([synaptic, "status", "--socket", sock, "--json"], capture_output=True, timeout=2).stdout)
        if first is None: first = (time.time() - t0) * 1000
        if any(a["hit"] == hit and a.get("path") == "direct" for a in d["associations"]):
            sys.exit(print(f"{first:.1f} {(time.time() - t0) * 1000:.1f}"))
    except Exception:
        pass
    time.sleep(max(0.0, t + 0.1 - time.time()))
print(f"{first if first is not None else '-'} -")
PY
        poller=$!; NETNS_PIDS+=($poller)
        # A datagram to B's HIT every 1 ms until SIGTERM; t0 (the first send, epoch) goes to probe.t0 at once,
        # "t0 first_reply sent received" to stdout at the end.
        ip netns exec "$D_HA" python3 - "$HIT_b2" 7000 "$W/probe.t0" >"$W/probe.out" <<'PY' &
import select, signal, socket, sys, time
stop = False
def on_term(*_):
    global stop
    stop = True
signal.signal(signal.SIGTERM, on_term)
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.setblocking(False)
first = None; sent = received = 0
t0 = due = time.time()
while not stop and time.time() - t0 < 30:
    if time.time() >= due:
        try:
            s.sendto(b"p" * 32, (sys.argv[1], int(sys.argv[2]))); sent += 1
        except OSError:
            pass
        if due == t0:
            with open(sys.argv[3], "w") as f: f.write(f"{t0:.6f}\n")
        due += 0.001
    try:
        ready, _, _ = select.select([s], [], [], max(0.0, due - time.time()))
    except InterruptedError:
        continue
    if ready:
        try:
            s.recv(2048); received += 1
            if first is None: first = time.time()
        except OSError:
            pass
print(f"{t0:.6f} {first if first else '-'} {sent} {received}")
PY
        probe=$!; NETNS_PIDS+=($probe)
        wait "$poller" 2>/dev/null || true
        t0=$(cat "$W/probe.t0" 2>/dev/null || now)
        read -r first_poll direct_status <"$W/poll.out" || { first_poll=-; direct_status=-; }
        sleep 0.5; kill -TERM "$probe"; wait "$probe" 2>/dev/null || true; capture_stop
        read -r _ first sent received <"$W/probe.out" || { first=-; sent=-; received=-; }
        first_ms=-; [ "$first" = - ] || first_ms=$(ms_since "$t0" "$first")
        # From the capture (each datagram once: as it entered the hub namespace): ESP (UDP payload not starting
        # with the 4 zero bytes of HIP) between the two NATs' outside addresses, and through 198.18.9.1.
        esp=$(tshark -r "$W/p2-$i.pcap" -T fields -e frame.time_epoch -e sll.pkttype -e ip.src -e ip.dst -e udp.payload 2>/dev/null \
            | awk -v t0="$t0" -v a="$D_OUT_A" -v b="$D_OUT_B" '
                $2 != 0 || $1 < t0 || substr($5, 1, 8) == "00000000" { next }
                (($3 == a && $4 == b) || ($3 == b && $4 == a)) && !d { d = ($1 - t0) * 1000 }
                ($4 == "198.18.9.1" && ($3 == a || $3 == b)) && !d { relayed++ }
                END { printf "%s %d", d ? sprintf("%.1f", d) : "-", relayed }')
        echo "$first_ms ${esp% *} $direct_status ${esp#* } $sent $received $first_poll" >>"$R/p2"
        echo "   repeat $i: first reply $first_ms ms, first direct ESP ${esp% *} ms, status direct $direct_status ms, ${esp#* } ESP datagrams relayed before" >&2
    done
    meta p2_seconds $((SECONDS - t))
fi

# ---- 3 and 4. relayed vs direct vs plain: TCP_RR and iperf3; the relay's CPU ------------------------
if part 3; then
    meta p3_load "$(cut -d" " -f1 /proc/loadavg)"
    say "3. TCP_RR and iperf3: relayed (random/random), direct (masq/masq), plain (none/none); $ROUNDS rounds of $SECONDS_EACH s"
    t=$SECONDS
    # direct: the masq/masq pair of part 2, afresh, upgraded to the direct path
    d_start; echo_stop
    WAIT_SECONDS=30 wait_for ip netns exec "$D_HA" ping -6 -c 1 -W 2 "$HIT_b2" || echo "no association a2 → b2" >&2
    WAIT_SECONDS=15 wait_for path_is a2 "$HIT_b2" direct || echo "a2 → b2 did not become direct" >&2
    # relayed: random/random
    CASE_NO=3 nat_topology random random; X_HUB=$HUB X_HA=$HA X_HB=$HB
    host_identity "$W" hub3; host_identity "$W" a3; host_identity "$W" b3
    conf hub3 "$(HUB_TOML true)"
    peer_conf a3 b3 "" "$(HIT_hub=$HIT_hub3 SERVER_TOML '"rendezvous", "relay"')" 'via = "hub"'
    peer_conf b3 a3 "" "$(HIT_hub=$HIT_hub3 SERVER_TOML '"rendezvous", "relay"')" 'via = "hub"'
    up hub3 "$X_HUB"; up b3 "$X_HB"; up a3 "$X_HA"; registered b3; registered a3
    WAIT_SECONDS=30 wait_for ip netns exec "$X_HA" ping -6 -c 1 -W 2 "$HIT_b3" || echo "no association a3 → b3" >&2
    # The connectivity checks run about 12 s before they give up ("no direct path"): measure after that.
    WAIT_SECONDS=25 wait_for grep -q "no direct path" "$W/a3.log" || echo "a3: no 'no direct path' line after 25 s" >&2
    [ "$(cat /proc/$PID_hub3/comm)" = synaptic ] || echo "hub3 PID $PID_hub3 is $(cat /proc/$PID_hub3/comm)" >&2
    meta p3_paths_before "relayed: a3→b3 $(assoc a3 "$HIT_b3" path) (relay $(assoc a3 "$HIT_b3" relay)), b3→a3 $(assoc b3 "$HIT_a3" path); direct: a2→b2 $(assoc a2 "$HIT_b2" path), b2→a2 $(assoc b2 "$HIT_a2" path)"
    [ -n "${P_HA:-}" ] || { CASE_NO=1 nat_topology none none; P_HA=$HA P_HB=$HB P_HOST_B=$HOST_B; }
    CLK_TCK=$(getconf CLK_TCK); : >"$R/p3"; : >"$R/p4"
    d_relay0=$(status hub2 | json "d['relay']['packets']" 0)
    for round in $(seq 1 "$ROUNDS"); do
        for path in relayed direct plain; do
            case $path in
                relayed) c=$X_HA s=$X_HB addr=$HIT_b3 ;;
                direct) c=$D_HA s=$D_HB addr=$HIT_b2 ;;
                plain) c=$P_HA s=$P_HB addr=$P_HOST_B ;;
            esac
            v=$(rr "$c" "$s" "$addr"); echo "$round $path rr $v" >>"$R/p3"
            if [ $path = relayed ]; then
                bytes0=$(status hub3 | json "d['relay']['bytes']" 0); cpu0=$(cpu_ticks "$PID_hub3")
            fi
            read -r mbit bytes < <(tput_ "$c" "$s" "$addr"); echo "$round $path tput $mbit" >>"$R/p3"
            if [ $path = relayed ]; then
                cpu1=$(cpu_ticks "$PID_hub3"); bytes1=$(status hub3 | json "d['relay']['bytes']" 0)
                echo "$round $(awk -v a="$cpu0" -v b="$cpu1" -v t="$CLK_TCK" 'BEGIN{printf "%.2f", (b - a) / t}') $((bytes1 - bytes0)) $bytes" >>"$R/p4"
            fi
            echo "   round $round $path: TCP_RR $v t/s, iperf3 $mbit Mbit/s" >&2
        done
    done
    meta p3_paths_after "relayed: a3→b3 $(assoc a3 "$HIT_b3" path), b3→a3 $(assoc b3 "$HIT_a3" path); direct: a2→b2 $(assoc a2 "$HIT_b2" path), b2→a2 $(assoc b2 "$HIT_a2" path)"
    meta p3_direct_hub_relayed_packets "$(( $(status hub2 | json "d['relay']['packets']" 0) - d_relay0 ))"
    meta p3_relay_drops "$(status hub3 | json "', '.join(f'{k}={v}' for k, v in d['drops'].items()) or 'none'")"
    meta p3_seconds $((SECONDS - t))
fi
down a2; down b2; down a3; down b3; down hub2; down hub3

# ---- 5. the server's RSS with many registrations ---------------------------------------------------
if part 5; then
    meta p5_load "$(cut -d" " -f1 /proc/loadavg)"
    say "5. server RSS with $REGISTRATIONS registrations (batches of $BATCH client nodes)"
    t=$SECONDS
    CASE_NO=5 nat_hub; L_HUB=$HUB
    host_identity "$W" hub5
    conf hub5 "$(HUB_TOML true)"
    # The clients' LAN: a router namespace behind the hub (198.18.12.0/24), a bridge 198.19.0.1/16 there,
    # one namespace per client slot (eth0 on the bridge); a client's address is 198.19.<batch+1>.<slot+2>.
    LAN="${NETNS_TAG}-lan5"; netns_add "$LAN"
    ip netns exec "$LAN" sysctl -qw net.ipv4.ip_forward=1
    nat_veth "$L_HUB" "n${NETNS_TAG: -6}x5" 198.18.12.1/24 "$LAN" "n${NETNS_TAG: -6}l5" 198.18.12.2/24
    ip -n "$L_HUB" route replace 198.18.12.0/24 dev "n${NETNS_TAG: -6}x5" src 198.18.9.1
    ip -n "$L_HUB" route add 198.19.0.0/16 via 198.18.12.2 src 198.18.9.1
    ip -n "$LAN" route add default via 198.18.12.1
    ip -n "$LAN" link add br5 type bridge; ip -n "$LAN" addr add 198.19.0.1/16 dev br5; ip -n "$LAN" link set br5 up
    for k in $(seq 0 $((BATCH - 1))); do
        netns_add "${NETNS_TAG}-c$k"
        ip link add "c${NETNS_TAG: -6}$k" netns "$LAN" type veth peer name eth0 netns "${NETNS_TAG}-c$k"
        ip -n "$LAN" link set "c${NETNS_TAG: -6}$k" master br5 up; ip -n "${NETNS_TAG}-c$k" link set eth0 up
    done
    mkdir -p "$W/c"
    tk=$SECONDS
    seq 1 "$REGISTRATIONS" | xargs -P "$(nproc)" -I{} "$SYNAPTIC" keygen --out "$W/c/{}.key" >/dev/null
    meta p5_keygen_seconds $((SECONDS - tk))
    up hub5 "$L_HUB"; sleep 2
    rss() { awk '/^VmRSS/{print $2}' "/proc/$PID_hub5/status"; }
    rss0=$(rss); meta p5_rss_before_kib "$rss0"
    target=$REGISTRATIONS; batch=0; done_=0; failed=0; series=""; t_reg=$(now)
    while ((done_ < target)); do
        tb=$(now); pids=(); n=$((target - done_ < BATCH ? target - done_ : BATCH))
        for k in $(seq 0 $((n - 1))); do
            i=$((done_ + k + 1)) ns="${NETNS_TAG}-c$k"
            ip -n "$ns" addr flush dev eth0
            ip -n "$ns" addr add "198.19.$((batch + 1)).$((k + 2))/16" dev eth0
            ip -n "$ns" route replace default via 198.19.0.1
            cat >"$W/c/$i.toml" <<TOML
[identity]
key = "$W/c/$i.key"
[tun]
name = "hipc"
[transport]
raw_hip = false
[log]
level = "info"
[status]
socket = "$W/c/$i.sock"
[[servers]]
name = "hub"
hit = "$HIT_hub5"
locators = ["198.18.9.1"]
services = ["rendezvous", "relay"]
TOML
            ip netns exec "$ns" "$SYNAPTIC" up "$W/c/$i.toml" >"$W/c/$i.log" 2>&1 & pids+=($!); NETNS_PIDS+=($!)
        done
        for k in $(seq 0 $((n - 1))); do
            i=$((done_ + k + 1))
            WAIT_SECONDS=60 wait_for grep -q "registered with" "$W/c/$i.log" || failed=$((failed + 1))
        done
        ((batch > 0)) || meta p5_client_rss_kib "$(ps -o rss= -p "$(IFS=,; echo "${pids[*]}")" | awk '{s += $1} END {printf "%.0f", s / NR}')"
        kill -KILL "${pids[@]}" 2>/dev/null || true; wait "${pids[@]}" 2>/dev/null || true
        done_=$((done_ + n)); batch=$((batch + 1))
        echo "   batch $batch: $n clients in $(ms_since "$tb" "$(now)") ms; server RSS $(rss) KiB" >&2
        series="${series:+$series }$(rss)"
        if ((batch == 1 && target > 200)); then
            est=$(awk -v s="$(ms_since "$tb" "$(now)")" -v n="$n" -v t="$target" 'BEGIN{printf "%d", s / 1000 * t / n}')
            if ((est > BUDGET)); then
                meta p5_extrapolated "a batch of $n took long enough that $target would take about $est s (> --budget $BUDGET s): stopped at 200 and extrapolated linearly"
                target=200
            fi
        fi
    done
    meta p5_register_seconds "$(ms_since "$t_reg" "$(now)" | awk '{printf "%.1f", $1 / 1000}')"
    sleep 2
    meta p5_rss_after_kib "$(rss)"; meta p5_rss_series "$series"
    meta p5_hwm_kib "$(awk '/^VmHWM/{print $2}' "/proc/$PID_hub5/status")"
    meta p5_registrations "$(status hub5 | json "len(d['registrations'])")"
    meta p5_associations "$(status hub5 | json "len(d['associations'])")"
    meta p5_failed "$failed"; meta p5_started "$done_"; meta p5_batches "$batch"
    meta p5_seconds $((SECONDS - t))
    down hub5
fi
meta total_seconds $((SECONDS - STARTED))
meta load_end "$(cut -d' ' -f1-3 /proc/loadavg)"

# ---- notable log lines (notice and above, addresses and HITs folded), per node ----------------------
python3 - "$W" >"$R/notes" <<'PY'
import collections, glob, os, re, sys
w = sys.argv[1]
logs = [(os.path.basename(p)[:-4], [p]) for p in sorted(glob.glob(os.path.join(w, "*.log")))]
clients = sorted(glob.glob(os.path.join(w, "c", "*.log")))
if clients: logs.append(("part-5 clients", clients))
for name, paths in logs:
    counts = collections.Counter()
    for line in (l for p in paths for l in open(p, errors="replace")):
        m = re.match(r"\S+ (notice|warning|error|critical) \S+ (?:\[\w+\] )?(.*)", line)
        if not m: continue
        text = re.sub(r"2001:2[0-9a-f:]+", "HIT", m.group(2))
        text = re.sub(r"\b\d+\.\d+\.\d+\.\d+\b", "ADDR", text)
        counts[f"{m.group(1)}: {text}"] += 1
    for text, n in counts.most_common():
        print(f"{name}\t{n}\t{text}")
PY

# ---- report ----------------------------------------------------------------------------------------
python3 - "$R" "${OUT:-}" <<'PY'
import math, os, statistics, sys
res, out = sys.argv[1], sys.argv[2]
meta = dict(l.rstrip("\n").split("=", 1) for l in open(os.path.join(res, "meta")) if "=" in l)
def nums(path):
    try: return [float(x) for x in open(os.path.join(res, path)).read().split()]
    except (OSError, ValueError): return []
def med(v): return statistics.median(v) if v else None
def p90(v): return sorted(v)[max(0, math.ceil(0.9 * len(v)) - 1)] if v else None
def f(x, d=2): return "-" if x is None else f"{x:.{d}f}"
def ratio(a, b): return f"{a / b:.3f}" if a and b else "-"
md, txt = [], []
def section(title): md.extend(["", f"## {title}", ""]); txt.extend(["", title])
def table(head, rows):
    md.append("")
    md.append("| " + " | ".join(head) + " |"); md.append("|" + "|".join("---" for _ in head) + "|")
    for r in rows: md.append("| " + " | ".join(str(c) for c in r) + " |")
    md.append("")
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
    for r in [head] + rows: txt.append("  " + "  ".join(str(c).rjust(w) for c, w in zip(r, widths)))
def para(s): md.extend([s, ""]); txt.append("  " + s)
md.append("# synaptic NAT traversal, rendezvous and relay: measurements")
md.append("")
for k, label in (("date", "Date"), ("command", "Command"), ("machine", "Machine"), ("load_end", "Load average at the end"), ("commit", "synaptic"), ("total_seconds", "Duration (s)")):
    if k in meta:
        md.append(f"- {label}: `{meta[k]}`" if k == "command" else f"- {label}: {meta[k]}"); txt.append(f"{label}: {meta[k]}")

d, v = nums("p1_direct"), nums("p1_via")
if d or v:
    section("1. Base exchange latency (Initiator I1→R2), direct vs through a rendezvous server")
    para("B without NAT, registered with the hub for rendezvous only; A a fresh node per exchange (registered with "
         "the hub first), reaching B by its locator (direct) or with only `via = \"hub\"` (I1 forwarded by the hub "
         "with FROM, R1 straight back with VIA_RVS). Milliseconds, from A's status (`latencyMilliseconds`).")
    table(["path", "exchanges", "median ms", "p90 ms", "min ms", "max ms"],
          [[n, len(x), f(med(x)), f(p90(x)), f(min(x) if x else None), f(max(x) if x else None)] for n, x in (("direct", d), ("via rendezvous", v))])
    para(f"Ratio via/direct: median {ratio(med(v), med(d))}, p90 {ratio(p90(v), p90(d))}. Failed exchanges: {meta.get('p1_failed', '-')}; "
         f"I1s forwarded by the hub: {meta.get('p1_hub_relayed', '-')} for {len(v)} exchanges via the hub; hub rejections: {meta.get('p1_hub_rejections', '-')}; "
         f"plain ping RTT A→B {meta.get('p1_rtt', '-')} ms.")

rows = [l.split() for l in open(os.path.join(res, "p2"))] if os.path.exists(os.path.join(res, "p2")) else []
if rows:
    section("2. First packet → first reply → direct path (masq/masq, via the hub)")
    para("Both nodes restarted per repeat (NAT state flushed), registered for rendezvous and relay; t0 = A's first "
         "UDP datagram to B's HIT (one every 1 ms, B echoes). Milliseconds from t0.")
    num = lambda s: None if s == "-" else float(s)
    cols = list(zip(*rows))
    table(["repeat", "first reply", "first direct ESP (capture)", "A's status says direct", "(first status answer)", "ESP relayed before", "sent/echoed"],
          [[i + 1, r[0], r[1], r[2], r[6], r[3], f"{r[4]}/{r[5]}"] for i, r in enumerate(rows)])
    meds = [med([num(x) for x in c if x != "-"]) for c in cols[:4]]
    para(f"Medians: first reply {f(meds[0], 1)} ms, first direct ESP {f(meds[1], 1)} ms, status direct {f(meds[2], 1)} ms, "
         f"{f(meds[3], 0)} ESP datagrams through the relay before the switch. The status column is bounded by the "
         "polling: the first poll's answer time is in parentheses (a poll is one `synaptic status --json`). "
         "\"First direct ESP\": the first ESP datagram between the two NATs' outside addresses, from a capture in "
         "the hub namespace (the router between the sites), not involving 198.18.9.1.")

p3 = [l.split() for l in open(os.path.join(res, "p3"))] if os.path.exists(os.path.join(res, "p3")) else []
if p3:
    section("3. Relayed vs direct vs plain: TCP_RR (1024 bytes) and iperf3 (one TCP stream)")
    para("relayed: both hosts behind `random` NATs (port-randomizing: no direct path), all ESP through the hub's "
         "Data Relay; direct: both behind `masq` NATs, after the upgrade from relayed; plain: hA → hB's address "
         "on the `none`/`none` topology, no synaptic. Over synaptic by HIT. Rounds interleaved (relayed, direct, plain).")
    val = {}
    for rnd, path, test, x in p3:
        if x != "-": val.setdefault((path, test), []).append(float(x))
    rrp, tpp = med(val.get(("plain", "rr"), [])), med(val.get(("plain", "tput"), []))
    rrd, tpd = med(val.get(("direct", "rr"), [])), med(val.get(("direct", "tput"), []))
    rowsx = []
    for path in ("relayed", "direct", "plain"):
        rr, tp = val.get((path, "rr"), []), val.get((path, "tput"), [])
        rowsx.append([path, f(med(rr), 0), ratio(med(rr), rrp), ratio(med(rr), rrd), f(med(tp), 0), ratio(med(tp), tpp), ratio(med(tp), tpd),
                      " ".join(f"{x:.0f}" for x in rr) + " / " + " ".join(f"{x:.0f}" for x in tp)])
    table(["path", "TCP_RR t/s", "÷ plain", "÷ direct", "iperf3 Mbit/s", "÷ plain", "÷ direct", "per round (RR / iperf3)"], rowsx)
    para(f"Paths before: {meta.get('p3_paths_before', '-')}. After: {meta.get('p3_paths_after', '-')}. "
         f"Datagrams relayed by the masq/masq hub during the direct runs: {meta.get('p3_direct_hub_relayed_packets', '-')}.")

p4 = [l.split() for l in open(os.path.join(res, "p4"))] if os.path.exists(os.path.join(res, "p4")) else []
if p4:
    section("4. The relay's CPU per relayed GB (during the relayed iperf3)")
    para("Hub node utime+stime (/proc/PID/stat, all threads) and its `relay.bytes` (UDP payload of the ESP it relayed, "
         "both directions) before/after each relayed iperf3 run.")
    per = [float(c) / (int(b) / 1e9) for _, c, b, _ in p4 if int(b) > 0]
    per_payload = [float(c) / (int(p) / 1e9) for _, c, _, p in p4 if p.isdigit() and int(p) > 0]
    secs = float(meta.get("seconds_each", "10"))
    table(["round", "hub CPU s", "≈ % of one core", "relayed bytes", "iperf3 bytes", "CPU s per relayed GB"],
          [[r, c, f"{float(c) / secs * 100:.0f}", b, p, f(float(c) / (int(b) / 1e9)) if int(b) else "-"] for r, c, b, p in p4])
    para(f"Median: {f(med(per))} CPU-seconds per GB relayed (relay.bytes); {f(med(per_payload))} per GB of iperf3 payload. "
         f"Relay drops: {meta.get('p3_relay_drops', '-')}.")

if "p5_rss_after_kib" in meta:
    section("5. Server RSS with registered hosts")
    b, a, n = int(meta["p5_rss_before_kib"]), int(meta["p5_rss_after_kib"]), int(meta.get("p5_registrations", "0") or 0)
    para("Simulated: one real server node; real client nodes (`synaptic up`, one network namespace each, own "
         f"address, raw HIP off) in batches of up to {meta.get('defaults', '').split('batches of ')[-1]}, each registering a "
         "pre-generated identity (`synaptic keygen`) for rendezvous and relay, then SIGKILLed so the registration stays "
         "at the server; the next batch uses new identities and new addresses.")
    table(["registrations (server status)", "associations", "RSS before KiB", "RSS after KiB", "VmHWM KiB", "KiB per registration", "time s"],
          [[n, meta.get("p5_associations", "-"), b, a, meta.get("p5_hwm_kib", "-"), f((a - b) / n) if n else "-", meta.get("p5_register_seconds", "-")]])
    extra = f" {meta['p5_extrapolated']}: for 1000, about {b + (a - b) / n * 1000:.0f} KiB." if "p5_extrapolated" in meta and n else ""
    para(f"Client nodes started {meta.get('p5_started', '-')} in {meta.get('p5_batches', '-')} batches, {meta.get('p5_failed', '-')} did not register "
         f"within 60 s; keygen took {meta.get('p5_keygen_seconds', '-')} s; a client node's RSS about {meta.get('p5_client_rss_kib', '-')} KiB.{extra}")
    para(f"Server RSS (KiB) after each batch: {meta.get('p5_rss_series', '-')}.")

notes = [l.rstrip("\n").split("\t") for l in open(os.path.join(res, "notes"))] if os.path.exists(os.path.join(res, "notes")) else []
if notes:
    section("Log lines at notice level and above (per node, HITs and addresses folded)")
    table(["node", "count", "line"], [[n, c, t.replace("|", "\\|")] for n, c, t in notes[:40]])
    if len(notes) > 40: para(f"({len(notes) - 40} more kinds)")
times = ", ".join(f"part {k[1]} {meta[k]} s (1-min load average {meta.get(k[:2] + '_load', '?')} at its start)" for k in ("p1_seconds", "p2_seconds", "p3_seconds", "p5_seconds") if k in meta)
if times:
    t = f"Timing: {times}. The machine is shared: other work running at the same time shows in the load averages and in the spread of the rounds."
    md.extend(["", t]); txt.extend(["", t])
print("\n".join(txt))
if out:
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    open(out, "w").write("\n".join(md) + "\n")
PY

#!/usr/bin/env bash
# synaptic in real containers: the image `make image` builds, run by podman (runc) with only NET_ADMIN and
# /dev/net/tun, on internal networks of its own. Cases:
#   pair             two containers on one internal network: key created at first start (0600, synaptic's),
#                    peers added with SIGHUP, ping by HIT and LSI, a TCP transfer (SHA-256), `synaptic
#                    status` inside shows the association, the HEALTHCHECK passes
#   rendezvous_relay a third container serves rendezvous + relay on two internal networks; the two hosts,
#                    each on one of them, reach each other by HIT through it
#   move             while a TCP stream runs, the client is connected to a second network and disconnected
#                    from the first (a new address): every byte arrives once; prints the gap in the stream
#   restart          a container is stopped (SIGTERM to PID 1: CLOSE sent, TUN removed, exit 0) and started
#                    again with its key volume, then killed (SIGKILL) and started: its HIT is unchanged and
#                    the peer's association recovers without touching the peer
#   compose          Configs/compose.yaml with podman-compose: keys by `run --rm ... keygen`, `up -d`, ping by
#                    HIT and LSI, `exec alpha synaptic status`
#   docker           the image built by Docker (scripts/image.sh; dockerd with its data here, no bridge, no
#                    iptables) and run in it: two containers with Docker's default capabilities + NET_ADMIN
#                    (so NET_RAW too: raw HIP), ping by HIT and LSI, one with --cap-drop ALL --cap-add
#                    NET_ADMIN, Docker's own health check, `docker stop` (exit 0), logs on standard output;
#                    then Configs/compose.yaml with docker-compose
# Applications reach synaptic the way a sidecar's neighbours do: in the container's network namespace
# (ping, socat and scripts/lib/flows.py from this machine, run there with nsenter).
#
# Nothing stays behind: podman keeps its state (storage, containers, networks, volumes, the test's image)
# under a temporary folder, the test runs in a mount namespace of its own with a tmpfs on /run (runc's,
# netavark's and the network namespaces' files), and net.ipv4.ip_forward (netavark sets it) is restored, on
# every exit path (dockerd's data and /etc/docker/key.json likewise). Skipped, with a line saying why, where
# podman cannot run containers (not root, no /dev/net/tun, no podman to be had); the compose and docker
# cases skip themselves (and say so) without podman-compose from PyPI or a dockerd that starts. Ends with
# "containertest: N passed, N failed[, N skipped]".
#
# Usage: scripts/containertest.sh [case ...]      (default: every case)
# Environment: CASE_TIMEOUT (seconds per case, default 180), KEEP=1 keeps the work folder (not podman's),
# CAPTURE=1 captures UDP 10500 in p's network namespace during the move case ($W/move/p.pcap, with KEEP=1).
set -uo pipefail
cd "$(dirname "$0")/.."
ALL_CASES=(pair rendezvous_relay move restart compose docker)
cases=("$@"); ((${#cases[@]})) || cases=("${ALL_CASES[@]}")
CASE_TIMEOUT=${CASE_TIMEOUT:-180}

skip() {
    echo "containertest: skipped: $*"
    echo "containertest: 0 passed, 0 failed, ${#cases[@]} skipped"
    exit 0
}

# --- Outside: checks, the work folder, ip_forward, and the cleanup that runs whatever happens inside. ---
if [ -z "${CT_WORK:-}" ]; then
    [ "$(id -u)" -eq 0 ] || skip "needs root (podman runs the containers as root)"
    [ -c /dev/net/tun ] || skip "no /dev/net/tun on this machine"
    command -v unshare >/dev/null || skip "no unshare (util-linux)"
    if ! scripts/install-deps.sh podman runc netavark podman-compose docker.io docker-compose socat python3 binutils libcap2-bin >/dev/null 2>&1; then
        command -v podman >/dev/null && command -v runc >/dev/null || skip "podman and runc cannot be installed here"
    fi
    for tool in podman runc nsenter socat python3; do
        command -v "$tool" >/dev/null || skip "no $tool"
    done
    [ -x /usr/lib/podman/netavark ] || skip "no netavark (apt package netavark)"
    CT_WORK=$(mktemp -d /tmp/synaptic-containertest.XXXXXX); chmod 755 "$CT_WORK"
    # This run's tag (its PID, unique among the running ones) names the bridges it makes: sct<tag><network>.
    CT_RUN_TAG=$(printf '%06x' $$)
    export CT_WORK CT_RUN_TAG
    saved_forward=$(cat /proc/sys/net/ipv4/ip_forward)
    # podman writes a blob cache to /var/lib/containers/cache whatever its --root: inside, a tmpfs covers
    # the folder; it is made here when missing, and removed again if it is still empty at the end.
    made_var_lib=0
    [ -e /var/lib/containers ] || { mkdir /var/lib/containers && made_var_lib=1; }
    # dockerd (the docker case) writes /etc/docker/key.json: covered inside the same way.
    made_etc_docker=0
    [ -e /etc/docker ] || { mkdir /etc/docker && made_etc_docker=1; }
    outer_cleanup() {
        trap '' INT TERM
        # Normally the inside has removed everything; this catches what a killed run left: containers
        # (their processes are in libpod's cgroups, named by container ID) and conmon (named by our folder).
        local id pid
        for id in $(ls "$CT_WORK/root/overlay-containers" 2>/dev/null); do
            for pid in $(cat /sys/fs/cgroup/pids/libpod_parent/libpod-"$id"/cgroup.procs 2>/dev/null); do
                kill -KILL "$pid" 2>/dev/null
            done
        done
        for id in $(ls "$CT_WORK/docker/containers" 2>/dev/null); do
            for pid in $(cat /sys/fs/cgroup/pids/docker/"$id"/cgroup.procs 2>/dev/null); do
                kill -KILL "$pid" 2>/dev/null
            done
        done
        for pid in $(pgrep -f -- "$CT_WORK" 2>/dev/null); do
            [ "$pid" != $$ ] && kill -KILL "$pid" 2>/dev/null
        done
        # Bridges of this run that a killed engine left (named after the run; none normally).
        local link
        for link in $(ip -o link show 2>/dev/null | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }'); do
            [[ $link == "sct$CT_RUN_TAG"* ]] && ip link del "$link" 2>/dev/null
        done
        echo "$saved_forward" >/proc/sys/net/ipv4/ip_forward
        ((made_var_lib)) && rmdir /var/lib/containers 2>/dev/null
        ((made_etc_docker)) && rmdir /etc/docker 2>/dev/null
        if [ "${KEEP:-0}" = 1 ]; then
            rm -rf "$CT_WORK/root" "$CT_WORK/runroot" "$CT_WORK/tmp" 2>/dev/null
            echo "containertest: kept $CT_WORK"
        else
            rm -rf "$CT_WORK" 2>/dev/null || { sleep 1; rm -rf "$CT_WORK"; }
        fi
    }
    trap outer_cleanup EXIT
    # The inside runs in the background so that a signal here reaches it at once (bash runs traps only
    # between foreground commands): it then removes what it made, and this side checks.
    unshare --mount --propagation private "$0" "${cases[@]}" & inner=$!
    trap 'kill -TERM "$inner" 2>/dev/null; wait "$inner"; exit 143' INT TERM
    wait "$inner"
    exit $?
fi

# --- Inside: a private /run, podman with its state under $CT_WORK. ---
T=$CT_WORK
mount -t tmpfs -o mode=0755 synaptic-containertest /run || { echo "containertest: cannot mount /run"; exit 1; }
mkdir -m 1777 /run/lock
mount -t tmpfs -o mode=0700 synaptic-containertest /var/lib/containers || { echo "containertest: cannot mount /var/lib/containers"; exit 1; }
mount -t tmpfs -o mode=0755 synaptic-containertest /etc/docker || { echo "containertest: cannot mount /etc/docker"; exit 1; }
mkdir -p "$T/tmp"; export TMPDIR=$T/tmp
P=(podman --root "$T/root" --runroot "$T/runroot" --tmpdir "$T/tmp" --network-config-dir "$T/net"
   --runtime runc --cgroup-manager cgroupfs --events-backend file --network-backend netavark)
IMAGE=localhost/synaptic:containertest
# Limits the containers may have here (podman's defaults are above this machine's hard limits, and runc is
# refused an nproc limit above 8192 on it).
nofile=$(ulimit -Hn); [ "$nofile" = unlimited ] || ((nofile <= 20000)) || nofile=20000
ULIMITS=(--ulimit "nofile=$nofile:$nofile" --ulimit "nproc=8192:8192")
# /dev/net/tun is 0600 on some hosts; a 0666 node for the same device is what the containers get (as
# distributions make it), so that the non-root user in them can open it.
mknod "$T/tun" c 10 200 && chmod 666 "$T/tun"
RUN_TAG=$CT_RUN_TAG

DOCKERD_PID=""
D=(docker -H "unix://$T/docker.sock")
inner_cleanup() {
    docker_down
    "${P[@]}" rm -af -t 2 >/dev/null 2>&1
    "${P[@]}" network prune -f >/dev/null 2>&1
    "${P[@]}" volume prune -f >/dev/null 2>&1
    "${P[@]}" rmi -af >/dev/null 2>&1
    "${P[@]}" system reset -f >/dev/null 2>&1
    umount -R "$T/root/overlay" 2>/dev/null
}
trap inner_cleanup EXIT
trap 'exit 143' INT TERM

fail() { echo "   FAIL: $*" >&2; return 1; }

wait_for() { # wait_for SECONDS COMMAND...: until COMMAND succeeds
    local deadline=$((SECONDS + $1)); shift
    until "$@" >/dev/null 2>&1; do ((SECONDS < deadline)) || return 1; sleep 0.2; done
}

# network NAME: an internal network (no route out, no DNS) on a free /24 of 198.18.0.0/15 (no route to it on
# this machine yet: other runs, other tests), its bridge named after this run; sets NET_NAME to the /24's
# third number.
SUBNETS_TAKEN=""
network() {
    local n="" try
    for try in $(seq 1 200); do
        try=$((RANDOM % 200 + 40))
        [[ " $SUBNETS_TAKEN " == *" $try "* ]] && continue
        [[ $(ip -4 route show) == *"198.18.$try."* ]] && continue
        n=$try; break
    done
    [ -n "$n" ] || fail "no free subnet" || return 1
    SUBNETS_TAKEN+=" $n"
    "${P[@]}" network create --internal --disable-dns --subnet "198.18.$n.0/24" "ct-$1" >/dev/null \
        || fail "network create $1" || return 1
    # podman 4.3 names bridges podman1, podman2, ... per configuration folder, so two runs would share one:
    # this run's bridges get names of their own (netavark reads the file at each container start).
    sed -i "s/\"network_interface\": \"[^\"]*\"/\"network_interface\": \"sct$RUN_TAG$1\"/" "$T/net/ct-$1.json"
    grep -q "\"sct$RUN_TAG$1\"" "$T/net/ct-$1.json" || fail "could not name the bridge of $1" || return 1
    printf -v "NET_$1" '%s' "$n"
}

# key NAME: the volume ct-NAME-key with a key made by the image's own `synaptic keygen` (as synaptic);
# sets HIT_NAME and LSI_NAME.
key() {
    "${P[@]}" volume create "ct-$1-key" >/dev/null || return 1
    local out; out=$("${P[@]}" run --rm --no-healthcheck --entrypoint /usr/bin/synaptic -v "ct-$1-key:/var/lib/synaptic" "${ULIMITS[@]}" \
        "$IMAGE" keygen --out /var/lib/synaptic/host.key 2>"$W/keygen.err") || { cat "$W/keygen.err" >&2; fail "keygen for $1"; return 1; }
    printf -v "HIT_$1" '%s' "$(awk '$1 == "HIT" { print $2 }' <<<"$out")"
    printf -v "LSI_$1" '%s' "$(awk '$1 == "LSI" { print $2 }' <<<"$out")"
}

learn_hit() { # learn_hit NAME: HIT_NAME and LSI_NAME from the key in the running container
    local out; out=$("${P[@]}" exec "ct-$1" /usr/bin/synaptic hit /var/lib/synaptic/host.key 2>/dev/null) || return 1
    printf -v "HIT_$1" '%s' "$(awk '$1 == "HIT" { print $2 }' <<<"$out")"
    printf -v "LSI_$1" '%s' "$(awk '$1 == "LSI" { print $2 }' <<<"$out")"
}

# start NAME NETWORK:ADDRESS [NETWORK:ADDRESS]: container ct-NAME running the image with only NET_ADMIN and
# the TUN, its configuration $W/NAME.toml and its key volume; waits for "synaptic up".
start() {
    local name=$1; shift
    local nets=() spec
    for spec in "$@"; do nets+=(--network "ct-${spec%%:*}:ip=${spec#*:}"); done
    [ -e "$W/$name.toml" ] || : >"$W/$name.toml"
    "${P[@]}" volume exists "ct-$name-key" || "${P[@]}" volume create "ct-$name-key" >/dev/null
    "${P[@]}" run -d --name "ct-$name" --hostname "$name" "${nets[@]}" --cap-drop ALL --cap-add NET_ADMIN \
        --device "$T/tun:/dev/net/tun" "${ULIMITS[@]}" \
        -v "$W/$name.toml:/etc/synaptic/synaptic.toml:ro" -v "ct-$name-key:/var/lib/synaptic" \
        "$IMAGE" >/dev/null 2>"$W/$name.run.err" || { cat "$W/$name.run.err" >&2; fail "podman run $name"; return 1; }
    up "$name"
}

up() { # up NAME [N]: waits until the container's node logged "synaptic up" N times (default 1: since created)
    local n=${2:-1}
    wait_for 20 sh -c "[ \$(\"\$@\" logs ct-$1 2>/dev/null | grep -c 'synaptic up:') -ge $n ]" _ "${P[@]}" \
        || { logs "$1" | tail -5 >&2; fail "node $1 did not come up"; return 1; }
}

logs() { "${P[@]}" logs "ct-$1" 2>/dev/null; }
# logged NAME PATTERN: the container's log has a line matching PATTERN (read whole: no SIGPIPE to podman)
logged() { local text; text=$(logs "$1"); grep -q -- "$2" <<<"$text"; }
pid_of() { "${P[@]}" inspect -f '{{.State.Pid}}' "ct-$1"; }
in_net() { local name=$1; shift; nsenter --net="/proc/$(pid_of "$name")/ns/net" "$@"; }  # in_net NAME COMMAND...
status_of() { "${P[@]}" exec "ct-$1" /usr/bin/synaptic status "${@:2}"; }

ping_ok() { # ping_ok FROM ADDRESS
    in_net "$1" ping -c 3 -i 0.2 -w 20 "$2" >"$W/ping.out" 2>&1 || { cat "$W/ping.out" >&2; fail "ping $2 from $1"; }
}

tcp_transfer() { # tcp_transfer FROM TO ADDRESS MIB: the SHA-256 of what arrived equals what was sent
    local from=$1 to=$2 addr=$3 size=$4 listen connect
    head -c "${size}M" /dev/urandom >"$W/payload"; rm -f "$W/received"
    if [[ $addr == *:* ]]; then listen="TCP6-LISTEN:5001,reuseaddr,bind=[$addr]"; connect="TCP6:[$addr]:5001"
    else listen="TCP4-LISTEN:5001,reuseaddr,bind=$addr"; connect="TCP4:$addr:5001"; fi
    in_net "$to" timeout 60 socat -u "$listen" "CREATE:$W/received" & local rx=$!
    wait_for 10 in_net "$to" sh -c "ss -Hltn 'sport = :5001' | grep -q ." || fail "listener did not start" || return 1
    in_net "$from" timeout 60 socat -u "OPEN:$W/payload" "$connect" || fail "sender failed" || return 1
    wait $rx || fail "receiver failed" || return 1
    local sent got; sent=$(sha256sum <"$W/payload" | cut -d' ' -f1); got=$(sha256sum <"$W/received" | cut -d' ' -f1)
    [ "$sent" = "$got" ] || fail "SHA-256 differs: sent $sent received $got ($(stat -c %s "$W/received") bytes)" || return 1
    echo "   TCP $from -> $to ($addr): $size MiB, SHA-256 equal"
}

# config NAME: writes $W/NAME.toml from standard input, in place (the running container has it mounted).
config() { cat >"$W/$1.toml"; }

peer() { # peer NAME [LOCATOR...]: a [[peers]] table
    local name=$1 hit="HIT_$1"; shift
    local locs="" l
    for l in "$@"; do locs+="${locs:+, }\"$l\""; done
    printf '[[peers]]\nname = "%s"\nhit = "%s"\nlocators = [%s]\n' "$name" "${!hit}" "$locs"
}

has_association() { # has_association NAME PEER_HIT: `synaptic status` (no arguments) inside shows it established
    local text; text=$(status_of "$1" 2>/dev/null); grep -F -- "$2" <<<"$text" | grep -q ESTABLISHED
}

# --- Cases ---

case_pair() {
    network n1 || return 1
    local a="198.18.$NET_n1.10" b="198.18.$NET_n1.11"
    # First start without peers: each node creates its key.
    start a "n1:$a" && start b "n1:$b" || return 1
    learn_hit a && learn_hit b || fail "no HIT from synaptic hit" || return 1
    local mp; mp=$("${P[@]}" volume inspect -f '{{.Mountpoint}}' ct-a-key)
    [ "$(stat -c '%a %u' "$mp/host.key")" = "600 10500" ] \
        || fail "key file is $(stat -c '%a, uid %u' "$mp/host.key"), not 0600 and synaptic's" || return 1
    logged a "created host identity" || fail "no 'created host identity' in the log" || return 1
    echo "   keys created at first start (0600, uid 10500): a $HIT_a, b $HIT_b"
    # Runs as synaptic, holding NET_ADMIN only; raw HIP is off without NET_RAW, and the log says so.
    local pid; pid=$(pid_of a)
    [ "$(stat -c %u "/proc/$pid")" = 10500 ] || fail "synaptic does not run as uid 10500" || return 1
    grep -q '^CapEff:.*0000000000001000$' "/proc/$pid/status" \
        || fail "capabilities: $(grep CapEff "/proc/$pid/status")" || return 1
    logged a "raw HIP off (no CAP_NET_RAW): HIP over UDP only" || fail "no log line about raw HIP" || return 1
    # Peers added with SIGHUP.
    peer b "$b" | config a; peer a "$a" | config b
    "${P[@]}" kill -s HUP ct-a ct-b >/dev/null
    wait_for 10 logged a 'reload: peer added' || fail "SIGHUP did not add the peer" || return 1
    ping_ok a "$HIT_b" && ping_ok b "$LSI_a" && ping_ok b "$HIT_a" && ping_ok a "$LSI_b" || return 1
    echo "   ping a -> b by HIT and LSI, b -> a by HIT and LSI: ok"
    tcp_transfer a b "$HIT_b" 8 && tcp_transfer b a "$LSI_a" 2 || return 1
    wait_for 10 has_association a "$HIT_b" || { status_of a >&2; fail "synaptic status in a does not show b ESTABLISHED"; return 1; }
    wait_for 10 has_association b "$HIT_a" || { status_of b >&2; fail "synaptic status in b does not show a ESTABLISHED"; return 1; }
    status_of a | sed 's/^/   | /' | head -4
    "${P[@]}" healthcheck run ct-a >/dev/null 2>&1 || fail "the HEALTHCHECK (synaptic status) fails" || return 1
    echo "   healthcheck: healthy"
}

case_rendezvous_relay() {
    network n1 && network n2 || return 1
    local s1="198.18.$NET_n1.2" s2="198.18.$NET_n2.2" a="198.18.$NET_n1.10" b="198.18.$NET_n2.11"
    key s && key a && key b || return 1
    config s <<EOF
[server]
rendezvous = true
relay = true
allow = ["$HIT_a", "$HIT_b"]
EOF
    for h in a b; do
        local other=$([ $h = a ] && echo b || echo a) at=$([ $h = a ] && echo "$s1" || echo "$s2") hit
        hit="HIT_$other"
        config $h <<EOF
[[servers]]
name = "hub"
hit = "$HIT_s"
locators = ["$at"]

[[peers]]
name = "$other"
hit = "${!hit}"
via = "hub"
EOF
    done
    start s "n1:$s1" "n2:$s2" && start a "n1:$a" && start b "n2:$b" || return 1
    # Both registered (status on the server lists them), then a reaches b and b reaches a by HIT.
    wait_for 30 sh -c "\"\$@\" exec ct-s /usr/bin/synaptic status 2>/dev/null | grep -c -e '$HIT_a' -e '$HIT_b' | grep -q '[2-9]'" _ "${P[@]}" \
        || { status_of s >&2; fail "a and b did not both register with s"; return 1; }
    ping_ok a "$HIT_b" && ping_ok b "$HIT_a" || return 1
    echo "   ping a -> b and b -> a by HIT through s: ok (a and b share no network)"
    tcp_transfer a b "$HIT_b" 2 || return 1
    wait_for 10 has_association a "$HIT_b" || { status_of a >&2; fail "no association a-b"; return 1; }
    status_of a | sed 's/^/   | /' | head -4
}

case_move() {
    network n1 && network n2 || return 1
    local p1="198.18.$NET_n1.2" p2="198.18.$NET_n2.2" m1="198.18.$NET_n1.10" m2="198.18.$NET_n2.10"
    key p && key m || return 1
    peer m "$m1" | config p
    peer p "$p1" "$p2" | config m
    start p "n1:$p1" "n2:$p2" && start m "n1:$m1" || return 1
    ping_ok m "$HIT_p" || return 1
    if [ "${CAPTURE:-0}" = 1 ]; then   # a capture in p's network namespace, kept with KEEP=1
        in_net p timeout 40 tcpdump -i any -U -w "$W/p.pcap" udp port 10500 >/dev/null 2>&1 &
        sleep 0.5
    fi
    # A paced stream m -> p (512 KiB/s for 10 s); the move after 3 s: connect to n2, then leave n1.
    FLOWS_TIMEOUT=30 in_net p python3 scripts/lib/flows.py stream-recv "$HIT_p" 5002 "$W/stream.rx" "$W/stream.gaps" \
        2>"$W/stream-rx.err" & local rx=$!
    wait_for 10 in_net p sh -c "ss -Hltn 'sport = :5002' | grep -q ." || fail "stream listener did not start" || return 1
    FLOWS_TIMEOUT=30 in_net m python3 scripts/lib/flows.py stream-send "$HIT_p" 5002 10 512 "$W/stream.tx" \
        2>"$W/stream-tx.err" & local tx=$!
    sleep 3
    local move_at; move_at=$(date +%s.%N)
    "${P[@]}" network connect --ip "$m2" ct-n2 ct-m || fail "network connect" || return 1
    sleep 1
    local left_at; left_at=$(date +%s.%N)
    "${P[@]}" network disconnect ct-n1 ct-m || fail "network disconnect" || return 1
    in_net m ip -4 -br addr show | grep -v '^lo\|hip' | sed 's/^/   m now: /'
    local ok=0
    wait $tx || { ok=1; echo "   FAIL: stream sender broke: $(tail -2 "$W/stream-tx.err")" >&2; }
    wait $rx || { ok=1; echo "   FAIL: stream receiver broke: $(tail -2 "$W/stream-rx.err")" >&2; }
    local sent got; sent=$(cat "$W/stream.tx" 2>/dev/null); got=$(cat "$W/stream.rx" 2>/dev/null)
    echo "   stream: sent ${sent:-nothing}; received ${got:-nothing} (bytes SHA-256)"
    [ -n "$sent" ] && [ "$sent" = "$got" ] || { ok=1; echo "   FAIL: the stream differs" >&2; }
    python3 - "$W/stream.gaps" "$move_at" "$left_at" <<'PY' || ok=1
import json, sys
g = json.load(open(sys.argv[1]))
connect, left = float(sys.argv[2]), float(sys.argv[3])
# The pause the move caused: the longest one starting from 100 ms before the connect to 2 s after leaving n1.
near = [ms for start, ms in g.get("pauses", []) if connect - 0.1 <= start <= left + 2.0]
print(f"   gap: {max(near, default=0):.0f} ms without received data around the move (longest pause in the stream "
      f"from the network connect to 2 s after the disconnect; {g['max_gap_ms']:.0f} ms over the whole "
      f"{g['seconds']:.1f} s, {g['bytes']} bytes)")
PY
    local at_p; at_p=$(status_of p --json | python3 -c '
import json, sys
nodes = json.load(sys.stdin)
for a in (nodes[0] if isinstance(nodes, list) else nodes).get("associations", []):
    print(a.get("locator") or a.get("currentLocator") or "")' 2>/dev/null | head -1)
    echo "   p sends ESP to m at: ${at_p:-?}"
    [[ ${at_p:-} == *"$m2"* ]] || { ok=1; echo "   FAIL: p's locator of m is '${at_p:-}', not $m2" >&2; }
    return $ok
}

case_restart() {
    network n1 || return 1
    local a="198.18.$NET_n1.10" b="198.18.$NET_n1.11"
    key a && key b || return 1
    peer b "$b" | config a; peer a "$a" | config b
    start a "n1:$a" && start b "n1:$b" || return 1
    ping_ok a "$HIT_b" || return 1
    # SIGTERM to synaptic as PID 1: CLOSE to a, the TUN removed, exit status 0, well within the timeout.
    local t0=$SECONDS
    "${P[@]}" stop -t 15 ct-b >/dev/null 2>&1 || fail "podman stop" || return 1
    local took=$((SECONDS - t0)) code; code=$("${P[@]}" inspect -f '{{.State.ExitCode}}' ct-b)
    [ "$code" = 0 ] || fail "exit status $code after SIGTERM" || return 1
    logged b "sending CLOSE to a" || fail "b did not send CLOSE" || return 1
    logged b "synaptic stopped (TUN hip0 removed)" || fail "b did not remove its TUN" || return 1
    echo "   SIGTERM: CLOSE sent, TUN removed, exit 0 in ${took} s"
    # Start again with the same key volume: same HIT; a is not touched.
    "${P[@]}" start ct-b >/dev/null 2>&1 || fail "podman start" || return 1
    up b 2 || return 1
    local before=$HIT_b; learn_hit b
    [ "$HIT_b" = "$before" ] || fail "HIT changed: $before -> $HIT_b" || return 1
    local text; text=$(logs b); grep 'synaptic up:' <<<"$text" | tail -1 | grep -q "HIT $before" || fail "b came up with another HIT" || return 1
    # b speaks first: podman gives the restarted container a new MAC address for its old IP address, which a
    # learns from b's ARP request (until then, or until its neighbour entry goes stale, a's frames go to
    # the old one).
    ping_ok b "$LSI_a" && ping_ok a "$HIT_b" || return 1
    wait_for 10 has_association a "$HIT_b" || { status_of a >&2; fail "a's association with b did not recover"; return 1; }
    echo "   restart (SIGTERM): HIT unchanged, a's association recovered"
    # Killed (no CLOSE: a still holds the old SAs) and started again.
    local ups; ups=$(logs a | grep -c "association up: b")
    "${P[@]}" kill -s KILL ct-b >/dev/null 2>&1; "${P[@]}" wait ct-b >/dev/null 2>&1
    "${P[@]}" start ct-b >/dev/null 2>&1 || fail "podman start after SIGKILL" || return 1
    up b 3 || return 1
    learn_hit b; [ "$HIT_b" = "$before" ] || fail "HIT changed after SIGKILL" || return 1
    local t1=$SECONDS
    ping_ok b "$HIT_a" && ping_ok a "$HIT_b" || return 1
    wait_for 10 has_association a "$HIT_b" || { status_of a >&2; fail "a's association did not recover after SIGKILL"; return 1; }
    [ "$(logs a | grep -c "association up: b")" -gt "$ups" ] || fail "a kept the old association (no new base exchange)" || return 1
    echo "   restart (SIGKILL): HIT unchanged, a's association recovered ($((SECONDS - t1)) s to the first pings)"
}

# podman-compose 1.0.6 (PyPI; one Python file, cached under .build/): Debian 12's 1.0.3 ignores
# ipv4_address, which the compose file needs (locators are addresses). Its libraries (PyYAML,
# python-dotenv) come with Debian's podman-compose package. Sets PODMAN_COMPOSE; fails if it cannot be had.
podman_compose() {
    local dir=.build/podman-compose-1.0.6
    if [ ! -f "$dir/podman_compose.py" ]; then
        rm -rf "$dir.tmp"; mkdir -p "$dir.tmp"
        python3 -m pip download --no-deps -q -d "$dir.tmp" podman-compose==1.0.6 >/dev/null 2>&1 \
            && (cd "$dir.tmp" && python3 -m zipfile -e podman_compose-1.0.6-py2.py3-none-any.whl .) \
            && [ -f "$dir.tmp/podman_compose.py" ] && rm -rf "$dir" && mv "$dir.tmp" "$dir" || { rm -rf "$dir.tmp"; return 1; }
    fi
    PODMAN_COMPOSE=$PWD/$dir/podman_compose.py
}

# compose_steps ENGINE SUBNET COMPOSE...: Configs/compose.yaml as a user runs it, with COMPOSE (a compose
# command for ENGINE, podman or docker) and this run's subnet, TUN node and image put in: a key for each
# host with `run --rm ... keygen`, the HITs into Configs/compose/*.toml, `up -d`; alpha pings beta by HIT
# and LSI and `exec alpha synaptic status` shows the association.
compose_steps() {
    local engine=$1 n=$2; shift 2
    local pc=("$@") e
    if [ "$engine" = podman ]; then e=("${P[@]}"); else e=("${D[@]}"); fi
    mkdir -p "$W/$engine/compose"
    sed -e "s|198\.18\.100\.|198.18.$n.|g" -e "s|\"/dev/net/tun:/dev/net/tun\"|\"$T/tun:/dev/net/tun\"|" \
        -e "s|image: synaptic:latest|image: $IMAGE|" Configs/compose.yaml >"$W/$engine/compose.yaml"
    # The configurations exist before anything runs (the engine would make a missing bind source a folder).
    sed "s|198\.18\.100\.|198.18.$n.|" Configs/compose/alpha.toml >"$W/$engine/compose/alpha.toml"
    sed "s|198\.18\.100\.|198.18.$n.|" Configs/compose/beta.toml >"$W/$engine/compose/beta.toml"
    pc+=(-p ct -f "$W/$engine/compose.yaml")
    [ "$engine" = podman ] && pc+=(--podman-args "${P[*]:1}" --podman-run-args "${ULIMITS[*]}")
    local h out
    for h in alpha beta; do
        out=$("${pc[@]}" run --rm --entrypoint /usr/bin/synaptic "$h" keygen --out /var/lib/synaptic/host.key 2>&1 </dev/null) \
            || { echo "$out" | tail -5 >&2; fail "$engine compose run keygen for $h"; return 1; }
        out=$(tr -d '\r' <<<"$out")   # compose's run gives the container a terminal
        printf -v "HIT_$h" '%s' "$(awk '$1 == "HIT" { print $2 }' <<<"$out")"
        printf -v "LSI_$h" '%s' "$(awk '$1 == "LSI" { print $2 }' <<<"$out")"
    done
    [ -n "$HIT_alpha" ] && [ -n "$HIT_beta" ] || fail "keygen printed no HIT" || return 1
    # Step 3 of the file's comments: each HIT into the other's configuration.
    sed -i "s|^hit = .*|hit = \"$HIT_beta\"|" "$W/$engine/compose/alpha.toml"
    sed -i "s|^hit = .*|hit = \"$HIT_alpha\"|" "$W/$engine/compose/beta.toml"
    "${pc[@]}" up -d >"$W/$engine/up.out" 2>&1 </dev/null || { tail -5 "$W/$engine/up.out" >&2; fail "$engine compose up"; return 1; }
    local c
    for c in alpha beta; do
        wait_for 20 sh -c "\"\$@\" logs ct_${c}_1 2>&1 | grep -q 'synaptic up:'" _ "${e[@]}" \
            || { "${e[@]}" logs "ct_${c}_1" 2>&1 | tail -5 >&2; fail "$c did not come up"; return 1; }
    done
    local pid_a; pid_a=$("${e[@]}" inspect -f '{{.State.Pid}}' ct_alpha_1)
    nsenter --net="/proc/$pid_a/ns/net" ping -c 3 -i 0.2 -w 20 "$HIT_beta" >"$W/ping.out" 2>&1 \
        && nsenter --net="/proc/$pid_a/ns/net" ping -c 3 -i 0.2 -w 20 "$LSI_beta" >>"$W/ping.out" 2>&1 \
        || { cat "$W/ping.out" >&2; fail "ping beta from alpha ($engine compose)"; return 1; }
    out=$("${pc[@]}" exec -T alpha synaptic status 2>/dev/null </dev/null) || out=$("${pc[@]}" exec alpha synaptic status 2>/dev/null </dev/null)
    grep -F -- "$HIT_beta" <<<"$out" | grep -q ESTABLISHED || { echo "$out" >&2; fail "$engine compose exec alpha synaptic status"; return 1; }
    local label="podman-compose 1.0.6"
    [ "$engine" = podman ] || label="docker-compose $(docker-compose version --short 2>/dev/null)"
    echo "   $label: keys by 'run --rm keygen', up -d, alpha pings beta by HIT and LSI, 'exec alpha synaptic status' shows it"
    "${pc[@]}" down >/dev/null 2>&1 </dev/null
}

case_compose() {
    # With podman-compose; the docker case runs the same steps with docker-compose.
    podman_compose || { echo "   SKIP: podman-compose 1.0.6 could not be fetched from PyPI"; return 77; }
    local n; network hipnet || return 1; n=$NET_hipnet
    # podman-compose uses the network "<project>_hipnet" when it exists: this run's (its own bridge name).
    "${P[@]}" network rm ct-hipnet >/dev/null
    "${P[@]}" network create --disable-dns --subnet "198.18.$n.0/24" ct_hipnet >/dev/null || fail "network" || return 1
    sed -i "s/\"network_interface\": \"[^\"]*\"/\"network_interface\": \"sct${RUN_TAG}cmp\"/" "$T/net/ct_hipnet.json"
    compose_steps podman "$n" /usr/bin/python3 "$PODMAN_COMPOSE" --no-ansi
}

# dockerd with everything under $T (data, exec root, socket, its own containerd), no bridge, no iptables.
docker_up() {
    [ -n "$DOCKERD_PID" ] && return 0
    command -v dockerd >/dev/null && command -v docker >/dev/null || return 1
    mkdir -p "$T/docker" "$T/docker-exec"
    dockerd --data-root "$T/docker" --exec-root "$T/docker-exec" -H "unix://$T/docker.sock" \
        --pidfile "$T/docker.pid" --bridge=none --iptables=false --ip-forward=false --ip-masq=false \
        --userland-proxy=false --storage-driver overlay2 --log-level warn \
        --default-ulimit "nofile=$nofile:$nofile" --default-ulimit nproc=8192:8192 >"$T/dockerd.log" 2>&1 &
    DOCKERD_PID=$!
    wait_for 30 "${D[@]}" info || { tail -5 "$T/dockerd.log" >&2; return 1; }
}

docker_down() {
    [ -n "$DOCKERD_PID" ] || return 0
    local ids; ids=$("${D[@]}" ps -aq 2>/dev/null)
    [ -z "$ids" ] || "${D[@]}" rm -f $ids >/dev/null 2>&1
    "${D[@]}" network prune -f >/dev/null 2>&1
    "${D[@]}" volume prune -f >/dev/null 2>&1
    kill -TERM "$DOCKERD_PID" 2>/dev/null
    for _ in $(seq 1 75); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$DOCKERD_PID" 2>/dev/null; wait "$DOCKERD_PID" 2>/dev/null
    DOCKERD_PID=""
    umount -R "$T/docker" 2>/dev/null; umount -R "$T/docker-exec" 2>/dev/null
}

case_docker() {
    docker_up || { echo "   SKIP: dockerd cannot run here ($(tail -n 1 "$T/dockerd.log" 2>/dev/null))"; return 77; }
    # The image as `make image` builds it where Docker is the engine (scripts/image.sh with docker).
    local IMAGE=localhost/synaptic:containertest-docker
    IMAGE_ENGINE="${D[*]}" scripts/image.sh --tag "$IMAGE" >"$W/image.log" 2>&1 \
        || { tail -5 "$W/image.log" >&2; fail "scripts/image.sh with Docker"; return 1; }
    echo "   $(grep '^image:' "$W/image.log") (built by Docker)"
    local n try
    for try in $(seq 1 200); do
        try=$((RANDOM % 200 + 40))
        [[ $(ip -4 route show) == *"198.18.$try."* ]] || { n=$try; break; }
    done
    "${D[@]}" network create --internal --subnet "198.18.$n.0/24" -o "com.docker.network.bridge.name=sct${RUN_TAG}dk" \
        ct-dnet >/dev/null || fail "docker network create" || return 1
    local a="198.18.$n.10" b="198.18.$n.11" h
    for h in a b; do
        "${D[@]}" volume create "ct-$h-key" >/dev/null
        out=$("${D[@]}" run --rm --entrypoint /usr/bin/synaptic -v "ct-$h-key:/var/lib/synaptic" "$IMAGE" \
            keygen --out /var/lib/synaptic/host.key 2>&1) || { echo "$out" >&2; fail "docker run keygen"; return 1; }
        printf -v "HIT_$h" '%s' "$(awk '$1 == "HIT" { print $2 }' <<<"$out")"
        printf -v "LSI_$h" '%s' "$(awk '$1 == "LSI" { print $2 }' <<<"$out")"
    done
    peer b "$b" | config a; peer a "$a" | config b
    local dpid=()
    for h in a b; do
        local ip; ip=$([ $h = a ] && echo "$a" || echo "$b")
        # Docker's default capabilities (NET_RAW among them) + NET_ADMIN; IPv6 on for the HIT; a short health
        # interval so that Docker's own check runs within the test (the command is the image's).
        "${D[@]}" run -d --name "ct-d$h" --network ct-dnet --ip "$ip" --cap-add NET_ADMIN \
            --device "$T/tun:/dev/net/tun" --sysctl net.ipv6.conf.all.disable_ipv6=0 --health-interval 2s \
            -v "$W/$h.toml:/etc/synaptic/synaptic.toml:ro" -v "ct-$h-key:/var/lib/synaptic" "$IMAGE" >/dev/null \
            || fail "docker run $h" || return 1
        wait_for 20 sh -c "\"\$@\" logs ct-d$h 2>&1 | grep -q 'synaptic up:'" _ "${D[@]}" \
            || { "${D[@]}" logs "ct-d$h" 2>&1 | tail -5 >&2; fail "$h did not come up in Docker"; return 1; }
        dpid+=("$("${D[@]}" inspect -f '{{.State.Pid}}' "ct-d$h")")
    done
    [ "$(stat -c %u "/proc/${dpid[0]}")" = 10500 ] || fail "not running as uid 10500 in Docker" || return 1
    grep -q '^CapEff:.*0000000000003000$' "/proc/${dpid[0]}/status" \
        || fail "capabilities in Docker: $(grep CapEff "/proc/${dpid[0]}/status")" || return 1
    local text; text=$("${D[@]}" logs ct-da 2>&1)
    if grep -q "raw HIP off" <<<"$text"; then fail "raw HIP is off in Docker (NET_RAW granted)"; return 1; fi
    nsenter --net="/proc/${dpid[0]}/ns/net" ping -c 3 -i 0.2 -w 20 "$HIT_b" >"$W/ping.out" 2>&1 \
        && nsenter --net="/proc/${dpid[1]}/ns/net" ping -c 3 -i 0.2 -w 20 "$LSI_a" >>"$W/ping.out" 2>&1 \
        || { cat "$W/ping.out" >&2; fail "ping in Docker"; return 1; }
    text=$("${D[@]}" exec ct-da synaptic status 2>&1)
    grep -F -- "$HIT_b" <<<"$text" | grep -q "ESTABLISHED *raw HIP" || { echo "$text" >&2; fail "status in Docker: not ESTABLISHED over raw HIP"; return 1; }
    echo "   Docker: uid 10500 with NET_ADMIN and NET_RAW (Docker's default set + NET_ADMIN), HIP over raw IP, ping by HIT and LSI"
    # The README's docker run line: --cap-drop ALL --cap-add NET_ADMIN: NET_ADMIN alone, HIP over UDP.
    : >"$W/c.toml"
    "${D[@]}" run -d --name ct-dc --network ct-dnet --cap-drop ALL --cap-add NET_ADMIN --device "$T/tun:/dev/net/tun" \
        --sysctl net.ipv6.conf.all.disable_ipv6=0 -v "$W/c.toml:/etc/synaptic/synaptic.toml:ro" "$IMAGE" >/dev/null \
        || fail "docker run --cap-drop ALL" || return 1
    wait_for 20 sh -c "\"\$@\" logs ct-dc 2>&1 | grep -q 'synaptic up:'" _ "${D[@]}" \
        || { "${D[@]}" logs ct-dc 2>&1 | tail -5 >&2; fail "--cap-drop ALL --cap-add NET_ADMIN: did not come up"; return 1; }
    local cpid; cpid=$("${D[@]}" inspect -f '{{.State.Pid}}' ct-dc)
    grep -q '^CapEff:.*0000000000001000$' "/proc/$cpid/status" \
        || fail "--cap-drop ALL --cap-add NET_ADMIN: $(grep CapEff "/proc/$cpid/status")" || return 1
    text=$("${D[@]}" logs ct-dc 2>&1)
    grep -q "raw HIP off (no CAP_NET_RAW)" <<<"$text" || fail "no 'raw HIP off' with NET_ADMIN alone" || return 1
    echo "   Docker with --cap-drop ALL --cap-add NET_ADMIN: up with NET_ADMIN only, raw HIP off (said in the log)"
    wait_for 20 sh -c "[ \"\$(\"\$@\" inspect -f '{{.State.Health.Status}}' ct-da)\" = healthy ]" _ "${D[@]}" \
        || fail "Docker's health check: $("${D[@]}" inspect -f '{{.State.Health.Status}}' ct-da)" || return 1
    echo "   Docker's HEALTHCHECK: healthy"
    "${D[@]}" stop -t 15 ct-db >/dev/null || fail "docker stop" || return 1
    [ "$("${D[@]}" inspect -f '{{.State.ExitCode}}' ct-db)" = 0 ] || fail "exit status after docker stop" || return 1
    text=$("${D[@]}" logs ct-db 2>&1)
    grep -q "synaptic stopped (TUN hip0 removed)" <<<"$text" && grep -q "sending CLOSE to a" <<<"$text" \
        || fail "no clean stop in b's log" || return 1
    echo "   docker stop: CLOSE sent, TUN removed, exit 0"
    # Logs go to standard output: what `docker logs` gives on its standard output alone.
    text=$("${D[@]}" logs ct-da 2>/dev/null)
    grep -q "synaptic up:" <<<"$text" || fail "no log lines on standard output" || return 1
    echo "   logs on standard output"
    # Configs/compose.yaml with Docker's compose (Debian 12 has docker-compose 1.29; no compose v2 here).
    if command -v docker-compose >/dev/null; then
        local free
        for try in $(seq 1 200); do
            try=$((RANDOM % 200 + 40))
            [[ $try != "$n" && $(ip -4 route show) != *"198.18.$try."* ]] && { free=$try; break; }
        done
        DOCKER_HOST="unix://$T/docker.sock" compose_steps docker "$free" docker-compose --no-ansi || return 1
    else
        echo "   (no docker-compose: Configs/compose.yaml not run with Docker)"
    fi
}

# --- Run ---

echo "containertest: building the image (scripts/image.sh into the test's own podman storage)"
build_start=$SECONDS
if ! IMAGE_ENGINE="${P[*]}" scripts/image.sh --tag "$IMAGE" >"$T/image.log" 2>&1; then
    tail -n 30 "$T/image.log"
    echo "containertest: 0 passed, 1 failed"; exit 1
fi
grep '^image:' "$T/image.log"
echo "containertest: image built in $((SECONDS - build_start)) s"
# Can podman run containers here at all? (If not, that is this machine's limit, not a failure of ours.)
if ! probe=$("${P[@]}" run --rm --entrypoint /usr/bin/synaptic "${ULIMITS[@]}" "$IMAGE" --version 2>&1); then
    skip "podman cannot run containers here: $(tail -n 1 <<<"$probe")"
fi

passed=0 failed=0 skipped=0 failures=()
for c in "${cases[@]}"; do
    W="$T/$c"; mkdir -p "$W"
    start_time=$SECONDS
    # dockerd (the docker case) belongs to the case's subshell: it stops it whichever way the case ends.
    ( set +e; trap 'exit 143' TERM; trap docker_down EXIT; "case_$c" ) >"$W/case.out" 2>&1 &
    case_pid=$!
    ( exec >/dev/null 2>&1; sleep "$CASE_TIMEOUT" & nap=$!; trap 'kill $nap; exit 0' TERM
      wait $nap; kill -TERM "$case_pid" ) & watchdog=$!
    wait "$case_pid"; rc=$?
    if ((rc == 77)); then
        skipped=$((skipped + 1)); echo "skip - $c: $(grep -m1 'SKIP:' "$W/case.out" | sed 's/.*SKIP: //')"
    elif ((rc == 0)); then
        passed=$((passed + 1)); echo "ok - $c ($((SECONDS - start_time)) s)"
        grep '^   ' "$W/case.out" || true
    else
        failed=$((failed + 1)); failures+=("$c"); echo "not ok - $c ($((SECONDS - start_time)) s)"
        sed 's/^/   | /' "$W/case.out" | tail -n 25
        for n in $("${P[@]}" ps -a --format '{{.Names}}' 2>/dev/null); do
            echo "   | --- log of $n"; "${P[@]}" logs "$n" 2>&1 | tail -n 12 | sed 's/^/   | /'
        done
    fi
    kill "$watchdog" 2>/dev/null; wait "$watchdog" 2>/dev/null
    # Each case starts from nothing: its containers, networks and volumes go.
    "${P[@]}" rm -af -t 2 >/dev/null 2>&1
    "${P[@]}" network prune -f >/dev/null 2>&1
    "${P[@]}" volume prune -f >/dev/null 2>&1
    SUBNETS_TAKEN=""
done
((failed == 0)) || echo "containertest: failed: ${failures[*]}"
echo "containertest: $passed passed, $failed failed$( ((skipped == 0)) || echo ", $skipped skipped")"
((failed == 0))

# Network-namespace helpers shared by scripts/demo.sh and the network tests (source this file).
# Every name carries a per-run tag so runs never collide; `netns_cleanup` removes all of them, and the
# callers install it as an EXIT trap. Addresses come only from 198.18.0.0/15 and fd00::/8.

NETNS_TAG="${NETNS_TAG:-syn$$}"
NETNS_CREATED=()
NETNS_PIDS=()

# netns_add NAME: create a namespace with loopback up.
netns_add() {
    ip netns add "$1"
    NETNS_CREATED+=("$1")
    ip -n "$1" link set lo up
}

# netns_link A B SUBNET_INDEX: a veth pair between namespaces A and B, with
# 198.18.N.1/24 + fd00:N::1/64 on A and .2 / ::2 on B.
netns_link() {
    local a=$1 b=$2 n=$3
    local ia="v${NETNS_TAG: -6}a$n" ib="v${NETNS_TAG: -6}b$n"
    ip link add "$ia" netns "$a" type veth peer name "$ib" netns "$b"
    ip -n "$a" addr add "198.18.$n.1/24" dev "$ia"
    ip -n "$b" addr add "198.18.$n.2/24" dev "$ib"
    ip -n "$a" -6 addr add "fd00:$n::1/64" dev "$ia" nodad
    ip -n "$b" -6 addr add "fd00:$n::2/64" dev "$ib" nodad
    ip -n "$a" link set "$ia" up
    ip -n "$b" link set "$ib" up
}

# netns_bg NS LOGFILE CMD...: start CMD in NS in the background; its PID is remembered for cleanup.
netns_bg() {
    local ns=$1 log=$2; shift 2
    ip netns exec "$ns" "$@" >"$log" 2>&1 &
    NETNS_PIDS+=($!)
    echo $!
}

netns_cleanup() {
    local pid ns
    for pid in "${NETNS_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    sleep 0.3
    for pid in "${NETNS_PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    for ns in "${NETNS_CREATED[@]}"; do
        ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
        ip netns del "$ns" 2>/dev/null || true
    done
    NETNS_PIDS=(); NETNS_CREATED=()
}

# netns_sweep: remove every namespace of this run (also those made in subshells), killing what runs there.
netns_sweep() {
    local ns
    for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^${NETNS_TAG}-" || true); do
        ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
        ip netns del "$ns" 2>/dev/null || true
    done
}

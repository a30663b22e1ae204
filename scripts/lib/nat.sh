# NAT topologies for scripts/nettest.sh (source after lib/netns.sh): two sites, each a host behind its own
# router, joined by a hub namespace that is the "internet" and the server host.
#
#            hA 10.1.0.2/24                                             hB 10.2.0.2/24
#              |  (inside, default via 10.1.0.1)       (inside, default via 10.2.0.1)  |
#            rA 10.1.0.1 / 198.18.10.2 ---- 198.18.10.1  hub  198.18.11.1 ---- 198.18.11.2 / 10.2.0.1 rB
#                                                  198.18.9.1/32 (server address)
#
# Per site MODE:
#   none    no NAT: the hub routes the site's inside subnet to its router, so the host is reachable from
#           outside; the router forwards everything.
#   masq    nft `masquerade` on the router's outside interface: source ports are kept unless they clash
#           (an endpoint-independent mapping, and Linux conntrack filters by address and port).
#   random  nft `masquerade random`: every new mapping gets a random source port (the port differs from
#           the inside one, and a new mapping after the old one is gone gets a new port).
# For both NAT modes the hub has no route to the inside subnet, and the router drops every packet from
# outside that conntrack does not know (ct state established,related), forwarded or addressed to itself,
# silently, as a home router does: an expired or flushed mapping makes the inside host unreachable.
#
# Namespaces: $NETNS_TAG-hub$CASE_NO, -rA$CASE_NO, -hA$CASE_NO, -rB$CASE_NO, -hB$CASE_NO (netns_sweep
# finds them by the tag). Addresses: 198.18.9.0/24 (server), 198.18.10+INDEX.0/24 (router outside links),
# 10.INDEX+1.0.0/24 (inside). IPv4 only.
#
# Functions (names in the variables they set):
#   nat_topology MODE_A MODE_B    the hub and sites A (index 0) and B (index 1); sets HUB, RA, HA, RB, HB
#                                 (namespaces), HOST_A/HOST_B (inside addresses), OUT_A/OUT_B (router
#                                 outside addresses), NAT_MODE_A/NAT_MODE_B
#   nat_hub                       only the hub (nat_topology calls it)
#   nat_site NAME MODE INDEX      one site: router R$NAME, host H$NAME (nat_topology calls it)
#   nat_udp_timeouts NAME SECONDS [STREAM_SECONDS]
#                                 conntrack UDP timeouts inside site NAME's router (per namespace, see below)
#   nat_flush NAME                `conntrack -F` inside site NAME's router: every mapping is forgotten
#   nat_mappings NAME             the router's UDP conntrack entries (for logs)
#   nat_mapping NAME INSIDE_PORT  the outside address:port the router maps the host's UDP port to, per remote
#   nat_drops NAME                packets from outside the router dropped as unsolicited
#   nat_capture NAME FILE, nat_capture_summary FILE OUTSIDE_ADDRESS T0 [FROM]
#                                 UDP and raw HIP on the router's outside link, summed up per outside port
#   nat_reflector NS PORT         a UDP responder answering each datagram with the sender's "address:port"
#                                 (flows.py reflect, in the background)
#   nat_seen FROM_NS SRC_PORT ADDRESS PORT
#                                 sends UDP from SRC_PORT to a nat_reflector and prints the source
#                                 address:port the reflector saw ("" when no answer came within 2 s)
#   nat_listen NS PORT SECONDS OUT, nat_send FROM_NS SRC_PORT ADDRESS PORT
#                                 does a datagram get in? (the listener writes each sender to OUT)
#
# Conntrack timeouts: on this kernel (6.18) net.netfilter.nf_conntrack_udp_timeout and
# nf_conntrack_udp_timeout_stream are per network namespace: a new namespace starts at the built-in 30 s /
# 120 s whatever the host has, and a value written in one router's namespace changes neither the host's nor
# another namespace's (checked with sysctl in two namespaces). A packet refreshing an entry gives it the
# value in force then: set the timeouts before the traffic whose mapping should expire (case nat_topology
# checks that a 2 s timeout makes a mapping expire).

NAT_OUT_IF() { echo "n${NETNS_TAG: -6}$1o"; }   # NAT_OUT_IF NAME: the router's outside interface
NAT_IN_IF() { echo "n${NETNS_TAG: -6}$1i"; }    # NAT_IN_IF NAME: the router's inside interface

# nat_veth NS_A IF_A ADDR_A NS_B IF_B ADDR_B: a veth pair with one IPv4 address/prefix on each end.
nat_veth() {
    ip link add "$2" netns "$1" type veth peer name "$5" netns "$4"
    ip -n "$1" addr add "$3" dev "$2"; ip -n "$4" addr add "$6" dev "$5"
    ip -n "$1" link set "$2" up; ip -n "$4" link set "$5" up
}

nat_hub() {
    HUB="${NETNS_TAG}-hub${CASE_NO:-0}"
    netns_add "$HUB"
    ip netns exec "$HUB" sysctl -qw net.ipv4.ip_forward=1
    ip -n "$HUB" addr add 198.18.9.1/32 dev lo
}

# nat_site NAME MODE INDEX: router R<NAME> and host H<NAME>; outside link 198.18.(10+INDEX).0/24 to the hub,
# inside link 10.(INDEX+1).0.0/24. The hub must exist (nat_hub).
nat_site() {
    local name=$1 mode=$2 index=$3
    case "$mode" in none|masq|random) ;; *) echo "nat_site: unknown mode '$mode' (none, masq, random)" >&2; return 1 ;; esac
    local r="${NETNS_TAG}-r$name${CASE_NO:-0}" h="${NETNS_TAG}-h$name${CASE_NO:-0}"
    local out in net=$((10 + index)) inside="10.$((index + 1)).0"
    out=$(NAT_OUT_IF "$name"); in=$(NAT_IN_IF "$name")
    netns_add "$r"; netns_add "$h"
    ip netns exec "$r" sysctl -qw net.ipv4.ip_forward=1
    # hub end: h<NAME><index> in the hub; router end: the router's outside interface
    nat_veth "$HUB" "n${NETNS_TAG: -6}x$index" "198.18.$net.1/24" "$r" "$out" "198.18.$net.2/24"
    nat_veth "$r" "$in" "$inside.1/24" "$h" "n${NETNS_TAG: -6}$name" "$inside.2/24"
    # The hub sends from 198.18.9.1 (the server address) on both links, so replies to a NAT mapping made
    # toward 198.18.9.1 come from the address the mapping expects.
    ip -n "$HUB" route replace "198.18.$net.0/24" dev "n${NETNS_TAG: -6}x$index" proto kernel scope link src 198.18.9.1
    ip -n "$r" route add default via "198.18.$net.1"
    ip -n "$h" route add default via "$inside.1"
    if [ "$mode" = none ]; then
        ip -n "$HUB" route add "$inside.0/24" via "198.18.$net.2" src 198.18.9.1
    else
        local flags=""; [ "$mode" = random ] && flags=" random"
        ip netns exec "$r" nft -f - <<NFT
table ip nat_site {
    chain postrouting {
        type nat hook postrouting priority srcnat; policy accept;
        oifname "$out" masquerade$flags
    }
    chain forward {
        type filter hook forward priority filter; policy drop;
        ct state established,related accept
        iifname "$in" oifname "$out" accept
        iifname "$out" counter drop comment "unsolicited"
    }
    chain input {
        type filter hook input priority filter; policy accept;
        iifname "$out" ct state established,related accept
        iifname "$out" counter drop comment "unsolicited"
    }
}
NFT
        [ $? -eq 0 ] || { echo "nat_site: the NAT rules for site $name did not load" >&2; return 1; }
    fi
    printf -v "R$name" '%s' "$r"; printf -v "H$name" '%s' "$h"
    printf -v "HOST_$name" '%s' "$inside.2"; printf -v "OUT_$name" '%s' "198.18.$net.2"
    printf -v "NAT_MODE_$name" '%s' "$mode"
}

# nat_topology MODE_A MODE_B: hub, site A (index 0) and site B (index 1).
nat_topology() {
    nat_hub && nat_site A "$1" 0 && nat_site B "$2" 1
}

nat_router() { local v="R$1"; echo "${!v}"; }  # nat_router NAME: site NAME's router namespace

# nat_udp_timeouts NAME SECONDS [STREAM_SECONDS]: UDP conntrack timeouts in site NAME's router (the stream
# timeout, for flows that saw replies, defaults to SECONDS too). Prints the values in force.
nat_udp_timeouts() {
    local r; r=$(nat_router "$1")
    ip netns exec "$r" sysctl -qw "net.netfilter.nf_conntrack_udp_timeout=$2" \
        "net.netfilter.nf_conntrack_udp_timeout_stream=${3:-$2}" || return 1
    echo "   NAT $1: UDP conntrack timeouts $(ip netns exec "$r" sysctl -n net.netfilter.nf_conntrack_udp_timeout) s," \
        "stream $(ip netns exec "$r" sysctl -n net.netfilter.nf_conntrack_udp_timeout_stream) s" \
        "(host: $(sysctl -n net.netfilter.nf_conntrack_udp_timeout 2>/dev/null || echo '?') s)"
}

# nat_flush NAME: forget every mapping of site NAME's router.
nat_flush() { ip netns exec "$(nat_router "$1")" conntrack -F 2>/dev/null; }

# nat_mappings NAME: the UDP conntrack entries of site NAME's router, one a line.
nat_mappings() { ip netns exec "$(nat_router "$1")" conntrack -L -p udp 2>/dev/null || true; }

# nat_mapping NAME INSIDE_PORT: the router's mappings of the host's UDP port: "198.18.10.2:38945 (to
# 198.18.9.1:10500)" per entry, "none" without one.
nat_mapping() {
    nat_mappings "$1" | awk -v port="$2" '
        { delete v; n = 0
          for (i = 1; i <= NF; i++) if (split($i, kv, "=") == 2) { k = kv[1]; if (k in v) k = k "2"; v[k] = kv[2] } }
        v["sport"] == port { out = out sep v["dst2"] ":" v["dport2"] " (to " v["dst"] ":" v["dport"] ")"; sep = ", " }
        END { print out ? out : "none" }'
}

# nat_drops NAME: packets from outside that site NAME's router dropped as unsolicited (0 without NAT).
nat_drops() {
    ip netns exec "$(nat_router "$1")" nft list table ip nat_site 2>/dev/null \
        | awk '/unsolicited/ { for (i = 1; i <= NF; i++) if ($i == "packets") n += $(i + 1) } END { print n + 0 }'
}

# nat_capture NAME FILE: tcpdump of UDP and HIP over raw IP on site NAME's outside link (in the router) into FILE, in the
# background; sets NAT_CAPTURE to its PID (kill it, then read FILE with nat_capture_summary).
nat_capture() {
    ip netns exec "$(nat_router "$1")" tcpdump -i "$(NAT_OUT_IF "$1")" -n -U -w "$2" "udp or ip proto 139" >/dev/null 2>&1 &
    NAT_CAPTURE=$!; NETNS_PIDS+=($!)
    wait_for test -s "$2"
}

# nat_capture_summary FILE OUTSIDE_ADDRESS T0 [FROM_EPOCH]: the captured datagrams from and to OUTSIDE_ADDRESS
# (the router's outside address) per outside port, with first and last time in seconds from T0 (epoch);
# only packets at or after FROM_EPOCH when given.
nat_capture_summary() {
    tcpdump -r "$1" -n -tt 2>/dev/null | awk -v out="$2" -v t0="$3" -v from="${4:-0}" '
        $1 < from { next }
        { src = $3; dst = $5; sub(/:$/, "", dst)
          if (src == out) { k = "from the host over raw IP (" $6 ") to " dst }
          else if (dst == out) { k = "to the host over raw IP (" $6 ") from " src }
          else if (index(src, out ".") == 1) { k = "from the host via port " substr(src, length(out) + 2) " to " dst }
          else if (index(dst, out ".") == 1) { k = "to the host at port " substr(dst, length(out) + 2) " from " src }
          else next
          if (!(k in n)) { order[++m] = k; first[k] = $1 - t0 }
          n[k]++; last[k] = $1 - t0 }
        END { if (!m) print "   (no datagrams)"
              for (i = 1; i <= m; i++) { k = order[i]
                  printf "   %5d datagrams %s (%+.1f s .. %+.1f s)\n", n[k], k, first[k], last[k] } }' || true
}

NAT_FLOWS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/flows.py"

# nat_reflector NS PORT: answers each UDP datagram to PORT with the sender's address:port (background).
nat_reflector() {
    ip netns exec "$1" python3 "$NAT_FLOWS" reflect "$2" >/dev/null 2>&1 &
    NETNS_PIDS+=($!)
    wait_for ip netns exec "$1" sh -c "ss -Hlun 'sport = :$2' | grep -q ."
}

# nat_seen FROM_NS SRC_PORT ADDRESS PORT: where a reflector saw our datagram come from ("" if no answer in 2 s).
nat_seen() { ip netns exec "$1" python3 "$NAT_FLOWS" probe "$2" "$3" "$4" 2>/dev/null; }

# nat_listen NS PORT SECONDS OUT: in the background, writes to OUT the source of every datagram to PORT
# received within SECONDS; sets NAT_LISTENER to its PID (wait for it).
nat_listen() {
    ip netns exec "$1" python3 "$NAT_FLOWS" listen "$2" "$3" >"$4" 2>&1 &
    NAT_LISTENER=$!; NETNS_PIDS+=($!)
    wait_for ip netns exec "$1" sh -c "ss -Hlun 'sport = :$2' | grep -q ."
}

# nat_send FROM_NS SRC_PORT ADDRESS PORT: one datagram (three, 100 ms apart), no answer expected.
nat_send() {
    ip netns exec "$1" python3 - "$2" "$3" "$4" <<'PY' 2>/dev/null || true
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[1])))
for _ in range(3):
    s.sendto(b"unsolicited", (sys.argv[2], int(sys.argv[3]))); time.sleep(0.1)
PY
}

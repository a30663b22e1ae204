# Tunnels to measure side by side (source after lib/netns.sh and lib/hosts.sh). Used by Perf/evaluate.sh.
# Each tunnel_* function brings one case up between namespaces it is given (or makes its own) and records
# it in the case tables:
#   CASE_CLIENT[c] / CASE_SERVER[c]  the namespaces the client and server of a measurement run in
#   CASE_ADDR[c]                     the server's address inside the tunnel (TCP_RR, iperf3)
#   CASE_ADDR4[c]                    an IPv4 address of the server through the same tunnel (sockperf 3.7 has
#                                    no IPv6; synaptic's LSI)
#   CASE_PIDS[c]                     the tunnel processes on both sides (their CPU time is the tunnel's cost)
#   CASE_NOTE[c]                     one line for the report: what runs, cipher, MTU
# A function that cannot bring its case up returns non-zero and leaves the reason in TUNNEL_ERROR.
# Every process is started in the background with its PID in NETNS_PIDS (netns_cleanup stops it).
# Addresses: the underlay 198.18.N.0/24 of netns_link; overlays 198.18.9.0/24 (wireguard-go),
# 198.18.10.0/24 (OpenVPN), 198.18.21-22.0/24 underlay and 198.19.21-22.0/24 overlay (Weave).

declare -gA CASE_CLIENT CASE_SERVER CASE_ADDR CASE_ADDR4 CASE_PIDS CASE_NOTE
TUNNEL_ERROR=""

tunnel_direct() { # tunnel_direct A B: the veth between A and B (198.18.1.0/24), no tunnel
    CASE_CLIENT[direct]=$1 CASE_SERVER[direct]=$2 CASE_ADDR[direct]=198.18.1.2 CASE_ADDR4[direct]=198.18.1.2
    CASE_PIDS[direct]="" CASE_NOTE[direct]="the veth pair itself (MTU 1500), no tunnel"
}

tunnel_synaptic() { # tunnel_synaptic W A B: nodes a (in A) and b (in B), B's HIT; the association made
    local w=$1 a=$2 b=$3
    host_identity "$w" a && host_identity "$w" b || { TUNNEL_ERROR="synaptic keygen failed"; return 1; }
    LOG_LEVEL=${LOG_LEVEL:-info} host_config "$w" a b '"198.18.1.2"'
    LOG_LEVEL=${LOG_LEVEL:-info} host_config "$w" b a '"198.18.1.1"'
    sed -i '/^\[keylog\]/,+1d' "$w/a.toml" "$w/b.toml"
    local pa pb
    netns_bg "$b" "$w/b.log" "$SYNAPTIC" up "$w/b.toml" >/dev/null; pb=${NETNS_PIDS[-1]}
    netns_bg "$a" "$w/a.log" "$SYNAPTIC" up "$w/a.toml" >/dev/null; pa=${NETNS_PIDS[-1]}
    wait_for ip -n "$a" link show hipa && wait_for ip -n "$b" link show hipb \
        || { TUNNEL_ERROR="synaptic did not start: $(tail -q -n 2 "$w/a.log" "$w/b.log" | tr '\n' ' ')"; return 1; }
    WAIT_SECONDS=15 wait_for ip netns exec "$a" ping -6 -c 1 -W 1 "$HIT_b" \
        || { TUNNEL_ERROR="no association a → b: $(tail -2 "$w/a.log" | tr '\n' ' ')"; return 1; }
    CASE_CLIENT[synaptic]=$a CASE_SERVER[synaptic]=$b CASE_ADDR[synaptic]=$HIT_b CASE_ADDR4[synaptic]=$LSI_b
    CASE_PIDS[synaptic]="$pa $pb"
    CASE_NOTE[synaptic]="two \`synaptic up\` nodes, ESP over UDP 10500, by HIT (sockperf by LSI), ESP suite 13 AES-128-GCM by default, TUN MTU $(ip -n "$a" -o link show hipa | sed -n 's/.* mtu \([0-9]*\) .*/\1/p')"
}

# wg_interface a|b: the wireguard-go interface of that side, named after the run (wireguard-go's control
# socket /var/run/wireguard/NAME.sock is shared by all namespaces, so concurrent runs need their own names).
wg_interface() { echo "wg${NETNS_TAG: -6}$1"; }

tunnel_wireguard() { # tunnel_wireguard W A B [N]: wireguard-go on both sides over the link 198.18.N.0/24 of
    # netns_link (default 1), 198.18.9.1 ↔ 198.18.9.2 inside
    local w=$1 a=$2 b=$3 n=${4:-1} side
    command -v wireguard-go >/dev/null && command -v wg >/dev/null || { TUNNEL_ERROR="wireguard-go or wg not installed"; return 1; }
    for side in a b; do (umask 077; wg genkey >"$w/wg$side"); wg pubkey <"$w/wg$side" >"$w/wg$side.pub"; done
    local pids=""
    _wg_up() { # _wg_up NS me peer peer-underlay my-overlay peer-overlay
        local dev; dev=$(wg_interface "$2")
        ip netns exec "$1" env WG_PROCESS_FOREGROUND=1 wireguard-go "$dev" >"$w/wg$2.log" 2>&1 & NETNS_PIDS+=($!); pids+="$! "
        wait_for ip -n "$1" link show "$dev" || return 1
        ip netns exec "$1" wg set "$dev" listen-port 51820 private-key "$w/wg$2" \
            peer "$(cat "$w/wg$3.pub")" endpoint "$4:51820" allowed-ips "$6/32" || return 1
        ip -n "$1" addr add "$5/24" dev "$dev" && ip -n "$1" link set "$dev" up
    }
    _wg_up "$a" a b "198.18.$n.2" 198.18.9.1 198.18.9.2 && _wg_up "$b" b a "198.18.$n.1" 198.18.9.2 198.18.9.1 \
        || { TUNNEL_ERROR="wireguard-go did not come up: $(cat "$w"/wg?.log 2>/dev/null | tail -2 | tr '\n' ' ')"; return 1; }
    WAIT_SECONDS=10 wait_for ip netns exec "$a" ping -c 1 -W 1 198.18.9.2 || { TUNNEL_ERROR="no handshake over wireguard-go"; return 1; }
    CASE_CLIENT[wireguard-go]=$a CASE_SERVER[wireguard-go]=$b CASE_ADDR[wireguard-go]=198.18.9.2 CASE_ADDR4[wireguard-go]=198.18.9.2
    CASE_PIDS[wireguard-go]=${pids% }
    CASE_NOTE[wireguard-go]="wireguard-go $(dpkg-query -W -f='${Version}' wireguard-go 2>/dev/null) (Debian), ChaCha20-Poly1305, MTU 1420"
}

tunnel_openvpn() { # tunnel_openvpn W A B: OpenVPN 2.6 peer to peer in userspace (DCO off), AES-256-GCM, 198.18.10.0/24
    local w=$1 a=$2 b=$3 side
    command -v openvpn >/dev/null && command -v openssl >/dev/null || { TUNNEL_ERROR="openvpn or openssl not installed"; return 1; }
    for side in a b; do
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=ovpn$side" \
            -keyout "$w/ovpn$side.key" -out "$w/ovpn$side.crt" >/dev/null 2>&1 || { TUNNEL_ERROR="openssl req failed"; return 1; }
    done
    _ovpn_fp() { openssl x509 -in "$1" -noout -fingerprint -sha256 | cut -d= -f2; }
    # TLS peer to peer with pinned self-signed certificates (--peer-fingerprint, OpenVPN 2.6); the data channel
    # cipher is negotiated from --data-ciphers (only AES-256-GCM here). No compression, default MTU 1500.
    local common=(--dev-type tun --proto udp --disable-dco --data-ciphers AES-256-GCM --cipher AES-256-GCM
                  --dh none --verb 3 --persist-tun --lport 1194 --ping 10 --ping-restart 60)
    local pids=""
    ip netns exec "$b" openvpn "${common[@]}" --dev ovpnb --tls-server --cert "$w/ovpnb.crt" --key "$w/ovpnb.key" \
        --peer-fingerprint "$(_ovpn_fp "$w/ovpna.crt")" --ifconfig 198.18.10.2 198.18.10.1 --remote 198.18.1.1 1194 \
        >"$w/ovpnb.log" 2>&1 & NETNS_PIDS+=($!); pids+="$! "
    ip netns exec "$a" openvpn "${common[@]}" --dev ovpna --tls-client --cert "$w/ovpna.crt" --key "$w/ovpna.key" \
        --peer-fingerprint "$(_ovpn_fp "$w/ovpnb.crt")" --ifconfig 198.18.10.1 198.18.10.2 --remote 198.18.1.2 1194 \
        >"$w/ovpna.log" 2>&1 & NETNS_PIDS+=($!); pids+="$!"
    WAIT_SECONDS=30 wait_for grep -q "Initialization Sequence Completed" "$w/ovpna.log" \
        && WAIT_SECONDS=10 wait_for ip netns exec "$a" ping -c 1 -W 1 198.18.10.2 \
        || { TUNNEL_ERROR="OpenVPN did not connect: $(tail -2 "$w/ovpna.log" | tr '\n' ' ')"; return 1; }
    grep -q "Data Channel: cipher 'AES-256-GCM'" "$w/ovpna.log" || { TUNNEL_ERROR="OpenVPN data channel is not AES-256-GCM"; return 1; }
    CASE_CLIENT[openvpn]=$a CASE_SERVER[openvpn]=$b CASE_ADDR[openvpn]=198.18.10.2 CASE_ADDR4[openvpn]=198.18.10.2
    CASE_PIDS[openvpn]=$pids
    CASE_NOTE[openvpn]="OpenVPN $(openvpn --version | awk 'NR==1{print $2}') (Debian) peer to peer over UDP, DCO off (userspace), data channel AES-256-GCM, TLS 1.3 control channel, MTU 1500"
}

# tunnel_weave W plain|enc INDEX: Weave Net's router in sleeve mode between two "container" namespaces, as
# ../shared/lab/weave/weave-sleeve.sh sets it up (read its README), but with this run's namespace names:
# host namespaces <tag>-w<mode>1/2 (underlay veth 198.18.INDEX.1/2, weaver on each, UDP 6783), container
# namespaces <tag>-w<mode>c1/c2 (198.19.INDEX.1/2 on a veth into weaver's bridge). WEAVE_DIR: the folder
# with the prebuilt `weaver`.
WEAVE_PASSWORD=lab-weave-password-0123456789
tunnel_weave() {
    local w=$1 mode=$2 n=$3 case="weave-$2" i tag=${NETNS_TAG: -5}
    local weaver="${WEAVE_DIR:-}/weaver"
    [ -x "$weaver" ] || { TUNNEL_ERROR="no prebuilt weaver at ${WEAVE_DIR:-(WEAVE_DIR unset)}"; return 1; }
    local h1="${NETNS_TAG}-w${mode}1" h2="${NETNS_TAG}-w${mode}2" c1="${NETNS_TAG}-w${mode}c1" c2="${NETNS_TAG}-w${mode}c2"
    local hosts=("$h1" "$h2") ctrs=("$c1" "$c2") pids=""
    for i in "$h1" "$h2" "$c1" "$c2"; do netns_add "$i"; done
    ip -n "$h1" link add "wu${tag}1" mtu 1500 type veth peer name "wu${tag}2" netns "$h2" mtu 1500
    for i in 1 2; do
        ip -n "${hosts[i-1]}" addr add "198.18.$n.$i/24" dev "wu${tag}$i"; ip -n "${hosts[i-1]}" link set "wu${tag}$i" up
    done
    for i in 1 2; do
        local args=(--no-fastdp --weave-bridge=wvbr --docker-api= --no-dns --no-discovery
                    --name="02:77:76:00:$n:0$i" --nickname="w$mode$i" --host="198.18.$n.$i" --port=6783
                    --db-prefix="$w/weave-$mode$i/weave" --http-addr=127.0.0.1:6784 --status-addr=127.0.0.1:6782)
        [ "$mode" = enc ] && args+=(--password="$WEAVE_PASSWORD")
        [ "$i" = 1 ] && args+=("198.18.$n.2")
        mkdir -p "$w/weave-$mode$i"
        # weaver writes ./restart.sentinel and, finding one at start, ignores its peer list: a fresh directory each.
        (cd "$w/weave-$mode$i" && CHECKPOINT_DISABLE=1 exec ip netns exec "${hosts[i-1]}" "$weaver" "${args[@]}" \
            >"$w/weave-$mode$i.log" 2>&1) & NETNS_PIDS+=($!); pids+="$! "
    done
    for i in 1 2; do
        local h=${hosts[i-1]} c=${ctrs[i-1]} mtu
        wait_for sh -c "ip -n '$h' link show wvbr && ip -n '$h' link show vethwe-bridge" \
            || { TUNNEL_ERROR="weaver $mode$i did not create its bridge: $(tail -2 "$w/weave-$mode$i.log" | tr '\n' ' ')"; return 1; }
        mtu=$(ip -n "$h" -o link show wvbr | sed -n 's/.* mtu \([0-9]*\) .*/\1/p')
        ip -n "$h" link add "wh${tag}$i" mtu "$mtu" type veth peer name eth0 netns "$c" mtu "$mtu"
        ip -n "$h" link set "wh${tag}$i" master wvbr; ip -n "$h" link set "wh${tag}$i" up
        ip netns exec "$c" ethtool -K eth0 tx off >/dev/null 2>&1 || true   # as `weave attach` does
        ip -n "$c" addr add "198.19.$n.$i/24" dev eth0; ip -n "$c" link set eth0 up
    done
    WAIT_SECONDS=30 wait_for sh -c "ip netns exec '$h1' curl -s --max-time 2 http://127.0.0.1:6784/status/connections | grep -q established" \
        || { TUNNEL_ERROR="weave $mode: no established sleeve connection"; return 1; }
    local conn; conn=$(ip netns exec "$h1" curl -s --max-time 2 http://127.0.0.1:6784/status/connections)
    if [ "$mode" = enc ]; then grep -q 'encrypted=true' <<<"$conn" || { TUNNEL_ERROR="weave enc: connection not encrypted: $conn"; return 1; }
    else ! grep -q encrypted <<<"$conn" || { TUNNEL_ERROR="weave plain: connection is encrypted: $conn"; return 1; }; fi
    # The first pings settle ARP and MAC learning; a large one teaches the sender the sleeve PMTU.
    WAIT_SECONDS=10 wait_for ip netns exec "$c1" ping -c 1 -W 1 "198.19.$n.2" || { TUNNEL_ERROR="weave $mode: no ping"; return 1; }
    ip netns exec "$c1" ping -c 2 -s 2000 -W 1 "198.19.$n.2" >/dev/null 2>&1 || true
    CASE_CLIENT[$case]=$c1 CASE_SERVER[$case]=$c2 CASE_ADDR[$case]=198.19.$n.2 CASE_ADDR4[$case]=198.19.$n.2
    CASE_PIDS[$case]=${pids% }
    CASE_NOTE[$case]="Weave Net router $("$weaver" --version 2>&1 | awk '{print $NF}') sleeve mode (pcap capture, UDP 6783)$([ "$mode" = enc ] && echo ", encrypted (--password: NaCl secretbox)" || echo ", unencrypted"), $(sed -n 's/.*\(mtu=[0-9]*\).*/\1/p' <<<"$conn" | head -1) sleeve PMTU"
}

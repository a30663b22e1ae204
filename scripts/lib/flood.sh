# Flood cases for scripts/nettest.sh (issue 9; source after lib/netns.sh and lib/hosts.sh): a spoofed,
# bounded flood aimed at node a, from a third namespace, while b (a configured peer of a) works normally.
#
#   b 198.18.1.2 ---- 198.18.1.1  a  198.18.2.1 ---- 198.18.2.2  f (flooder: scripts/tools/hipflood.c)
#
# The flood's sources are spoofed from 198.19.0.0/16; a routes that prefix back to f, which does not
# forward, so a's answers to the flood end in f. Nothing leaves the namespaces.
# FLOOD_RATE (packets/s, default 30000) and FLOOD_SECONDS (default 10) bound it.
#
#   flood_topology              namespaces A, B, F, identities, configs of a and b (HIP over UDP on b)
#   flood_payload HEXFILE TYPE  HIP I1 claiming b's HIT, to a, with the UDP zero marker (TYPE: i1)
#   flood_run HEXFILE           the flood in the background (FLOOD_PID), compiled on first use
#   cpu_seconds PID             user + system CPU seconds of a process so far
#   exchange_ms NAME PEER_HIT   the Initiator's latency of the last base exchange (status --json), or empty
FLOOD_RATE=${FLOOD_RATE:-30000}
FLOOD_SECONDS=${FLOOD_SECONDS:-10}

flood_topology() {
    A="${NETNS_TAG}-a$CASE_NO" B="${NETNS_TAG}-b$CASE_NO" F="${NETNS_TAG}-f$CASE_NO"
    netns_add "$A"; netns_add "$B"; netns_add "$F"
    netns_link "$A" "$B" 1; netns_link "$A" "$F" 2
    ip -n "$A" route add 198.19.0.0/16 via 198.18.2.2
    ip netns exec "$A" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
    host_identity "$W" a; host_identity "$W" b
    host_config "$W" a b '"198.18.1.2"'
    RAW_HIP=false host_config "$W" b a '"198.18.1.1"'
}

flood_payload() { # an I1 from b's HIT to a's (DH_GROUP_LIST 7, 3), behind the 4-byte zero marker
    python3 - "$HIT_b" "$HIT_a" >"$1" <<'PY'
import ipaddress, struct, sys
sender, receiver = (ipaddress.IPv6Address(h).packed for h in sys.argv[1:3])
groups = bytes([7, 3])
param = struct.pack("!HH", 511, len(groups)) + groups
param += bytes(-len(param) % 8)
body = sender + receiver + param
header = struct.pack("!BBBBHH", 59, (8 + len(body)) // 8 - 1, 1, 0x21, 0, 0)
print((bytes(4) + header + body).hex())
PY
}

flood_run() {
    [ -x "$ROOT_WORK/hipflood" ] || cc -O2 -o "$ROOT_WORK/hipflood" scripts/tools/hipflood.c || return 1
    ip netns exec "$F" "$ROOT_WORK/hipflood" 198.18.2.1 10500 198.19.0.0 "$FLOOD_RATE" "$FLOOD_SECONDS" "$1" \
        >"$W/flood.out" 2>&1 &
    FLOOD_PID=$!
}

cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$1/stat"; }

exchange_ms() {
    status_json "$1" 2>/dev/null | python3 -c '
import json, sys
for a in json.load(sys.stdin)["associations"]:
    if a["hit"] == sys.argv[1] and a["state"] == "ESTABLISHED" and a.get("latencyMilliseconds") is not None:
        print(round(a["latencyMilliseconds"]))' "$2"
}

counters_of() { # counters_of NAME: the flood-related counts of a node's status
    status_json "$1" | python3 -c '
import json, sys
d = json.load(sys.stdin)
rej, drops, ev = d.get("rejections", {}), d.get("drops", {}), d.get("hipEvents", {})
print("rate_limited=%d hip_sender_limited=%d hip_queue_full=%d r1_sent=%d r2_sent=%d r1_to_known_locators=%d" % (
    rej.get("rate_limited", 0), drops.get("hip_sender_limited", 0), drops.get("hip_queue_full", 0),
    d.get("hipPacketsSent", {}).get("r1", 0), d.get("hipPacketsSent", {}).get("r2", 0),
    ev.get("r1_to_known_locators", 0)))'
}

# b's base exchange with a completes during a flood of I1s that claim b's HIT from spoofed addresses within
# 2× its idle latency plus one I1 retransmission (1 s); a's CPU over the flood is reported.
case_i1_flood_claiming_a_peer() {
    flood_topology; start a "$A"; start b "$B"
    ping_ok "$B" "$HIT_a" 1 || fail "no idle exchange"
    local idle; idle=$(exchange_ms b "$HIT_a"); [ -n "$idle" ] || fail "no idle latency in b's status"
    kill -TERM "$PID_b"; wait "$PID_b" 2>/dev/null
    flood_payload "$W/i1.hex"; flood_run "$W/i1.hex" || fail "flooder did not build"
    local cpu0 t0; cpu0=$(cpu_seconds "$PID_a"); t0=$(date +%s.%N)
    sleep 2
    start b "$B"
    local reached=yes
    ip netns exec "$B" ping -c 1 -W 8 "$HIT_a" >/dev/null 2>&1 || reached=no
    local flooded; flooded=$(exchange_ms b "$HIT_a")
    wait "$FLOOD_PID"
    local cpu1 t1; cpu1=$(cpu_seconds "$PID_a"); t1=$(date +%s.%N)
    local cores; cores=$(awk -v c0="$cpu0" -v c1="$cpu1" -v t0="$t0" -v t1="$t1" 'BEGIN {printf "%.2f", (c1 - c0) / (t1 - t0)}')
    echo "   idle exchange ${idle} ms, during the flood ${flooded:-none} ms; flood: $(cat "$W/flood.out"); a used $cores cores"
    echo "   a: $(counters_of a)"
    [ "$reached" = yes ] && [ -n "$flooded" ] || fail "b could not reach a during the flood"
    ((flooded <= 2 * idle + 1000)) || fail "the exchange took ${flooded} ms during the flood (idle ${idle} ms)"
    kill -0 "$PID_a" || fail "a died"
}

# Copies of b's accepted I2 from spoofed addresses draw a bounded number of R2s (100/s at most, after a
# burst of 100), and b's association keeps working.
case_replayed_i2_flood() {
    flood_topology; start a "$A"; start b "$B"
    ip netns exec "$A" timeout 15 tcpdump -i "$(veth a 1)" -c 1 -w "$W/i2.pcap" \
        'udp dst port 10500 and udp[8:4] = 0 and udp[14] = 3' >/dev/null 2>&1 & local cap=$!
    sleep 1
    ping_ok "$B" "$HIT_a" 2 || fail "no exchange"
    wait "$cap" || fail "no I2 captured"
    tshark -r "$W/i2.pcap" -T fields -e udp.payload 2>/dev/null | tr -d ':\n' >"$W/i2.hex"
    [ -s "$W/i2.hex" ] || fail "empty I2 capture"
    local r2_before; r2_before=$(status_json a | python3 -c 'import json,sys; print(json.load(sys.stdin)["hipPacketsSent"].get("r2", 0))')
    FLOOD_SECONDS=5 flood_run "$W/i2.hex" || fail "flooder did not build"
    ip netns exec "$B" ping -c 20 -i 0.25 -W 2 "$HIT_a" >"$W/ping.out" 2>&1 || fail "b's association broke: $(tail -2 "$W/ping.out")"
    wait "$FLOOD_PID"
    local r2_after; r2_after=$(status_json a | python3 -c 'import json,sys; print(json.load(sys.stdin)["hipPacketsSent"].get("r2", 0))')
    local answered=$((r2_after - r2_before))
    echo "   replayed I2: $(cat "$W/flood.out"); a sent $answered R2s; $(counters_of a)"
    ((answered <= 100 + 100 * 5)) || fail "a answered $answered copies of the I2"
    kill -0 "$PID_a" || fail "a died"
}

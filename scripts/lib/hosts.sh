# Two-host setup shared by scripts/demo.sh and scripts/nettest.sh (source after lib/netns.sh).
# host_identity DIR NAME: creates DIR/NAME.key with `synaptic keygen` and sets HIT_<NAME> and LSI_<NAME>.
# host_config DIR NAME PEER PEER_LOCATORS [extra TOML] [peer TOML]: writes DIR/NAME.toml for `synaptic up`
#   with one [[peers]] entry; PEER_LOCATORS empty: no `locators` key (the node only answers that peer, or
#   reaches it some other way, e.g. `via` in peer TOML: lines added inside the [[peers]] table).
# node_config DIR NAME [extra TOML]: the same file without any [[peers]] entry (e.g. a server).

SYNAPTIC="${SYNAPTIC:-}"

synaptic_binary() {
    local config=${1:-debug}
    swift build -c "$config" --product synaptic >&2
    SYNAPTIC="$(swift build -c "$config" --show-bin-path)/synaptic"
}

host_identity() {
    local dir=$1 name=$2 algorithm=${3:-ecdsa-p256}
    "$SYNAPTIC" keygen --algorithm "$algorithm" --out "$dir/$name.key" >/dev/null
    local out; out=$("$SYNAPTIC" hit "$dir/$name.key")
    printf -v "HIT_$name" '%s' "$(awk '/^HIT/{print $2}' <<<"$out")"
    printf -v "LSI_$name" '%s' "$(awk '/^LSI/{print $2}' <<<"$out")"
}

node_config() {
    local dir=$1 name=$2 extra=${3:-} dataplane=""
    # DATAPLANE_WORKERS=n: seal/open on n threads per direction (default: the node's).
    [ -n "${DATAPLANE_WORKERS:-}" ] && dataplane=$'[dataplane]\nworkers = '"$DATAPLANE_WORKERS"
    cat >"$dir/$name.toml" <<TOML
[identity]
key = "$dir/$name.key"

[tun]
name = "hip$name"

[transport]
udp_port = 10500
raw_hip = ${RAW_HIP:-true}

[log]
level = "${LOG_LEVEL:-info}"

[status]
socket = "$dir/$name.sock"

[keylog]
path = "$dir/$name.keylog"

$dataplane

$extra
TOML
}

host_config() {
    local dir=$1 name=$2 peer=$3 locators=$4 extra=${5:-} peer_extra=${6:-}
    local peer_hit_var="HIT_$peer"
    node_config "$dir" "$name" "$extra"
    {
        printf '\n[[peers]]\nname = "%s"\nhit = "%s"\n' "$peer" "${!peer_hit_var}"
        [ -z "$locators" ] || printf 'locators = [%s]\n' "$locators"
        [ -z "$peer_extra" ] || printf '%s\n' "$peer_extra"
    } >>"$dir/$name.toml"
}

# wait_for CMD...: retry CMD for up to WAIT_SECONDS (default 20) seconds.
wait_for() {
    local deadline=$((SECONDS + ${WAIT_SECONDS:-20}))
    until "$@" >/dev/null 2>&1; do
        ((SECONDS < deadline)) || return 1
        sleep 0.2
    done
}

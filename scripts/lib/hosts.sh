# Two-host setup shared by scripts/demo.sh and scripts/nettest.sh (source after lib/netns.sh).
# host_identity DIR NAME: creates DIR/NAME.key with `synaptic keygen` and sets HIT_<NAME> and LSI_<NAME>.
# host_config DIR NAME PEER PEER_LOCATORS [extra TOML]: writes DIR/NAME.toml for `synaptic up`.

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

host_config() {
    local dir=$1 name=$2 peer=$3 locators=$4 extra=${5:-}
    local peer_hit_var="HIT_$peer" dataplane=""
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

[[peers]]
name = "$peer"
hit = "${!peer_hit_var}"
locators = [$locators]
TOML
}

# wait_for CMD...: retry CMD for up to WAIT_SECONDS (default 20) seconds.
wait_for() {
    local deadline=$((SECONDS + ${WAIT_SECONDS:-20}))
    until "$@" >/dev/null 2>&1; do
        ((SECONDS < deadline)) || return 1
        sleep 0.2
    done
}

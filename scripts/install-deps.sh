#!/usr/bin/env bash
# Installs the Debian packages synaptic needs to build and test, only those that are missing.
# Usage: scripts/install-deps.sh [extra-package ...]
set -euo pipefail
need=(make git libssl-dev libsodium-dev pkg-config iproute2 iputils-ping tshark tcpdump iperf3 nftables conntrack socat python3 xxd procps util-linux "$@")
missing=()
for p in "${need[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "install-deps: installing ${missing[*]}"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections || true
    $SUDO apt-get update -qq
    # Packages with services (docker.io, podman's socket) are installed without starting them: tests start
    # what they need themselves, with state of their own, and stop it.
    made_policy=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null && $SUDO chmod 755 /usr/sbin/policy-rc.d && made_policy=1
    fi
    install_status=0
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" || install_status=$?
    ((made_policy)) && $SUDO rm -f /usr/sbin/policy-rc.d
    ((install_status == 0)) || exit $install_status
fi
command -v swift >/dev/null || { echo "install-deps: Swift 6.1 or newer must be on PATH (swift.org toolchain)"; exit 1; }

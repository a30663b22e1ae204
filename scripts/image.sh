#!/usr/bin/env bash
# make image: the synaptic container image, tagged synaptic:<synaptic --version> and synaptic:latest, in
# the default storage of podman (or of Docker where a Docker daemon answers and podman is absent; podman
# and runc are installed when neither engine works). No registry is needed: the release binary (static
# Swift standard library) is built here, scripts/image-rootfs.sh lays out the root, it is imported as a
# temporary image, and the last stage of Configs/Containerfile is built on it (--format docker for podman,
# which keeps the HEALTHCHECK). The temporary image is removed on every exit path.
#
# Usage: scripts/image.sh [--tag NAME]...
#   --tag NAME  tag the image NAME instead of synaptic:<version> and synaptic:latest (may be repeated)
# Environment: IMAGE_ENGINE  the engine command with its global options, e.g. "podman --root DIR ..."
#   (containertest builds into a temporary podman storage this way); default: found as above.
set -euo pipefail
cd "$(dirname "$0")/.."
tags=()
while (($#)); do
    case "$1" in
        --tag) tags+=("$2"); shift 2 ;;
        *) echo "usage: scripts/image.sh [--tag NAME]..." >&2; exit 2 ;;
    esac
done

# Options podman needs on a machine without systemd (no systemd cgroup manager, no journald).
podman_options() {
    [ -d /run/systemd/system ] || echo "--cgroup-manager cgroupfs --events-backend file"
}
if [ -n "${IMAGE_ENGINE:-}" ]; then
    read -r -a engine <<<"$IMAGE_ENGINE"
elif command -v podman >/dev/null && podman $(podman_options) info >/dev/null 2>&1; then
    read -r -a engine <<<"podman $(podman_options)"
elif command -v docker >/dev/null && docker info >/dev/null 2>&1; then
    engine=(docker)
else
    echo "image: no working podman or Docker: installing podman and runc"
    scripts/install-deps.sh podman runc
    read -r -a engine <<<"podman $(podman_options)"
fi
scripts/install-deps.sh binutils libcap2-bin >/dev/null

swift build -c release --static-swift-stdlib --product synaptic
version=$(.build/release/synaptic --version)
((${#tags[@]})) || tags=("synaptic:$version" "synaptic:latest")

W=.build/image
rm -rf "$W"; mkdir -p "$W/context" "$W/root"
temporary="localhost/synaptic-rootfs:build-$$"
cleanup() {
    "${engine[@]}" rmi -f "$temporary" >/dev/null 2>&1 || true
    rm -rf "$W/root" "$W/rootfs.tar"
}
trap cleanup EXIT
scripts/image-rootfs.sh .build/release/synaptic "$W/root/rootfs"
tar --xattrs --xattrs-include='security.capability' --numeric-owner -C "$W/root" -cf "$W/rootfs.tar" rootfs
"${engine[@]}" import "$W/rootfs.tar" "$temporary" >"$W/import.log" 2>&1 || { cat "$W/import.log"; exit 1; }

# The last stage of Configs/Containerfile, from its marker on, with ROOTFS_FROM at the imported root.
{
    echo "ARG ROOTFS_FROM"
    echo "FROM \${ROOTFS_FROM} AS rootfs"
    sed -n '/^# --- the image/,$p' Configs/Containerfile
    echo "LABEL org.opencontainers.image.version=\"$version\""
} >"$W/Containerfile"
build=(build --build-arg "ROOTFS_FROM=$temporary" -f "$W/Containerfile")
[ "${engine[0]}" = podman ] && build+=(--format docker)
# Docker: BuildKit where the CLI has it (buildx), else the classic builder (the file has no stage to skip).
if [ "${engine[0]}" = docker ] && [ -z "${DOCKER_BUILDKIT:-}" ]; then
    if "${engine[@]}" buildx version >/dev/null 2>&1; then export DOCKER_BUILDKIT=1; else export DOCKER_BUILDKIT=0; fi
fi
for tag in "${tags[@]}"; do build+=(-t "$tag"); done
"${engine[@]}" "${build[@]}" "$W/context" >"$W/build.log" 2>&1 || { cat "$W/build.log"; exit 1; }
for tag in "${tags[@]}"; do
    echo "image: $tag $("${engine[@]}" image inspect --format '{{.Size}}' "$tag" | awk '{printf "%.1f MB", $1 / 1e6}')"
done

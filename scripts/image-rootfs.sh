#!/usr/bin/env bash
# Lays out the root file system of the synaptic container image in DEST, from a release binary built with
# `swift build -c release --static-swift-stdlib` (which then needs only libcrypto 3, libsodium, libstdc++,
# libgcc_s, libm and libc, copied here from the system that built it, with the dynamic loader):
#   /usr/bin/synaptic        stripped; file capabilities cap_net_admin,cap_net_raw+p (see below)
#   /lib..., /lib64/...      the libraries ldd names, at the paths ldd gives
#   /etc/passwd, /etc/group  root and synaptic (uid/gid 10500), nothing else
#   /etc/synaptic/           where the configuration is mounted (synaptic.toml)
#   /var/lib/synaptic/       the key volume: 0700, owned by synaptic
#   /run/synaptic/           the status socket: owned by synaptic
#   /tmp                     1777
# The capabilities are in the file's permitted set only, without the effective bit: the kernel then runs
# the binary when the container grants only some of them (NET_ADMIN without NET_RAW), giving it those it
# grants, and `synaptic up` makes them effective itself (with the effective bit, execve would fail with
# EPERM unless both are granted). A non-root user gets capabilities this way in Docker and Kubernetes too,
# which have no ambient capabilities; podman gives --cap-add ones as ambient, which this does not need.
# Usage: scripts/image-rootfs.sh BINARY DEST   (as root: chown and setcap)
set -euo pipefail
bin=$1 dest=$2
SYN_ID=10500
[ -x "$bin" ] || { echo "image-rootfs: no binary at $bin" >&2; exit 1; }
rm -rf "$dest"
mkdir -p "$dest"/{usr/bin,etc/synaptic,var/lib/synaptic,run/synaptic,tmp}
strip -o "$dest/usr/bin/synaptic" "$bin"
chmod 755 "$dest/usr/bin/synaptic"
# Every library the binary loads, and the loader (the line without "=>").
ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | while read -r lib; do
    mkdir -p "$dest$(dirname "$lib")"
    cp -L "$lib" "$dest$lib"
done
printf 'root:x:0:0:root:/root:/sbin/nologin\nsynaptic:x:%d:%d:synaptic:/var/lib/synaptic:/sbin/nologin\n' \
    "$SYN_ID" "$SYN_ID" >"$dest/etc/passwd"
printf 'root:x:0:\nsynaptic:x:%d:\n' "$SYN_ID" >"$dest/etc/group"
chmod 644 "$dest/etc/passwd" "$dest/etc/group"
chown "$SYN_ID:$SYN_ID" "$dest/var/lib/synaptic" "$dest/run/synaptic"
chmod 700 "$dest/var/lib/synaptic"
chmod 755 "$dest/run/synaptic" "$dest/etc/synaptic"
chmod 1777 "$dest/tmp"
setcap cap_net_admin,cap_net_raw+p "$dest/usr/bin/synaptic"
# The binary must start in this tree alone (no library from the host): --version in a chroot.
chroot "$dest" /usr/bin/synaptic --version >/dev/null || { echo "image-rootfs: synaptic does not start in $dest" >&2; exit 1; }

#!/usr/bin/env bash
# Makes the image in which the systemd tests (tests/ActorVip.Kernel.Tests/Deploy/SystemdServiceTests) run
# systemd as PID 1 and install the actorvip package: Debian bookworm minbase with systemd and what the
# package depends on, so that `dpkg -i` needs no network. Made with mmdebstrap from the host's Debian
# mirror (about 30 s the first time) and kept in podman's store as localhost/actorvip-systemd-test:bookworm-KEY
# (KEY changes with the package list; older ones are removed). Prints the image name. Root; idempotent.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../deploy/common.sh"

need_root
need podman podman
need mmdebstrap mmdebstrap
packages=systemd,systemd-sysv,adduser,libssl3,libstdc++6,libgcc-s1,zlib1g
key=$(printf '%s\n' "$packages" v1 | sha256sum | cut -c1-12)
image=localhost/actorvip-systemd-test:bookworm-$key

if ! podman image exists "$image"; then
  mirror=$(debian_mirror)
  log "making $image from $mirror (first run only)"
  work=$(mktemp -d /tmp/actorvip-systemd.XXXXXX)
  trap 'rm -rf "$work"' EXIT
  t0=$SECONDS
  mmdebstrap --quiet --variant=minbase --include="$packages" \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
    bookworm "$work/rootfs.tar" "$mirror" || die 1 "mmdebstrap could not make the systemd image from $mirror"
  podman import --quiet --change 'CMD ["/sbin/init"]' --change 'ENV container=podman' "$work/rootfs.tar" "$image" >/dev/null \
    || die 1 "podman import failed"
  log "made $image in $((SECONDS - t0)) s"
  podman images --format '{{.Repository}}:{{.Tag}}' | grep '^localhost/actorvip-systemd-test:' | grep -vx "$image" \
    | xargs -r podman image rm >/dev/null 2>&1 || true
fi
echo "$image"

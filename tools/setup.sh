#!/usr/bin/env bash
# Installs the Debian packages that the demo, the tests and the benchmarks use (idempotent; run as root).
# ActorVip itself needs none of them: it drives netlink and AF_PACKET directly.
set -euo pipefail
packages=(
  iproute2        # ip netns / veth / bridge: the demo's network of namespaces
  iputils-ping    # tests ping the VIP from a client namespace
  nftables        # tests read the kernel fence back with `nft list` (the product writes it over netlink)
  tcpdump arping  # packet captures and ARP probes in tests
  keepalived      # the side-by-side reference of the failover benchmark
  ipvsadm         # the IPVS tests compare `actorvip ipvs save` with `ipvsadm -S -n`
  qemu-system-x86 cpio busybox-static kmod curl libcap2-bin strace  # the kernel VM (IPVS) tests
  python3         # tests/vm/datagrams.py (per-VIP service VM tests); the health scenario's API servers (src/Lab/Demo/ApiServers.cs)
  podman runc     # the container image and its cluster test, systemd as PID 1 (runc: crun fails on this host's cgroups)
  mmdebstrap      # the Debian bases of the image and of the systemd test, made from Debian's package registry
  lintian         # checks the Debian package that deploy/build-deb.sh builds (dpkg-deb itself is in dpkg)
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "setup: installed ${missing[*]}"
else
  echo "setup: every package is installed"
fi

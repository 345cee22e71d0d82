#!/bin/bash
# Boots the test VM (prepared by prepare.sh), runs SCRIPT inside a chroot of the host's / with the VM's kernel,
# and brings back what the script wrote to $VM_RESULTS (/vm inside) into RESULTS_DIR, plus stdout.txt,
# stderr.txt, exit-code and console.log. Exits with the script's exit code; 124 when the hard timeout hit.
# Usage: run-in-vm.sh SCRIPT RESULTS_DIR [TIMEOUT_SECONDS]
set -euo pipefail

script=$(readlink -f "$1")
results=$2
limit=${3:-1200}
CACHE=${ACTORVIP_VM_CACHE:-/var/cache/actorvip-vm}

[ -f "$CACHE/initrd.cpio.gz" ] && [ -d "$CACHE/kernel" ] || { echo "run-in-vm: the VM is not prepared: run tests/vm/prepare.sh as root" >&2; exit 3; }
[ -f "$script" ] || { echo "run-in-vm: no script $script" >&2; exit 3; }
version=$(cat "$CACHE/version")
mkdir -p "$results"
rm -f "$results/exit-code"

start=$(date +%s.%N)
set +e
timeout --kill-after=15 "$limit" qemu-system-x86_64 \
    -accel tcg,thread=multi -cpu max -smp 2 -m "${VM_MEMORY:-3G}" \
    -machine q35 -no-reboot -display none -nic none \
    -serial "file:$results/console.log" \
    -kernel "$CACHE/kernel/boot/vmlinuz-$version" \
    -initrd "$CACHE/initrd.cpio.gz" \
    -append "console=ttyS0 quiet panic=-1 vm.script=$script vm.cwd=$(pwd)" \
    -virtfs "local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap" \
    -virtfs "local,path=$(readlink -f "$CACHE/kernel")/lib/modules,mount_tag=modules,security_model=none,readonly=on,multidevs=remap" \
    -virtfs "local,path=$(readlink -f "$results"),mount_tag=results,security_model=none,multidevs=remap"
qemu=$?
set -e
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" 'BEGIN { printf "run-in-vm: the VM ran %.1f s\n", e - s }' >&2
if [ $qemu -eq 124 ] || [ $qemu -eq 137 ]; then
    echo "run-in-vm: the VM did not finish within $limit s; see $results/console.log" >&2
    exit 124
fi
if [ ! -f "$results/exit-code" ]; then
    echo "run-in-vm: the script left no exit code (qemu exit $qemu); see $results/console.log" >&2
    exit 125
fi
exit "$(cat "$results/exit-code")"

#!/bin/bash
# Prepares the kernel-VM test harness (TESTING.md level 5) on a Debian 12 machine, as root; idempotent.
# Installs qemu and tools, fetches Debian's stock kernel (it has IPVS; the host kernel may not) into
# $ACTORVIP_VM_CACHE (default /var/cache/actorvip-vm), and builds a busybox initramfs that mounts the
# host's / read-only over 9p with a tmpfs overlay and chroots into it. See run-in-vm.sh.
set -euo pipefail

CACHE=${ACTORVIP_VM_CACHE:-/var/cache/actorvip-vm}
TOOLS=(qemu-system-x86_64:qemu-system-x86 cpio:cpio busybox:busybox-static depmod:kmod ipvsadm:ipvsadm
       curl:curl capsh:libcap2-bin setpriv:util-linux strace:strace)

log() { echo "prepare-vm: $*" >&2; }

missing=()
for pair in "${TOOLS[@]}"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
# busybox must be the static one: it runs inside the initramfs with no libraries.
if ! dpkg -s busybox-static >/dev/null 2>&1; then missing+=(busybox-static); fi
# The UDP and SCTP servers and clients of lb-services.sh (tests/vm/datagrams.py) run on Debian's own python3.
[ -x /usr/bin/python3 ] || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

mkdir -p "$CACHE"
# The kernel package that linux-image-amd64 depends on, e.g. linux-image-6.1.0-56-amd64.
package=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
if [ -z "$package" ]; then
    apt-get update -qq
    package=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
fi
[ -n "$package" ] || { log "cannot find the kernel package that linux-image-amd64 depends on"; exit 1; }
version=${package#linux-image-}
root="$CACHE/kernel-$version"

if [ ! -f "$root/.complete" ]; then
    log "fetching $package"
    rm -rf "$root" "$CACHE/download"
    mkdir -p "$CACHE/download" "$root"
    # apt drops privileges to _apt for downloads; let it write there.
    chown _apt "$CACHE/download" 2>/dev/null || true
    (cd "$CACHE/download" && apt-get download -qq "$package")
    dpkg -x "$CACHE"/download/*.deb "$root"
    rm -rf "$CACHE/download"
    depmod -b "$root" "$version"
    touch "$root/.complete"
fi

initrd="$CACHE/initrd-$version.cpio.gz"
initsrc="$(dirname "$(readlink -f "$0")")/vm-init.sh"
if [ ! -f "$initrd" ] || [ "$initsrc" -nt "$initrd" ]; then
    log "building the initramfs"
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    mkdir -p "$work"/{bin,sbin,modules,proc,sys,dev,mnt,tmp}
    cp "$(command -v busybox)" "$work/bin/busybox"
    for applet in sh mount umount mkdir insmod cat chroot poweroff sleep echo ls; do ln -s busybox "$work/bin/$applet"; done
    : > "$work/modules/order"
    for module in virtio_pci 9pnet_virtio 9p overlay; do
        modprobe -d "$root" -S "$version" --show-depends "$module" | while read -r kind path _; do
            [ "$kind" = insmod ] || continue
            name=$(basename "$path")
            grep -qx "$name" "$work/modules/order" && continue
            cp "$path" "$work/modules/$name"
            echo "$name" >> "$work/modules/order"
        done
    done
    cp "$initsrc" "$work/init"
    chmod +x "$work/init"
    # The kernel runs this for module requests (ip_vs, its schedulers): the chroot's modprobe, which sees /lib/modules.
    printf '#!/bin/busybox sh\nexec /bin/busybox chroot /mnt/root /sbin/modprobe "$@"\n' > "$work/sbin/vm-modprobe"
    chmod +x "$work/sbin/vm-modprobe"
    (cd "$work" && find . | cpio -o -H newc --quiet | gzip -1) > "$initrd.tmp"
    mv "$initrd.tmp" "$initrd"
fi

ln -sfn "kernel-$version" "$CACHE/kernel"
ln -sfn "initrd-$version.cpio.gz" "$CACHE/initrd.cpio.gz"
echo "$version" > "$CACHE/version"
log "ready: kernel $version in $CACHE"

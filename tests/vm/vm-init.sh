#!/bin/busybox sh
# PID 1 of the test VM: mounts the host's / (9p, read-only) under a tmpfs overlay, the kernel's modules at
# /lib/modules and a writable results share at /vm, runs the script named on the kernel command line in a
# chroot, writes its exit code, and powers off.
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs dev /dev
for m in $(cat /modules/order); do insmod /modules/$m || echo "vm-init: insmod $m failed"; done

script=; cwd=/
for word in $(cat /proc/cmdline); do
    case "$word" in
        vm.script=*) script=${word#vm.script=} ;;
        vm.cwd=*) cwd=${word#vm.cwd=} ;;
    esac
done

p9="trans=virtio,version=9p2000.L,msize=524288"
mkdir -p /mnt/host /mnt/rw /mnt/root
mount -t 9p -o "$p9,ro" host /mnt/host || { echo "vm-init: cannot mount the host root"; poweroff -f; }
mount -t tmpfs -o mode=755 rw /mnt/rw
mkdir -p /mnt/rw/upper /mnt/rw/work
mount -t overlay overlay -o lowerdir=/mnt/host,upperdir=/mnt/rw/upper,workdir=/mnt/rw/work /mnt/root
mkdir -p /mnt/root/lib/modules /mnt/root/vm
mount -t 9p -o "$p9,ro" modules /mnt/root/lib/modules
mount -t 9p -o "$p9" results /mnt/root/vm
mount -t proc proc /mnt/root/proc
mount -t sysfs sysfs /mnt/root/sys
mount -t devtmpfs dev /mnt/root/dev
mkdir -p /mnt/root/dev/pts /mnt/root/dev/shm
mount -t devpts devpts /mnt/root/dev/pts
mount -t tmpfs tmpfs /mnt/root/dev/shm
mount -t tmpfs tmpfs /mnt/root/run
echo /sbin/vm-modprobe > /proc/sys/kernel/modprobe

echo "vm-init: running $script" > /mnt/root/vm/console.txt
# Guest seconds from kernel start to the test script: the boot time.
cut -d" " -f1 /proc/uptime > /mnt/root/vm/boot-seconds
chroot /mnt/root /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    VM_RESULTS=/vm DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 /bin/bash -c "cd '$cwd' && exec /bin/bash '$script'" \
    > /mnt/root/vm/stdout.txt 2> /mnt/root/vm/stderr.txt
echo $? > /mnt/root/vm/exit-code
sync
umount /mnt/root/vm
poweroff -f

#!/bin/bash
# The IPVS VM test body: runs inside the VM (run-in-vm.sh), drives `actorvip ipvs` and ipvsadm against the VM's
# kernel, and writes every step's exit code, output and the kernel table as ipvsadm saw it to $VM_RESULTS/steps.
# The xunit class ActorVip.Kernel.Tests.Vm.IpvsVmTests asserts on those files. Needs ACTORVIP (actorvip.dll)
# and BENCH (ActorVip.Benchmarks.dll) in the environment.
set -u
here=$(dirname "$(readlink -f "$0")")
rules=$here/ipvs
out=$VM_RESULTS/steps
mkdir -p "$out"
owned=(--owned 192.0.2.0/24 --owned 2001:db8:1::/64)
now() { date +%s.%N; }
elapsed() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.0f", (e - s) * 1000 }'; }

# only NAME COMMAND...: exit code, stdout, stderr and duration of one command.
only() {
    local name=$1; shift
    local start; start=$(now)
    "$@" > "$out/$name.out" 2> "$out/$name.err"
    echo $? > "$out/$name.rc"
    elapsed "$start" > "$out/$name.ms"
}
# run NAME COMMAND...: the same, then the table as ipvsadm saves it.
run() {
    only "$@"
    ipvsadm -S -n > "$out/$1.ipvsadm" 2>&1
}
actorvip() { dotnet "$ACTORVIP" ipvs "$@"; }

echo "kernel $(uname -r)" > "$out/kernel.txt"
total=$(now)

# 1. No IPVS: the kernel cannot load ip_vs while module loading is switched off. No ipvsadm here:
#    it runs /sbin/modprobe ip_vs itself.
helper=$(cat /proc/sys/kernel/modprobe)
echo /bin/false > /proc/sys/kernel/modprobe
only no-ipvs-save actorvip save
only no-ipvs-apply actorvip apply --file "$rules/01-create.rules" "${owned[@]}"
grep -c '^ip_vs ' /proc/modules > "$out/no-ipvs.loaded"
echo "$helper" > /proc/sys/kernel/modprobe

# A host for the services: VIPs on dummy0 and a local VIP on lo; backends are routed through dummy0 (no traffic).
ip link set lo up
ip link add dummy0 type dummy
ip link set dummy0 up
ip addr add 192.0.2.254/24 dev dummy0
ip addr add 2001:db8:1::fe/64 dev dummy0 nodad
ip addr add 192.0.2.4/32 dev lo
ip route add 198.51.100.0/24 dev dummy0
ip -6 route add 2001:db8:2::/64 dev dummy0

# 2. Golden bytes: what ipvsadm sends for NEW_SERVICE and NEW_DEST (removed again right after).
S=(strace -f -s 4096 -e trace=sendmsg -xx)
"${S[@]}" ipvsadm -A -t 192.0.2.200:80 -s rr 2> "$out/golden-newsvc.strace"
"${S[@]}" ipvsadm -a -t 192.0.2.200:80 -r 198.51.100.200:80 -m -w 1 2> "$out/golden-newdest.strace"
ipvsadm -D -t 192.0.2.200:80

# 3. Create, re-apply, documented extensions, a foreign service, change, re-apply the change.
run create actorvip apply --file "$rules/01-create.rules" "${owned[@]}"
run create-save actorvip save
run reapply actorvip apply --file "$rules/01-create.rules" "${owned[@]}"
run extras actorvip apply --file "$rules/02-extras.rules"
run extras-save actorvip save
ipvsadm -A -t 203.0.113.9:80 -s rr && ipvsadm -a -t 203.0.113.9:80 -r 198.51.100.20:80 -m -w 1
run change actorvip apply --file "$rules/03-change.rules" "${owned[@]}"
run change-save actorvip save
run rechange actorvip apply --file "$rules/03-change.rules" "${owned[@]}"

# 4. Errors, each leaving the table as it was.
run unknown-scheduler actorvip apply --file "$rules/04-unknown-scheduler.rules" "${owned[@]}"
run no-cap setpriv --inh-caps=-all --bounding-set=-net_admin dotnet "$ACTORVIP" ipvs apply --file "$rules/01-create.rules" "${owned[@]}"
run bad-input actorvip apply --file "$rules/05-bad-input.rules" "${owned[@]}"
run missing-file actorvip apply --file "$rules/no-such.rules" "${owned[@]}"

# 5. GET_INFO and timeouts (SET_CONFIG / GET_CONFIG), next to what ipvsadm reports.
run info actorvip info
ipvsadm -L -n | head -1 > "$out/info.expected"
run timeout actorvip timeout --tcp 600 --udp 200
ipvsadm -L -n --timeout > "$out/timeout.expected"
# 6. Cleanup after a killed run: its VIP, the VIP's IPVS service and the NAT table are planted; a foreign
#    service (203.0.113.9:80, from step 3) must stay. They are planted as ActorVip makes them: the address
#    deprecated (preferred_lft 0), the table with its "owned by actorvip" comment; anything else is not its own.
ip addr add 192.0.2.77/32 dev dummy0 preferred_lft 0
ipvsadm -A -t 192.0.2.77:6443 -s rr && ipvsadm -a -t 192.0.2.77:6443 -r 198.51.100.7:6443 -m -w 1
nft add table ip actorvip-nat "{ comment \"owned by actorvip\"; }"
run cleanup dotnet "$ACTORVIP" cleanup --interface dummy0 --address 192.0.2.77
ip addr show dev dummy0 > "$out/cleanup.addr" 2>&1
nft list tables > "$out/cleanup.nft" 2>&1
run cleanup-again dotnet "$ACTORVIP" cleanup --interface dummy0 --address 192.0.2.77
echo "total_ms=$(elapsed "$total")" > "$out/functional.ms"

# 6. Benchmark, each side in a network namespace of its own (an empty IPVS table): warm in-process apply of
#    1000 services x 8 destinations and a 10% change; the CLI cold; ipvsadm -R of the same table.
bench=$VM_RESULTS/bench
mkdir -p "$bench"
unshare -n bash -c "ip link set lo up && dotnet '$BENCH' ipvs-apply --rules '$bench/full.rules'" > "$bench/apply.out" 2> "$bench/apply.err"
echo $? > "$bench/apply.rc"
unshare -n bash -c "ip link set lo up && s=\$(date +%s.%N) && ipvsadm -R < '$bench/full.rules' && e=\$(date +%s.%N) && \
    awk -v s=\$s -v e=\$e 'BEGIN { printf \"ipvsadm-restore ms=%.1f\\n\", (e - s) * 1000 }' && \
    s=\$(date +%s.%N) && ipvsadm -S -n > /tmp/saved && e=\$(date +%s.%N) && \
    awk -v s=\$s -v e=\$e 'BEGIN { printf \"ipvsadm-save save_ms=%.1f\\n\", (e - s) * 1000 }' && echo entries=\$(wc -l < /tmp/saved)" \
    > "$bench/ipvsadm.out" 2> "$bench/ipvsadm.err"
echo $? > "$bench/ipvsadm.rc"
unshare -n bash -c "ip link set lo up && s=\$(date +%s.%N) && dotnet '$ACTORVIP' ipvs apply --file '$bench/full.rules' > /dev/null && e=\$(date +%s.%N) && \
    awk -v s=\$s -v e=\$e 'BEGIN { printf \"cli-cold ms=%.1f\\n\", (e - s) * 1000 }'" > "$bench/cli.out" 2> "$bench/cli.err"
echo $? > "$bench/cli.rc"
exit 0

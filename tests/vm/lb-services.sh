# Sourced by lb-tests.sh (inside the VM, its functions and topology in scope): VIPs with services of their own
# (actorvip.vips), all held by one `actorvip run` on the back bridge; the client is c1 (one-arm, so masquerade answers
# come back only through the source NAT, which must cover every port and protocol of its VIP).
#   198.51.100.101  tcp 80 -> 8080, tcp 53 and udp 53 (TCP and UDP on one port), sctp 3868: masquerade
#   198.51.100.102  udp 53 directroute (the backends hold the VIP on lo, as `check --backend-setup` says)
#   198.51.100.103  fwmark 7 (an nft rule marks tcp 80 to it) masquerade to 8080
#   2001:db8:2::101 tcp 80 -> 8080 and udp 53 masquerade; 2001:db8:2::102 udp 53 directroute
# Then a UDP server stops: only the UDP services drop that backend; then a reload adds 198.51.100.106 with a UDP service
# (masquerade, scheduler wrr), which the running node programs; then a node started without services gets its first from a
# reload (198.51.100.107 held, 198.51.100.108 and .109 added with UDP services: IPVS opened then). Before all that, `actorvip check` with a scheduler
# the kernel lacks exits 1, and so does `actorvip run`, having applied nothing. Files: $out/svc.*.
here=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
py=/usr/bin/python3
svc_start=$(now)

declare -A dgram
# dserve NS PROTO ADDRESS PORT NAME: a UDP or SCTP server answering "NAME PROTO" (tests/vm/datagrams.py).
dserve() {
    ip netns exec "$1" "$py" "$here/datagrams.py" serve "$2" "$3" "$4" "$5" > /dev/null 2>> "$out/svc.servers.err" &
    dgram[$1:$2:$3:$4]=$!
}
# ask FILE NS PROTO ADDRESS PORT COUNT: one line per request, the answer or "fail".
ask() { ns "$2" "$py" "$here/datagrams.py" ask "$3" "$4" "$5" "$6" > "$1" 2>&1; }

cat > /tmp/services.conf <<'CONF'
actorvip {
  lease { lease-time = 10s, renew-interval = 2s, margin = 2s }
  lb.health { interval = 500ms, timeout = 300ms, rise = 2, fall = 2 }
  vips = [
    { address = "198.51.100.101", services = [
        { port = 80, fwdmethod = masquerade, backend-port = 8080, backends = ["198.51.100.11", "198.51.100.12"] }
        { protocol = tcp, port = 53, fwdmethod = masquerade, backends = ["198.51.100.11", "198.51.100.12"] }
        { protocol = udp, port = 53, fwdmethod = masquerade, backends = ["198.51.100.11", "198.51.100.12"],
          health { request = "health", expect = "udp" } }
        { protocol = sctp, port = 3868, fwdmethod = masquerade, backends = ["198.51.100.11", "198.51.100.12"] }
    ] }
    { address = "198.51.100.102", services = [
        { protocol = udp, port = 53, fwdmethod = directroute, backends = ["198.51.100.11", "198.51.100.12"] } ] }
    { address = "198.51.100.103", services = [
        { fwmark = 7, fwdmethod = masquerade, backends = ["198.51.100.11:8080", "198.51.100.12:8080"] } ] }
    { address = "2001:db8:2::101", services = [
        { port = 80, fwdmethod = masquerade, backend-port = 8080, backends = ["2001:db8:2::11", "2001:db8:2::12"] }
        { protocol = udp, port = 53, fwdmethod = masquerade, backends = ["2001:db8:2::11", "2001:db8:2::12"] } ] }
    { address = "2001:db8:2::102", services = [
        { protocol = udp, port = 53, fwdmethod = directroute, backends = ["2001:db8:2::11", "2001:db8:2::12"] } ] }
  ]
}
CONF
cat > /tmp/nosuch.conf <<'CONF'
actorvip.vips = [
  { address = "198.51.100.104", services = [ { protocol = udp, port = 53, scheduler = nosuch, fwdmethod = masquerade } ] }
  { address = "198.51.100.105", services = [ { protocol = udp, port = 53, scheduler = rr, fwdmethod = masquerade } ] }
]
CONF
vips=(198.51.100.101 198.51.100.102 198.51.100.103 2001:db8:2::101 2001:db8:2::102)

# A scheduler the kernel lacks: check says so next to the one it has (exit 1); run refuses before it touches the kernel
# (exit 1). Each .NET start costs 20 s or more in the emulated VM, so the other checks ride on these.
"$dotnet" "$ACTORVIP" check --config /tmp/nosuch.conf --interface back > "$out/svc.nosuch-check" 2>&1
echo $? > "$out/svc.nosuch-check.rc"
# The runs before this one stopped with their fence tables left installed owning nothing: what "nothing touched" compares with.
nft list tables > "$out/svc.nosuch-before-nft" 2>&1
"$dotnet" "$ACTORVIP" run --config /tmp/nosuch.conf --interface back --node-address 127.0.0.1:4053 --nodes 1 > "$out/svc.nosuch-run" 2>&1
echo $? > "$out/svc.nosuch-run.rc"
{ ip addr show dev back | grep -c " 198.51.100.10[45]/"; nft list tables; ipvsadm -S -n; } > "$out/svc.nosuch-after" 2>&1

# backend-setup prints what the directroute VIPs need on the backends.
"$dotnet" "$ACTORVIP" check --backend-setup --config /tmp/services.conf --interface back > "$out/svc.setup" 2>&1
for b in b1 b2; do ns $b bash -e "$out/svc.setup" > "$out/svc.setup-$b.log" 2>&1; echo $? >> "$out/svc.setup-$b.log"; done

# Servers: UDP and SCTP on each backend's own addresses (masquerade), UDP on the VIPs (directroute answers from the
# VIP), "bN tcp" over HTTP on 53; the HTTP servers on 8080 (lb-tests.sh) answer the TCP 80 and fwmark services.
for pair in b1:11 b2:12; do
    b=${pair%:*}; host=${pair#*:}
    dserve $b udp 198.51.100.$host 53 $b
    dserve $b udp 2001:db8:2::$host 53 $b
    dserve $b sctp 198.51.100.$host 3868 $b
    dserve $b udp 198.51.100.102 53 $b-dr
    dserve $b udp 2001:db8:2::102 53 $b-dr
    mkdir -p /tmp/www/$b-tcp && echo "$b tcp" > /tmp/www/$b-tcp/index.html
    ip netns exec $b busybox httpd -f -p 198.51.100.$host:53 -h /tmp/www/$b-tcp &
    server[$b:53]=$!
done
nft add table ip svcmark
nft add chain ip svcmark pre '{ type filter hook prerouting priority -150; }'
nft add rule ip svcmark pre ip daddr 198.51.100.103 tcp dport 80 meta mark set 7

t=$(now)
"$dotnet" "$ACTORVIP" run --config /tmp/services.conf --interface back --node-address 127.0.0.1:4053 --nodes 1 > "$out/svc.log" 2>&1 &
pid=$!
held=no
ours='^-A (-f 7 |.*(198\.51\.100\.10[12]|\[2001:db8:2::10[12]\]):)'
for _ in $(seq 900); do
    addrs=$(ip addr show dev back)
    all=yes
    for v in "${vips[@]}"; do grep -q " $v/" <<< "$addrs" || all=no; done
    if [ $all = yes ] && [ "$(ipvsadm -S -n | grep -cE "$ours")" -eq 9 ] && nft list table ip6 actorvip-nat > /dev/null 2>&1; then
        held=yes
        break
    fi
    kill -0 $pid 2>/dev/null || break
    sleep 0.2
done
if [ $held = yes ]; then
    echo "$(ms_since "$t")" > "$out/svc.start-ms"
    sleep 2 # health checkers' first rounds
    ipvsadm -S -n > "$out/svc.ipvsadm"
    { nft list table ip actorvip-nat; nft list table ip6 actorvip-nat; } > "$out/svc.nft" 2>&1
    requests "$out/svc.tcp80" c1 http://198.51.100.101/ 6
    requests "$out/svc.tcp53" c1 http://198.51.100.101:53/ 4
    ask "$out/svc.udp53" c1 udp 198.51.100.101 53 6
    ask "$out/svc.sctp" c1 sctp 198.51.100.101 3868 4
    ask "$out/svc.dr" c1 udp 198.51.100.102 53 6
    requests "$out/svc.fwmark" c1 http://198.51.100.103/ 6
    requests "$out/svc.tcp80-6" c1 "http://[2001:db8:2::101]/" 6
    ask "$out/svc.udp53-6" c1 udp 2001:db8:2::101 53 6
    ask "$out/svc.dr6" c1 udp 2001:db8:2::102 53 6

    # b2's UDP server on its own address stops: the UDP services leave it (weight 0), the TCP ones keep it.
    kill ${dgram[b2:udp:198.51.100.12:53]}; wait ${dgram[b2:udp:198.51.100.12:53]} 2>/dev/null
    t=$(now)
    # Each UDP service has its own checker (masquerade on .101, directroute on .102), so wait until both took it out: waiting for
    # the first alone raced the second's round (CI saw .102 still at weight 1).
    for _ in $(seq 150); do
        [ "$(ipvsadm -S -n | grep -c -- "-a -u 198.51.100.10[12]:53 -r 198.51.100.12:53 -[mg] -w 0")" -eq 2 ] && break
        sleep 0.1
    done
    echo "$(ms_since "$t")" > "$out/svc.fall-ms"
    ipvsadm -S -n > "$out/svc.failed-ipvsadm"
    ask "$out/svc.failed-udp53" c1 udp 198.51.100.101 53 4
    requests "$out/svc.failed-tcp53" c1 http://198.51.100.101:53/ 4
    dserve b2 udp 198.51.100.12 53 b2
    t=$(now)
    # Both back too: the reload below compares the table before and after, and a weight still rising would differ.
    for _ in $(seq 150); do
        [ "$(ipvsadm -S -n | grep -c -- "-a -u 198.51.100.10[12]:53 -r 198.51.100.12:53 -[mg] -w 1")" -eq 2 ] && break
        sleep 0.1
    done
    echo "$(ms_since "$t")" > "$out/svc.rise-ms"
    ask "$out/svc.recovered-udp53" c1 udp 198.51.100.101 53 6

    # A reload (SIGHUP, issue 14 §5) adds a VIP with a UDP service of its own on the running node, with a scheduler (wrr) no
    # service used at start (the reload looks at the kernel's modules as the start does): its holder programs it from the
    # reloaded settings, and the nine services already there stay as they are.
    sed -i '/^  vips = \[$/a\    { address = "198.51.100.106", services = [ { protocol = udp, port = 53, scheduler = wrr, fwdmethod = masquerade, backends = ["198.51.100.11", "198.51.100.12"], health { request = "health", expect = "udp" } } ] }' \
        /tmp/services.conf
    ipvsadm -S -n > "$out/svc.reload-before"
    t=$(now)
    kill -HUP $pid
    for _ in $(seq 300); do
        [ "$(ipvsadm -S -n | grep -c -- "-a -u 198.51.100.106:53 -r 198.51.100.1[12]:53 -m -w 1")" -eq 2 ] && break
        sleep 0.1
    done
    echo "$(ms_since "$t")" > "$out/svc.reload-ms"
    ipvsadm -S -n > "$out/svc.reload-ipvsadm"
    ip addr show dev back > "$out/svc.reload-addr"
    ask "$out/svc.reload-udp53" c1 udp 198.51.100.106 53 6
else
    echo "never held every VIP with its services" > "$out/svc.start-failed"
    ipvsadm -S -n > "$out/svc.ipvsadm"
fi
kill -TERM $pid
t=$(now)
wait $pid
echo $? > "$out/svc.exit"
echo "$(ms_since "$t")" > "$out/svc.stop-ms"
ipvsadm -S -n > "$out/svc.after-ipvsadm"
nft list tables > "$out/svc.after-nft" 2>&1
ip addr show dev back > "$out/svc.after-addr"

# A node that started without load-balanced services (198.51.100.107 alone): a reload adds 198.51.100.108 with a UDP masquerade
# service, for which the node opens IPVS then (issue 14 §5), and 198.51.100.109 with a UDP directroute one, which takes the fence's
# inbound rule away; 198.51.100.107 is not touched. SIGTERM removes what it made.
cat > /tmp/plain.conf <<'CONF'
actorvip {
  lease { lease-time = 10s, renew-interval = 2s, margin = 2s }
  lb.health { interval = 500ms, timeout = 300ms, rise = 2, fall = 2 }
  vips = [ { address = "198.51.100.107" } ]
}
CONF
"$dotnet" "$ACTORVIP" run --config /tmp/plain.conf --interface back --node-address 127.0.0.1:4053 --nodes 1 > "$out/svc.plain-log" 2>&1 &
pid=$!
for _ in $(seq 900); do
    ip addr show dev back | grep -q " 198.51.100.107/" && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.2
done
ipvsadm -S -n > "$out/svc.plain-before"
nft list table ip actorvip > "$out/svc.plain-fence-before" 2>&1
sed -i 's|^  vips = \[ { address = "198.51.100.107" } \]$|  vips = [ { address = "198.51.100.107" }, { address = "198.51.100.108", services = [ { protocol = udp, port = 53, fwdmethod = masquerade, backends = ["198.51.100.11", "198.51.100.12"], health { request = "health", expect = "udp" } } ] }, { address = "198.51.100.109", services = [ { protocol = udp, port = 53, fwdmethod = directroute, backends = ["198.51.100.11", "198.51.100.12"] } ] } ]|' \
    /tmp/plain.conf
t=$(now)
kill -HUP $pid
for _ in $(seq 300); do
    [ "$(ipvsadm -S -n | grep -c -- "-a -u 198.51.100.108:53 -r 198.51.100.1[12]:53 -m -w 1")" -eq 2 ] &&
        [ "$(ipvsadm -S -n | grep -c -- "-a -u 198.51.100.109:53 -r 198.51.100.1[12]:53 -g")" -eq 2 ] && break
    sleep 0.1
done
echo "$(ms_since "$t")" > "$out/svc.plain-reload-ms"
ipvsadm -S -n > "$out/svc.plain-ipvsadm"
nft list table ip actorvip > "$out/svc.plain-fence" 2>&1
ip addr show dev back > "$out/svc.plain-addr"
ask "$out/svc.plain-udp53" c1 udp 198.51.100.108 53 6
kill -TERM $pid
wait $pid
echo $? > "$out/svc.plain-exit"
{ ipvsadm -S -n; nft list tables; ip addr show dev back; } > "$out/svc.plain-after" 2>&1

nft delete table ip svcmark
for key in "${!dgram[@]}"; do kill ${dgram[$key]} 2>/dev/null; done
for b in b1 b2; do
    kill ${server[$b:53]} 2>/dev/null
    ns $b ip addr del 198.51.100.102/32 dev lo 2>/dev/null
    ns $b ip -6 addr del 2001:db8:2::102/128 dev lo 2>/dev/null
done
sed -i '/198\.51\.100\.106/d' /tmp/services.conf
echo "$(ms_since "$svc_start")" > "$out/svc.ms"

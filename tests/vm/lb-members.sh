# Sourced by lb-tests.sh (inside the VM, its functions and topology in scope): member backends with a real cluster.
# Three `actorvip run` nodes in namespaces n1..n3 on the back bridge form one cluster with load balancing on and no
# --backend: each member's own "API server" (busybox httpd on 8080 answering its name) is a backend of the VIP
# 198.51.100.200:80 (one-arm masquerade; the client is c1). Then a member that is not the owner stops (SIGTERM) and
# the owner must drop it from the IPVS service. Files: $out/members.*.

# Generous timings: three .NET processes share the emulated VM, where a heartbeat can be seconds late.
cat > /tmp/members.conf <<'CONF'
actorvip.lease { lease-time = 10s, renew-interval = 2s, margin = 2s }
actorvip.lb.health { interval = 1s, timeout = 800ms, rise = 1, fall = 2 }
akka.cluster { seed-node-timeout = 10s, failure-detector { heartbeat-interval = 1s, acceptable-heartbeat-pause = 20s } }
CONF
declare -A member
member_ip() { echo "198.51.100.2${1#n}"; }
for n in n1 n2 n3; do
    ip netns add $n
    ns $n ip link set lo up
    ip link add v$n type veth peer name eth0 netns $n
    ip link set v$n master back up
    ns $n ip addr add "$(member_ip $n)/24" dev eth0
    ns $n ip link set eth0 up
    serve $n $n 8080
done
t=$(now)
for n in n1 n2 n3; do
    ip netns exec $n "$dotnet" "$ACTORVIP" run --config /tmp/members.conf --interface eth0 --address 198.51.100.200 \
        --node-address "$(member_ip $n):4053" --seed 198.51.100.21:4053 --seed 198.51.100.22:4053 --seed 198.51.100.23:4053 \
        --nodes 3 --lb-port 80 --backend-port 8080 --fwdmethod masquerade > "$out/members.$n.log" 2>&1 &
    member[$n]=$!
done

# The owner: the node that holds the VIP with all three members in its service.
owner=
for _ in $(seq 600); do
    for n in n1 n2 n3; do
        if ns $n ip addr show dev eth0 | grep -q " 198.51.100.200/" && [ "$(ns $n ipvsadm -S -n | grep -c -- '-r 198.51.100.2[123]:8080 -m')" = 3 ]; then owner=$n; fi
    done
    [ -n "$owner" ] && break
    sleep 1
done
if [ -n "$owner" ]; then
    echo "$(ms_since "$t")" > "$out/members.start-ms"
    echo $owner > "$out/members.owner"
    sleep 2 # the NAT rule follows the service
    ns $owner ipvsadm -S -n > "$out/members.ipvsadm"
    requests "$out/members.requests" c1 http://198.51.100.200/ 9
    for n in n1 n2 n3; do [ $n != $owner ] && gone=$n && break; done
    echo $gone > "$out/members.stopped"
    kill -TERM ${member[$gone]}
    wait ${member[$gone]}
    echo $? > "$out/members.stopped-exit"
    t=$(now)
    for _ in $(seq 300); do ns $owner ipvsadm -S -n | grep -q -- "-r $(member_ip $gone):8080" || break; sleep 0.5; done
    echo "$(ms_since "$t")" > "$out/members.removed-ms"
    ns $owner ipvsadm -S -n > "$out/members.after-ipvsadm"
    # Its API server stand-in still runs: only the IPVS table keeps requests away from it.
    requests "$out/members.after-requests" c1 http://198.51.100.200/ 6
else
    echo "no member held 198.51.100.200 with three member backends within 600 s" > "$out/members.start-failed"
    for n in n1 n2 n3; do { echo "== $n"; ns $n ip addr show dev eth0; ns $n ipvsadm -S -n; } >> "$out/members.start-failed" 2>&1; done
fi
for n in n1 n2 n3; do kill -TERM ${member[$n]} 2>/dev/null; done
for n in n1 n2 n3; do wait ${member[$n]} 2>/dev/null; done

#!/usr/bin/env bash
# The idle cost of actorvip builds, side by side: for each build folder given (one that holds the `actorvip` apphost,
# e.g. src/Node/bin/Release/net10.0 or a copy of an older one), a 3-node cluster in network namespaces of its own
# (TEST-NET-1 addresses on a bridge; nothing routes out), all clusters running at the same time so that they share
# the machine's load. After a warm-up, for every node over a window: context switches of all its threads
# (voluntary + involuntary, /proc/PID/task/*/status: each is a wake-up or a preemption), CPU time (/proc/PID/stat),
# and its actorvip_actor_loop_* metrics. Removes everything it made, also on failure or Ctrl-C. As root.
#
#   tools/idle-wakeups.sh [--warmup SECONDS] [--window SECONDS] [--logs DIR] BUILD_DIR [BUILD_DIR...]
# --logs DIR keeps each node's output there (cCLUSTERnNODE.log).
set -euo pipefail
warmup=60
window=60
logs=""
builds=()
while (($#)); do
  case "$1" in
    --warmup) warmup=$2; shift 2 ;;
    --window) window=$2; shift 2 ;;
    --logs) logs=$2; shift 2 ;;
    *) builds+=("$(cd "$1" && pwd)"); shift ;;
  esac
done
((${#builds[@]})) || { echo "usage: $0 [--warmup S] [--window S] BUILD_DIR..." >&2; exit 2; }
for b in "${builds[@]}"; do [[ -x $b/actorvip ]] || { echo "idle-wakeups: $b/actorvip is not an executable" >&2; exit 2; }; done

prefix="avidle$$"
work=$(mktemp -d)
namespaces=()
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  sleep 2
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  for ns in "${namespaces[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
  if [[ -n $logs ]]; then mkdir -p "$logs" && cp "$work"/*.log "$logs"/; fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

# Cluster c: switch namespace ${prefix}c${c}sw with bridge br0, nodes ${prefix}c${c}n1..3 at 192.0.2.11-13 on eth0.
for c in "${!builds[@]}"; do
  sw="${prefix}c${c}sw"
  ip netns add "$sw"; namespaces+=("$sw")
  ip -n "$sw" link add br0 type bridge
  ip -n "$sw" link set br0 up
  for i in 1 2 3; do
    ns="${prefix}c${c}n${i}"
    ip netns add "$ns"; namespaces+=("$ns")
    ip link add "p${c}n${i}" netns "$sw" type veth peer name eth0 netns "$ns"
    ip -n "$sw" link set "p${c}n${i}" master br0 up
    ip -n "$ns" link set lo up
    ip -n "$ns" addr add "192.0.2.1${i}/24" dev eth0
    ip -n "$ns" link set eth0 up
  done
done
for c in "${!builds[@]}"; do
  for i in 1 2 3; do
    ns="${prefix}c${c}n${i}"
    ip netns exec "$ns" "${builds[$c]}/actorvip" run --interface eth0 --address 192.0.2.100 --node-address "192.0.2.1${i}:4053" \
      --seed 192.0.2.11:4053 --seed 192.0.2.12:4053 --seed 192.0.2.13:4053 --nodes 3 >"$work/c${c}n${i}.log" 2>&1 &
    pids+=("$!")
  done
done
echo "idle-wakeups: ${#builds[@]} clusters started; warming up ${warmup} s, then measuring ${window} s"
sleep "$warmup"

switches() { # total context switches of every thread of a process
  cat /proc/"$1"/task/*/status 2>/dev/null | awk '/^(non)?voluntary_ctxt_switches/ {s += $2} END {print s + 0}'
}
loopswitches() { # context switches of the actor loop's own thread: the first one named actor-loop (a thread started
  # from the loop without a name of its own inherits it)
  local tid
  for tid in $(ls /proc/"$1"/task | sort -n); do
    if [[ $(cat /proc/"$1"/task/"$tid"/comm 2>/dev/null) == actor-loop ]]; then
      awk '/^(non)?voluntary_ctxt_switches/ {s += $2} END {print s + 0}' /proc/"$1"/task/"$tid"/status
      return
    fi
  done
  echo 0
}
cputicks() { awk '{print $14 + $15}' /proc/"$1"/stat; }
declare -A s0 l0 t0
for pid in "${pids[@]}"; do s0[$pid]=$(switches "$pid"); l0[$pid]=$(loopswitches "$pid"); t0[$pid]=$(cputicks "$pid"); done
sleep "$window"
hz=$(getconf CLK_TCK)
printf '%-40s %-5s %-6s %12s %8s %8s %8s %12s\n' build node owner "switches/s" "loop/s" "cpu %" stalls "longest ms"
n=0
for c in "${!builds[@]}"; do
  for i in 1 2 3; do
    pid=${pids[$n]}; n=$((n + 1))
    ns="${prefix}c${c}n${i}"
    s1=$(switches "$pid"); l1=$(loopswitches "$pid"); t1=$(cputicks "$pid")
    metrics=$(ip netns exec "$ns" curl -s -m 5 http://127.0.0.1:2112/metrics || true)
    owner=$(awk '/^actorvip_vip_owned\{/ {print ($2 == 1 ? "yes" : "no")}' <<<"$metrics")
    stalls=$(awk '/^actorvip_actor_loop_stalls_total / {print $2}' <<<"$metrics")
    longest=$(awk '/^actorvip_actor_loop_longest_lateness_seconds / {printf "%.1f", $2 * 1000}' <<<"$metrics")
    printf '%-40s n%-4s %-6s %12.1f %8.1f %8.2f %8s %12s\n' "${builds[$c]}" "$i" "${owner:-?}" \
      "$(echo "($s1 - ${s0[$pid]}) / $window" | bc -l)" "$(echo "($l1 - ${l0[$pid]}) / $window" | bc -l)" \
      "$(echo "($t1 - ${t0[$pid]}) * 100 / $hz / $window" | bc -l)" "${stalls:--}" "${longest:--}"
  done
done
grep -h "actor loop stalled" "$work"/*.log | head -20 || true

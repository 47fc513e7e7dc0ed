#!/usr/bin/env bash
# Measures a big lab: time to come up, memory, every host logging in over SSH with sudo, and that
# down leaves nothing behind. Usage: test/lab/measure.sh [HOSTS] (default 200). Run as root.
set -euo pipefail
cd "$(dirname "$0")/../.."
hosts=${1:-200}

elapsed() { awk -v a="$start" -v b="$end" 'BEGIN {printf "%.1f", b - a}'; }
used_mib() { free -m | awk '/^Mem:/ {print $3}'; }

# Sum of a /proc/PID/status or smaps_rollup field (kB) over every process of the lab.
sum_field() {
  local file=$1 field=$2 pid total=0 value
  for pid in $(lab_pids); do
    value=$(awk -v f="$field:" '$1 == f {print $2}' "/proc/$pid/$file" 2>/dev/null || true)
    total=$((total + ${value:-0}))
  done
  echo $((total / 1024))
}

lab_pids() {
  for ns in $(ip netns list | awk '$1 ~ /^fl-/ {print $1}'); do ip netns pids "$ns"; done
  find /sys/fs/cgroup/pids/fleet-lab -name cgroup.procs -exec cat {} + 2>/dev/null || true
}

echo "before: $(used_mib) MiB used"
start=$(date +%s.%N)
npm run -s lab -- up "$hosts" >/dev/null
end=$(date +%s.%N)
echo "up $hosts: $(elapsed) s (npm and tsx start-up included)"
sleep 2
echo "after: $(used_mib) MiB used; lab processes: $(lab_pids | wc -l)," \
  "RSS sum $(sum_field status VmRSS) MiB, PSS sum $(sum_field smaps_rollup Pss) MiB"

key=/run/fleet-lab/id_ed25519 known=/run/fleet-lab/known_hosts
start=$(date +%s.%N)
addresses=$(node -e 'for (const h of require("/run/fleet-lab/lab.json").hosts) console.log(h.address)')
ok=$(echo "$addresses" | xargs -P 16 -I{} ssh -F none -i $key -o IdentitiesOnly=yes -o BatchMode=yes \
  -o UserKnownHostsFile=$known -o StrictHostKeyChecking=yes -o LogLevel=ERROR pi@{} \
  'sudo -n true && hostname' | wc -l)
end=$(date +%s.%N)
echo "ssh + sudo answered on $ok of $hosts hosts in $(elapsed) s"

recorded=$(grep -o '"pid":[0-9]*' /run/fleet-lab/state.jsonl | cut -d: -f2 | tr '\n' ' ')
start=$(date +%s.%N)
npm run -s lab -- down
end=$(date +%s.%N)
echo "down: $(elapsed) s; now $(used_mib) MiB used"
echo "left: namespaces [$(ip netns list | tr '\n' ' ')] links [$(ip -o link | grep -c 'fl-' || true)]" \
  "user pi [$(getent passwd pi || true)] /run/fleet-lab [$(ls -d /run/fleet-lab 2>/dev/null || true)]"
alive=0
for pid in $recorded; do [ -e "/proc/$pid" ] && alive=$((alive + 1)); done
echo "recorded processes: $(echo $recorded | wc -w), still running: $alive"

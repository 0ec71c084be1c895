# shellcheck shell=bash
# A private Docker engine for the compose test: its own bridge, data-root, exec-root, pidfile and
# socket under $STATE, so it cannot clash with another engine on the host, and no container
# packet is forwarded off the machine (--iptables=false --ip-forward=false, and the host's
# net.ipv4.ip_forward must be 0; checked, and verified below with a probe).

HG_BRIDGE=${HG_BRIDGE:-hgcompose0}
HG_BRIDGE_CIDR=${HG_BRIDGE_CIDR:-172.29.0.1/24}
HG_BRIDGE_IP=${HG_BRIDGE_CIDR%/*}
# Compose's own networks are carved from this pool (one /24 each).
HG_POOL=${HG_POOL:-172.29.128.0/17}
# A documentation address (RFC 5737 TEST-NET-3) that no route on this machine should carry a
# packet to. (TEST-NET-1's 192.0.2.1 can be a real gateway on some hosts, so it is not used.)
HG_PROBE_ADDR=${HG_PROBE_ADDR:-203.0.113.1}

engine_start() {
  if [ "$(cat /proc/sys/net/ipv4/ip_forward)" != 0 ]; then
    # With forwarding on, a container packet to any outside address would be routed out.
    echo "net.ipv4.ip_forward is 1 on this host: refusing to start an engine whose containers could reach outside" >&2
    return 1
  fi
  if ip link show "$HG_BRIDGE" >/dev/null 2>&1; then
    echo "bridge $HG_BRIDGE already exists (another compose test running?)" >&2
    return 1
  fi
  ip link add name "$HG_BRIDGE" type bridge
  ip addr add "$HG_BRIDGE_CIDR" dev "$HG_BRIDGE"
  ip link set "$HG_BRIDGE" up
  mkdir -p "$STATE/docker" "$STATE/exec"
  # --dns points containers at the bridge address, where nothing answers port 53: a lookup of an
  # outside name fails at once instead of being sent anywhere. Service names still resolve
  # through Docker's embedded DNS on compose networks.
  dockerd \
    --host "unix://$STATE/docker.sock" \
    --data-root "$STATE/docker" \
    --exec-root "$STATE/exec" \
    --pidfile "$STATE/dockerd.pid" \
    --bridge "$HG_BRIDGE" \
    --default-address-pool "base=$HG_POOL,size=24" \
    --iptables=false --ip-forward=false --ip-masq=false --ip6tables=false --ipv6=false \
    --dns "$HG_BRIDGE_IP" \
    --storage-driver overlay2 \
    --log-level warn \
    >"$STATE/dockerd.log" 2>&1 &
  echo $! >"$STATE/dockerd.launched"
  export DOCKER_HOST="unix://$STATE/docker.sock"
  local i
  for i in $(seq 1 120); do
    if docker version >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$(cat "$STATE/dockerd.launched")" 2>/dev/null; then
      echo "dockerd exited:" >&2
      tail -20 "$STATE/dockerd.log" >&2
      return 1
    fi
    sleep 0.5
  done
  echo "dockerd did not answer in 60 s" >&2
  tail -20 "$STATE/dockerd.log" >&2
  return 1
}

# Proves the isolation: a container on the default bridge and one on a compose-style network
# try a TCP connection to an outside address (2 s timeout); both must fail, and the bridge must
# still reach the host (the package caches).
engine_verify_isolation() {
  local image=$1 host_port=$2
  docker network create hg-isolation-probe >/dev/null
  local net rc out
  for net in bridge hg-isolation-probe; do
    set +e
    # (docker run warns "IPv4 forwarding is disabled. Networking will not work.": as intended.)
    out=$(docker run --rm --network "$net" "$image" node -e "
      const net = require('node:net');
      const s = net.connect({ host: '$HG_PROBE_ADDR', port: 80, timeout: 2000 });
      s.on('connect', () => { console.log('CONNECTED'); process.exit(0); });
      s.on('timeout', () => { console.log('timeout'); process.exit(3); });
      s.on('error', (e) => { console.log(e.code); process.exit(3); });" 2>&1 | grep -v 'IPv4 forwarding is disabled'; exit "${PIPESTATUS[0]}")
    rc=$?
    set -e
    if [ "$rc" != 3 ]; then
      echo "isolation FAILED on network $net: a container reached (or did not try) $HG_PROBE_ADDR: rc=$rc $out" >&2
      docker network rm hg-isolation-probe >/dev/null
      return 1
    fi
    echo "isolation: $net -> $HG_PROBE_ADDR:80 refused/timed out ($out)"
  done
  # The host side of the bridge answers (the npm cache listens there).
  docker run --rm --network hg-isolation-probe "$image" node -e "
    fetch('http://$HG_BRIDGE_IP:$host_port/-/ping').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1));" 2>/dev/null \
    || { echo "isolation probe: host cache at $HG_BRIDGE_IP:$host_port unreachable from a container" >&2; docker network rm hg-isolation-probe >/dev/null; return 1; }
  echo "isolation: containers reach the host caches on $HG_BRIDGE_IP"
  docker network rm hg-isolation-probe >/dev/null
}

# Stops everything the engine started, whatever state it is in. Safe to call twice.
engine_stop() {
  [ -n "${STATE:-}" ] || return 0
  if [ -S "$STATE/docker.sock" ] && docker version >/dev/null 2>&1; then
    local ids
    ids=$(docker ps -aq 2>/dev/null || true)
    # shellcheck disable=SC2086
    [ -z "$ids" ] || docker rm -f $ids >/dev/null 2>&1 || true
  fi
  local pid
  pid=$(cat "$STATE/dockerd.launched" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    local i
    for i in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  # dockerd's own containerd and any shim left behind: processes whose command line names this
  # run's private state directory (unique to this run), ended one by one.
  local p
  for p in $(pgrep -f -- "$STATE/" 2>/dev/null || true); do
    [ "$p" = "$$" ] && continue
    kill -TERM "$p" 2>/dev/null || true
  done
  sleep 1
  for p in $(pgrep -f -- "$STATE/" 2>/dev/null || true); do
    [ "$p" = "$$" ] && continue
    kill -KILL "$p" 2>/dev/null || true
  done
  # Mounts the engine may have left (overlay layers, netns, shm), deepest first.
  local m
  for m in $(awk -v s="$STATE/" 'index($2, s) == 1 { print $2 }' /proc/self/mounts | sort -r); do
    umount -l "$m" 2>/dev/null || true
  done
  if ip link show "$HG_BRIDGE" >/dev/null 2>&1; then ip link del "$HG_BRIDGE" 2>/dev/null || true; fi
  # Bridges of compose networks the engine created (br-<id>), if dockerd died before removing them.
  local b
  for b in $(ip -o link show type bridge 2>/dev/null | awk -F': ' '{print $2}' | grep '^br-' || true); do
    if ip -o addr show dev "$b" | grep -q "inet 172\.29\.\(1[2-9][0-9]\|2[0-5][0-9]\)\."; then ip link del "$b" 2>/dev/null || true; fi
  done
}

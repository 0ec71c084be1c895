# shellcheck shell=bash
# Package caches on the host, which reach the npm registry and Debian with the host's own
# clients; containers reach them over plain http on the bridge address and nothing else.
#   npm:    verdaccio, installed from npm into $CACHE (kept between runs), storage in $CACHE
#   Debian: apt-cacher-ng (Debian's package), cache in $CACHE
# Both stop with caches_stop.

# 5.x: verdaccio 6 needs Node 22, and the host's node may be older (Debian 12's CI here: 20).
VERDACCIO_VERSION=${VERDACCIO_VERSION:-5.33.0}

# A free TCP port on the bridge address: the first of [from, to) that binds. apt-cacher-ng 3.7
# fails to bind ports above 32767 ("Error resolving address for binding"), so its range is low.
free_port() { # from to
  node -e "
    const net = require('net');
    const [from, to] = [Number(process.argv[1]), Number(process.argv[2])];
    const tryPort = (p) => {
      if (p >= to) { console.error('no free port in ' + from + '-' + to); process.exit(1); }
      const s = net.createServer().once('error', () => tryPort(p + 1)).listen(p, '$HG_BRIDGE_IP', () => { console.log(p); s.close(); });
    };
    tryPort(from);" "$1" "$2"
}

wait_http() { # url seconds pidfile
  local i
  for i in $(seq 1 "$2"); do
    if node -e "fetch('$1').then(r=>process.exit(r.status<500?0:1),()=>process.exit(1))" 2>/dev/null; then return 0; fi
    if ! kill -0 "$(cat "$3")" 2>/dev/null; then echo "the server for $1 exited" >&2; return 1; fi
    sleep 1
  done
  echo "no answer from $1 in $2 s" >&2
  return 1
}

apt_cache_start() {
  APT_CACHE_PORT=$(free_port 3142 3300)
  mkdir -p "$CACHE/apt-cacher-ng" "$STATE/acng/log" "$STATE/acng/conf"
  cp -r /etc/apt-cacher-ng/. "$STATE/acng/conf/"
  # The archive's backend: the packaged default (empty file) means ftp.debian.org; this machine
  # reaches deb.debian.org, as its own apt sources say.
  echo "http://deb.debian.org/debian/" >"$STATE/acng/conf/backends_debian"
  # Only Debian's archive is passed through (the Remap-* rules of the packaged config).
  apt-cacher-ng -c "$STATE/acng/conf" \
    ForeGround=1 \
    "CacheDir=$CACHE/apt-cacher-ng" \
    "LogDir=$STATE/acng/log" \
    "PidFile=$STATE/acng/pid" \
    "SocketPath=$STATE/acng/socket" \
    "Port=$APT_CACHE_PORT" \
    "BindAddress=$HG_BRIDGE_IP" \
    ExThreshold=0 \
    >"$STATE/acng/stdout.log" 2>&1 &
  echo $! >"$STATE/acng/launched"
  wait_http "http://$HG_BRIDGE_IP:$APT_CACHE_PORT/acng-report.html" 30 "$STATE/acng/launched" \
    || { tail -5 "$STATE/acng/stdout.log" >&2; return 1; }
  # What the images (and debootstrap, on the host) see: the archive through the cache, as an
  # ordinary mirror URL.
  APT_MIRROR="http://$HG_BRIDGE_IP:$APT_CACHE_PORT/deb.debian.org/debian"
  APT_MIRROR_HOST=$APT_MIRROR
  echo "apt cache: apt-cacher-ng on $HG_BRIDGE_IP:$APT_CACHE_PORT (cache $CACHE/apt-cacher-ng)"
}

npm_cache_start() {
  NPM_CACHE_PORT=$(free_port 4873 5100)
  local prefix="$CACHE/verdaccio-$VERDACCIO_VERSION"
  if [ ! -x "$prefix/node_modules/.bin/verdaccio" ]; then
    echo "installing verdaccio@$VERDACCIO_VERSION into $prefix (once)"
    rm -rf "$prefix.partial"
    mkdir -p "$prefix.partial"
    (cd "$prefix.partial" && npm install --no-audit --no-fund --no-save --loglevel=error "verdaccio@$VERDACCIO_VERSION" >/dev/null)
    rm -rf "$prefix"
    mv "$prefix.partial" "$prefix"
  fi
  mkdir -p "$CACHE/verdaccio-storage" "$STATE/verdaccio"
  cat >"$STATE/verdaccio/config.yaml" <<YAML
storage: $CACHE/verdaccio-storage
listen:
  - $HG_BRIDGE_IP:$NPM_CACHE_PORT
web:
  enable: false
uplinks:
  npmjs:
    url: https://registry.npmjs.org/
    timeout: 60s
    maxage: 30d
    cache: true
packages:
  '@*/*':
    access: \$all
    proxy: npmjs
  '**':
    access: \$all
    proxy: npmjs
server:
  keepAliveTimeout: 60
log: { type: file, path: $STATE/verdaccio/verdaccio.log, level: warn }
YAML
  "$prefix/node_modules/.bin/verdaccio" --config "$STATE/verdaccio/config.yaml" >"$STATE/verdaccio/stdout.log" 2>&1 &
  echo $! >"$STATE/verdaccio/launched"
  wait_http "http://$HG_BRIDGE_IP:$NPM_CACHE_PORT/-/ping" 60 "$STATE/verdaccio/launched" \
    || { tail -5 "$STATE/verdaccio/stdout.log" >&2; return 1; }
  NPM_REGISTRY="http://$HG_BRIDGE_IP:$NPM_CACHE_PORT/"
  echo "npm cache: verdaccio@$VERDACCIO_VERSION on $HG_BRIDGE_IP:$NPM_CACHE_PORT (storage $CACHE/verdaccio-storage)"
}

stop_launched() { # pidfile-of-launched-process
  local pid
  pid=$(cat "$1" 2>/dev/null || true)
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  local i
  for i in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.25; done
  kill -KILL "$pid" 2>/dev/null || true
}

caches_stop() {
  [ -n "${STATE:-}" ] || return 0
  stop_launched "$STATE/verdaccio/launched"
  stop_launched "$STATE/acng/launched"
}

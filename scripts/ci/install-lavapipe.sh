#!/usr/bin/env bash
# Software Vulkan for the WebGPU tests: Mesa >= 25 lavapipe from bookworm-backports, unpacked into
# a project folder (default .cache/lavapipe, git-ignored); the system's Vulkan drivers stay as they
# are. Debian 12's own Mesa 22.3 lavapipe is refused by Dawn (onnxruntime-node's WebGPU provider):
# "Vulkan shaderUniform*ArrayDynamicIndexing required", then "No supported adapters".
# Only runtime libraries that bookworm main carries (the Vulkan loader, LLVM 15, xcb/wayland) are
# installed with apt, when missing (needs root). A second run finds everything and takes < 1 s.
#
#   usage: eval "$(scripts/ci/install-lavapipe.sh [DIR])"
# Prints `export VK_DRIVER_FILES=<DIR>/lvp_icd.json ...`; the test suite also finds DIR/lvp_icd.json
# by itself (test/helpers/vulkan.ts), so a developer runs this once and then `npm test`.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-${HOURGLASS_LAVAPIPE_DIR:-$root/.cache/lavapipe}}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
lib="$dir/root/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so"
icd="$dir/lvp_icd.json"
say() { echo "install-lavapipe: $*" >&2; }

need=()
for p in libvulkan1 libllvm15 libxcb-dri3-0 libxcb-present0 libxcb-randr0 libxcb-shm0 libxcb-sync1 \
  libxcb-xfixes0 libx11-xcb1 libxshmfence1 libwayland-client0 libzstd1 libexpat1 zlib1g; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { say "missing ${need[*]}: run as root, or apt-get install them"; exit 1; }
  say "installing ${need[*]}"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi

if [ ! -f "$lib" ]; then
  # The same mirror the machine's apt sources use, with a private list and cache: the system's
  # apt state and its sources are not changed.
  mirror=$(grep -hoE '^(URIs:|deb) +[a-z]+://[^ ]+/debian/?( |$)' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null \
    | grep -oE '[a-z]+://[^ ]+' | head -1 || true)
  [ -n "$mirror" ] || { say "no Debian mirror in the apt sources"; exit 1; }
  mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/deb"
  echo "deb $mirror bookworm-backports main" > "$dir/sources.list"
  o=(-o "Dir::Etc::SourceList=$dir/sources.list" -o Dir::Etc::SourceParts=- -o "Dir::State::Lists=$dir/lists"
    -o "Dir::Cache=$dir/cache" -o Debug::NoLocking=1)
  say "downloading mesa-vulkan-drivers from $mirror bookworm-backports"
  apt-get "${o[@]}" update -qq >&2
  rm -f "$dir"/deb/*.deb
  (cd "$dir/deb" && apt-get "${o[@]}" download -qq mesa-vulkan-drivers/bookworm-backports >&2)
  rm -rf "$dir/root.tmp" && dpkg -x "$dir"/deb/mesa-vulkan-drivers_*.deb "$dir/root.tmp"
  rm -rf "$dir/root" && mv "$dir/root.tmp" "$dir/root"
  rm -rf "$dir/lists" "$dir/cache"
fi
version=$(ls "$dir"/deb/mesa-vulkan-drivers_*.deb 2>/dev/null | sed -E 's#.*/mesa-vulkan-drivers_([^_]+)_.*#\1#' | head -1)
major=${version%%.*}; major=${major##*:}
if [ -n "$major" ] && [ "$major" -lt 25 ] 2>/dev/null; then say "mesa $version is older than 25: Dawn refuses it"; exit 1; fi
# The driver file names the library by its absolute path: no LD_LIBRARY_PATH needed.
sed "s#\"libvulkan_lvp.so\"#\"$lib\"#" "$dir/root/usr/share/vulkan/icd.d/lvp_icd.json" > "$icd.tmp" && mv "$icd.tmp" "$icd"
say "lavapipe ${version:-?} ready: $icd"
echo "export VK_DRIVER_FILES=$icd XDG_RUNTIME_DIR=\${XDG_RUNTIME_DIR:-/tmp}"

#!/usr/bin/env bash
# Packs .gpu/ for a benchmark run on the lent GPU machine (recipe: ../shared/device/README.md),
# trimmed to fit the 64 MiB a run may carry: production node_modules without the test-only
# TF.js stack, only the nsfwjs models named in GPU_MODELS, the build output and the photos.
#   usage: npm run build && scripts/gpu/pack-bundle.sh
#   there: source scripts/gpu/gpu-env.sh; bash scripts/gpu/bench.sh   (carry [".gpu"])
set -euo pipefail
root=$(git rev-parse --show-toplevel); cd "$root"
grep -qx '/.gpu/' .git/info/exclude 2>/dev/null || echo '/.gpu/' >> .git/info/exclude
rm -rf .gpu && mkdir -p .gpu/deb /tmp/hg-amd64/partial

o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/hg-amd64'
apt-get $o update -qq >/dev/null 2>&1 || true
(cd .gpu/deb && apt-get $o download -qq libvulkan1 redis-tools libjemalloc2 liblzf1 2>/dev/null)
tar -C "$(dirname "$(command -v node)")" -cf - node | xz -T0 -6 > .gpu/node.tar.xz

keep_models=${GPU_MODELS:-mobilenet_v2 mobilenet_v2_mid}
list=$(mktemp)
npm ls --omit=dev --all --parseable 2>/dev/null | grep '/node_modules/' | sed "s#^$root/##" \
  | grep -v -E '^node_modules/(@tensorflow|typescript|core-js)(/|$)' > "$list" || true
git ls-files --others --ignored --exclude-standard --directory | grep -E '(^|/)dist/$' >> "$list" || true
[ -d .gpu-photos ] && echo .gpu-photos >> "$list"
excludes=(--exclude='*/win32/*' --exclude='*/darwin/*' --exclude='*/linux/arm64/*' --exclude='*/sharp-*darwin*'
  --exclude='*/sharp-*win32*' --exclude='*/sharp-*arm*' --exclude='*/sharp-*musl*' --exclude='*.map'
  --exclude='node_modules/nsfwjs/dist/browser')
for m in mobilenet_v2 mobilenet_v2_mid inception_v3; do
  case " $keep_models " in *" $m "*) ;; *) excludes+=(--exclude="node_modules/nsfwjs/dist/models/$m") ;; esac
done
tar -C "$root" -cf - "${excludes[@]}" -T "$list" 2>/dev/null | xz -T0 -6 > .gpu/bundle.tar.xz
rm -f "$list"
du -sh .gpu/*.tar.xz .gpu

#!/usr/bin/env bash
# The image size budget: each image given must be at most BUDGET MB (10^6 bytes, as `docker
# images` counts), and must not carry what a runtime image should not: other platforms'
# onnxruntime binaries, the TF.js stack, nsfwjs, typescript.
#   image-sizes.sh BUDGET_MB image... [-- image-with-nsfwjs...]
set -euo pipefail
budget=$1
shift
fail=0
check_contents=1
for image in "$@"; do
  if [ "$image" = -- ]; then check_contents=0; continue; fi
  bytes=$(docker image inspect -f '{{.Size}}' "$image")
  mb=$((bytes / 1000000))
  verdict=ok
  if [ "$check_contents" = 1 ] && [ "$mb" -gt "$budget" ]; then verdict="OVER BUDGET ($budget MB)"; fail=1; fi
  echo "image size: $image $mb MB ($verdict)"
  # What node_modules must not hold at run time (the models image needs nsfwjs, nothing else).
  found=$(docker run --rm --entrypoint sh "$image" 2>/dev/null -c '
    cd /app/node_modules 2>/dev/null || exit 0
    for p in @tensorflow typescript onnxruntime-node/bin/napi-v6/darwin onnxruntime-node/bin/napi-v6/win32; do
      [ -e "$p" ] && echo "$p"
    done
    [ '"$check_contents"' = 1 ] && [ -e nsfwjs ] && echo nsfwjs
    true')
  if [ -n "$found" ]; then echo "  $image carries: $found" >&2; fail=1; fi
done
exit "$fail"

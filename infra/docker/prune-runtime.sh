#!/bin/sh
# Removes from a runtime node_modules what npm installs but nothing here runs:
#  - onnxruntime-node's binaries for other platforms (darwin, win32, the other linux arch: 220 MB);
#  - typescript, which @bull-board/api lists as a dependency but never loads at run time.
# Run in /app after `npm ci --omit=dev`.
set -eu
arch=$(node -p process.arch)
for platform in node_modules/onnxruntime-node/bin/napi-v*/*; do
  case "$platform" in
    */linux)
      for sub in "$platform"/*; do
        case "$sub" in */linux/"$arch") ;; *) rm -rf "$sub" ;; esac
      done ;;
    *) rm -rf "$platform" ;;
  esac
done
ls -d node_modules/onnxruntime-node/bin/napi-v*/linux/"$arch" >/dev/null
rm -rf node_modules/typescript node_modules/.bin/tsc node_modules/.bin/tsserver

#!/usr/bin/env bash
# The GPU benchmark, run on the lent GPU machine in one call (recipe: ../shared/device/README.md):
#   here:  npm run build && scripts/gpu/pack-bundle.sh
#   there: source .gpu/gpu-env.sh; bash scripts/gpu/bench.sh        (results under $OUT)
# One GPU worker (WebGPU execution provider) against CPU workers sharing the machine's cores, for
# the fastest bundled model at 100 / 10,000 / 100,000 images and the next larger one at 100 / 10,000.
# GPU_BENCH_SMOKE=1 runs the same steps at tiny sizes (to check the script on a CPU-only machine).
set -u
out=${OUT:-/tmp/hg-gpu-out}
mkdir -p "$out"
export HOURGLASS_HOME=/tmp/hg-run MODELS_DIR=/tmp/hg-run/models DATA_ROOT=/tmp/hg-run/data
# sharp decodes on libuv's thread pool (4 threads by default): one per core keeps a GPU fed.
export UV_THREADPOOL_SIZE=${UV_THREADPOOL_SIZE:-$(nproc)}
mkdir -p "$MODELS_DIR" "$DATA_ROOT"

big=100,10000,100000; mid=100,10000; cpu_workers=4
[ "${GPU_BENCH_SMOKE:-0}" = 1 ] && big=20,60 && mid=20 && cpu_workers=2
{
  date -u; nproc; free -g | head -2
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv 2>&1 || echo 'no nvidia-smi'
  echo "node $(node --version)"
} > "$out/machine.txt"

# First: does a WebGPU session get an adapter, on the main thread and on a worker_thread? (The
# 2026-11-26 lease fell back to the CPU in every worker; see bench/gpu/README.md.) If only the main
# thread reaches the GPU, the GPU steps below run with INFERENCE_THREAD=main.
timeout 60 node scripts/gpu/probe-webgpu.mjs > "$out/probe.json" 2> "$out/probe.log"
echo "probe exit $?" >> "$out/steps.txt"
probe_field() { node -e 'try { const p = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); console.log(process.argv[2] === "gpu" ? String(p.mainThread.ok || p.workerThread.ok) : p.inferenceThread) } catch { console.log(process.argv[2] === "gpu" ? "false" : "worker") }' "$out/probe.json" "$1"; }
gpu_thread=$(probe_field thread)
gpu_ok=$(probe_field gpu)
echo "GPU reachable: $gpu_ok; GPU steps run with INFERENCE_THREAD=$gpu_thread" >> "$out/steps.txt"

node scripts/import-bundled.mjs mobilenet-v2 mobilenet-v2-mid > "$out/import.log" 2>&1
echo "import exit $?" >> "$out/steps.txt"

step() {
  local name=$1 limit=$2; shift 2
  local t0=$SECONDS thread=worker
  case "$name" in *webgpu*)
    thread=$gpu_thread
    # A WebGPU step without an adapter would only measure the CPU fallback again: save the lease.
    [ "$gpu_ok" = true ] || [ "${GPU_BENCH_FORCE:-0}" = 1 ] || { echo "$name skipped: no WebGPU adapter (probe.json)" >> "$out/steps.txt"; return; } ;;
  esac
  INFERENCE_THREAD=$thread timeout "$limit" node apps/cli/dist/main.js bench "$@" --photos .gpu-photos --out "$out/$name" > "$out/$name.log" 2>&1
  echo "$name exit $? in $((SECONDS - t0)) s" >> "$out/steps.txt"
}
step mnv2-webgpu 210 --model mobilenet-v2 --images "$big" --workers 1 --ep webgpu --batch 64
step mnv2-cpu 150 --model mobilenet-v2 --images "$mid" --workers "$cpu_workers" --ep cpu
step mid-webgpu 90 --model mobilenet-v2-mid --images "$mid" --workers 1 --ep webgpu --batch 64
step mid-cpu 90 --model mobilenet-v2-mid --images "$mid" --workers "$cpu_workers" --ep cpu
cat "$out/steps.txt"
# A device call brings back only a few files from $OUT: everything goes into one archive, next to
# the two files worth reading first.
tar -C "$out" -czf /tmp/hg-gpu-results.tar.gz .
find "$out" -mindepth 1 ! -name steps.txt ! -name probe.json -exec rm -rf {} +
mv /tmp/hg-gpu-results.tar.gz "$out/results.tar.gz"

#!/usr/bin/env bash
# The GPU benchmark: one prepared run on a lent GPU machine, everything under $OUT in one archive.
#   here:  npm ci && npm run build && scripts/gpu/pack-bundle.sh        (writes .gpu/, ~50 MiB)
#   there: source scripts/gpu/gpu-env.sh; bash scripts/gpu/bench.sh     (carry [".gpu"])
#   dry run on a CPU machine: eval "$(scripts/ci/install-lavapipe.sh)"; GPU_BENCH_SMOKE=1 bash scripts/gpu/bench.sh
# Steps (each with its own time limit, logged in steps.txt):
#   0. the Vulkan variant that gives a WebGPU adapter (scripts/gpu/gpu-env.sh, vulkan-variant.txt);
#   1. models: the bundled mobilenet-v2, its fp16 variant, and a ViT-shaped BYO registration
#      (scripts/gpu/make-vit.mjs);
#   2. the inference ceiling and option sweep in-process (infer-sweep.mjs: layout x batch 16..256,
#      gpu-buffer outputs, two sessions, two processes, the cpu provider on every core);
#   3. e2e drains of 10,000 and 100,000 images on ONE WebGPU worker at the sweep's best option, with
#      the naive projection (npm run bench), for both models;
#   4. the decode-only ceiling on the bench corpus (decode-ceiling.mjs, every core);
#   5. the CPU-provider fleet beside them: 4 workers x 4 threads (16 cores) at 10,000 images;
#   6. summary.md (summary.mjs) and results.tar.gz.
# A device command may run 10 minutes at most: on a GPU the whole run is expected near that, so it
# can be split in two calls (the second one skips the variant search with the winner's name):
#   GPU_BENCH_STEPS="sweep decode" ...; then HG_VULKAN_VARIANT=<winner> GPU_BENCH_STEPS="e2e cpu" HG_GPU_BATCH=B HG_GPU_LAYOUT=L ...
set -u
steps=" ${GPU_BENCH_STEPS:-sweep e2e decode cpu} "
want() { [[ "$steps" == *" $1 "* ]]; }
out=${OUT:-/tmp/hg-gpu-out}
mkdir -p "$out"
# shellcheck source=/dev/null
[ -n "${HG_VULKAN_VARIANT:-}" ] || source scripts/gpu/gpu-env.sh
export MODELS_DIR=/tmp/hg-run/models DATA_ROOT=/tmp/hg-run/data
mkdir -p "$MODELS_DIR" "$DATA_ROOT"
[ "${HOURGLASS_ORT_TELEMETRY:-off}" = on ] || export ORT_DISABLE_TELEMETRY=${ORT_DISABLE_TELEMETRY:-1} ORT_TELEMETRY_DISABLED=${ORT_TELEMETRY_DISABLED:-1}

# The GPU worker's settings, explicit (why: bench/gpu/README.md). sharp decodes on libuv's pool:
# one thread and one decode in flight per core keeps the GPU fed; the session stays on its own
# inference thread unless only the main thread reached the GPU; 16 images per job divides
# BullMQ's ~140 µs of Redis CPU per job by 16 (the queue's cost, not the GPU's).
cores=$(nproc)
export UV_THREADPOOL_SIZE=${UV_THREADPOOL_SIZE:-$cores}
gpu_env=(INFERENCE_THREAD="${HG_GPU_INFERENCE_THREAD:-worker}" PREPROCESS_CONCURRENCY="${PREPROCESS_CONCURRENCY:-$cores}")
chunk=16

e2e=10000,100000; cpu_images=10000; cpu_workers=4; batches=16,32,64,128,256; seconds=2; pair_delay=25; decode_images=20000; corpus_size=1000; naive_samples=50
limit_e2e=240; limit_sweep=180
if [ "${GPU_BENCH_SMOKE:-0}" = 1 ]; then
  # On a CPU machine (2 shared cores, lavapipe) a mobilenet-v2 batch takes seconds: just enough to
  # pass every step once.
  e2e=8,16; cpu_images=16; cpu_workers=2; batches=2; seconds=1; pair_delay=40; decode_images=100; corpus_size=30; limit_e2e=500; limit_sweep=500
  naive_samples=3
fi
{
  date -u; echo "cores $cores"; free -g | head -2
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv 2>&1 || echo 'no nvidia-smi'
  echo "node $(node --version) | vulkan variant ${HG_VULKAN_VARIANT:-?} (${HG_GPU_INFERENCE_THREAD:-?} thread) | VK_DRIVER_FILES=${VK_DRIVER_FILES:-}"
  echo "smoke ${GPU_BENCH_SMOKE:-0}: e2e $e2e, batches $batches, sweep ${seconds}s per row"
} > "$out/machine.txt"
gpu_ok=true
[ "${HG_VULKAN_VARIANT:-none}" = none ] && gpu_ok=false && echo "no Vulkan variant gave a WebGPU adapter: WebGPU steps skipped (vulkan-variant.txt)" >> "$out/steps.txt"

run_step() {
  local name=$1 limit=$2; shift 2
  local t0=$SECONDS
  timeout "$limit" "$@" > "$out/$name.log" 2>&1
  echo "$name exit $? in $((SECONDS - t0)) s" >> "$out/steps.txt"
}
run_step import 120 node scripts/import-bundled.mjs mobilenet-v2
run_step make-vit 120 node scripts/gpu/make-vit.mjs "$MODELS_DIR"
# The fp16 variant (float16 weights and compute, float32 edges): swept beside its fp32 original.
run_step make-fp16 120 node --input-type=module -e 'const { registerFloat16Variant } = await import("@hourglass/core/testing"); console.log(JSON.stringify(await registerFloat16Variant(process.env.MODELS_DIR, "mobilenet-v2")))'

best_of() { node -e 'const rows = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter((l) => l.startsWith("{")).map(JSON.parse); const b = rows.find((r) => r.best); console.log(b ? `${b.batch} ${b.layout}` : "")' "$1" 2>/dev/null; }
fp32_layout=
for model in mobilenet-v2 mobilenet-v2-fp16 vit-shaped; do
  $gpu_ok || [ "${GPU_BENCH_FORCE:-0}" = 1 ] || continue
  best_batch=${HG_GPU_BATCH:-}; best_layout=${HG_GPU_LAYOUT:-}
  if want sweep; then
    t0=$SECONDS
    # The fp16 variant is swept at the fp32 model's best layout only (time on the card is short).
    layouts=NCHW,NHWC; [ "$model" = mobilenet-v2-fp16 ] && [ -n "$fp32_layout" ] && layouts=$fp32_layout
    timeout "$limit_sweep" node scripts/gpu/infer-sweep.mjs --models-dir "$MODELS_DIR" --models "$model" --batches "$batches" --layouts "$layouts" --seconds "$seconds" --pair-delay "$pair_delay" > "$out/sweep-$model.jsonl" 2> "$out/sweep-$model.stderr.log"
    echo "sweep-$model exit $? in $((SECONDS - t0)) s" >> "$out/steps.txt"
    read -r best_batch best_layout <<< "$(best_of "$out/sweep-$model.jsonl")"
    echo "sweep-$model best: batch ${best_batch:-?} layout ${best_layout:-?}" >> "$out/steps.txt"
    [ "$model" = mobilenet-v2 ] && fp32_layout=$best_layout
  fi
  [ "$model" = mobilenet-v2-fp16 ] && continue   # swept only: its e2e would repeat the decode-bound fp32 one
  want e2e || continue
  run_step "$model-webgpu" "$limit_e2e" env "${gpu_env[@]}" WEBGPU_PREFERRED_LAYOUT="${best_layout:-}" VK_LOADER_DEBUG=error,warn \
    node apps/harness/dist/main.js bench --model "$model" --images "$e2e" --workers 1 --ep webgpu --batch "${best_batch:-64}" --chunk "$chunk" --chunk-at "${e2e##*,}" --corpus "$corpus_size" --naive-samples "$naive_samples" --inprocess-max "${e2e%%,*}" --photos .gpu-photos --out "$out/$model-webgpu"
done

corpus=$(ls -d "$DATA_ROOT"/bench-corpus/*/ 2>/dev/null | head -1)
if [ -z "$corpus" ] && want decode; then  # no e2e step ran: make the corpus with a tiny CPU bench
  run_step corpus 300 node apps/harness/dist/main.js bench --model mobilenet-v2 --images 20 --workers 1 --corpus "$corpus_size" --photos .gpu-photos --no-write
  corpus=$(ls -d "$DATA_ROOT"/bench-corpus/*/ 2>/dev/null | head -1)
fi
want decode && [ -n "$corpus" ] && { t0=$SECONDS; timeout 120 node scripts/gpu/decode-ceiling.mjs --corpus "$corpus" --images "$decode_images" > "$out/decode-ceiling.json" 2> "$out/decode-ceiling.log"; echo "decode-ceiling exit $? in $((SECONDS - t0)) s" >> "$out/steps.txt"; }

for model in mobilenet-v2 vit-shaped; do
  want cpu || continue
  run_step "$model-cpu" 240 env INTRA_OP_THREADS=$((cores / cpu_workers > 0 ? cores / cpu_workers : 1)) \
    node apps/harness/dist/main.js bench --model "$model" --images "$cpu_images" --workers "$cpu_workers" --ep cpu --chunk "$chunk" --chunk-at "$cpu_images" --inprocess-max "$((cpu_images / 5 > 0 ? cpu_images / 5 : 1))" --corpus "$corpus_size" --naive-samples "$naive_samples" --photos .gpu-photos --out "$out/$model-cpu"
done

node scripts/gpu/summary.mjs "$out" > "$out/summary.md" 2> "$out/summary.log"
cat "$out/steps.txt"
# A device call brings back only a few files from $OUT: everything goes into one archive, next to
# the files worth reading first.
tar -C "$out" -czf /tmp/hg-gpu-results.tar.gz .
find "$out" -mindepth 1 ! -name steps.txt ! -name summary.md ! -name vulkan-variant.txt -exec rm -rf {} +
mv /tmp/hg-gpu-results.tar.gz "$out/results.tar.gz"

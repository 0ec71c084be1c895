# The GPU machine's environment, sourced first in a device command, from the project root:
#   source scripts/gpu/gpu-env.sh; bash scripts/gpu/bench.sh
# 1. unpacks what scripts/gpu/pack-bundle.sh carried in .gpu/ (node, node_modules, build output,
#    the Vulkan loader and Redis .deb files; the bench spawns its own redis-server from PATH);
# 2. sets onnxruntime's telemetry opt-out (unless HOURGLASS_ORT_TELEMETRY=on);
# 3. finds a Vulkan setup on which a WebGPU session opens, trying the variants in order and logging
#    each attempt and the winner to $OUT/vulkan-variant.txt (loader logs: $OUT/vulkan/):
#      as-is      the driver file the NVIDIA container ships (GLX-based; refused vkCreateInstance
#                 on the 2026-11-26 H200 lease, bench/gpu/README.md)
#      egl        the same file pointing at libEGL_nvidia.so.0
#      no-egl-vendor  as-is, without __EGL_VENDOR_LIBRARY_FILENAMES
#      cuda-init  as-is after a CUDA start-up (creates /dev/nvidia-uvm*; cannot be undone: last)
#    HG_VULKAN_VARIANT=<name> applies one without trying; with no NVIDIA driver file and
#    VK_DRIVER_FILES already set (lavapipe, for a dry run) that file is the one variant, `preset`.
# Exports HG_VULKAN_VARIANT (the winner, or `none`) and HG_GPU_INFERENCE_THREAD (worker, or main
# when only the main thread reached the GPU).
hg_root=$(pwd)
hg_out=${OUT:-/tmp/hg-gpu-out}
mkdir -p "$hg_out/vulkan"
if [ -f .gpu/node.tar.xz ]; then
  mkdir -p /tmp/hg/bin
  tar -xJf .gpu/node.tar.xz -C /tmp/hg/bin && export PATH=/tmp/hg/bin:$PATH
  tar -xJf .gpu/bundle.tar.xz
  for f in .gpu/deb/*.deb; do [ -f "$f" ] && dpkg -x "$f" /; done
  ldconfig 2>/dev/null || true
  # Debian ships the server binary as redis-check-rdb; Redis picks its role from argv[0].
  command -v redis-server >/dev/null || { [ -x /usr/bin/redis-check-rdb ] && ln -sf /usr/bin/redis-check-rdb /tmp/hg/bin/redis-server; }
fi
export ONNXRUNTIME_NODE_INSTALL=skip
if [ "${HOURGLASS_ORT_TELEMETRY:-off}" != on ]; then
  export ORT_DISABLE_TELEMETRY=${ORT_DISABLE_TELEMETRY:-1} ORT_TELEMETRY_DISABLED=${ORT_TELEMETRY_DISABLED:-1}
fi
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}

hg_nvidia_icd=
for f in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json; do
  [ -f "$f" ] && hg_nvidia_icd=$f && break
done
hg_egl_vendor=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json

# Sets the environment of one variant (in this shell).
hg_vulkan_apply() {
  case "$1" in
    preset) ;;
    as-is | cuda-init)
      export VK_DRIVER_FILES=$hg_nvidia_icd
      [ -f "$hg_egl_vendor" ] && export __EGL_VENDOR_LIBRARY_FILENAMES=$hg_egl_vendor
      if [ "$1" = cuda-init ] && [ ! -e /dev/nvidia-uvm ]; then
        timeout 90 python3 -c 'import torch; torch.zeros(1, device="cuda"); print("cuda start-up ok:", torch.cuda.get_device_name())' >> "$hg_out/vulkan-variant.txt" 2>&1 \
          || echo "cuda start-up failed (no PyTorch with CUDA?)" >> "$hg_out/vulkan-variant.txt"
      fi ;;
    egl)
      sed 's/libGLX_nvidia\.so\.0/libEGL_nvidia.so.0/' "$hg_nvidia_icd" > /tmp/hg_nvidia_egl_icd.json
      export VK_DRIVER_FILES=/tmp/hg_nvidia_egl_icd.json
      [ -f "$hg_egl_vendor" ] && export __EGL_VENDOR_LIBRARY_FILENAMES=$hg_egl_vendor ;;
    no-egl-vendor)
      export VK_DRIVER_FILES=$hg_nvidia_icd
      unset __EGL_VENDOR_LIBRARY_FILENAMES ;;
    *) echo "unknown Vulkan variant $1" >> "$hg_out/vulkan-variant.txt"; return 1 ;;
  esac
}

# One WebGPU session on the main thread and one on an inference thread (scripts/gpu/probe-webgpu.mjs),
# with the loader's whole log kept. Prints worker, main or none.
hg_vulkan_probe() {
  VK_LOADER_DEBUG=error,warn,driver timeout 120 node scripts/gpu/probe-webgpu.mjs > "$hg_out/vulkan/probe-$1.json" 2> "$hg_out/vulkan/probe-$1.stderr.log"
  node -e 'try { const p = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); console.log(p.workerThread.ok ? "worker" : p.mainThread.ok ? "main" : "none") } catch { console.log("none") }' "$hg_out/vulkan/probe-$1.json"
}

{
  echo "== Vulkan variant search $(date -u +%FT%TZ) on $(hostname), NVIDIA driver file: ${hg_nvidia_icd:-none}"
  [ -n "$hg_nvidia_icd" ] && cat "$hg_nvidia_icd"
  ls -l /dev/nvidia* 2>&1 | head -20
} >> "$hg_out/vulkan-variant.txt"
if [ -n "${HG_VULKAN_VARIANT:-}" ]; then
  hg_variants=$HG_VULKAN_VARIANT
elif [ -z "$hg_nvidia_icd" ] && [ -n "${VK_DRIVER_FILES:-}" ]; then
  hg_variants=preset
else
  hg_variants="as-is egl no-egl-vendor cuda-init"
fi
HG_VULKAN_VARIANT=none; HG_GPU_INFERENCE_THREAD=worker
for hg_v in $hg_variants; do
  if [ "$hg_v" != preset ] && [ -z "$hg_nvidia_icd" ]; then echo "$hg_v: skipped, no NVIDIA driver file" >> "$hg_out/vulkan-variant.txt"; continue; fi
  hg_vulkan_apply "$hg_v" || continue
  hg_thread=$(hg_vulkan_probe "$hg_v")
  echo "$hg_v: VK_DRIVER_FILES=${VK_DRIVER_FILES:-} __EGL_VENDOR_LIBRARY_FILENAMES=${__EGL_VENDOR_LIBRARY_FILENAMES:-} -> WebGPU on: $hg_thread" >> "$hg_out/vulkan-variant.txt"
  if [ "$hg_thread" != none ]; then HG_VULKAN_VARIANT=$hg_v; HG_GPU_INFERENCE_THREAD=$hg_thread; break; fi
done
# With no winner the last variant tried stays applied: the runs then measure the cpu fallback.
echo "winner: $HG_VULKAN_VARIANT (inference thread: $HG_GPU_INFERENCE_THREAD)" >> "$hg_out/vulkan-variant.txt"
export HG_VULKAN_VARIANT HG_GPU_INFERENCE_THREAD
echo "node $(node --version 2>&1) | $(command -v redis-server || echo 'no redis-server') | vulkan variant $HG_VULKAN_VARIANT ($HG_GPU_INFERENCE_THREAD thread) | cores $(nproc)"
cd "$hg_root"

/**
 * A spawned worker with ORT_EP=webgpu on software Vulkan (lavapipe): it says webgpu in its ready
 * message, its "worker ready" log line and hourglass_worker_info, and classifies a real batch of
 * the bundled MobileNetV2 through the API and the queue with the labels a CPU worker gives. With
 * no usable Vulkan driver it falls back to cpu with the provider's own reason, and its whole stderr
 * (the Vulkan loader's account of the driver) is in a file. Fails without a Vulkan driver.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importBundledModels } from '@hourglass/core/importers';
import { spawnWorker, type SpawnedWorker } from '@hourglass/worker';
import { fileURLToPath } from 'node:url';
import { TEST_MODEL, fetchResults, startTestSystem, waitForBatch, type TestSystem } from '../../helpers/system.js';
import { vulkanEnv } from '../../helpers/vulkan.js';

const MODEL = 'mobilenet-v2';
const reference = (await import(fileURLToPath(new URL('../../../scripts/nsfwjs-reference.mjs', import.meta.url)))) as {
  generateImages(count: number): Promise<Array<{ name: string; bytes: Buffer }>>;
};
let system: TestSystem;
let images: Array<{ path: string }>;

interface Started {
  worker: SpawnedWorker;
  ready: Record<string, unknown>;
  logs: Array<Record<string, unknown>>;
}

async function start(env: NodeJS.ProcessEnv, stderrFile?: string, model = MODEL): Promise<Started> {
  const logs: Array<Record<string, unknown>> = [];
  const worker = spawnWorker({
    model,
    env: system.workerEnv({ LOG_LEVEL: 'info', INTRA_OP_THREADS: '2', WORKER_HTTP_PORT: '0', ...env }),
    onLog: (record) => logs.push(record),
    readyTimeoutMs: 180_000,
    ...(stderrFile ? { stderrFile } : {}),
  });
  system.workers.push(worker);
  return { worker, ready: await worker.ready, logs };
}

async function labelsOf(): Promise<Array<[number, string, number]>> {
  const response = await system.request('/v1/batches', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: MODEL, images }),
  });
  expect(response.status).toBe(202);
  const { id } = (await response.json()) as { id: string };
  const view = await waitForBatch(system, id, 240_000);
  expect(view.counts).toMatchObject({ completed: images.length, failed: 0 });
  return (await fetchResults(system, id)).map((r) => [r.index as number, r.label as string, r.confidence as number]);
}

beforeAll(async () => {
  system = await startTestSystem();
  await importBundledModels(system.modelsDir, { only: [MODEL] });
  await mkdir(path.join(system.dataRoot, 'gpu'), { recursive: true });
  // The parity test's generated JPEG/PNG images (blobs, gradients, shapes, noise, checkers; grey
  // and RGBA among them): MobileNetV2 labels them Drawing or Neutral.
  images = [];
  for (const image of await reference.generateImages(12)) {
    await writeFile(path.join(system.dataRoot, 'gpu', image.name), image.bytes);
    images.push({ path: `gpu/${image.name}` });
  }
}, 300_000);

afterAll(async () => {
  await system?.stop();
});

describe('a WebGPU worker on software Vulkan', () => {
  it('reports webgpu everywhere and labels a real batch as a CPU worker does', async () => {
    const cpu = await start({ ORT_EP: 'cpu' });
    expect(cpu.ready.ep).toBe('cpu');
    const cpuLabels = await labelsOf();
    await cpu.worker.stop();

    const gpu = await start({ ORT_EP: 'webgpu', INFERENCE_THREAD: 'worker', ...vulkanEnv() });
    expect(gpu.ready.ep).toBe('webgpu');
    // The ready message comes over IPC, the log line over the stdout pipe: either may arrive first.
    await expect.poll(() => gpu.logs.find((r) => r.msg === 'worker ready'), { timeout: 10_000 }).toMatchObject({ ep: 'webgpu', provider: 'webgpu' });
    expect(gpu.logs.filter((r) => Number(r.level) >= 40)).toEqual([]);
    const metrics = await (await fetch(`http://127.0.0.1:${String(gpu.ready.httpPort)}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`hourglass_worker_info\\{[^}]*ep="webgpu"[^}]*\\} 1`));

    const gpuLabels = await labelsOf();
    console.log(`webgpu worker labels: ${gpuLabels.map(([, l]) => l).join(', ')}`);
    expect(new Set(gpuLabels.map(([, l]) => l)).size).toBeGreaterThan(1);
    expect(gpuLabels.map(([i, label]) => [i, label])).toEqual(cpuLabels.map(([i, label]) => [i, label]));
    gpuLabels.forEach(([, , confidence], k) => expect(Math.abs(confidence - cpuLabels[k]![2])).toBeLessThan(1e-4));
    await gpu.worker.stop();
  }, 600_000);

  it('without a usable Vulkan driver it falls back to cpu with the reason, and keeps the loader log in a file', async () => {
    // A driver file whose library does not exist: the loader refuses it, as the GLX-based NVIDIA
    // driver refused vkCreateInstance on the first GPU lease.
    const driverFile = path.join(system.dataRoot, 'broken_icd.json');
    await writeFile(
      driverFile,
      JSON.stringify({ file_format_version: '1.0.0', ICD: { library_path: '/nonexistent/libvulkan_broken.so', api_version: '1.3.0' } }),
    );
    const stderrFile = path.join(system.dataRoot, 'logs', 'worker.stderr.log');
    const broken = await start({ ORT_EP: 'webgpu', VK_DRIVER_FILES: driverFile, VK_LOADER_DEBUG: 'error,warn,driver', XDG_RUNTIME_DIR: '/tmp' }, stderrFile);
    expect(broken.ready.ep).toBe('cpu');
    await expect.poll(() => broken.logs.some((r) => typeof r.reason === 'string'), { timeout: 10_000 }).toBe(true);
    const warning = broken.logs.find((r) => typeof r.reason === 'string');
    expect(warning?.msg).toBe('execution provider webgpu unavailable, running on cpu');
    expect(warning?.reason).toMatch(/^webgpu execution provider failed to start: .*Failed to get a WebGPU adapter: No supported adapters/);
    expect(warning?.vulkanDriverFiles).toBe(driverFile);
    expect(await labelsOf()).toHaveLength(images.length);
    await broken.worker.stop();
    const loaderLog = await readFile(stderrFile, 'utf8');
    expect(loaderLog).toContain(driverFile);
    expect(loaderLog).toMatch(/libvulkan_broken\.so/);
    expect(loaderLog.length).toBeGreaterThan(0);
  }, 600_000);

  it('a spawned worker starts with onnxruntime telemetry opted out, unless HOURGLASS_ORT_TELEMETRY=on', async () => {
    const environOf = async (w: SpawnedWorker): Promise<Record<string, string>> =>
      Object.fromEntries(
        (await readFile(`/proc/${w.child.pid}/environ`, 'utf8'))
          .split('\0')
          .filter(Boolean)
          .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
      );
    const off = await start({ ORT_EP: 'cpu' }, undefined, TEST_MODEL);
    expect(await environOf(off.worker)).toMatchObject({ ORT_DISABLE_TELEMETRY: '1', ORT_TELEMETRY_DISABLED: '1' });
    await off.worker.stop();
    const on = await start({ ORT_EP: 'cpu', HOURGLASS_ORT_TELEMETRY: 'on' }, undefined, TEST_MODEL);
    const env = await environOf(on.worker);
    expect(env.ORT_DISABLE_TELEMETRY).toBeUndefined();
    expect(env.ORT_TELEMETRY_DISABLED).toBeUndefined();
    await on.worker.stop();
  }, 300_000);
});

#!/usr/bin/env node
/**
 * First step of a GPU lease: can this process open a WebGPU session, and does it matter on which
 * thread? Opens the same small generated CNN with ORT_EP=webgpu through the worker's own engines —
 * on the main thread (INFERENCE_THREAD=main) and on an inference worker_thread (the default) —
 * runs one batch on each, and compares the outputs with the CPU provider's. Prints one JSON object;
 * exits 0 whatever it finds (a failure to get an adapter is a finding, not a crash).
 *
 *   node scripts/gpu/probe-webgpu.mjs [--ep webgpu]        (needs `npm run build`)
 *
 * Its verdict drives scripts/gpu/bench.sh: if only the main thread gets an adapter, the benchmark's
 * GPU steps run with INFERENCE_THREAD=main.
 */
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadModel, writeModel } from '@hourglass/core';
import { InferenceThread, InlineInference, buildColourNet } from '@hourglass/core/testing';

const epArg = process.argv.indexOf('--ep');
const ep = epArg >= 0 ? process.argv[epArg + 1] : 'webgpu';
const SIZE = 64;
const BATCH = 8;

function environment() {
  const icd = process.env.VK_DRIVER_FILES ?? process.env.VK_ICD_FILENAMES;
  const devices = (dir, pattern) => (existsSync(dir) ? readdirSync(dir).filter((f) => pattern.test(f)) : []);
  return {
    node: process.version,
    cores: os.availableParallelism(),
    vulkanIcd: icd ?? null,
    vulkanIcdExists: icd ? existsSync(icd) : false,
    nvidiaDevices: devices('/dev', /^nvidia/),
    driDevices: devices('/dev/dri', /./),
  };
}

function batchInput() {
  const input = new Float32Array(BATCH * 3 * SIZE * SIZE);
  for (let i = 0; i < input.length; i++) input[i] = ((i * 7919) % 1000) / 1000;
  return input;
}

/** Opens an engine, runs one batch; returns what happened and the outputs. */
async function probe(Engine, init) {
  const engine = new Engine(init);
  const t0 = performance.now();
  try {
    const info = await engine.start();
    const openMs = performance.now() - t0;
    const first = await engine.run(batchInput(), BATCH);
    const second = await engine.run(batchInput(), BATCH);
    return {
      result: {
        ok: info.ep === init.provider.ep,
        ep: info.ep,
        fallbackReason: info.fallbackReason ?? null,
        openMs: Math.round(openMs),
        firstRunMs: +first.ms.toFixed(2),
        runMs: +second.ms.toFixed(2),
      },
      output: second.outputs[init.outputNames[0]],
    };
  } catch (error) {
    return { result: { ok: false, error: error instanceof Error ? error.message : String(error) }, output: undefined };
  } finally {
    await engine.close().catch(() => undefined);
  }
}

const maxAbsDiff = (a, b) => (a && b ? Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]))) : null);

const dir = await mkdtemp(path.join(os.tmpdir(), 'hg-probe-'));
try {
  const { manifest, onnx } = buildColourNet({ name: 'probe', size: SIZE, channels: 16 });
  await writeModel(dir, manifest, onnx);
  const model = await loadModel(dir, 'probe');
  const base = { onnxPath: model.onnxPath, intraOpThreads: 1, inputName: manifest.input.name, itemDims: [3, SIZE, SIZE], outputNames: [manifest.output.name] };

  const cpu = await probe(InlineInference, { ...base, provider: { ep: 'cpu' } });
  const main = await probe(InlineInference, { ...base, provider: { ep } });
  const worker = await probe(InferenceThread, { ...base, provider: { ep } });
  main.result.maxAbsDiffVsCpu = maxAbsDiff(main.output, cpu.output);
  worker.result.maxAbsDiffVsCpu = maxAbsDiff(worker.output, cpu.output);
  // What bench.sh should use: the default unless only the main thread reaches the device.
  const inferenceThread = !worker.result.ok && main.result.ok ? 'main' : 'worker';
  console.log(
    JSON.stringify({ ep, environment: environment(), cpu: cpu.result, mainThread: main.result, workerThread: worker.result, inferenceThread }, null, 2),
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}

#!/usr/bin/env node
/**
 * The inference ceiling and the WebGPU option sweep, in-process, on ready-made input tensors (no
 * decoding): images per second of session.run for each model x provider option x batch size, and
 * each configuration's outputs against the CPU provider's (max |Δ| on the first images, which are
 * the same input at every batch size). Rows, one JSON object each, to stdout:
 *   - preferredLayout NCHW and NHWC at every batch size;
 *   - preferredOutputLocation 'gpu-buffer' (outputs stay on the GPU, downloaded with getData()) in a
 *     child process, because on lavapipe getData() aborted the process: an abort is a row too;
 *   - two sessions in one process, and two processes, at the best single-session configuration;
 *   - the CPU provider on every core, for scale.
 *
 *   node scripts/gpu/infer-sweep.mjs --models-dir DIR --models a,b [--batches 16,32,64,128,256]
 *       [--layouts NCHW,NHWC] [--seconds 5] [--ep webgpu]        (needs `npm run build`)
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { loadModel } from '@hourglass/core';

const self = fileURLToPath(import.meta.url);
const { values } = parseArgs({
  options: {
    'models-dir': { type: 'string' },
    models: { type: 'string' },
    batches: { type: 'string', default: '16,32,64,128,256' },
    layouts: { type: 'string', default: 'NCHW,NHWC' },
    seconds: { type: 'string', default: '5' },
    ep: { type: 'string', default: 'webgpu' },
    one: { type: 'string' },
    'start-at': { type: 'string' },
    'pair-delay': { type: 'string', default: '60' },
  },
});
const seconds = Number(values.seconds);
const REF_IMAGES = 2;

async function model(name) {
  const m = await loadModel(values['models-dir'], name);
  const { input } = m.manifest;
  return {
    name,
    onnxPath: m.onnxPath,
    inputName: input.name,
    outputName: m.manifest.output.name,
    itemDims: input.layout === 'NCHW' ? [3, input.height, input.width] : [input.height, input.width, 3],
  };
}

/** Item i of every batch is the same image, whatever the batch size. */
function batchInput(itemDims, batch) {
  const item = itemDims.reduce((a, b) => a * b, 1);
  const data = new Float32Array(batch * item);
  for (let i = 0; i < data.length; i++) data[i] = (((i % (item * REF_IMAGES)) * 7919) % 1000) / 500 - 1;
  return data;
}

function providers(cfg) {
  if (cfg.ep === 'cpu') return ['cpu'];
  return [{ name: cfg.ep, ...(cfg.layout ? { preferredLayout: cfg.layout } : {}) }];
}

/** Opens one session for `cfg`, runs it for `seconds` (at least 3 runs after 2 warm-up runs). */
async function measure(m, cfg, sessions = 1) {
  const opened = [];
  try {
    for (let s = 0; s < sessions; s++) {
      opened.push(
        await ort.InferenceSession.create(m.onnxPath, {
          executionProviders: providers(cfg),
          graphOptimizationLevel: 'all',
          executionMode: 'sequential',
          interOpNumThreads: 1,
          intraOpNumThreads: cfg.ep === 'cpu' ? os.availableParallelism() : 1,
          ...(cfg.outputLocation ? { preferredOutputLocation: cfg.outputLocation } : {}),
        }),
      );
    }
    const feeds = { [m.inputName]: new ort.Tensor('float32', batchInput(m.itemDims, cfg.batch), [cfg.batch, ...m.itemDims]) };
    const runOnce = async (session) => {
      const out = (await session.run(feeds))[m.outputName];
      const data = cfg.outputLocation === 'gpu-buffer' ? await out.getData(true) : out.data;
      return data;
    };
    let first;
    for (const session of opened) for (let w = 0; w < 2; w++) first = await runOnce(session);
    if (cfg.startAt) await new Promise((r) => setTimeout(r, Math.max(0, cfg.startAt - Date.now())));
    const runMs = [];
    const t0 = performance.now();
    let images = 0;
    await Promise.all(
      opened.map(async (session) => {
        for (let n = 0; performance.now() - t0 < seconds * 1000 || n < 3; n++) {
          const r0 = performance.now();
          await runOnce(session);
          runMs.push(performance.now() - r0);
          images += cfg.batch;
        }
      }),
    );
    const wallMs = performance.now() - t0;
    runMs.sort((a, b) => a - b);
    const classes = first.length / cfg.batch;
    return {
      ok: true,
      imagesPerSecond: +(images / (wallMs / 1000)).toFixed(1),
      runs: runMs.length,
      runMsMedian: +runMs[runMs.length >> 1].toFixed(2),
      head: Array.from(first.slice(0, REF_IMAGES * classes)),
    };
  } catch (error) {
    return { ok: false, error: String(error?.message ?? error).slice(0, 300) };
  } finally {
    for (const s of opened) await s.release().catch(() => undefined);
  }
}

/** Runs one configuration in a child process (its own device, or a crash it cannot spread). */
function inChild(m, cfg, timeoutMs, startAt) {
  return new Promise((resolve) => {
    const args = [
      self,
      '--models-dir',
      values['models-dir'],
      '--models',
      m.name,
      '--seconds',
      String(seconds),
      '--one',
      JSON.stringify(cfg),
      ...(startAt ? ['--start-at', String(startAt)] : []),
    ];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on(
      'data',
      (c) =>
        (stderr = (
          stderr +
          String(c)
            .split('\n')
            .filter((l) => !l.startsWith('Warning: max'))
            .join('\n')
        ).slice(-2000)),
    );
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.trim().split('\n').pop();
      try {
        resolve(JSON.parse(line));
      } catch {
        resolve({ ok: false, error: `child process ended (${signal ?? `exit ${code}`}) without a result: ${stderr.trim().split('\n').slice(-3).join(' | ')}` });
      }
    });
  });
}

const maxAbsDiff = (a, b) => (a && b ? a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0) : null);

if (values.one) {
  const cfg = JSON.parse(values.one);
  console.log(JSON.stringify(await measure(await model(values.models), { ...cfg, ...(values['start-at'] ? { startAt: Number(values['start-at']) } : {}) })));
  process.exit(0);
}

const batches = values.batches.split(',').map(Number);
const layouts = values.layouts.split(',');
for (const name of values.models.split(',')) {
  const m = await model(name);
  const reference = await measure(m, { ep: 'cpu', batch: REF_IMAGES });
  const emit = (cfg, r, extra = {}) => {
    const { head, ...rest } = r;
    console.log(JSON.stringify({ model: name, ...cfg, ...extra, ...rest, maxAbsDiffVsCpu: r.ok ? maxAbsDiff(head, reference.head) : null }));
    return r;
  };
  const cpuBatch = batches.includes(32) ? 32 : batches[0];
  emit({ ep: 'cpu', batch: cpuBatch, threads: os.availableParallelism() }, await measure(m, { ep: 'cpu', batch: cpuBatch }));
  let best;
  for (const layout of layouts) {
    for (const batch of batches) {
      const cfg = { ep: values.ep, layout, batch };
      const r = emit(cfg, await measure(m, cfg));
      if (r.ok && (!best || r.imagesPerSecond > best.r.imagesPerSecond)) best = { cfg, r };
    }
  }
  if (!best) continue;
  emit({ ...best.cfg, best: true }, best.r);
  emit({ ...best.cfg, outputLocation: 'gpu-buffer' }, await inChild(m, { ...best.cfg, outputLocation: 'gpu-buffer' }, (seconds + 120) * 1000));
  emit({ ...best.cfg, sessions: 2 }, await measure(m, best.cfg, 2));
  // Two processes, each one session, timed over the same window (both start together after warm-up).
  const startAt = Date.now() + Number(values['pair-delay']) * 1000;
  const pair = await Promise.all([inChild(m, best.cfg, (seconds + 180) * 1000, startAt), inChild(m, best.cfg, (seconds + 180) * 1000, startAt)]);
  const ok = pair.every((r) => r.ok);
  emit(
    { ...best.cfg, processes: 2 },
    ok
      ? {
          ok,
          imagesPerSecond: +(pair[0].imagesPerSecond + pair[1].imagesPerSecond).toFixed(1),
          perProcess: pair.map((r) => r.imagesPerSecond),
          head: pair[0].head,
        }
      : {
          ok,
          error: pair
            .map((r) => r.error)
            .filter(Boolean)
            .join('; '),
        },
  );
}

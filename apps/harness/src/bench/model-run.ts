/**
 * One model's part of a bench run: the naive baseline, then for each worker count the in-process
 * baseline and the drains through Redis/BullMQ, small sizes first.
 */
import os from 'node:os';
import { loadWorkerConfig, providerSpecOf, workerPipelineSettings } from '@hourglass/core';
import { curvesFromReport, formatCount, formatDuration, measureNaive, settingsRecord, type ConfigRecord, type ModelRecord } from '@hourglass/core/bench';
import { harnessEnv } from '../env.js';
import { drainRuns } from './drain-runs.js';
import { externalFleet, startLocalFleet, type Fleet } from './fleet.js';
import { measureInProcessRuns } from './in-process.js';
import { waitQuiet } from './metering.js';
import { storedReport } from './report.js';
import { resolveBenchModel } from './resolve-model.js';
import type { BenchRun } from './session.js';

export async function benchModel(bench: BenchRun, name: string): Promise<void> {
  const { session, corpus, report, checkpoint } = bench;
  const { options, env, redis, keys, redisUrl, prefix, dataRoot } = session;
  const say = (line?: string): void => session.say(line);
  const { model, modelsDir } = await resolveBenchModel(name, session.modelDirs);
  const { manifest } = model;
  say();
  say(`== ${name} v${manifest.version} (${manifest.input.width}x${manifest.input.height}, ${(model.onnxBytes / 2 ** 20).toFixed(1)} MiB, ${manifest.source.kind}) from ${modelsDir}`);
  const baseEnv: NodeJS.ProcessEnv = {
    ...env,
    REDIS_URL: redisUrl,
    HOURGLASS_PREFIX: prefix,
    DATA_ROOT: dataRoot,
    MODELS_DIR: modelsDir,
    ORT_EP: options.ep,
    LOG_LEVEL: harnessEnv(env).LOG_LEVEL,
    // Heartbeats carry the rate the auto chunk size is chosen from: fresh ones after the warm-up.
    HEARTBEAT_INTERVAL_MS: String(harnessEnv(env).HEARTBEAT_INTERVAL_MS),
    ...(options.batch ? { BATCH_SIZE: String(options.batch) } : {}),
  };
  const config = loadWorkerConfig(baseEnv);

  await waitQuiet(session);
  const naive = await measureNaive(model, { provider: providerSpecOf(config), inferenceThread: config.INFERENCE_THREAD, intraOpThreads: os.availableParallelism(), maxInputPixels: config.MAX_INPUT_PIXELS }, dataRoot, corpus.files, { samples: options.naiveSamples });
  say(`  naive     one image alone: median ${naive.medianMs.toFixed(2)} ms (decode ${naive.preprocessMedianMs.toFixed(2)} + run ${naive.runMedianMs.toFixed(2)}, ${naive.intraOpThreads} threads) → ${formatDuration(naive.medianMs * Math.max(...options.images))} projected for ${formatCount(Math.max(...options.images))}`);

  const stored = await storedReport(options.outDir, name, report.machine.cpuModel, report.machine.cores);
  const storedCurves = stored ? curvesFromReport(stored, name) : [];
  const record: ModelRecord = {
    model: name,
    version: manifest.version,
    input: `${manifest.input.width}x${manifest.input.height}`,
    onnxBytes: model.onnxBytes,
    source: manifest.source.kind,
    naive,
    configs: [],
  };
  report.models.push(record);

  // Sizes above the in-process cap are the long ones: they run last, after every worker count
  // has its small sizes measured, so a run cut short still has a complete small table.
  type Step = { images: number; chunkSize: number | 'auto' };
  const small: Step[] = options.images.filter((n) => n <= options.inProcessMax).map((images) => ({ images, chunkSize: 'auto' as const }));
  // K images per job vs one, measured with the first worker count (the per-job cost is per job, not per worker).
  const chunked: Step[] = options.chunk !== undefined ? [{ images: options.chunkAt, chunkSize: options.chunk }] : [];
  const large: Step[] = options.images.filter((n) => n > options.inProcessMax).map((images) => ({ images, chunkSize: 'auto' as const }));
  const workerCounts = options.external ? [0] : options.workers;
  const withFleet = async (w: number, use: (fleet: Fleet) => Promise<void>): Promise<void> => {
    const fleet = options.external ? await externalFleet(redis, keys, model, config) : await startLocalFleet({ model, workers: w, env: baseEnv, config, onWarning: (line) => say(`  worker: ${line}`), ...(options.outDir ? { stderrDir: options.outDir } : {}) });
    session.activeFleet = fleet;
    try {
      await use(fleet);
    } finally {
      session.activeFleet = undefined;
      await fleet.stop();
    }
  };

  const configs = new Map<number, ConfigRecord>();
  for (const w of workerCounts) {
    const planned: Fleet = options.external
      ? await externalFleet(redis, keys, model, config)
      : { workers: w, settings: workerPipelineSettings({ ...config, WORKERS_PER_HOST: w }, manifest), external: false, pids: () => [], stop: async () => undefined };
    // --bracket measures the ceiling around each drain instead (drain-runs.ts).
    const inProcess = options.bracket ? [] : await measureInProcessRuns(bench, model, planned);
    const cfg: ConfigRecord = { ...settingsRecord(planned.settings), workers: planned.workers, external: planned.external, inProcess, runs: [] };
    configs.set(w, cfg);
    record.configs.push(cfg);
    await checkpoint();
    const steps = w === workerCounts[0] ? [...small, ...chunked] : small;
    if (steps.length > 0) await withFleet(w, (fleet) => drainRuns(bench, model, fleet, naive, cfg, steps, storedCurves));
  }
  if (large.length === 0) return;
  for (const w of workerCounts) {
    await withFleet(w, (fleet) => drainRuns(bench, model, fleet, naive, configs.get(w)!, large, storedCurves));
  }
}

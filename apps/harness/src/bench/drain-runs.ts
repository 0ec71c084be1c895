/**
 * The measured drains: a batch through Redis/BullMQ to the fleet, per planned size, each printed
 * beside the drain time predicted for it (stored curves, this run's smaller drains, or the
 * in-process rate). With --bracket, each drain sits between two in-process runs at its N, and
 * its ceiling is their mean (bracketed-ceiling.ts says why).
 */
import { createClassifyQueue, createRedis, type RegisteredModel } from '@hourglass/core';
import {
  corpusItems,
  curvesFromReport,
  deriveRun,
  drainBatch,
  fitCurve,
  isDefaultSizeRun,
  formatCount,
  formatDuration,
  predictDrain,
  predictFromRate,
  bracketCeiling,
  CpuMeter,
  bracketSpread,
  type ConfigRecord,
  type DrainPrediction,
  type InProcessResult,
  type ModelRecord,
  type RunRecord,
} from '@hourglass/core/bench';
import type { Fleet } from './fleet.js';
import { warmUntilRated } from './warm-up.js';
import { InProcessCeiling } from './in-process.js';
import { cpuNote, waitQuiet } from './metering.js';
import type { BenchRun } from './session.js';
import { ProgressLine } from '@hourglass/cli';

const redisNote = (cost: RunRecord['redis']): string =>
  cost
    ? ` · redis ${cost.scriptCallsPerImage.toFixed(2)} calls, ${cost.cpuUsPerImage.toFixed(0)} µs cpu per image${cost.cpuUsPerImageAboveIdle === undefined ? '' : ` (${cost.cpuUsPerImageAboveIdle.toFixed(0)} above its idle ${(cost.idleCpuUsPerSecond! / 1000).toFixed(2)} ms/s${cost.idleSamplesCpuUsPerSecond ? `: ${cost.idleSamplesCpuUsPerSecond.map((v) => (v / 1000).toFixed(2)).join(' before, ')} after` : ''})`}`
    : '';
/** "evalsha 150 µs × 1.2, hmget 8 µs × 0.4": time inside Redis per image by command (see RedisCost.topCommands). */
const redisTopNote = (cost: RunRecord['redis']): string =>
  cost?.topCommands?.length ? `            redis time inside commands per image: ${cost.topCommands.map((c) => `${c.command} ${c.usPerImage.toFixed(1)} µs × ${c.callsPerImage}`).join(', ')}` : '';
/**
 * How long Redis's idle floor is sampled before a drain: 2 % of the drain predicted, 1-5 s. A slow
 * model's drain subtracts the floor over minutes, and a 1-s sample of it read 2.2 to 7.4 ms/s.
 */
const idleSampleMs = (predictedMs: number): number => Math.round(Math.min(5_000, Math.max(1_000, predictedMs * 0.02)));
const pct = (predicted: number, actual: number): string => `${predicted >= actual ? '+' : ''}${(((predicted - actual) / actual) * 100).toFixed(1)} %`;

export async function drainRuns(
  bench: BenchRun,
  model: RegisteredModel,
  fleet: Fleet,
  naive: ModelRecord['naive'],
  config: ConfigRecord,
  plan: ReadonlyArray<{ images: number; chunkSize: number | 'auto' }>,
  storedCurves: ReturnType<typeof curvesFromReport>,
): Promise<void> {
  const { session, corpus } = bench;
  const { out, redis, keys, redisUrl, prefix, batchIds } = session;
  const say = (line?: string): void => session.say(line);
  const name = model.manifest.name;
  const queueConnection = createRedis(redisUrl, 'worker');
  const queue = createClassifyQueue(name, queueConnection, prefix);
  const s = fleet.settings;
  const { inProcess } = config;
  const baselineFor = (n: number): InProcessResult | undefined => inProcess.find((r) => r.images === Math.min(n, session.options.inProcessMax)) ?? inProcess.at(-1);
  let ceiling: InProcessCeiling | undefined;
  try {
    // With --bracket the coordinator keeps its own classifiers open beside the (idle) fleet.
    if (session.options.bracket) ceiling = await InProcessCeiling.open(bench, model, fleet);
    // Warm-up, not recorded: every worker has its sessions warm, its BullMQ loop fetching and a
    // busy rate in its heartbeat, which sizes the first measured drain's jobs.
    const warm = await warmUntilRated({ redis, keys, queue, model, corpus, workers: fleet.workers, firstImages: Math.max(20, fleet.workers * s.concurrency * 2), onBatch: (id) => batchIds.push(id) });
    const warmRate = (baselineFor(warm.first.images) ?? ceiling!.warmUp).imagesPerSecond;
    const fixedGuess = Math.max(0, warm.first.wallMs - (warm.first.images / warmRate) * 1000);
    say(
      `  warm-up   ${fleet.workers} worker(s) ready (sessions × threads ${s.inferenceSessions} × ${s.intraOpThreads}, batch ${s.batchSize}); ${warm.images} images in ${warm.rounds} round(s), ${formatDuration(warm.wallMs)}; heartbeat rates ${warm.rates.map((r) => r.toFixed(1)).join(', ') || 'none yet'} img/s${warm.rates.length < fleet.workers ? ` (${fleet.workers - warm.rates.length} worker(s) without one: their jobs are sized from the assumed rate)` : ''}`,
    );

    for (const step of plan) {
      const before = ceiling ? await ceiling.measure(step.images, 'before') : undefined;
      if (before && !inProcess.some((r) => r.images === before.images)) inProcess.push(before);
      const own = config.runs.filter((r) => isDefaultSizeRun(r) && r.failures === 0);
      let prediction: DrainPrediction;
      if (storedCurves.some((c) => c.workers === fleet.workers)) prediction = predictDrain(storedCurves, step.images, fleet.workers);
      else if (own.length >= 2) {
        const fit = fitCurve(own.map((r) => ({ images: r.images, wallMs: r.wallMs })));
        prediction = { ms: fit.fixedMs + step.images * fit.msPerImage, imagesPerSecond: 1000 / fit.msPerImage, basis: `this run's ${own.length} smaller drains` };
      } else prediction = predictFromRate(step.images, baselineFor(step.images)!.imagesPerSecond, fixedGuess);

      const label = `  ${name} ${fleet.workers}w ${formatCount(step.images)}${step.chunkSize !== 'auto' ? ` (${step.chunkSize}/job)` : ''}`;
      const progress = new ProgressLine(label, step.images, out);
      await waitQuiet(session);
      const { cpu, ...drain } = await drainBatch({
        redis,
        keys,
        queue,
        model,
        items: corpusItems(corpus, step.images),
        chunkSize: step.chunkSize,
        keepKeys: true,
        measureRedis: true,
        redisIdleSampleMs: idleSampleMs(prediction.ms),
        cpuMeter: () => CpuMeter.start(() => session.ourPids()),
        onProgress: (done, failed) => progress.update(done, failed),
      });
      const redisCost = drain.redis;
      batchIds.push(drain.batchId);
      progress.finish();
      const bracketed = before ? bracketCeiling(before, await ceiling!.measure(step.images, 'after')) : undefined;
      const baseline = bracketed ?? baselineFor(step.images)!;
      const run: RunRecord = { ...deriveRun(drain, fleet.workers, baseline, naive, { ms: prediction.ms, from: prediction.basis }), cpu, ...(redisCost ? { redis: redisCost } : {}) };
      config.runs.push(run);
      say(
        `  ${step.chunkSize !== 'auto' ? `${step.chunkSize} img/job` : `${run.chunkSize}/job auto`}  ${formatCount(run.images)} images: ${formatDuration(run.wallMs)} (${run.imagesPerSecond.toFixed(1)} img/s) · in-process ${run.inProcess.imagesPerSecond.toFixed(1)} img/s · efficiency ${run.efficiency.toFixed(3)} · overhead ${run.overheadMsPerImage.toFixed(3)} ms/img · first result ${formatDuration(run.firstResultMs)} · naive ${formatDuration(run.naiveMs)} (${run.naiveRatio.toFixed(1)}x) · failures ${run.failures}${redisNote(run.redis)}${cpuNote(run.cpu)}`,
      );
      const topNote = redisTopNote(run.redis);
      if (topNote) say(topNote);
      if (bracketed) say(`            ceiling ${bracketed.imagesPerSecond.toFixed(1)} img/s, the mean of ${bracketed.bracket[0].imagesPerSecond.toFixed(1)} before and ${bracketed.bracket[1].imagesPerSecond.toFixed(1)} after (spread ${(bracketSpread(bracketed.bracket) * 100).toFixed(1)} %)`);
      say(`            predicted ${formatDuration(run.predictedMs)} vs actual ${formatDuration(run.wallMs)} (${pct(run.predictedMs, run.wallMs)}; ${prediction.basis})`);
      await bench.checkpoint();
    }
  } finally {
    await ceiling?.close();
    await queue.close();
    await queueConnection.quit().catch(() => queueConnection.disconnect());
  }
}

/**
 * The in-process baseline: the worker's own classifiers (as many as the fleet has workers, with
 * its settings) on the corpus, no queue. Measured once per worker count at each size up to
 * --inprocess-max, or, with --bracket, just before and just after every drain (drain-runs.ts).
 */
import type { ImageClassifier, RegisteredModel } from '@hourglass/core';
import { corpusItems, formatCount, formatDuration, openClassifiers, runInProcess, type InProcessResult, type PipelineSettings } from '@hourglass/core/bench';
import type { Fleet } from './fleet.js';
import { cpuNote, metered } from './metering.js';
import type { BenchRun } from './session.js';

/** Open classifiers, warmed, ready to measure the in-process rate at any N. */
export class InProcessCeiling {
  private constructor(
    private readonly bench: BenchRun,
    private readonly classifiers: ImageClassifier[],
    private readonly settings: PipelineSettings,
    private readonly workers: number,
    /** The unrecorded warm-up run: its rate is a rough one, for guesses made before any measured run. */
    readonly warmUp: InProcessResult,
  ) {}

  /** Opens `fleet.workers` classifiers and runs 2 × concurrency images through each to warm them (not recorded). */
  static async open(bench: BenchRun, model: RegisteredModel, fleet: Pick<Fleet, 'workers' | 'settings'>): Promise<InProcessCeiling> {
    const s = fleet.settings;
    const classifiers = await openClassifiers(model, s, fleet.workers);
    try {
      const warmUp = await runInProcess(classifiers, bench.session.dataRoot, corpusItems(bench.corpus, fleet.workers * s.concurrency * 2).map((i) => i.path), s.concurrency);
      return new InProcessCeiling(bench, classifiers, s, fleet.workers, warmUp);
    } catch (error) {
      await Promise.all(classifiers.map((c) => c.close()));
      throw error;
    }
  }

  /** One metered in-process run of the corpus's first `images` (capped at --inprocess-max), with its line printed. */
  async measure(images: number, label = 'in-proc'): Promise<InProcessResult> {
    const { session, corpus } = this.bench;
    const n = Math.min(images, session.options.inProcessMax);
    const s = this.settings;
    const r = await metered(session, () => runInProcess(this.classifiers, session.dataRoot, corpusItems(corpus, n).map((i) => i.path), s.concurrency));
    session.say(
      `  ${label.padEnd(9)} ${this.workers} x classifier (sessions × threads ${s.inferenceSessions} × ${s.intraOpThreads}, batch ${s.batchSize}, ${s.concurrency} in flight): ${formatCount(n)} images in ${formatDuration(r.wallMs)} = ${r.imagesPerSecond.toFixed(1)} img/s${cpuNote(r.cpu)}`,
    );
    return r;
  }

  async close(): Promise<void> {
    await Promise.all(this.classifiers.map((c) => c.close()));
  }
}

/** The per-worker-count baseline: one in-process run at each distinct N (capped at --inprocess-max). */
export async function measureInProcessRuns(bench: BenchRun, model: RegisteredModel, fleet: Fleet): Promise<InProcessResult[]> {
  const { options } = bench.session;
  const sizes = [...new Set(options.images.map((n) => Math.min(n, options.inProcessMax)))].sort((a, b) => a - b);
  const ceiling = await InProcessCeiling.open(bench, model, fleet);
  try {
    const results: InProcessResult[] = [];
    for (const n of sizes) results.push(await ceiling.measure(n));
    return results;
  } finally {
    await ceiling.close();
  }
}

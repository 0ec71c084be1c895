/**
 * The in-process baseline: the worker's own classifiers (as many as the fleet has workers, with
 * its settings) on the corpus, no queue, at each size up to --inprocess-max.
 */
import type { RegisteredModel } from '@hourglass/core';
import { corpusItems, formatCount, formatDuration, openClassifiers, runInProcess, type InProcessResult } from '@hourglass/core/bench';
import type { Fleet } from './fleet.js';
import { cpuNote, metered } from './metering.js';
import type { BenchRun } from './session.js';

export async function measureInProcessRuns(bench: BenchRun, model: RegisteredModel, fleet: Fleet): Promise<InProcessResult[]> {
  const { session, corpus } = bench;
  const { options, dataRoot } = session;
  const sizes = [...new Set(options.images.map((n) => Math.min(n, options.inProcessMax)))].sort((a, b) => a - b);
  const s = fleet.settings;
  const classifiers = await openClassifiers(model, s, fleet.workers);
  try {
    await runInProcess(classifiers, dataRoot, corpusItems(corpus, fleet.workers * s.concurrency * 2).map((i) => i.path), s.concurrency);
    const results: InProcessResult[] = [];
    for (const n of sizes) {
      const r = await metered(session, () => runInProcess(classifiers, dataRoot, corpusItems(corpus, n).map((i) => i.path), s.concurrency));
      session.say(`  in-proc   ${fleet.workers} x classifier (threads ${s.intraOpThreads}, batch ${s.batchSize}, ${s.concurrency} in flight): ${formatCount(n)} images in ${formatDuration(r.wallMs)} = ${r.imagesPerSecond.toFixed(1)} img/s${cpuNote(r.cpu)}`);
      results.push(r);
    }
    return results;
  } finally {
    await Promise.all(classifiers.map((c) => c.close()));
  }
}

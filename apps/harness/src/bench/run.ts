/**
 * `npm run bench -- --model NAME[,NAME] --images 100,10000,100000 --workers 1,2 [--batch B]
 * [--ep cpu|webgpu] [--external] [--chunk K] [--out DIR]`: the measurement hourglass exists for.
 *
 * For each model: the naive baseline (one image's latency × N); then for each worker count the
 * in-process baseline (the worker's own classifier, no queue) and real drains through Redis/BullMQ
 * with N worker processes, each run printed with its prediction beside it. Results go to
 * bench/results/<date>-<host>-<model>.{json,md,svg} and bench/RESULTS.md.
 *
 * This file is the run from start to end. Its parts: bench-options (options, defaults, paths),
 * bench-session (Redis, prefix, signals, cleanup), bench-corpus, bench-metering (CPU, quiet
 * waits), bench-model-run (one model) with bench-in-process and bench-drain-runs, bench-fleet
 * (the workers), bench-report (skeleton, stored report, output files). bench-command parses the
 * command lines.
 */
import { describeMachine, machineSummary, type BenchReport } from '@hourglass/core/bench';
import { prepareCorpus } from './corpus.js';
import { benchModel } from './model-run.js';
import type { BenchOptions } from './options.js';
import { newBenchReport, writeOutputs } from './report.js';
import { BenchSession, type BenchRun } from './session.js';

export { BENCH_DEFAULTS, type BenchOptions } from './options.js';
export { writeOutputs } from './report.js';
export { resolveBenchModel } from './resolve-model.js';

export async function runBench(options: BenchOptions, env: NodeJS.ProcessEnv = process.env): Promise<BenchReport> {
  const session = await BenchSession.open(options, env);
  const { redis, redisUrl, redisServer, prefix } = session;
  const say = (line?: string): void => session.say(line);
  const notes: string[] = [];

  try {
    say(`hourglass bench: redis ${redisUrl}${redisServer ? ' (spawned for this run)' : ''}, prefix ${prefix}`);
    const machine = await describeMachine(redis);
    say(`  machine   ${machineSummary(machine)}`);
    const corpus = await prepareCorpus(session, notes);
    session.stopOnSignals();

    const report = newBenchReport(options, machine, corpus, notes);
    const bench: BenchRun = {
      session,
      corpus,
      report,
      checkpoint: async () => {
        if (options.outDir) await writeOutputs(report, options.outDir, options.resultsMd);
      },
    };
    for (const name of options.models) await benchModel(bench, name);
    await bench.checkpoint();
    return report;
  } finally {
    await session.close();
  }
}

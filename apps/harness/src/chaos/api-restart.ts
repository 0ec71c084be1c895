/** The `api` scenario: close the API mid-batch and build a new one on the same Redis and port. */
import type { ChaosOptions } from './options.js';
import type { ScenarioReport } from './report.js';
import { deadlineFor, finish } from './scenario.js';
import { sleep, type BatchProgress, type ChaosSystem } from './system.js';

export async function apiScenario(system: ChaosSystem, options: ChaosOptions, paths: string[], expected: string[]): Promise<ScenarioReport> {
  const deadline = deadlineFor(options);
  await Promise.all(Array.from({ length: options.workers }, () => system.startWorker()));
  const t0 = Date.now();
  const id = await system.submit(paths);
  const before = await system.waitForDone(id, Math.floor(options.images * (0.2 + Math.random() * 0.3)), deadline);
  await system.restartApi();
  await sleep(500);
  const after = await system.progress(id);
  const report = await finish(system, 'api', id, expected, t0, deadline);
  const done = (v: BatchProgress | undefined): number => (v ? v.counts.completed + v.counts.failed : 0);
  report.api = { imagesFinishedWhileRestarting: done(after) - done(before), queryableAfter: after !== undefined };
  return report;
}

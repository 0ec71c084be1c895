/** The `sigterm` scenario: SIGTERM every worker mid-batch (drain within the grace period), then start new ones. */
import type { ChaosOptions } from './options.js';
import type { ScenarioReport } from './report.js';
import { deadlineFor, finish } from './scenario.js';
import type { ChaosSystem } from './system.js';

export async function sigtermScenario(system: ChaosSystem, options: ChaosOptions, paths: string[], expected: string[]): Promise<ScenarioReport> {
  const deadline = deadlineFor(options);
  await Promise.all(Array.from({ length: options.workers }, () => system.startWorker()));
  const t0 = Date.now();
  const id = await system.submit(paths);
  await system.waitForDone(id, Math.floor(options.images * (0.2 + Math.random() * 0.3)), deadline);
  const stopAt = Date.now();
  const exitCodes = await Promise.all(system.live().map((w) => w.stop('SIGTERM')));
  const drainMs = Date.now() - stopAt;
  const activeAfter = await system.queue().getActiveCount();
  await Promise.all(Array.from({ length: options.workers }, () => system.startWorker()));
  const report = await finish(system, 'sigterm', id, expected, t0, deadline);
  report.sigterm = { exitCodes, drainMs, activeAfter };
  return report;
}

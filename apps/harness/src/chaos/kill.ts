/** The `kill` scenario: SIGKILL a worker at K random moments, start a replacement each time. */
import type { Queue } from 'bullmq';
import type { ChaosOptions } from './options.js';
import type { ScenarioReport } from './report.js';
import { deadlineFor, finish } from './scenario.js';
import { sleep, type ChaosSystem } from './system.js';

/**
 * From a kill until every job that was active right after it (the dead worker's, whose locks are
 * expiring, and the survivors') has been completed by someone.
 */
async function trackRecovery(queue: Queue, killedAt: number, timeoutMs: number): Promise<{ jobs: number; ms: number }> {
  const ids = (await queue.getActive()).map((job) => job.id!);
  let pending = ids;
  while (pending.length > 0 && Date.now() - killedAt < timeoutMs) {
    const states = await Promise.all(pending.map((id) => queue.getJobState(id).catch(() => 'error')));
    pending = pending.filter((_, i) => !['completed', 'failed', 'unknown'].includes(states[i]!));
    if (pending.length > 0) await sleep(50);
  }
  return { jobs: ids.length, ms: pending.length === 0 ? Date.now() - killedAt : Number.NaN };
}

export async function killScenario(system: ChaosSystem, options: ChaosOptions, paths: string[], expected: string[]): Promise<ScenarioReport> {
  const deadline = deadlineFor(options);
  await Promise.all(Array.from({ length: options.workers }, () => system.startWorker()));
  const t0 = Date.now();
  const id = await system.submit(paths);
  // K random moments, one in each of K equal slices of the first 80 % of the batch.
  const slice = 0.75 / Math.max(1, options.kills);
  const moments = Array.from({ length: options.kills }, (_, k) => Math.floor(options.images * (0.05 + k * slice + Math.random() * slice)));
  const kills: Array<{ atDone: number; recovery: Promise<{ jobs: number; ms: number }> }> = [];
  for (const moment of moments) {
    const view = await system.waitForDone(id, moment, deadline);
    const live = system.live();
    const victim = live[Math.floor(Math.random() * live.length)];
    if (!victim) break;
    const at = Date.now();
    victim.child.kill('SIGKILL');
    await victim.exited;
    kills.push({ atDone: view ? view.counts.completed + view.counts.failed : 0, recovery: trackRecovery(system.queue(), at, deadline - at) });
    await system.startWorker();
  }
  const report = await finish(system, 'kill', id, expected, t0, deadline);
  report.kills = await Promise.all(kills.map(async (k) => ({ atDone: k.atDone, inFlightJobs: (await k.recovery).jobs, recoveryMs: (await k.recovery).ms })));
  return report;
}

/**
 * The Redis outage scenarios: `redis` stops Redis mid-batch with SIGTERM (it fsyncs its AOF on the
 * way down), `redis-crash` with SIGKILL (the last second of writes is lost and must be redone);
 * either way Redis restarts on the same port and folder and nobody restarts the API or workers.
 */
import type { ChaosOptions, ScenarioName } from './options.js';
import type { ScenarioReport } from './report.js';
import { deadlineFor, finish, type ScenarioRunner } from './scenario.js';
import { sleep, type BatchProgress, type ChaosSystem } from './system.js';

export const redisScenario = redisOutage('redis', 'SIGTERM');
export const redisCrashScenario = redisOutage('redis-crash', 'SIGKILL');

function redisOutage(name: ScenarioName, signal: NodeJS.Signals): ScenarioRunner {
  return (system, options, paths, expected) => runOutage(name, signal, system, options, paths, expected);
}

async function runOutage(
  name: ScenarioName,
  signal: NodeJS.Signals,
  system: ChaosSystem,
  options: ChaosOptions,
  paths: string[],
  expected: string[],
): Promise<ScenarioReport> {
  const deadline = deadlineFor(options);
  await Promise.all(Array.from({ length: options.workers }, () => system.startWorker()));
  const t0 = Date.now();
  const id = await system.submit(paths);
  const before = await system.waitForDone(id, Math.floor(options.images * (0.2 + Math.random() * 0.3)), deadline);
  const doneBefore = before ? before.counts.completed + before.counts.failed : 0;
  const downAt = Date.now();
  await system.stopRedis(signal);
  const whileDown = await system.batchStatus(id);
  await sleep(3_000);
  await system.startRedis();
  const upAt = Date.now();
  // The API answers again (its connection is back), then a new result is stored (the workers' are).
  let first: BatchProgress | undefined;
  while (!first && Date.now() < deadline) first = (await system.progress(id)) ?? (await sleep(25), undefined);
  const apiBackAfterMs = Date.now() - upAt;
  const firstDone = first ? first.counts.completed + first.counts.failed : doneBefore;
  await system.waitForDone(id, Math.min(options.images, firstDone + 1), deadline);
  const resumedAfterMs = Date.now() - upAt;
  const report = await finish(system, name, id, expected, t0, deadline);
  report.redis = {
    signal,
    atDone: doneBefore,
    downMs: upAt - downAt,
    apiBackAfterMs,
    resumedAfterMs,
    apiAnswered503WhileDown: whileDown === 503,
    workersAlive: system.workers.every((w) => w.child.exitCode === null),
  };
  return report;
}

/** What every chaos scenario shares: its signature, its deadline, and how it ends (wait, audit). */
import { auditBatch } from './audit.js';
import type { ChaosOptions, ScenarioName } from './options.js';
import type { ScenarioReport } from './report.js';
import type { ChaosSystem } from './system.js';

/** Runs one scenario on a fresh batch of `paths` (expected labels `expected`) and reports it. */
export type ScenarioRunner = (system: ChaosSystem, options: ChaosOptions, paths: string[], expected: string[]) => Promise<ScenarioReport>;

/** How long a scenario may take before it is reported incomplete. */
export function deadlineFor(options: ChaosOptions): number {
  return Date.now() + Math.max(180_000, options.images * 30 + options.kills * (options.lockMs + 2 * options.stalledMs + 10_000));
}

/** Waits for the batch to finish (or the deadline), then audits it. */
export async function finish(
  system: ChaosSystem,
  scenario: ScenarioName,
  id: string,
  expected: string[],
  t0: number,
  deadline: number,
): Promise<ScenarioReport> {
  const view = await system.waitForDone(id, expected.length, deadline);
  const done = view ? view.counts.completed + view.counts.failed : 0;
  const report: ScenarioReport = { scenario, audit: await auditBatch(system, id, expected), wallMs: Date.now() - t0 };
  if (done < expected.length) report.incomplete = `${done}/${expected.length} images finished when the deadline passed`;
  return report;
}

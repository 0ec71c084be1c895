/**
 * The chaos report: what each scenario measured, whether it passed, the totals, and the table and
 * verdict printed at the end.
 */
import type { Audit } from './audit.js';
import type { ChaosOptions, ScenarioName } from './options.js';
import { renderTable } from '@hourglass/cli';

export interface ScenarioReport {
  scenario: ScenarioName;
  audit: Audit;
  wallMs: number;
  /** Set when the batch did not finish within the scenario's deadline. */
  incomplete?: string;
  kills?: Array<{ atDone: number; inFlightJobs: number; recoveryMs: number }>;
  redis?: {
    signal: NodeJS.Signals;
    atDone: number;
    downMs: number;
    apiBackAfterMs: number;
    resumedAfterMs: number;
    apiAnswered503WhileDown: boolean;
    workersAlive: boolean;
  };
  api?: { imagesFinishedWhileRestarting: number; queryableAfter: boolean };
  sigterm?: { exitCodes: Array<number | string>; drainMs: number; activeAfter: number };
}

export interface ChaosReport {
  startedAt: string;
  host: { cpus: number; platform: string };
  options: Omit<ChaosOptions, 'out'>;
  scenarios: ScenarioReport[];
  totals: { images: number; lost: number; duplicates: number; failed: number; killsSurvived: number };
  pass: boolean;
}

export function passed(report: ScenarioReport): boolean {
  const a = report.audit;
  const extra =
    (report.sigterm ? report.sigterm.exitCodes.every((c) => c === 0) && report.sigterm.activeAfter === 0 : true) &&
    (report.redis ? report.redis.workersAlive : true) &&
    (report.kills ? report.kills.every((k) => Number.isFinite(k.recoveryMs)) : true);
  return !report.incomplete && a.lost === 0 && a.duplicates === 0 && a.failed === 0 && a.wrongLabels === 0 && a.rows === a.total && extra;
}

/** One line on what the scenario did to the system and how it came back. */
export function detail(report: ScenarioReport, options: ChaosOptions): string {
  const s = (ms: number): string => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : 'not recovered');
  if (report.kills)
    return `${report.kills.length} kills survived; recovery ${report.kills.map((k) => s(k.recoveryMs)).join(' / ')} (jobs in flight ${report.kills.map((k) => k.inFlightJobs).join('/')})`;
  if (report.redis) {
    const r = report.redis;
    return `${r.signal === 'SIGKILL' ? 'crashed (SIGKILL)' : 'stopped'} at ${r.atDone} done, down ${s(r.downMs)}; after restart API back in ${s(r.apiBackAfterMs)}, new results in ${s(r.resumedAfterMs)}; API 503 while down: ${r.apiAnswered503WhileDown ? 'yes' : 'no'}; workers alive: ${r.workersAlive ? 'yes' : 'no'}`;
  }
  if (report.api)
    return `+${report.api.imagesFinishedWhileRestarting} images while the API restarted; queryable after: ${report.api.queryableAfter ? 'yes' : 'no'}`;
  if (report.sigterm)
    return `exit codes ${report.sigterm.exitCodes.join(',')}; drained in ${s(report.sigterm.drainMs)} (grace ${s(options.graceMs)}); active after ${report.sigterm.activeAfter}`;
  return '';
}

/** Adds up the scenarios into report.totals and decides report.pass. */
export function tally(report: ChaosReport, options: ChaosOptions): void {
  for (const s of report.scenarios) {
    report.totals.images += s.audit.total;
    report.totals.lost += s.audit.lost;
    report.totals.duplicates += s.audit.duplicates;
    report.totals.failed += s.audit.failed;
    report.totals.killsSurvived += s.kills?.filter((k) => Number.isFinite(k.recoveryMs)).length ?? 0;
  }
  report.pass = report.scenarios.length === options.only.length && report.scenarios.every(passed);
}

/** The table of scenarios, the commonest worker warnings, and the PASS/FAIL line. */
export function printReport(report: ChaosReport, options: ChaosOptions, workerWarnings: ReadonlyMap<string, number>, out: (line?: string) => void): void {
  out();
  out(
    renderTable(
      ['scenario', 'images', 'results', 'lost', 'duplicates', 'failed', 'wall s', 'detail'],
      report.scenarios.map((s) => [
        s.scenario,
        s.audit.total,
        s.audit.rows,
        s.audit.lost,
        s.audit.duplicates,
        s.audit.failed,
        (s.wallMs / 1000).toFixed(1),
        detail(s, options),
      ]),
    ),
  );
  if (workerWarnings.size > 0) {
    out();
    out('worker warnings (expected during Redis outages and kills):');
    for (const [message, count] of [...workerWarnings].sort((a, b) => b[1] - a[1]).slice(0, 8)) out(`  ${count} × ${message}`);
  }
  out();
  out(
    `${report.pass ? 'PASS' : 'FAIL'}: ${report.totals.images} images, ${report.totals.lost} lost, ${report.totals.duplicates} duplicates, ${report.totals.failed} failed; ${report.totals.killsSurvived} worker kills survived`,
  );
}

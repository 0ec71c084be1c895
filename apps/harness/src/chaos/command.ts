/**
 * `npm run chaos -- --images 10000`: the fault tests of test/integration/reliability at a larger
 * size, against real processes, with a report. One private redis-server (appendonly yes,
 * appendfsync everysec), the API in this process, worker processes beside it, and one fresh batch
 * of N images per scenario:
 *
 *   kill     SIGKILL a worker at K random moments, start a replacement each time
 *   redis    stop Redis mid-batch (SIGTERM, AOF kept), restart it on the same port and folder
 *   redis-crash  the same with SIGKILL: the last second of writes (everysec) is lost and redone
 *   api      close the API mid-batch and build a new one on the same Redis and port
 *   sigterm  SIGTERM every worker mid-batch (drain within the grace period), then start new ones
 *
 * Each batch is then audited from its stored results: every index exactly once (lost = indices
 * without a row, duplicates = rows beyond one per index), failures, wrong labels. Exit code 0
 * only when nothing was lost, duplicated or failed.
 *
 * This file is the command line. The run is run.ts, the system under test system.ts,
 * one file per scenario (kill, redis-restart, api-restart, sigterm) on
 * scenario.ts, the audit audit.ts, the report and its table report.ts.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SCENARIOS, type ChaosOptions, type ScenarioName } from './options.js';
import { UsageError } from '@hourglass/cli';
import { harnessEnv } from '../env.js';
import { runChaos } from './run.js';

export type { Audit } from './audit.js';
export type { ChaosOptions } from './options.js';
export type { ChaosReport, ScenarioReport } from './report.js';
export { runChaos } from './run.js';

export const CHAOS_USAGE = `  chaos [--images N] [--workers W] [--kills K] [--lock-ms MS] [--stalled-ms MS]
        [--only kill,redis,redis-crash,api,sigterm] [--out report.json]      fault injection at scale, with a report
`;

function positive(name: string, value: string | undefined, fallback: number): number {
  const n = value === undefined ? fallback : Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a non-negative integer`);
  return n;
}

/** `hourglass chaos ...`: 0 when every scenario lost, duplicated and failed nothing; 1 otherwise; 2 usage. */
export async function chaosCommand(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      images: { type: 'string' },
      workers: { type: 'string' },
      kills: { type: 'string' },
      'lock-ms': { type: 'string' },
      'stalled-ms': { type: 'string' },
      'grace-ms': { type: 'string' },
      only: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`usage: hourglass chaos [options]
  --images N        images per scenario (default 10000)
  --workers W       worker processes (default 2)
  --kills K         SIGKILLs in the kill scenario (default 3)
  --lock-ms MS      worker LOCK_DURATION_MS (default: LOCK_DURATION_MS or the production default 15000)
  --stalled-ms MS   worker STALLED_INTERVAL_MS (default: STALLED_INTERVAL_MS or 5000)
  --grace-ms MS     worker SHUTDOWN_GRACE_MS (default 30000)
  --only LIST       scenarios to run, from ${SCENARIOS.join(',')} (default all)
  --out FILE        also write the report as JSON
`);
    return 0;
  }
  const only = (values.only ?? SCENARIOS.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = only.filter((s) => !(SCENARIOS as readonly string[]).includes(s));
  if (unknown.length > 0) {
    process.stderr.write(`unknown scenario(s): ${unknown.join(', ')}; choose from ${SCENARIOS.join(', ')}\n`);
    return 2;
  }
  let options: ChaosOptions;
  try {
    options = {
      images: Math.max(1, positive('images', values.images, 10_000)),
      workers: Math.max(1, positive('workers', values.workers, 2)),
      kills: positive('kills', values.kills, 3),
      lockMs: Math.max(1, positive('lock-ms', values['lock-ms'], harnessEnv(env).LOCK_DURATION_MS)),
      stalledMs: Math.max(1, positive('stalled-ms', values['stalled-ms'], harnessEnv(env).STALLED_INTERVAL_MS)),
      graceMs: positive('grace-ms', values['grace-ms'], 30_000),
      only: only as ScenarioName[],
      ...(values.out ? { out: path.resolve(values.out) } : {}),
    };
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 2;
  }
  const report = await runChaos(options);
  return report.pass ? 0 : 1;
}

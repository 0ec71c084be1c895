/**
 * runChaos: starts the system, gives it one fresh batch per chosen scenario (the workers are
 * stopped between scenarios), then prints and optionally writes the report.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { apiScenario } from './api-restart.js';
import { killScenario } from './kill.js';
import type { ChaosOptions, ScenarioName } from './options.js';
import { redisCrashScenario, redisScenario } from './redis-restart.js';
import { detail, passed, printReport, tally, type ChaosReport } from './report.js';
import type { ScenarioRunner } from './scenario.js';
import { sigtermScenario } from './sigterm.js';
import { ChaosSystem } from './system.js';

const RUNNERS: Record<ScenarioName, ScenarioRunner> = {
  kill: killScenario,
  redis: redisScenario,
  'redis-crash': redisCrashScenario,
  api: apiScenario,
  sigterm: sigtermScenario,
};

export async function runChaos(
  options: ChaosOptions,
  out: (line?: string) => void = (line = '') => void process.stdout.write(`${line}\n`),
): Promise<ChaosReport> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'hourglass-chaos-'));
  const system = new ChaosSystem(root, options);
  const { out: _file, ...shown } = options;
  const report: ChaosReport = {
    startedAt: new Date().toISOString(),
    host: { cpus: os.availableParallelism(), platform: `${os.platform()} ${os.arch()}` },
    options: shown,
    scenarios: [],
    totals: { images: 0, lost: 0, duplicates: 0, failed: 0, killsSurvived: 0 },
    pass: false,
  };
  out(
    `hourglass chaos: ${options.images} images per scenario, ${options.workers} workers, lock ${options.lockMs} ms, stalled check every ${options.stalledMs} ms, grace ${options.graceMs} ms`,
  );
  try {
    await system.start();
    out(`  redis ${system.redisServer.url} (appendonly yes, appendfsync everysec), api ${system.baseUrl}`);
    const { paths, expected } = await system.images(options.images);
    for (const name of options.only) {
      out(`  running ${name} ...`);
      const scenario = await RUNNERS[name](system, options, paths, expected);
      report.scenarios.push(scenario);
      out(`    ${passed(scenario) ? 'ok' : 'FAILED'}: ${detail(scenario, options)}${scenario.incomplete ? ` — ${scenario.incomplete}` : ''}`);
      await system.stopWorkers();
    }
  } finally {
    await system.stop();
    await rm(root, { recursive: true, force: true });
  }
  tally(report, options);
  printReport(report, options, system.workerWarnings, out);
  if (options.out) {
    await writeFile(options.out, `${JSON.stringify(report, null, 2)}\n`);
    out(`report written to ${options.out}`);
  }
  return report;
}

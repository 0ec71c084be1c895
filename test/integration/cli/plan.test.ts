/**
 * `hourglass plan` on a stored report: the prediction, then the planner's own leave-one-out error
 * over the report's runs; and `bench-render` writes the same backtest as the Markdown's "Planner
 * error" section. The built CLI runs as a child process on a report written to a temp folder.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { sampleReport } from '../../unit/bench/sample-report.js';

const ENV = { HOURGLASS_HOME: '/nonexistent-hourglass-home' };
let dir: string;
let reportFile: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'hourglass-plan-'));
  reportFile = path.join(dir, '2026-05-01-box-mobilenet-v2.json');
  await writeFile(reportFile, JSON.stringify(sampleReport()));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('hourglass plan', () => {
  it('prints its prediction and its own error on every stored run it could have predicted', async () => {
    const run = await runCli(['plan', '--model', 'mobilenet-v2', '--images', '1000', '--workers', '2', '--from', reportFile], ENV);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/1,000 images on 2 worker\(s\): predicted .* measured curve for 2 worker\(s\)/);
    // Six default-size runs (the 16-per-job run is not one the planner predicts), each with two others at its worker count.
    expect(run.stdout).toMatch(
      /the planner's own error, each stored run predicted from the others \(leave-one-out\): 6 run\(s\) predicted leave-one-out, 0 not predictable; \|error\| median \d+\.\d %, max \d+\.\d %/,
    );
    expect(run.stdout).toMatch(/^ {2}Model +Workers +Images +Measured +Predicted +Error +Basis$/m);
    expect(run.stdout).toMatch(/^ {2}mobilenet-v2 +1 +100 +0\.80 s +\d+\.\d+ s +[+-]\d+\.\d % +measured curve for 1 worker\(s\)/m);
    expect(run.stdout.match(/^ {2}mobilenet-v2 +[12] +[\d,]+ +/gm)).toHaveLength(6);
  });

  it('states its basis for a worker count beyond the measured ones on a host whose cores are used', async () => {
    const run = await runCli(['plan', '--model', 'mobilenet-v2', '--images', '1000', '--workers', '4', '--from', reportFile], ENV);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/2\.0 hosts like this one × 2 worker\(s\) each \(as measured\); hosts assumed to add linearly/);
  });

  it('bench-render writes the same backtest as the "Planner error" section', async () => {
    const resultsMd = path.join(dir, 'RESULTS.md');
    const run = await runCli(['bench-render', reportFile, '--out', path.join(dir, 'out'), '--results-md', resultsMd], ENV);
    expect(run.code, run.stderr).toBe(0);
    for (const file of [resultsMd, path.join(dir, 'out', '2026-05-01-box-mobilenet-v2.md')]) {
      const text = await readFile(file, 'utf8');
      expect(text).toContain('## Planner error');
      expect(text).toMatch(/6 run\(s\) predicted leave-one-out, 0 not predictable/);
      expect(text).toContain('| Model | Workers | Images | Measured | Predicted | Error | Basis |');
    }
  });
});

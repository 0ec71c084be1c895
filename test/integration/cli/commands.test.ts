/** `hourglass watch`, `results` and `models list` as child processes against a real system. */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { solidImage } from '../../helpers/images.js';
import { closedPort, runCli } from '../../helpers/cli.js';
import { TEST_API_KEY, TEST_MODEL, startTestSystem, waitForBatch, type TestSystem } from '../../helpers/system.js';

describe('hourglass watch / results / models', () => {
  let system: TestSystem;
  let env: NodeJS.ProcessEnv;
  let tmp: string;
  let batchId: string;

  beforeAll(async () => {
    system = await startTestSystem();
    env = { HOURGLASS_URL: system.baseUrl, HOURGLASS_API_KEY: TEST_API_KEY };
    tmp = await mkdtemp(path.join(os.tmpdir(), 'hourglass-cli-'));
    await mkdir(path.join(system.dataRoot, 'w'), { recursive: true });
    const images = [];
    for (let i = 0; i < 6; i++) {
      await writeFile(
        path.join(system.dataRoot, `w/${i}.jpg`),
        await solidImage({ colour: (['red', 'green', 'blue'] as const)[i % 3]!, width: 64, height: 48, seed: i }),
      );
      images.push({ path: `w/${i}.jpg` });
    }
    // Submitted before any worker runs: watch sees it queued, then running, then completed.
    const response = await system.request('/v1/batches', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: TEST_MODEL, images }),
    });
    batchId = ((await response.json()) as { id: string }).id;
  });
  afterAll(async () => {
    await system?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('models list: a table with the model, not served before a worker starts', async () => {
    const run = await runCli(['models', 'list'], env);
    expect(run.code, run.stderr).toBe(0);
    const [header, , row] = run.stdout.split('\n');
    expect(header).toMatch(/^name +version +input +classes +params +file size +source +served +workers +img\/s$/);
    expect(row).toMatch(new RegExp(`^${TEST_MODEL} +1 +input 32x32 NCHW +3 +[\\d.]+k? +[\\d.]+ (B|KiB) +generated +no +0 +-$`));
  });

  it('watch follows a batch until it completes (the worker starts while it watches)', async () => {
    let showedQueued!: () => void;
    const queued = new Promise<void>((resolve) => (showedQueued = resolve));
    const watching = runCli(['watch', batchId, '--json'], env, { onStderr: (text) => text.includes('0/6') && showedQueued() });
    await queued;
    await system.startWorker();
    const run = await watching;
    expect(run.code, run.stderr).toBe(0);
    const view = JSON.parse(run.stdout);
    expect(view).toMatchObject({ id: batchId, status: 'completed', counts: { completed: 6, failed: 0 } });
    expect(run.stderr).toMatch(/6\/6/);
  });

  it('watch of a completed batch prints its summary at once', async () => {
    const run = await runCli(['watch', batchId], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`batch ${batchId} completed: 6 labelled, 0 failed of 6 in [\\d.]+ s \\([\\d.]+ images/s\\)`));
  });

  it('models list --json: the API answer, now with the live worker', async () => {
    const run = await runCli(['models', 'list', '--json'], env);
    expect(run.code).toBe(0);
    const body = JSON.parse(run.stdout);
    const model = body.models.find((m: { name: string }) => m.name === TEST_MODEL);
    expect(model.served).toBe(true);
    expect(model.workers).toHaveLength(1);
  });

  it('results: NDJSON by default, CSV with --format csv, to a file with --out', async () => {
    await waitForBatch(system, batchId);
    const ndjson = await runCli(['results', batchId], env);
    expect(ndjson.code).toBe(0);
    const rows = ndjson.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.map((r) => r.label)).toEqual(['red', 'green', 'blue', 'red', 'green', 'blue']);

    const csv = await runCli(['results', batchId, '--format', 'csv'], env);
    expect(csv.code).toBe(0);
    expect(csv.stdout.split('\n')[0]).toMatch(/^index,source,label/);
    expect(csv.stdout.trim().split('\n')).toHaveLength(7);

    const out = path.join(tmp, 'r.csv');
    const file = await runCli(['results', batchId, '--out', out], env);
    expect(file.code).toBe(0);
    expect(file.stdout).toBe('');
    expect((await readFile(out, 'utf8')).trim().split('\n')).toHaveLength(7);
  });

  it('exit codes: unknown batch 1, usage 2, unreachable 3', async () => {
    const missing = await runCli(['results', 'bnotabatch0000'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('BATCH_NOT_FOUND');
    expect((await runCli(['watch', 'bnotabatch0000'], env)).code).toBe(1);
    expect((await runCli(['results'], env)).code).toBe(2);
    expect((await runCli(['results', batchId, '--format', 'xml'], env)).code).toBe(2);
    expect((await runCli(['watch'], env)).code).toBe(2);
    expect((await runCli(['models'], env)).code).toBe(2);
    expect((await runCli(['models', 'frobnicate'], env)).code).toBe(2);
    expect((await runCli(['nonsense'], env)).code).toBe(2);
    const port = await closedPort();
    expect((await runCli(['models', 'list', '--url', `http://127.0.0.1:${port}`], env)).code).toBe(3);
    expect((await runCli(['watch', batchId, '--url', `http://127.0.0.1:${port}`], env)).code).toBe(3);
    expect((await runCli(['results', batchId], { HOURGLASS_URL: `http://127.0.0.1:${port}` })).code).toBe(3);
  });

  it('every command has --help (exit 0)', async () => {
    for (const args of [['watch', '--help'], ['results', '--help'], ['models', '--help'], ['models', 'list', '--help'], ['--help']]) {
      const run = await runCli(args);
      expect(run.code, args.join(' ')).toBe(0);
      expect(run.stdout).toMatch(/usage: hourglass/);
    }
  });
});

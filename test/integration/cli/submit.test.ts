/**
 * `hourglass submit` as a child process against a real system (API, worker process, Redis):
 * uploads a folder or references DATA_ROOT paths, shows progress, writes CSV/NDJSON, exit codes.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { solidImage, type ColourName } from '../../helpers/images.js';
import { closedPort, runCli } from '../../helpers/cli.js';
import { TEST_API_KEY, TEST_MODEL, startTestSystem, type TestSystem } from '../../helpers/system.js';

const colours: ColourName[] = ['red', 'green', 'blue'];

describe('hourglass submit', () => {
  let system: TestSystem;
  let local: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    system = await startTestSystem();
    await system.startWorker();
    env = { HOURGLASS_URL: system.baseUrl, HOURGLASS_API_KEY: TEST_API_KEY };
    // A folder on "the user's machine", outside DATA_ROOT, with a sub-folder and a non-image.
    local = await mkdtemp(path.join(os.tmpdir(), 'hourglass-cli-'));
    await mkdir(path.join(local, 'photos/more'), { recursive: true });
    for (let i = 0; i < 9; i++) {
      const colour = colours[i % 3]!;
      const file = path.join(local, i < 6 ? 'photos' : 'photos/more', `${i}-${colour}.${i % 4 === 3 ? 'png' : 'jpg'}`);
      await writeFile(file, await solidImage({ colour, width: 96, height: 72, seed: i, format: i % 4 === 3 ? 'png' : 'jpeg' }));
    }
    await writeFile(path.join(local, 'photos/notes.txt'), 'not an image');
  });
  afterAll(async () => {
    await system?.stop();
    if (local) await rm(local, { recursive: true, force: true });
  });

  it('uploads a folder, shows progress, writes CSV, exits 0', async () => {
    const out = path.join(local, 'results.csv');
    const run = await runCli(['submit', path.join(local, 'photos'), '--model', TEST_MODEL, '--out', out], env);
    expect(run.stderr).toContain('uploading 9 image(s)');
    // Progress line: done/total and images/s (non-TTY: a line per tenth).
    expect(run.stderr).toMatch(/\[#+\] 9\/9 +[\d.]+ img\/s/);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/9 labelled, 0 failed of 9/);
    const lines = (await readFile(out, 'utf8')).trim().split('\n');
    expect(lines[0]).toMatch(/^index,source,label,confidence/);
    expect(lines).toHaveLength(10);
    for (const line of lines.slice(1)) {
      const [, source, label] = line.split(',');
      // Sources are the uploaded file names (the server keeps the base name); labels are the colours.
      expect(source).toMatch(/^\d-(red|green|blue)\.(jpg|png)$/);
      expect(source).toContain(label!);
    }
  });

  it('--paths with --data-root references DATA_ROOT files, --json prints the batch, NDJSON out', async () => {
    await mkdir(path.join(system.dataRoot, 'shared'), { recursive: true });
    for (let i = 0; i < 4; i++)
      await writeFile(path.join(system.dataRoot, `shared/${i}.jpg`), await solidImage({ colour: colours[i % 3]!, width: 64, height: 48, seed: 50 + i }));
    const out = path.join(local, 'paths.ndjson');
    const run = await runCli(['submit', 'shared', '--paths', '--data-root', system.dataRoot, '-m', TEST_MODEL, '--chunk', '2', '--out', out, '--json'], env);
    expect(run.code, run.stderr).toBe(0);
    const body = JSON.parse(run.stdout);
    expect(body.out).toBe(out);
    expect(body.batch).toMatchObject({ status: 'completed', total: 4, chunkSize: 2, counts: { completed: 4, failed: 0 } });
    const rows = (await readFile(out, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.map((r) => r.source)).toEqual(['shared/0.jpg', 'shared/1.jpg', 'shared/2.jpg', 'shared/3.jpg']);
    expect(rows.map((r) => r.label)).toEqual(['red', 'green', 'blue', 'red']);
  });

  it('--paths without a data root sends the paths as written', async () => {
    const run = await runCli(['submit', 'shared/0.jpg', 'shared/1.jpg', '--paths', '-m', TEST_MODEL, '--json'], env);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).batch.counts.completed).toBe(2);
  });

  it('exits 1 when an image fails, and says which', async () => {
    const dir = path.join(local, 'mixed');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'a.jpg'), await solidImage({ colour: 'red', width: 64, height: 48 }));
    await writeFile(path.join(dir, 'b.jpg'), Buffer.from('this is text, not a JPEG'));
    const run = await runCli(['submit', dir, '--model', TEST_MODEL], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/1 labelled, 1 failed of 2/);
    expect(run.stdout).toContain('IMAGE_DECODE_FAILED');
    expect(run.stderr).toMatch(/failed 1/);
  });

  it('--detach prints the batch id and returns at once', async () => {
    const run = await runCli(['submit', path.join(local, 'photos/0-red.jpg'), '--model', TEST_MODEL, '--detach'], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toMatch(/^b[a-z0-9]{8,40}$/);
  });

  it('exit codes: 2 for usage, 1 for a refused request, 3 when the API is unreachable', async () => {
    const photos = path.join(local, 'photos');
    expect((await runCli(['submit', photos], env)).code).toBe(2);
    expect((await runCli(['submit', '--model', TEST_MODEL], env)).code).toBe(2);
    expect((await runCli(['submit', photos, '--model', TEST_MODEL, '--chunk', '0'], env)).code).toBe(2);
    expect((await runCli(['submit', path.join(local, 'nope'), '--model', TEST_MODEL], env)).code).toBe(2);
    expect((await runCli(['submit', photos, '--model', TEST_MODEL, '--paths'], env)).code).toBe(2);

    const unknownModel = await runCli(['submit', photos, '--model', 'no-such-model'], env);
    expect(unknownModel.code).toBe(1);
    expect(unknownModel.stderr).toContain('MODEL_NOT_FOUND');
    const badKey = await runCli(['submit', photos, '--model', TEST_MODEL, '--key', 'wrong-key'], env);
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toContain('UNAUTHORIZED');

    const down = await runCli(['submit', photos, '--model', TEST_MODEL, '--url', `http://127.0.0.1:${await closedPort()}`], env);
    expect(down.code).toBe(3);
    expect(down.stderr).toMatch(/cannot reach hourglass/);
  });

  it('--help prints the options and exit codes, exit 0', async () => {
    const run = await runCli(['submit', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('--paths');
    expect(run.stdout).toContain('exit codes:');
  });
});

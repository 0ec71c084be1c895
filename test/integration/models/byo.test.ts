/**
 * Bring your own ONNX model, end to end: timm-like exports (the shape infra/export_timm.py writes)
 * registered with the built CLI (`hourglass models add`, a child process) and through the API
 * (POST /v1/models, multipart), then served by a real worker process that classifies a batch —
 * the external-data variants included. Also: rejections over both paths, versions, and what
 * GET /v1/models and `models list` show (params, sizes, the last benchmark's img/s).
 */
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { timmLikeLabels, writeTimmLikeExport } from '@hourglass/core/testing';
import { runCli } from '../../helpers/cli.js';
import { solidImage, type ColourName } from '../../helpers/images.js';
import { tabularModel } from '../../helpers/onnx-fixtures.js';
import { TEST_API_KEY, fetchResults, startTestSystem, waitForBatch, type TestSystem } from '../../helpers/system.js';

const colours: ColourName[] = ['red', 'green', 'blue'];

describe('bring your own ONNX model', () => {
  let system: TestSystem;
  let tmp: string;
  let benchDir: string;
  let images: Array<{ path: string; expected: ColourName }>;

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'hourglass-byo-'));
    benchDir = path.join(tmp, 'bench');
    system = await startTestSystem({ apiEnv: { MAX_MODEL_UPLOAD_BYTES: String(2 * 1024 * 1024), BENCH_REPORT_DIR: benchDir } });
    await mkdir(path.join(system.dataRoot, 'byo'), { recursive: true });
    images = [];
    for (let i = 0; i < 9; i++) {
      const colour = colours[i % 3]!;
      const rel = `byo/${i}-${colour}.jpg`;
      // Landscape and portrait photos: the 'cover' resize crops them to the square input.
      await writeFile(path.join(system.dataRoot, rel), await solidImage({ colour, width: i % 2 ? 160 : 90, height: i % 2 ? 90 : 160, seed: i }));
      images.push({ path: rel, expected: colour });
    }
  });
  afterAll(async () => {
    await system?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  /** Submits the colour photos to `model` with a worker for it running; answers the result rows. */
  async function classifyWith(model: string): Promise<Array<Record<string, any>>> {
    const worker = await system.startWorker({ model });
    try {
      const response = await system.request('/v1/batches', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model, images: images.map((i) => ({ path: i.path })) }),
      });
      expect(response.status).toBe(202);
      const { id } = (await response.json()) as { id: string };
      const view = await waitForBatch(system, id);
      expect(view.counts).toEqual({ queued: 0, active: 0, completed: images.length, failed: 0 });
      return await fetchResults(system, id);
    } finally {
      await worker.stop('SIGTERM');
    }
  }

  const upload = (fields: Record<string, string>, files: Record<string, Array<{ bytes: Uint8Array; name: string }>>): Promise<Response> => {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.set(k, v);
    for (const [field, list] of Object.entries(files)) for (const f of list) form.append(field, new Blob([f.bytes]), f.name);
    return system.request('/v1/models', { method: 'POST', body: form });
  };

  it('models add (CLI) registers an external-data ViT export folder; a worker classifies a batch with it', async () => {
    const folder = path.join(tmp, 'vit-export');
    await writeTimmLikeExport(folder, { arch: 'vit', weights: 'external', metadata: false });
    const labelsFile = path.join(tmp, 'labels.txt');
    await writeFile(labelsFile, `${timmLikeLabels(10).join('\n')}\n`);
    const run = await runCli(['models', 'add', folder, '--name', 'vit-ext', '--labels', labelsFile], { MODELS_DIR: system.modelsDir });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`registered vit-ext version 1 in ${path.join(system.modelsDir, 'vit-ext')}`);
    expect(run.stdout).toMatch(/external model\.onnx\.data/);
    expect(run.stdout).toMatch(/a dummy batch of 2 ran/);
    expect((await readdir(path.join(system.modelsDir, 'vit-ext'))).sort()).toEqual(['model.json', 'model.onnx', 'model.onnx.data']);

    const rows = await classifyWith('vit-ext');
    for (const row of rows) {
      expect(row.error).toBeUndefined();
      expect(row.label).toBe(images[row.index]!.expected);
      expect(row.model).toBe('vit-ext');
      expect(row.modelVersion).toBe(1);
      expect(row.topk).toHaveLength(5);
    }
  });

  it('models add: --json, defaults, a static batch warning, the next version, served one image at a time', async () => {
    const folder = path.join(tmp, 'convnet-static');
    await writeTimmLikeExport(folder, { arch: 'convnet', batch: 'static' });
    const first = await runCli(['models', 'add', folder, '--name', 'conv-static', '--json'], { MODELS_DIR: system.modelsDir });
    expect(first.code, first.stderr).toBe(0);
    const body = JSON.parse(first.stdout) as { version: number; manifest: any; warnings: string[] };
    expect(body.version).toBe(1);
    expect(body.manifest.input).toMatchObject({ width: 224, height: 224, resize: 'cover', dynamicBatch: false, mean: [0.485, 0.456, 0.406] });
    expect(body.manifest.labels.slice(0, 3)).toEqual(['red', 'green', 'blue']);
    expect(body.warnings).toEqual([expect.stringContaining('fixed batch of 1')]);
    const second = await runCli(['models', 'add', folder, '--name', 'conv-static'], { MODELS_DIR: system.modelsDir });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('registered conv-static version 2');
    expect(second.stderr).toContain('warning: input "input" has a fixed batch of 1');
    // A worker serves the fixed-batch graph one image per run; labels came from the folder's model.json.
    const rows = await classifyWith('conv-static');
    expect(rows.map((r) => [r.label, r.modelVersion, r.timings.batchSize])).toEqual(images.map((i) => [i.expected, 2, 1]));
  });

  it('models add refuses bad files with their codes (exit 1) and bad flags (exit 2)', async () => {
    const text = path.join(tmp, 'notes.onnx');
    await writeFile(text, 'these are my notes\n');
    const notOnnx = await runCli(['models', 'add', text, '--name', 'notes'], { MODELS_DIR: system.modelsDir });
    expect(notOnnx.code).toBe(1);
    expect(notOnnx.stderr).toMatch(/^error: MODEL_NOT_ONNX: /);
    const tabular = path.join(tmp, 'tabular.onnx');
    await writeFile(tabular, tabularModel());
    const noImage = await runCli(['models', 'add', tabular, '--name', 'tabular'], { MODELS_DIR: system.modelsDir });
    expect(noImage.code).toBe(1);
    expect(noImage.stderr).toMatch(/^error: MODEL_NO_IMAGE_INPUT: .*\[batch, 10\]/);
    const badFlag = await runCli(['models', 'add', tabular, '--name', 'x', '--mean', '1,2'], { MODELS_DIR: system.modelsDir });
    expect(badFlag.code).toBe(2);
    expect(await readdir(system.modelsDir)).not.toEqual(expect.arrayContaining(['notes', 'tabular', 'x']));
  });

  it('POST /v1/models registers an external-data upload (model + data parts); a worker classifies with it', async () => {
    const folder = path.join(tmp, 'conv-upload');
    const { model } = await writeTimmLikeExport(folder, { arch: 'convnet', weights: 'external', metadata: false });
    const response = await upload(
      { name: 'conv-upload', labels: JSON.stringify(timmLikeLabels(10)), size: '224', resize: 'cover', description: 'uploaded convnet' },
      { model: [{ bytes: model.onnx, name: 'convnet.onnx' }], data: [{ bytes: model.files[0]!.data, name: 'model.onnx.data' }] },
    );
    const body = (await response.json()) as Record<string, any>;
    expect(response.status, JSON.stringify(body)).toBe(201);
    expect(response.headers.get('location')).toBe('/v1/models/conv-upload');
    expect(body).toMatchObject({
      name: 'conv-upload',
      version: 1,
      description: 'uploaded convnet',
      input: { name: 'input', layout: 'NCHW', width: 224, height: 224, resize: 'cover', dynamicBatch: true },
      output: { name: 'logits', kind: 'logits' },
      classes: 10,
      params: model.params,
      opset: 18,
      fileBytes: model.onnx.byteLength,
      totalBytes: model.onnx.byteLength + model.files[0]!.data.byteLength,
      source: { kind: 'imported', format: 'onnx', uploadedAs: 'convnet.onnx' },
      served: false,
      benchmark: null,
      warnings: [],
    });
    // The upload's temporary folder is gone; the registry holds the model and its data.
    expect((await readdir(system.modelsDir)).filter((e) => e.startsWith('.'))).toEqual([]);
    expect(Buffer.compare(await readFile(path.join(system.modelsDir, 'conv-upload', 'model.onnx.data')), Buffer.from(model.files[0]!.data))).toBe(0);

    const rows = await classifyWith('conv-upload');
    expect(rows.map((r) => r.label)).toEqual(images.map((i) => i.expected));
  });

  it('POST /v1/models: 4xx with stable codes for what it refuses', async () => {
    const expectError = async (response: Response, status: number, code: string): Promise<void> => {
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(response.status, JSON.stringify(body)).toBe(status);
      expect(body.error.code).toBe(code);
    };
    const { model: ext } = await writeTimmLikeExport(path.join(tmp, 'refusals'), { arch: 'convnet', weights: 'external' });
    await expectError(await upload({ name: 'text' }, { model: [{ bytes: new TextEncoder().encode('hello\n'), name: 'x.onnx' }] }), 422, 'MODEL_NOT_ONNX');
    await expectError(await upload({ name: 'tab' }, { model: [{ bytes: tabularModel(), name: 'tab.onnx' }] }), 422, 'MODEL_NO_IMAGE_INPUT');
    await expectError(await upload({ name: 'no-data' }, { model: [{ bytes: ext.onnx, name: 'm.onnx' }] }), 422, 'MODEL_EXTERNAL_DATA_INVALID');
    await expectError(
      await upload(
        { name: 'short-data' },
        { model: [{ bytes: ext.onnx, name: 'm.onnx' }], data: [{ bytes: ext.files[0]!.data.subarray(0, 100), name: 'model.onnx.data' }] },
      ),
      422,
      'MODEL_EXTERNAL_DATA_INVALID',
    );
    await expectError(
      await upload({ name: 'labels', labels: '["a","b"]' }, { model: [{ bytes: ext.onnx, name: 'm.onnx' }], data: [{ bytes: ext.files[0]!.data, name: 'd' }] }),
      400,
      'VALIDATION_FAILED',
    );
    await expectError(await upload({ name: 'mean', mean: '1,2' }, { model: [{ bytes: ext.onnx, name: 'm.onnx' }] }), 400, 'VALIDATION_FAILED');
    await expectError(await upload({}, { model: [{ bytes: ext.onnx, name: 'm.onnx' }] }), 400, 'VALIDATION_FAILED');
    await expectError(await upload({ name: 'no-file' }, {}), 400, 'VALIDATION_FAILED');
    await expectError(await upload({ name: 'odd-field' }, { weights: [{ bytes: ext.onnx, name: 'm.onnx' }] }), 400, 'VALIDATION_FAILED');
    await expectError(await upload({ name: 'huge' }, { model: [{ bytes: new Uint8Array(3 * 1024 * 1024), name: 'big.onnx' }] }), 413, 'PAYLOAD_TOO_LARGE');
    await expectError(
      await system.request('/v1/models', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"json"}' }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    const anonymous = await fetch(`${system.baseUrl}/v1/models`, { method: 'POST', body: new FormData() });
    expect(anonymous.status).toBe(401);
    const listed = (await (await system.request('/v1/models')).json()) as { models: Array<{ name: string }> };
    expect(listed.models.map((m) => m.name)).not.toEqual(expect.arrayContaining(['text', 'tab', 'no-data', 'short-data', 'labels', 'huge']));
    expect((await readdir(system.modelsDir)).filter((e) => e.startsWith('.'))).toEqual([]);
  });

  it('GET /v1/models and models list show params, sizes and the last benchmark img/s', async () => {
    await mkdir(path.join(benchDir, 'results'), { recursive: true });
    const report = (createdAt: string, ips: number) => ({
      schema: 'hourglass-bench/1',
      createdAt,
      models: [
        {
          model: 'conv-upload',
          version: 1,
          configs: [
            {
              workers: 2,
              runs: [
                { images: 100, imagesPerSecond: 40, failures: 0 },
                { images: 1000, imagesPerSecond: ips, failures: 0 },
              ],
            },
          ],
        },
      ],
    });
    await writeFile(path.join(benchDir, 'results', '2025-01-01-box-conv-upload.json'), JSON.stringify(report('2025-01-01T00:00:00.000Z', 55)));
    await writeFile(path.join(benchDir, 'results', '2025-02-01-box-conv-upload.json'), JSON.stringify(report('2025-02-01T00:00:00.000Z', 123.45)));
    await writeFile(path.join(benchDir, 'results', 'broken.json'), '{ not json');

    const listed = (await (await system.request('/v1/models')).json()) as { models: Array<Record<string, any>> };
    const conv = listed.models.find((m) => m.name === 'conv-upload')!;
    expect(conv.benchmark).toEqual({
      imagesPerSecond: 123.5,
      images: 1000,
      workers: 2,
      version: 1,
      measuredAt: '2025-02-01T00:00:00.000Z',
      report: '2025-02-01-box-conv-upload.json',
    });
    const colours = listed.models.find((m) => m.name === 'colours')!;
    expect(colours.params).toBeGreaterThan(100);
    expect(colours.benchmark).toBeNull();
    const vit = listed.models.find((m) => m.name === 'vit-ext')!;
    expect(vit.totalBytes).toBeGreaterThan(vit.fileBytes);

    const run = await runCli(['models', 'list'], { HOURGLASS_URL: system.baseUrl, HOURGLASS_API_KEY: TEST_API_KEY });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.split('\n')[0]).toMatch(/params +file size .* img\/s$/);
    expect(run.stdout).toMatch(/conv-upload +1 +input 224x224 NCHW +10 +[\d.]+k .* 123\.5\n/);
    expect(run.stdout).toMatch(/conv-static +2 +input 224x224 NCHW b=1 /);
  });
});

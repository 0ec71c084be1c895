import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, modelNameSchema } from '@hourglass/core';
import { buildColourNet, parseManifest, readManifest } from '@hourglass/core/testing';

const FILE = '/models/demo/model.json';

/** The smallest valid manifest: everything optional left out. */
const minimal = () => ({
  name: 'demo',
  version: 1,
  input: { name: 'pixel_values', width: 224, height: 224 },
  output: { name: 'logits' },
  labels: ['cat', 'dog'],
  source: { kind: 'imported' },
});

function invalid(value: unknown): AppError {
  try {
    parseManifest(value, FILE);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('MANIFEST_INVALID');
    expect((error as AppError).message).toContain(FILE);
    expect((error as AppError).details).toEqual({ file: FILE });
    return error as AppError;
  }
  throw new Error('expected MANIFEST_INVALID, the manifest was accepted');
}

describe('parseManifest', () => {
  it('accepts a minimal manifest and fills every default', () => {
    const m = parseManifest(minimal(), FILE);
    expect(m.input).toEqual({
      name: 'pixel_values',
      layout: 'NCHW',
      width: 224,
      height: 224,
      mean: [0.485, 0.456, 0.406],
      std: [0.229, 0.224, 0.225],
      resize: 'fill',
      dynamicBatch: true,
    });
    expect(m.output).toEqual({ name: 'logits', kind: 'probabilities' });
    expect(m.batching).toEqual({ size: 16, timeoutMs: 10 });
    expect(m.topK).toBe(5);
    expect(m.features).toBeUndefined();
  });

  it('keeps given values and unknown extra fields (train lineage, source extras)', () => {
    const m = parseManifest(
      {
        ...minimal(),
        input: { name: 'x', layout: 'NHWC', width: 32, height: 16, mean: [0, 0, 0], std: [1, 2, 3], resize: 'cover', dynamicBatch: false },
        output: { name: 'y', kind: 'logits' },
        batching: { size: 4 },
        topK: 1,
        source: { kind: 'trained', parent: 'demo@1' },
        epochs: [{ loss: 0.5 }],
      },
      FILE,
    );
    expect(m.input).toMatchObject({ layout: 'NHWC', width: 32, height: 16, std: [1, 2, 3], resize: 'cover', dynamicBatch: false });
    expect(m.output.kind).toBe('logits');
    expect(m.batching).toEqual({ size: 4, timeoutMs: 10 });
    expect(m.source).toMatchObject({ kind: 'trained', parent: 'demo@1' });
    expect((m as Record<string, unknown>).epochs).toEqual([{ loss: 0.5 }]);
  });

  it('accepts the generated colour-net manifest as it is', () => {
    const { manifest } = buildColourNet({ name: 'colour' });
    const m = parseManifest(manifest, FILE);
    expect(m.labels).toEqual(['red', 'green', 'blue']);
    expect(m.features).toEqual({ name: 'features', size: 16 });
  });

  const broken: Array<[string, string, (m: ReturnType<typeof minimal> & Record<string, unknown>) => unknown]> = [
    ['name with capitals', 'name', (m) => ({ ...m, name: 'Demo' })],
    ['name with a colon', 'name', (m) => ({ ...m, name: 'a:b' })],
    ['name with a slash', 'name', (m) => ({ ...m, name: 'a/b' })],
    ['name starting with a dot', 'name', (m) => ({ ...m, name: '.demo' })],
    ['name of 65 characters', 'name', (m) => ({ ...m, name: 'a'.repeat(65) })],
    ['missing name', 'name', ({ name: _, ...m }) => m],
    ['version 0', 'version', (m) => ({ ...m, version: 0 })],
    ['fractional version', 'version', (m) => ({ ...m, version: 1.5 })],
    ['version as a string', 'version', (m) => ({ ...m, version: '1' })],
    ['empty input name', 'input.name', (m) => ({ ...m, input: { ...m.input, name: '' } })],
    ['width 0', 'input.width', (m) => ({ ...m, input: { ...m.input, width: 0 } })],
    ['width above 4096', 'input.width', (m) => ({ ...m, input: { ...m.input, width: 5000 } })],
    ['fractional height', 'input.height', (m) => ({ ...m, input: { ...m.input, height: 10.5 } })],
    ['unknown layout', 'input.layout', (m) => ({ ...m, input: { ...m.input, layout: 'CHW' } })],
    ['mean of two values', 'input.mean', (m) => ({ ...m, input: { ...m.input, mean: [0.5, 0.5] } })],
    ['std with a zero', 'input.std', (m) => ({ ...m, input: { ...m.input, std: [1, 0, 1] } })],
    ['negative std', 'input.std', (m) => ({ ...m, input: { ...m.input, std: [1, 1, -1] } })],
    ['unknown resize', 'input.resize', (m) => ({ ...m, input: { ...m.input, resize: 'stretch' } })],
    ['missing input', 'input', ({ input: _, ...m }) => m],
    ['missing output', 'output', ({ output: _, ...m }) => m],
    ['unknown output kind', 'output.kind', (m) => ({ ...m, output: { name: 'y', kind: 'scores' } })],
    ['empty labels', 'labels', (m) => ({ ...m, labels: [] })],
    ['labels not strings', 'labels.0', (m) => ({ ...m, labels: [1, 2] })],
    ['missing source', 'source', ({ source: _, ...m }) => m],
    ['unknown source kind', 'source.kind', (m) => ({ ...m, source: { kind: 'downloaded' } })],
    ['features size 0', 'features.size', (m) => ({ ...m, features: { name: 'f', size: 0 } })],
    ['batch size 0', 'batching.size', (m) => ({ ...m, batching: { size: 0 } })],
    ['batch size above 1024', 'batching.size', (m) => ({ ...m, batching: { size: 2048 } })],
    ['timeout above 10 s', 'batching.timeoutMs', (m) => ({ ...m, batching: { timeoutMs: 20_000 } })],
    ['topK 0', 'topK', (m) => ({ ...m, topK: 0 })],
    ['topK above 100', 'topK', (m) => ({ ...m, topK: 101 })],
  ];

  it.each(broken)('rejects %s, naming the file and the field', (_what, field, mutate) => {
    const error = invalid(mutate(minimal()));
    expect(error.message).toContain(`${field}:`);
  });

  it('rejects what is not an object', () => {
    invalid(null);
    invalid([]);
    invalid('demo');
  });

  it('lists every problem at once', () => {
    const error = invalid({ ...minimal(), version: 0, topK: 0, labels: [] });
    for (const field of ['version:', 'topK:', 'labels:']) expect(error.message).toContain(field);
  });
});

describe('modelNameSchema', () => {
  it('allows queue-, job-id- and folder-safe names only', () => {
    for (const ok of ['a', 'levit-128s', 'mobilenet_v2.1', '0day']) expect(modelNameSchema.safeParse(ok).success, ok).toBe(true);
    for (const bad of ['', '-a', '_a', 'a b', 'a:b', 'a/b', 'é']) expect(modelNameSchema.safeParse(bad).success, bad).toBe(false);
  });
});

describe('readManifest', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hg-manifest-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads and validates a file', async () => {
    const file = path.join(dir, 'good.json');
    await writeFile(file, JSON.stringify(minimal()));
    expect((await readManifest(file)).topK).toBe(5);
  });

  it('rejects invalid JSON as MANIFEST_INVALID naming the file', async () => {
    const file = path.join(dir, 'bad.json');
    await writeFile(file, '{ "name": "demo", ');
    const error = (await readManifest(file).catch((e: unknown) => e)) as AppError;
    expect(error).toBeInstanceOf(AppError);
    expect(error.code).toBe('MANIFEST_INVALID');
    expect(error.message).toContain(file);
    expect(error.message).toContain('not valid JSON');
    expect(error.details).toEqual({ file });
  });

  it('rejects a valid JSON file with an invalid manifest, naming the file', async () => {
    const file = path.join(dir, 'wrong.json');
    await writeFile(file, JSON.stringify({ ...minimal(), version: -1 }));
    await expect(readManifest(file)).rejects.toMatchObject({ code: 'MANIFEST_INVALID', message: expect.stringContaining(file) });
  });

  it('rejects a missing file as MANIFEST_INVALID', async () => {
    const file = path.join(dir, 'absent.json');
    await expect(readManifest(file)).rejects.toMatchObject({ code: 'MANIFEST_INVALID', details: { file } });
  });
});

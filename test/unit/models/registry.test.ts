import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, loadModel, scanModels, writeModel } from '@hourglass/core';
import { buildColourNet, MANIFEST_FILE, ONNX_FILE } from '@hourglass/core/testing';

let sandbox: string;
let modelsDir: string;

async function folder(name: string, files: Record<string, string | Uint8Array>): Promise<string> {
  const dir = path.join(modelsDir, name);
  await mkdir(dir, { recursive: true });
  for (const [file, content] of Object.entries(files)) await writeFile(path.join(dir, file), content);
  return dir;
}

beforeAll(async () => {
  sandbox = await mkdtemp(path.join(os.tmpdir(), 'hg-registry-'));
  modelsDir = path.join(sandbox, 'models');
  await mkdir(modelsDir);
  const alpha = buildColourNet({ name: 'alpha', size: 16, channels: 4 });
  const beta = buildColourNet({ name: 'beta', size: 16, channels: 4, seed: 7 });
  await writeModel(modelsDir, alpha.manifest, alpha.onnx);
  await writeModel(modelsDir, beta.manifest, beta.onnx);
  const onnx = alpha.onnx;
  // Broken folders, each for a different reason.
  await folder('broken-json', { [MANIFEST_FILE]: '{"name": "broken-json",', [ONNX_FILE]: onnx });
  await folder('mismatch', { [MANIFEST_FILE]: JSON.stringify({ ...alpha.manifest, name: 'other' }), [ONNX_FILE]: onnx });
  await folder('no-onnx', { [MANIFEST_FILE]: JSON.stringify({ ...alpha.manifest, name: 'no-onnx' }) });
  await folder('empty-onnx', { [MANIFEST_FILE]: JSON.stringify({ ...alpha.manifest, name: 'empty-onnx' }), [ONNX_FILE]: new Uint8Array(0) });
  await folder('no-manifest', { [ONNX_FILE]: onnx });
  // Ignored: a staging folder (registration in progress) and a loose file.
  await folder('.staging-gamma-123', { [MANIFEST_FILE]: '{', [ONNX_FILE]: onnx });
  await writeFile(path.join(modelsDir, 'README.txt'), 'not a model');
  // A complete model outside MODELS_DIR, for '../x' lookups.
  const x = buildColourNet({ name: 'x', size: 16, channels: 4 });
  await writeModel(sandbox, x.manifest, x.onnx);
});

afterAll(async () => {
  await rm(sandbox, { recursive: true, force: true });
});

describe('scanModels', () => {
  it('loads the good models and lists each broken folder as a problem', async () => {
    const { models, problems } = await scanModels(modelsDir);
    expect([...models.keys()].sort()).toEqual(['alpha', 'beta']);
    const alpha = models.get('alpha')!;
    expect(alpha.dir).toBe(path.join(modelsDir, 'alpha'));
    expect(alpha.onnxPath).toBe(path.join(modelsDir, 'alpha', ONNX_FILE));
    expect(alpha.onnxBytes).toBe((await stat(alpha.onnxPath)).size);
    expect(alpha.manifest.labels).toEqual(['red', 'green', 'blue']);

    const byFolder = new Map(problems.map((p) => [path.relative(modelsDir, p.file).split(path.sep)[0], p]));
    expect([...byFolder.keys()].sort()).toEqual(['broken-json', 'empty-onnx', 'mismatch', 'no-manifest', 'no-onnx']);
    expect(byFolder.get('broken-json')!.file).toBe(path.join(modelsDir, 'broken-json', MANIFEST_FILE));
    expect(byFolder.get('broken-json')!.message).toContain('not valid JSON');
    expect(byFolder.get('mismatch')!.message).toMatch(/name "other" differs from its folder "mismatch"/);
    expect(byFolder.get('no-onnx')!.file).toBe(path.join(modelsDir, 'no-onnx', ONNX_FILE));
    expect(byFolder.get('no-onnx')!.message).toContain('missing or empty ONNX file');
    expect(byFolder.get('empty-onnx')!.message).toContain('missing or empty ONNX file');
    expect(byFolder.get('no-manifest')!.file).toBe(path.join(modelsDir, 'no-manifest', MANIFEST_FILE));
  });

  it('treats a missing MODELS_DIR as an empty registry', async () => {
    const { models, problems } = await scanModels(path.join(sandbox, 'absent'));
    expect(models.size).toBe(0);
    expect(problems).toEqual([]);
  });
});

describe('loadModel', () => {
  it('loads a registered model by name', async () => {
    const model = await loadModel(modelsDir, 'beta');
    expect(model.manifest.name).toBe('beta');
    expect(model.onnxPath).toBe(path.join(modelsDir, 'beta', ONNX_FILE));
  });

  it('works with a relative MODELS_DIR', async () => {
    const model = await loadModel(path.relative(process.cwd(), modelsDir), 'alpha');
    expect(model.manifest.name).toBe('alpha');
  });

  it.each([['gamma'], ['../x'], ['..'], ['.staging-gamma-123'], ['alpha/model.json'], ['']])('refuses %j with MODEL_NOT_FOUND', async (name) => {
    await expect(loadModel(modelsDir, name)).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
  });

  it('reports why a present but broken model cannot load', async () => {
    await expect(loadModel(modelsDir, 'broken-json')).rejects.toMatchObject({ code: 'MANIFEST_INVALID' });
    await expect(loadModel(modelsDir, 'mismatch')).rejects.toMatchObject({ code: 'MANIFEST_INVALID' });
    const error = (await loadModel(modelsDir, 'no-onnx').catch((e: unknown) => e)) as AppError;
    expect(error.code).toBe('MODEL_INVALID');
    expect(error.details).toEqual({ file: path.join(modelsDir, 'no-onnx', ONNX_FILE) });
  });
});

describe('writeModel', () => {
  it('replaces an existing model whole and leaves no staging folders', async () => {
    const dir = path.join(sandbox, 'store');
    await mkdir(dir);
    const v1 = buildColourNet({ name: 'swap', size: 16, channels: 4, version: 1 });
    const v2 = buildColourNet({ name: 'swap', size: 16, channels: 5, version: 2, seed: 9 });
    expect(await writeModel(dir, v1.manifest, v1.onnx)).toBe(path.join(dir, 'swap'));
    await writeFile(path.join(dir, 'swap', 'stale.txt'), 'from v1');
    await writeModel(dir, v2.manifest, v2.onnx);
    expect((await readdir(dir)).sort()).toEqual(['swap']);
    expect((await readdir(path.join(dir, 'swap'))).sort()).toEqual([MANIFEST_FILE, ONNX_FILE]);
    const model = await loadModel(dir, 'swap');
    expect(model.manifest.version).toBe(2);
    expect(Buffer.compare(await readFile(model.onnxPath), Buffer.from(v2.onnx))).toBe(0);
  });
});

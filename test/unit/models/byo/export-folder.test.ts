/**
 * Export folders (what infra/export_timm.py writes and the timm-like generator reproduces): how
 * `models add <folder>` finds the model, its metadata and labels, and what it refuses. Also keeps
 * the Python exporter honest without torch: it must parse, and the model.json it writes must be
 * one the loader accepts.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportMetadataSchema, resolveExportSource, writeTimmLikeExport } from '@hourglass/core/testing';

const EXPORTER = fileURLToPath(new URL('../../../../infra/export_timm.py', import.meta.url));
let root: string;
let counter = 0;
const fresh = async (): Promise<string> => {
  const dir = path.join(root, `d${counter++}`);
  await mkdir(dir, { recursive: true });
  return dir;
};

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'hg-export-folder-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('resolveExportSource', () => {
  it('reads a generated export folder: model.onnx and its model.json', async () => {
    const dir = await fresh();
    await writeTimmLikeExport(dir, { arch: 'vit', weights: 'external' });
    const source = await resolveExportSource(dir);
    expect(source).toMatchObject({ dir, onnxPath: path.join(dir, 'model.onnx'), metadataFile: path.join(dir, 'model.json') });
    expect(source.metadata).toMatchObject({
      name: 'timm-like-vit',
      input: { name: 'input', layout: 'NCHW', width: 224, resize: 'cover' },
      output: { name: 'logits', kind: 'logits' },
    });
  });

  it('a single differently named .onnx and a labels.json', async () => {
    const dir = await fresh();
    const { onnxPath } = await writeTimmLikeExport(path.join(dir, 'tmp'), { arch: 'convnet', metadata: false });
    await writeFile(path.join(dir, 'levit.onnx'), await readFile(onnxPath));
    await writeFile(path.join(dir, 'labels.json'), '["a","b"]');
    const source = await resolveExportSource(dir);
    expect(source.onnxPath).toBe(path.join(dir, 'levit.onnx'));
    expect(source.labels).toEqual(['a', 'b']);
    expect(source.metadata).toBeUndefined();
  });

  it('a bare file: no metadata read, even with a model.json beside it', async () => {
    const dir = await fresh();
    const { onnxPath } = await writeTimmLikeExport(dir, { arch: 'convnet' });
    expect(await resolveExportSource(onnxPath)).toEqual({ dir, onnxPath });
  });

  it('VALIDATION_FAILED: nothing there, no .onnx, two .onnx, a broken model.json', async () => {
    await expect(resolveExportSource(path.join(root, 'missing'))).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    const empty = await fresh();
    await expect(resolveExportSource(empty)).rejects.toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('no .onnx') });
    const two = await fresh();
    await writeFile(path.join(two, 'a.onnx'), 'x');
    await writeFile(path.join(two, 'b.onnx'), 'x');
    await expect(resolveExportSource(two)).rejects.toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('2 .onnx files') });
    const broken = await fresh();
    await writeTimmLikeExport(broken, { arch: 'convnet' });
    await writeFile(path.join(broken, 'model.json'), '{ "input": { "mean": [1, 2] } }');
    await expect(resolveExportSource(broken)).rejects.toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('input.mean') });
  });
});

describe('infra/export_timm.py', () => {
  it('parses and documents itself without torch installed', () => {
    const run = spawnSync('python3', [EXPORTER, '--help'], { encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/--external-data/);
    expect(run.stdout).toMatch(/levit_128s/);
  });

  it('writes the folder layout and model.json fields the loader reads', async () => {
    const source = await readFile(EXPORTER, 'utf8');
    for (const needle of [
      '"model.onnx"',
      'model.onnx.data',
      '"model.json"',
      'input_names=["input"]',
      'output_names=["logits"]',
      '{0: "batch"}',
      '"resize": "cover"',
      '"layout": "NCHW"',
    ]) {
      expect(source, needle).toContain(needle);
    }
    // A model.json as the script writes it (pretrained levit_128s), accepted by the loader's schema.
    const sample = {
      name: 'levit_128s',
      description: 'timm levit_128s (pretrained), 224x224, 1000 classes, exported to ONNX opset 17',
      input: { name: 'input', layout: 'NCHW', width: 224, height: 224, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], resize: 'cover' },
      output: { name: 'logits', kind: 'logits' },
      labels: Array.from({ length: 1000 }, (_, i) => `label ${i}`),
      source: {
        kind: 'imported',
        licence: 'apache-2.0',
        url: 'https://huggingface.co/timm/levit_128s.fb_dist_in1k',
        timm: { model: 'levit_128s', pretrained_tag: null, crop_pct: 0.9, crop_mode: 'center', interpolation: 'bicubic' },
        torch: '2.5.1',
        opset: 17,
        externalData: false,
      },
    };
    expect(exportMetadataSchema.safeParse(sample).success).toBe(true);
  });
});

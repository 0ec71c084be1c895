/** checkOnnxFile: real ONNX passes; text, images, truncated files and graph-less protobufs fail, naming the file. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildColourNet, checkOnnxFile } from '@hourglass/core/testing';
import { solidImage } from '../../helpers/images.js';

let dir: string;
let onnx: Uint8Array;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'hg-sniff-'));
  onnx = buildColourNet({ name: 'sniff', size: 16 }).onnx;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, bytes: Uint8Array | string): Promise<string> {
  const p = path.join(dir, name);
  await writeFile(p, bytes);
  return p;
}

describe('checkOnnxFile', () => {
  it('accepts a real ONNX model', async () => {
    await expect(checkOnnxFile(await file('good.onnx', onnx))).resolves.toBeUndefined();
  });

  it.each([
    ['text', 'this is not a model\n'],
    ['a Git LFS pointer', 'version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 123\n'],
    ['JSON', '{"name":"model"}'],
    ['empty', ''],
  ])('refuses %s with MODEL_INVALID naming the file', async (_kind, content) => {
    const p = await file(`bad-${_kind.replaceAll(' ', '-')}.onnx`, content);
    await expect(checkOnnxFile(p)).rejects.toMatchObject({ code: 'MODEL_INVALID', details: { file: p }, message: expect.stringContaining(p) });
  });

  it('refuses a JPEG renamed model.onnx', async () => {
    const p = await file('photo.onnx', await solidImage({ colour: 'red' }));
    await expect(checkOnnxFile(p)).rejects.toMatchObject({ code: 'MODEL_INVALID' });
  });

  it('refuses a truncated download of a real model', async () => {
    const p = await file('half.onnx', onnx.subarray(0, Math.floor(onnx.length / 2)));
    await expect(checkOnnxFile(p)).rejects.toThrow(/truncated|past the end/);
  });

  it('refuses a protobuf with no graph', async () => {
    // ir_version = 8 and producer_name = "x": valid fields, no graph.
    const p = await file('nograph.onnx', Uint8Array.from([0x08, 0x08, 0x12, 0x01, 0x78]));
    await expect(checkOnnxFile(p)).rejects.toThrow(/no graph/);
  });

  it('refuses a missing file', async () => {
    await expect(checkOnnxFile(path.join(dir, 'absent.onnx'))).rejects.toMatchObject({ code: 'MODEL_INVALID' });
  });
});

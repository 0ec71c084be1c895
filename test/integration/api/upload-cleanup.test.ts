/**
 * A rejected upload leaves nothing on disk: 40 files with an unknown model once left 41 MB of
 * blobs behind. Fields sent before the files are checked before a byte is written; fields sent
 * after them get the request's new blobs removed when it fails. A blob another batch uses stays.
 */
import { randomBytes } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BLOB_DIR } from '@hourglass/core/testing';
import { solidImage } from '../../helpers/images.js';
import { startTestSystem, type TestSystem } from '../../helpers/system.js';

async function blobBytes(dataRoot: string): Promise<{ files: number; bytes: number }> {
  const dir = path.join(dataRoot, BLOB_DIR);
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  let bytes = 0;
  let files = 0;
  for (const e of entries) {
    if (!e.isFile()) continue;
    files++;
    bytes += (await stat(path.join(e.parentPath, e.name))).size;
  }
  return { files, bytes };
}

describe('uploads clean up after themselves', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem({ apiEnv: { RATE_LIMIT_PER_MINUTE: '0' } });
  });
  afterAll(async () => {
    await system?.stop();
  });

  const post = (parts: Array<['field', string, string] | ['file', string, Uint8Array]>): Promise<Response> => {
    const form = new FormData();
    for (const [kind, name, value] of parts) {
      if (kind === 'field') form.append(name, value);
      else form.append('images', new Blob([value]), name);
    }
    return system.request('/v1/batches', { method: 'POST', body: form });
  };

  it('40 × 256 KiB with model=no-such-model, the field after the files: 404 and the disk back to its size', async () => {
    const kept = await solidImage({ colour: 'red' });
    expect(
      (
        await post([
          ['field', 'model', 'colours'],
          ['file', 'kept.jpg', kept],
        ])
      ).status,
    ).toBe(202);
    const before = await blobBytes(system.dataRoot);
    const files = Array.from({ length: 40 }, (_, i): ['file', string, Uint8Array] => ['file', `${i}.jpg`, randomBytes(256 * 1024)]);
    // The image a live batch uses rides along: it must survive the failed request.
    const response = await post([...files, ['file', 'again.jpg', kept], ['field', 'model', 'no-such-model']]);
    expect(response.status).toBe(404);
    expect(((await response.json()) as any).error.code).toBe('MODEL_NOT_FOUND');
    expect(await blobBytes(system.dataRoot)).toEqual(before);
  });

  it('the model field first: refused before any file is written', async () => {
    const before = await blobBytes(system.dataRoot);
    const files = Array.from({ length: 10 }, (_, i): ['file', string, Uint8Array] => ['file', `${i}.jpg`, randomBytes(64 * 1024)]);
    const response = await post([['field', 'model', 'no-such-model'], ...files]);
    expect(response.status).toBe(404);
    expect(await blobBytes(system.dataRoot)).toEqual(before);
  });

  it('a failure after the upload (too many files, a bad chunkSize) removes its blobs too', async () => {
    const before = await blobBytes(system.dataRoot);
    const response = await post([
      ['field', 'chunkSize', '0'],
      ['file', 'x.jpg', randomBytes(1000)],
      ['field', 'model', 'colours'],
    ]);
    expect(response.status).toBe(400);
    expect(await blobBytes(system.dataRoot)).toEqual(before);
    expect((await fetch(`${system.baseUrl}/healthz`)).status).toBe(200);
  });
});

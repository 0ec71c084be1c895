/**
 * Hostile and broken input, end to end: each case gets a stable error code and a 4xx at submit,
 * or a per-image failure row with a reason. Never a 5xx for a client mistake, never a stack trace
 * in a response, never a dead worker. Images are real files made by code (test/helpers/images.ts).
 */
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeModel } from '@hourglass/core';
import { buildColourNet } from '@hourglass/core/testing';
import type { SpawnedWorker } from '@hourglass/worker';
import {
  cmykJpeg,
  corruptJpeg,
  grayscaleImage,
  orientedJpeg,
  png16,
  pngHeaderClaiming,
  solidImage,
  textAsImage,
  truncatedJpeg,
  zeroByteImage,
} from '../../helpers/images.js';
import { TEST_ADMIN_KEY, TEST_API_KEY, fetchResults, startTestSystem, waitForBatch, type TestSystem } from '../../helpers/system.js';

const LIMITS = { MAX_BATCH_IMAGES: '50', MAX_UPLOAD_FILES: '5', MAX_UPLOAD_BYTES: '200000', MAX_JSON_BYTES: '65536' };

/** A response that must be a clean client error: status, code, JSON body, no stack trace. */
async function expectError(response: Response, status: number, code: string): Promise<Record<string, any>> {
  const text = await response.text();
  expect({ status: response.status, text }).toMatchObject({ status });
  expect(response.headers.get('content-type')).toMatch(/application\/json/);
  expect(text).not.toMatch(/\n\s+at |node_modules|\.ts:\d+|\.js:\d+/);
  const body = JSON.parse(text) as { error: Record<string, any> };
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  return body.error;
}

async function animatedGif(): Promise<Buffer> {
  const frame = (r: number, g: number, b: number): Promise<Buffer> =>
    sharp({ create: { width: 24, height: 18, channels: 3, background: { r, g, b } } })
      .png()
      .toBuffer();
  return sharp([await frame(220, 30, 30), await frame(30, 40, 220)], { join: { animated: true } })
    .gif()
    .toBuffer();
}

async function multiPageTiff(): Promise<Buffer> {
  const frame = (r: number, g: number, b: number): Promise<Buffer> =>
    sharp({ create: { width: 24, height: 18, channels: 3, background: { r, g, b } } })
      .png()
      .toBuffer();
  return sharp([await frame(30, 200, 40), await frame(220, 30, 30)], { join: { animated: true } })
    .tiff()
    .toBuffer();
}

async function truncatedPng(): Promise<Buffer> {
  const whole = await solidImage({ colour: 'blue', width: 64, height: 64, noise: 60, format: 'png' });
  return whole.subarray(0, Math.floor(whole.length * 0.5));
}

describe('hostile and broken input', () => {
  let system: TestSystem;
  let worker: SpawnedWorker;

  const postJson = (body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
    system.request('/v1/batches', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const postForm = (form: FormData): Promise<Response> => system.request('/v1/batches', { method: 'POST', body: form });
  const form = (files: Array<[string, Uint8Array]>, model = 'colours'): FormData => {
    const f = new FormData();
    f.set('model', model);
    for (const [name, bytes] of files) f.append('images', new Blob([bytes]), name);
    return f;
  };

  beforeAll(async () => {
    system = await startTestSystem({ apiEnv: LIMITS });
    const dir = path.join(system.dataRoot, 'hostile');
    await mkdir(dir, { recursive: true });
    const files: Record<string, Uint8Array> = {
      'ok-red.jpg': await solidImage({ colour: 'red', width: 40, height: 30 }),
      'ok-green.png': await solidImage({ colour: 'green', width: 40, height: 30, format: 'png' }),
      'corrupt.jpg': await corruptJpeg(),
      'truncated.png': await truncatedPng(),
      'truncated.jpg': await truncatedJpeg(),
      'zero-byte.jpg': zeroByteImage(),
      'text.jpg': textAsImage(),
      'bomb.png': pngHeaderClaiming(20_000, 20_000),
      'animated.gif': await animatedGif(),
      'multipage.tiff': await multiPageTiff(),
      '16-bit.png': png16(32, 24, [56_000, 7_000, 7_000]),
      'grayscale.png': await grayscaleImage(250, { width: 32, height: 24 }),
      'cmyk.jpg': await cmykJpeg('blue', { width: 32, height: 24 }),
      'exif-rotated.jpg': await orientedJpeg({ orientation: 6, width: 40, height: 20, corner: [30, 200, 40], background: [30, 200, 40] }),
    };
    for (const [name, bytes] of Object.entries(files)) await writeFile(path.join(dir, name), bytes);
    // Outside DATA_ROOT, and links inside DATA_ROOT that lead there.
    const outside = path.join(path.dirname(system.dataRoot), 'secret.jpg');
    await writeFile(outside, await solidImage({ colour: 'red' }));
    await symlink(outside, path.join(dir, 'link-out.jpg'));
    await symlink(path.dirname(system.dataRoot), path.join(dir, 'dir-link-out'));
    // A model folder whose model.onnx is not ONNX at all.
    const { manifest } = buildColourNet({ name: 'broken', size: 16 });
    await writeModel(system.modelsDir, manifest, new TextEncoder().encode('<html>404 Not Found</html>\n'));
    worker = await system.startWorker();
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('broken, huge, animated, 16-bit, grayscale, CMYK and rotated images: one row each, failures with a reason, the worker lives', async () => {
    const cases: Array<[string, { label?: string; code?: string }]> = [
      ['ok-red.jpg', { label: 'red' }],
      ['corrupt.jpg', { code: 'IMAGE_DECODE_FAILED' }],
      ['truncated.png', { code: 'IMAGE_DECODE_FAILED' }],
      ['truncated.jpg', { code: 'IMAGE_DECODE_FAILED' }],
      ['zero-byte.jpg', { code: 'IMAGE_DECODE_FAILED' }],
      ['text.jpg', { code: 'IMAGE_DECODE_FAILED' }],
      ['bomb.png', { code: 'IMAGE_TOO_LARGE' }],
      // Animated / multi-page: the first frame is the image (red GIF, green TIFF).
      ['animated.gif', { label: 'red' }],
      ['multipage.tiff', { label: 'green' }],
      ['16-bit.png', { label: 'red' }],
      ['grayscale.png', { label: 'any' }],
      ['cmyk.jpg', { label: 'blue' }],
      ['exif-rotated.jpg', { label: 'green' }],
      ['ok-green.png', { label: 'green' }],
    ];
    const response = await postJson({ model: 'colours', images: cases.map(([name]) => ({ path: `hostile/${name}` })) });
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    const view = await waitForBatch(system, id);
    expect(view.counts.completed + view.counts.failed).toBe(cases.length);
    const rows = await fetchResults(system, id);
    expect(rows.map((r) => r.index)).toEqual(cases.map((_, i) => i));
    for (const [i, [name, want]] of cases.entries()) {
      const row = rows[i]!;
      if (want.code) {
        expect({ name, code: row.error?.code }).toEqual({ name, code: want.code });
        expect(row.error.message.length).toBeGreaterThan(10);
        expect(row.label).toBeUndefined();
      } else if (want.label === 'any') {
        // A grey image has no colour to find; it must simply be classified.
        expect({ name, error: row.error, labelled: typeof row.label === 'string' }).toEqual({ name, error: undefined, labelled: true });
      } else {
        expect({ name, label: row.label, error: row.error }).toEqual({ name, label: want.label, error: undefined });
      }
    }
    expect(rows.find((r) => r.source === 'hostile/bomb.png')!.error.message).toMatch(/pixels/);
    // The worker survived all of it and still works.
    expect(worker.child.exitCode).toBeNull();
  });

  it('the same broken files as multipart uploads: per-image failures, hostile file names are only labels', async () => {
    const response = await postForm(
      form([
        ['../../../etc/passwd.jpg', await solidImage({ colour: 'blue', width: 20, height: 20 })],
        ['zero.jpg', zeroByteImage()],
        ['text.jpg', textAsImage()],
        ['bomb.png', pngHeaderClaiming(20_000, 20_000)],
      ]),
    );
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    await waitForBatch(system, id);
    const rows = await fetchResults(system, id);
    expect(rows.map((r) => [r.source, r.label ?? r.error.code])).toEqual([
      // Directory parts of a client's file name are dropped; it is only ever a label.
      ['passwd.jpg', 'blue'],
      ['zero.jpg', 'IMAGE_DECODE_FAILED'],
      ['text.jpg', 'IMAGE_DECODE_FAILED'],
      ['bomb.png', 'IMAGE_TOO_LARGE'],
    ]);
    // Stored content-addressed under DATA_ROOT, whatever the client called the file.
    expect(rows[0]!.path).toMatch(/^\.hourglass\/blobs\/[0-9a-f]{2}\/[0-9a-f]{64}$/);
  });

  it('path traversal: ../, absolute paths, NUL bytes and symlinks out of DATA_ROOT -> 400 PATH_OUTSIDE_DATA_ROOT', async () => {
    for (const p of [
      '../secret.jpg',
      'hostile/../../secret.jpg',
      '/etc/passwd',
      'C:\\Windows\\win.ini',
      '\\\\server\\share\\x.jpg',
      'hostile/link-out.jpg',
      'hostile/dir-link-out/secret.jpg',
      'a\u0000.jpg',
    ]) {
      const error = await expectError(
        await postJson({ model: 'colours', images: [{ path: 'hostile/ok-red.jpg' }, { path: p }] }),
        400,
        'PATH_OUTSIDE_DATA_ROOT',
      );
      expect(error.problems[0].index).toBe(1);
    }
    await expectError(await postJson({ model: 'colours', images: [{ path: 'hostile/nope.jpg' }] }), 400, 'IMAGE_NOT_FOUND');
    await expectError(await postJson({ model: 'colours', images: [{ path: 'hostile' }] }), 400, 'IMAGE_NOT_FOUND');
  });

  it('malformed JSON, wrong types, unknown fields, empty batches -> 400 with a stable code', async () => {
    await expectError(await postJson('{"model": "colours", "images": ['), 400, 'MALFORMED_JSON');
    await expectError(await postJson('{"model": "colours",}'), 400, 'MALFORMED_JSON');
    await expectError(await postJson('"just a string"'), 400, 'MALFORMED_JSON');
    for (const body of [
      {},
      [],
      { model: 7, images: [{ path: 'hostile/ok-red.jpg' }] },
      { model: 'colours', images: 'hostile/ok-red.jpg' },
      { model: 'colours', images: [{ path: 3 }] },
      { model: 'colours', images: [{ path: 'hostile/ok-red.jpg', extra: 1 }] },
      { model: 'colours', images: [{ path: 'hostile/ok-red.jpg' }], unknown: true },
      { model: 'colours', images: [{ path: 'hostile/ok-red.jpg' }], chunkSize: 0 },
      { model: 'colours', images: [{ path: 'hostile/ok-red.jpg' }], chunkSize: 1.5 },
      { model: 'colours', images: [null] },
      { model: 'x'.repeat(65), images: [{ path: 'hostile/ok-red.jpg' }] },
      { model: 'colours', images: [{ path: 'a'.repeat(5_000) }] },
    ]) {
      await expectError(await postJson(body), 400, 'VALIDATION_FAILED');
    }
    await expectError(await postJson({ model: 'colours', images: [] }), 400, 'EMPTY_BATCH');
    // Multipart with extra fields or a wrong field name.
    const extra = form([['a.jpg', await solidImage({ colour: 'red' })]]);
    extra.set('evil', '1');
    await expectError(await postForm(extra), 400, 'VALIDATION_FAILED');
    const wrongField = new FormData();
    wrongField.set('model', 'colours');
    wrongField.append('files', new Blob([await solidImage({ colour: 'red' })]), 'a.jpg');
    await expectError(await postForm(wrongField), 400, 'VALIDATION_FAILED');
    const noModel = new FormData();
    noModel.append('images', new Blob([await solidImage({ colour: 'red' })]), 'a.jpg');
    await expectError(await postForm(noModel), 400, 'VALIDATION_FAILED');
    // A multipart body that is not one.
    await expectError(
      await system.request('/v1/batches', {
        method: 'POST',
        headers: { 'content-type': 'multipart/form-data; boundary=xyz' },
        body: 'garbage without boundaries',
      }),
      400,
      'BAD_REQUEST',
    );
  });

  it('unknown model -> 404; a model whose file is not ONNX -> 422 MODEL_INVALID, listed as a registry problem', async () => {
    await expectError(await postJson({ model: 'no-such-model', images: [{ path: 'hostile/ok-red.jpg' }] }), 404, 'MODEL_NOT_FOUND');
    await expectError(await postJson({ model: '../colours', images: [{ path: 'hostile/ok-red.jpg' }] }), 404, 'MODEL_NOT_FOUND');
    const broken = await expectError(await postJson({ model: 'broken', images: [{ path: 'hostile/ok-red.jpg' }] }), 422, 'MODEL_INVALID');
    expect(broken.message).toMatch(/not an ONNX model/);
    // Registry problems name server files: an admin sees them, a tenant key an empty list.
    const registry = (await (await system.request('/v1/models', { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } })).json()) as {
      models: Array<{ name: string }>;
      problems: Array<{ file: string; message: string }>;
    };
    expect(registry.models.map((m) => m.name)).not.toContain('broken');
    expect(((await (await system.request('/v1/models')).json()) as { problems: unknown[] }).problems).toEqual([]);
    const onnxPath = path.join(system.modelsDir, 'broken', 'model.onnx');
    expect(registry.problems).toContainEqual({ file: onnxPath, message: expect.stringMatching(/not an ONNX model/) });
  });

  it('a worker started for the non-ONNX model exits 1 with MODEL_INVALID naming the file', async () => {
    const failed = system.startWorker({ model: 'broken' });
    await expect(failed).rejects.toThrow(/exited \(1\)/);
    const message = await failed.catch((error: Error) => error.message);
    expect(message).toContain('MODEL_INVALID');
    expect(message).toContain(path.join(system.modelsDir, 'broken', 'model.onnx'));
    expect(message).toMatch(/not an ONNX model/);
  });

  it('invalid idempotency keys -> 400 IDEMPOTENCY_KEY_INVALID', async () => {
    for (const key of ['has space', 'x'.repeat(129), 'colon:inside', 'ünïcode', '']) {
      const response = await postJson({ model: 'colours', images: [{ path: 'hostile/ok-red.jpg' }] }, { 'idempotency-key': key });
      await expectError(response, 400, 'IDEMPOTENCY_KEY_INVALID');
    }
  });

  it('limits: oversized uploads and JSON -> 413, too many images -> 413 TOO_MANY_IMAGES', async () => {
    const big = new Uint8Array(250_000).fill(7);
    const tooLarge = await expectError(await postForm(form([['big.jpg', big]])), 413, 'PAYLOAD_TOO_LARGE');
    expect(tooLarge.message).toMatch(/too large/i);
    await expectError(await postJson(JSON.stringify({ model: 'colours', images: [{ path: 'x'.repeat(70_000) }] })), 413, 'PAYLOAD_TOO_LARGE');
    const tooMany = await expectError(
      await postJson({ model: 'colours', images: Array.from({ length: 51 }, () => ({ path: 'hostile/ok-red.jpg' })) }),
      413,
      'TOO_MANY_IMAGES',
    );
    expect(tooMany).toMatchObject({ max: 50, count: 51 });
    const six = Array.from({ length: 6 }, (_, i): [string, Uint8Array] => [`${i}.jpg`, new Uint8Array([i])]);
    await expectError(await postForm(form(six)), 413, 'TOO_MANY_IMAGES');
  });

  it('wrong content type -> 415; missing or invalid key -> 401', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'image/jpeg']) {
      await expectError(
        await system.request('/v1/batches', { method: 'POST', headers: { 'content-type': type }, body: 'model=colours' }),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      );
    }
    await expectError(await system.request('/v1/batches', { method: 'POST', body: new Uint8Array([1, 2, 3]) }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    for (const authorization of [
      undefined,
      'Bearer',
      'Bearer wrong',
      `Bearer ${TEST_API_KEY}x`,
      `Token ${TEST_API_KEY}`,
      'Basic !!!not-base64',
      `bearer  ${'k'.repeat(10_000)}`,
    ]) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (authorization) headers.authorization = authorization;
      const response = await fetch(`${system.baseUrl}/v1/batches`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ model: 'colours', images: [{ path: 'hostile/ok-red.jpg' }] }),
      });
      await expectError(response, 401, 'UNAUTHORIZED');
    }
  });

  it('security headers on every response, no-store on /v1, no x-powered-by', async () => {
    for (const response of [await fetch(`${system.baseUrl}/healthz`), await system.request('/v1/models'), await fetch(`${system.baseUrl}/v1/models`)]) {
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('x-powered-by')).toBeNull();
    }
    expect((await system.request('/v1/models')).headers.get('cache-control')).toBe('no-store');
  });

  it('after all of that the worker is alive and a healthy batch completes', async () => {
    expect(worker.child.exitCode).toBeNull();
    const response = await postJson({ model: 'colours', images: [{ path: 'hostile/ok-red.jpg' }, { path: 'hostile/ok-green.png' }] });
    const { id } = (await response.json()) as { id: string };
    await waitForBatch(system, id);
    expect((await fetchResults(system, id)).map((r) => r.label)).toEqual(['red', 'green']);
  });
});

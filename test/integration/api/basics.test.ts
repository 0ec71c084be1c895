/** The API's contract for common client mistakes: stable codes, 4xx, the error body shape. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ADMIN_KEY, startTestSystem, type TestSystem } from '../../helpers/system.js';

describe('API basics', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem();
  });
  afterAll(async () => {
    await system?.stop();
  });

  const post = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    system.request('/v1/batches', { method: 'POST', headers, body });

  it('/healthz is open and reports Redis', async () => {
    const response = await fetch(`${system.baseUrl}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', redis: 'ok' });
  });

  it('401 UNAUTHORIZED without a key or with a wrong one, on /v1 and the board', async () => {
    for (const authorization of ['', 'Bearer wrong-key', 'Basic Zm9vOmJhcg==']) {
      const response = await fetch(`${system.baseUrl}/v1/models`, { headers: authorization ? { authorization } : {} });
      expect(response.status).toBe(401);
      expect(((await response.json()) as any).error.code).toBe('UNAUTHORIZED');
    }
    const board = await fetch(`${system.baseUrl}/admin/queues`);
    expect(board.status).toBe(401);
    expect(board.headers.get('www-authenticate')).toMatch(/Basic/);
  });

  it('Bull Board opens with an admin key (Basic auth password) and lists the model queue', async () => {
    const basic = `Basic ${Buffer.from(`user:${TEST_ADMIN_KEY}`).toString('base64')}`;
    const page = await fetch(`${system.baseUrl}/admin/queues`, { headers: { authorization: basic } });
    expect(page.status).toBe(200);
    const queues = await fetch(`${system.baseUrl}/admin/queues/api/queues`, { headers: { authorization: basic } });
    const body = (await queues.json()) as { queues: Array<{ name: string }> };
    expect(body.queues.map((q) => q.name)).toContain('classify-colours');
  });

  it('404 MODEL_NOT_FOUND for an unknown model', async () => {
    const response = await post(JSON.stringify({ model: 'no-such-model', images: [{ path: 'a.jpg' }] }));
    expect(response.status).toBe(404);
    expect(((await response.json()) as any).error.code).toBe('MODEL_NOT_FOUND');
  });

  it('400 for missing or escaping paths, with the offending path named', async () => {
    const missing = await post(JSON.stringify({ model: 'colours', images: [{ path: 'nope.jpg' }] }));
    expect(missing.status).toBe(400);
    const body = (await missing.json()) as any;
    expect(body.error.code).toBe('IMAGE_NOT_FOUND');
    expect(body.error.problems[0].path).toBe('nope.jpg');
    for (const path of ['../etc/passwd', '/etc/passwd', 'a/../../x.jpg']) {
      const response = await post(JSON.stringify({ model: 'colours', images: [{ path }] }));
      expect(response.status).toBe(400);
      expect(((await response.json()) as any).error.code).toBe('PATH_OUTSIDE_DATA_ROOT');
    }
  });

  it('400 EMPTY_BATCH, 413 TOO_MANY_IMAGES, 400 MALFORMED_JSON, 400 VALIDATION_FAILED, 415', async () => {
    const cases: Array<[Response, number, string]> = [
      [await post(JSON.stringify({ model: 'colours', images: [] })), 400, 'EMPTY_BATCH'],
      [await post(JSON.stringify({ model: 'colours', images: Array.from({ length: 100_001 }, () => ({ path: 'a.jpg' })) })), 413, 'TOO_MANY_IMAGES'],
      [await post('{"model": "colours", "images": ['), 400, 'MALFORMED_JSON'],
      [await post(JSON.stringify({ model: 'colours', images: [{ path: 3 }] })), 400, 'VALIDATION_FAILED'],
      [await post(JSON.stringify({ model: 'colours', images: [{ path: 'a.jpg' }], extra: true })), 400, 'VALIDATION_FAILED'],
      [await post('model=colours', { 'content-type': 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ];
    for (const [response, status, code] of cases) {
      expect(response.status).toBe(status);
      expect(((await response.json()) as any).error.code).toBe(code);
    }
  });

  it('404 BATCH_NOT_FOUND for unknown or malformed ids', async () => {
    for (const id of ['bdoesnotexist000', 'x', '..%2F..%2Fetc']) {
      const response = await system.request(`/v1/batches/${id}`);
      expect(response.status).toBe(404);
      expect(((await response.json()) as any).error.code).toBe('BATCH_NOT_FOUND');
    }
  });

  it('unknown routes are 404 NOT_FOUND in the same error shape', async () => {
    const response = await system.request('/v1/nothing-here');
    expect(response.status).toBe(404);
    expect(((await response.json()) as any).error.code).toBe('NOT_FOUND');
  });
});

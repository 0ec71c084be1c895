/**
 * Small attacks on the API's edges: guessing keys, empty and stalled bodies, a worker port open to
 * every interface, and probes while Redis is down. Each fails with its code and the API stays up.
 */
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServerHandle } from '@hourglass/core/testing';
import { spawnWorker } from '@hourglass/worker';
import { TEST_API_KEY, TEST_MODEL, startTestSystem, type TestSystem } from '../../helpers/system.js';
import { tabularModel } from '../../helpers/onnx-fixtures.js';

/** Local addresses (hex "ADDR:PORT") listening on `port`, from the kernel's own table. */
async function listeners(port: number): Promise<string[]> {
  const table = await readFile('/proc/net/tcp', 'utf8');
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return table
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((cols) => cols[1]?.endsWith(`:${hexPort}`) && cols[3] === '0A')
    .map((cols) => cols[1]!);
}

describe('edges of the API under attack', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem({ apiEnv: { AUTH_FAILURES_PER_MINUTE: '10', REQUEST_BODY_TIMEOUT_MS: '500', RATE_LIMIT_PER_MINUTE: '0' } });
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('an empty body with a JSON content type is 400 BODY_EMPTY, not 415', async () => {
    for (const pathname of ['/v1/batches', '/v1/datasets', '/v1/train']) {
      const response = await system.request(pathname, { method: 'POST', headers: { 'content-type': 'application/json' } });
      expect({ pathname, status: response.status, code: ((await response.json()) as any).error.code }).toEqual({ pathname, status: 400, code: 'BODY_EMPTY' });
    }
  });

  it('a body that stalls is cut: 408 REQUEST_TIMEOUT and the connection closed', async () => {
    const { port } = new URL(system.baseUrl);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), '127.0.0.1', () => {
        socket.write(
          `POST /v1/batches HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TEST_API_KEY}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"model":`,
        );
      });
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
      setTimeout(() => reject(new Error(`socket still open after 30 s: ${data}`)), 30_000).unref();
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(answer).toContain('REQUEST_TIMEOUT');
    expect((await fetch(`${system.baseUrl}/healthz`)).status).toBe(200);
  });

  it('no 4xx message names a server path (model registration, dataset archives)', async () => {
    const bodies: string[] = [];
    const model = (bytes: Uint8Array) => {
      const form = new FormData();
      form.set('name', 'pathless');
      form.append('model', new Blob([bytes]), 'model.onnx');
      return system.request('/v1/models', { method: 'POST', body: form, headers: { authorization: `Bearer ${TEST_API_KEY}` } });
    };
    for (const bytes of [Buffer.from('not an onnx file at all'), tabularModel()]) {
      const response = await model(bytes);
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      bodies.push(await response.text());
    }
    for (const [file, bytes] of [
      ['x.tar.gz', Buffer.from('plain text')],
      ['y.zip', Buffer.from('not a zip')],
    ] as const) {
      const form = new FormData();
      form.set('name', `bad-${file.length}`);
      form.set('archive', new Blob([bytes]), file);
      const response = await system.request('/v1/datasets', { method: 'POST', body: form });
      expect(response.status).toBe(400);
      bodies.push(await response.text());
    }
    for (const body of bodies) {
      for (const root of [system.modelsDir, system.dataRoot, os.tmpdir()]) expect(body).not.toContain(root);
      expect(body).not.toMatch(/"\/(tmp|home|root|var|srv|work)\//);
    }
  });

  it('a worker started with HOST=127.0.0.1 listens on 127.0.0.1 only', async () => {
    const worker = spawnWorker({ model: TEST_MODEL, env: system.workerEnv({ WORKER_HTTP_PORT: '0', HOST: '127.0.0.1' }) });
    try {
      const ready = await worker.ready;
      const port = Number(ready.httpPort);
      expect(port).toBeGreaterThan(0);
      expect(await listeners(port)).toEqual([`0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`]);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    } finally {
      await worker.stop('SIGKILL');
    }
  }, 90_000);

  // Last in this block: once the address is limited, every request from it is refused before any key is
  // compared (a guesser learns nothing), valid keys included, until the window ends.
  it('guessing keys: after AUTH_FAILURES_PER_MINUTE failures the address gets 429 AUTH_RATE_LIMITED with Retry-After', async () => {
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < 25; i++) {
      const response = await fetch(`${system.baseUrl}/v1/models`, { headers: { authorization: `Bearer guess-${i}-0123456789abcdef` } });
      statuses.push(response.status);
      if (response.status === 429 && !limited) limited = response;
      else await response.body?.cancel();
    }
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(20);
    expect(limited).toBeDefined();
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await limited!.json()) as any).error.code).toBe('AUTH_RATE_LIMITED');
    // The board counts too; /healthz and /metrics (no key) stay open.
    expect((await fetch(`${system.baseUrl}/admin/queues`, { headers: { authorization: 'Bearer nope-0123456789abcdef' } })).status).toBe(429);
    expect((await fetch(`${system.baseUrl}/healthz`)).status).toBe(200);
  });
});

describe('probes while Redis is down', () => {
  let redis: RedisServerHandle;
  let system: TestSystem;
  beforeAll(async () => {
    redis = await startRedisServer();
    system = await startTestSystem({ redisUrl: redis.url });
  });
  afterAll(async () => {
    await system?.stop();
    await redis?.stop().catch(() => undefined);
  });

  it('/metrics and /healthz answer within seconds (Redis read bounded at 1 s), the API stays up', async () => {
    expect((await fetch(`${system.baseUrl}/metrics`)).status).toBe(200);
    await redis.stop();
    // Generous bounds for a loaded machine; unbounded, a scrape took 7-9 s.
    const health = await fetch(`${system.baseUrl}/healthz`, { signal: AbortSignal.timeout(6_000) });
    expect(health.status).toBe(503);
    const metrics = await fetch(`${system.baseUrl}/metrics`, { signal: AbortSignal.timeout(6_000) });
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('hourglass_');
  }, 60_000);
});

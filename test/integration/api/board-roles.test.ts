/**
 * Bull Board as a hostile second tenant would try it: every route the board serves, with tenant
 * key B (Bearer and Basic), is a 403 FORBIDDEN and changes nothing of tenant A's queued batch. The
 * admin key opens it, but no write that a page on another site could make a browser send gets in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { TEST_ADMIN_KEY, startTestSystem, type TestSystem } from '../../helpers/system.js';
import { submit, writeImages } from '../../helpers/colour-batch.js';

const OTHER_KEY = 'tenant-b-key-0123456789';
const require = createRequire(import.meta.url);
// The board's own route table, so a route added by a Bull Board upgrade is attacked too.
const { appRoutes } = require('@bull-board/api/dist/routes.js') as {
  appRoutes: { entryPoint: { method: string; route: string | string[] }; api: Array<{ method: string; route: string | string[] }> };
};

const basic = (key: string): string => `Basic ${Buffer.from(`x:${key}`).toString('base64')}`;

describe('Bull Board is admin-only', () => {
  let system: TestSystem;
  let batchId: string;
  let jobId: string;
  // colours has one queue shard (QUEUE_SHARDS=1): the board's classify-colours.
  const queue = () => system.api.context.queues.get('colours').shards[0]!;

  beforeAll(async () => {
    system = await startTestSystem({ apiEnv: { HOURGLASS_API_KEYS: `test-key-0123456789,${OTHER_KEY}`, RATE_LIMIT_PER_MINUTE: '0' } });
    const { paths } = await writeImages(system, 3);
    // Tenant A's batch, with no worker running: its jobs stay queued for B to attack.
    batchId = await submit(system, paths);
    jobId = `${batchId}-0`;
  });
  afterAll(async () => {
    await system?.stop();
  });

  const routes = (): Array<[string, string]> =>
    [appRoutes.entryPoint, ...appRoutes.api].flatMap((r) =>
      (Array.isArray(r.route) ? r.route : [r.route]).map((route): [string, string] => [
        r.method.toUpperCase(),
        route.replace(':queueName', 'classify-colours').replace(':jobId', jobId).replace(':queueStatus', 'waiting').replace(':schedulerId', 'any'),
      ]),
    );

  it("tenant key B gets 403 FORBIDDEN on every board route, and A's jobs are untouched", async () => {
    const before = await queue().getJob(jobId);
    expect(before?.data.batchId).toBe(batchId);
    const table = routes();
    expect(table.length).toBeGreaterThan(30);
    const body = JSON.stringify({ name: 'forged', data: { batchId, model: 'colours', items: [{ index: 99, path: 'x.jpg' }], enqueuedAt: 0 } });
    for (const [method, route] of table) {
      for (const authorization of [`Bearer ${OTHER_KEY}`, basic(OTHER_KEY)]) {
        const response = await fetch(`${system.baseUrl}/admin/queues${route}`, {
          method,
          headers: { authorization, 'content-type': 'application/json' },
          body: method === 'GET' ? null : body,
        });
        const code = response.headers.get('content-type')?.includes('json') ? ((await response.json()) as any).error?.code : await response.text();
        expect({ method, route, status: response.status, code }).toEqual({ method, route, status: 403, code: 'FORBIDDEN' });
      }
    }
    // Nothing of A's changed: same jobs, same data, queue running, no forged job.
    expect(await queue().isPaused()).toBe(false);
    expect((await queue().getJob(jobId))?.data).toEqual(before?.data);
    expect(await queue().getJobCounts('waiting', 'delayed', 'completed', 'failed')).toMatchObject({ waiting: 3 });
    const view = (await (await system.request(`/v1/batches/${batchId}`)).json()) as any;
    expect(view.counts).toMatchObject({ queued: 3, completed: 0, failed: 0 });
  });

  it('the admin key reads the board (job data included)', async () => {
    const response = await fetch(`${system.baseUrl}/admin/queues/api/queues/classify-colours/${jobId}`, {
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` },
    });
    expect(response.status).toBe(200);
    expect(JSON.stringify(await response.json())).toContain(batchId);
  });

  it('no cross-site write: form, multipart and text bodies are 415, a foreign Origin or Sec-Fetch-Site is 403', async () => {
    const add = `${system.baseUrl}/admin/queues/api/queues/classify-colours/add`;
    const forged = { name: 'forged', data: { batchId, model: 'colours', items: [{ index: 0, path: 'many/1.jpg' }], enqueuedAt: 0 } };
    const attempts: Array<{ headers: Record<string, string>; body: string | Uint8Array; status: number; code: string }> = [
      // A form on another site: the browser replays its cached Basic credentials.
      {
        headers: { authorization: basic(TEST_ADMIN_KEY), 'content-type': 'application/x-www-form-urlencoded' },
        body: 'name=forged&data=%7B%7D',
        status: 415,
        code: 'UNSUPPORTED_MEDIA_TYPE',
      },
      {
        headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'name=forged',
        status: 415,
        code: 'UNSUPPORTED_MEDIA_TYPE',
      },
      {
        headers: { authorization: basic(TEST_ADMIN_KEY), 'content-type': 'multipart/form-data; boundary=x' },
        body: '--x--\r\n',
        status: 415,
        code: 'UNSUPPORTED_MEDIA_TYPE',
      },
      {
        headers: { authorization: basic(TEST_ADMIN_KEY), 'content-type': 'text/plain' },
        body: JSON.stringify(forged),
        status: 415,
        code: 'UNSUPPORTED_MEDIA_TYPE',
      },
      // A no-cors fetch with an untyped body.
      {
        headers: { authorization: basic(TEST_ADMIN_KEY), origin: 'https://evil.example' },
        body: new Uint8Array(Buffer.from(JSON.stringify(forged))),
        status: 415,
        code: 'UNSUPPORTED_MEDIA_TYPE',
      },
      // JSON from another origin, or marked cross-site by the browser.
      {
        headers: { authorization: basic(TEST_ADMIN_KEY), 'content-type': 'application/json', origin: 'https://evil.example' },
        body: JSON.stringify(forged),
        status: 403,
        code: 'CROSS_SITE_REFUSED',
      },
      {
        headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' },
        body: JSON.stringify(forged),
        status: 403,
        code: 'CROSS_SITE_REFUSED',
      },
      // Basic credentials without an Origin: not the board page's own request.
      {
        headers: { authorization: basic(TEST_ADMIN_KEY), 'content-type': 'application/json' },
        body: JSON.stringify(forged),
        status: 403,
        code: 'CROSS_SITE_REFUSED',
      },
    ];
    for (const attempt of attempts) {
      const response = await fetch(add, { method: 'POST', headers: attempt.headers, body: attempt.body });
      expect({ headers: attempt.headers, status: response.status, code: ((await response.json()) as any).error?.code }).toEqual({
        headers: attempt.headers,
        status: attempt.status,
        code: attempt.code,
      });
    }
    expect(await queue().getJobCounts('waiting')).toMatchObject({ waiting: 3 });
  });

  it('the board page itself (Basic, same Origin) and scripts (Bearer) can write', async () => {
    const pause = `${system.baseUrl}/admin/queues/api/queues/classify-colours/pause`;
    const resume = `${system.baseUrl}/admin/queues/api/queues/classify-colours/resume`;
    const host = new URL(system.baseUrl).host;
    const page = await fetch(pause, {
      method: 'PUT',
      headers: { authorization: basic(TEST_ADMIN_KEY), origin: `http://${host}`, 'sec-fetch-site': 'same-origin' },
    });
    expect(page.status).toBeLessThan(300);
    expect(await queue().isPaused()).toBe(true);
    const script = await fetch(resume, { method: 'PUT', headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } });
    expect(script.status).toBeLessThan(300);
    expect(await queue().isPaused()).toBe(false);
  });

  it('tenant keys still work on /v1', async () => {
    const response = await system.request('/v1/models', { headers: { authorization: `Bearer ${OTHER_KEY}` } });
    expect(response.status).toBe(200);
  });
});

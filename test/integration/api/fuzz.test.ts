/**
 * Property-based fuzzing of every endpoint with fast-check: generated methods, paths, query
 * strings, headers (keys, content types, idempotency keys), JSON bodies (batch-shaped and
 * arbitrary), raw bytes, multipart uploads (real images, random bytes, hostile names, broken
 * forms) and malformed HTTP on a raw socket. The property: no response is ≥ 500, JSON errors
 * never carry a stack trace, nothing hangs. Afterwards /healthz is 200, the worker that decoded
 * every fuzzed upload is alive, and a healthy batch still completes.
 */
import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpawnedWorker } from '@hourglass/worker';
import { pngHeaderClaiming, solidImage, textAsImage, truncatedJpeg } from '../../helpers/images.js';
import { TEST_API_KEY, fetchResults, startTestSystem, waitForBatch, type TestSystem } from '../../helpers/system.js';

/** Every request the fuzzers send, by status, for the summary line and the ≥ 1,000 check. */
const statuses = new Map<number, number>();
let sent = 0;
const serverErrors: string[] = [];

const ascii = (maxLength: number): fc.Arbitrary<string> => fc.string({ unit: 'binary-ascii', maxLength });
/** Header values fetch can send: no CR, LF or NUL, Latin-1 only. */
const headerValue = (maxLength: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength }).map((s) => s.trim());

describe('fuzzing every endpoint', () => {
  let system: TestSystem;
  let worker: SpawnedWorker;
  const realIds: string[] = [];
  let jpeg: Buffer;

  beforeAll(async () => {
    system = await startTestSystem({
      apiEnv: {
        RATE_LIMIT_PER_MINUTE: '1000000',
        AUTH_FAILURES_PER_MINUTE: '0',
        MAX_BATCH_IMAGES: '200',
        MAX_UPLOAD_FILES: '8',
        MAX_UPLOAD_BYTES: '100000',
        MAX_JSON_BYTES: '200000',
      },
    });
    jpeg = await solidImage({ colour: 'red', width: 32, height: 24 });
    await writeFile(path.join(system.dataRoot, 'a.jpg'), jpeg);
    await writeFile(path.join(system.dataRoot, 'b.png'), await solidImage({ colour: 'blue', width: 32, height: 24, format: 'png' }));
    worker = await system.startWorker();
    for (const images of [[{ path: 'a.jpg' }], [{ path: 'a.jpg' }, { path: 'b.png' }]]) {
      const response = await system.request('/v1/batches', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'colours', images }),
      });
      realIds.push(((await response.json()) as { id: string }).id);
    }
    await Promise.all(realIds.map((id) => waitForBatch(system, id)));
  });
  afterAll(async () => {
    console.info(
      `[fuzz] ${sent} requests; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}; 5xx=${serverErrors.length}`,
    );
    await system?.stop();
  });

  /** Sends one request and checks the property; never throws for a 4xx. */
  async function send(label: string, url: string, init: RequestInit): Promise<void> {
    sent++;
    let response: Response;
    try {
      response = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000), redirect: 'manual' });
    } catch (error) {
      // The server may reset a connection whose body it refused early (limits); that is not a 5xx.
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      if (cause === 'ECONNRESET' || cause === 'UND_ERR_SOCKET') return;
      // fetch itself refused to send it (a header value it deems invalid): not a request at all.
      if (cause === 'UND_ERR_INVALID_ARG') {
        sent--;
        return;
      }
      throw new Error(`${label}: request failed: ${String(error)} ${cause ?? ''} ${(error as { cause?: Error }).cause?.message ?? ''}`);
    }
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    const type = response.headers.get('content-type') ?? '';
    // Server-sent events stay open while a batch runs: the headers are the answer.
    const text = type.startsWith('text/event-stream') ? (await response.body?.cancel(), '') : await response.text();
    if (response.status >= 500) serverErrors.push(`${label} -> ${response.status} ${text.slice(0, 300)}`);
    expect(response.status, `${label} -> ${text.slice(0, 300)}`).toBeLessThan(500);
    if (type.includes('json')) expect(text, label).not.toMatch(/\n\s+at |node_modules|\.[jt]s:\d+:\d+/);
  }

  const authHeader = fc.oneof(
    { weight: 6, arbitrary: fc.constant(`Bearer ${TEST_API_KEY}`) },
    { weight: 1, arbitrary: fc.constant(`Basic ${Buffer.from(`x:${TEST_API_KEY}`).toString('base64')}`) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: headerValue(80) },
    { weight: 1, arbitrary: headerValue(60).map((s) => `Basic ${Buffer.from(s, 'latin1').toString('base64')}`) },
  );

  const idParts = (): fc.Arbitrary<string> =>
    fc.oneof(
      fc.constantFrom(...realIds),
      fc.stringMatching(/^b[a-z0-9]{8,40}$/),
      ascii(50).map(encodeURIComponent),
      fc.constantFrom('..', '%2e%2e', '%', '%zz', '..%2F..%2Fetc%2Fpasswd', 'b'.repeat(5000), '%00', '%C0%AE', '%E0%A4%A'),
    );

  const query = fc.option(
    fc
      .array(
        fc.tuple(
          fc.oneof(fc.constantFrom('format', 'limit', 'format[]', 'limit[a]', '__proto__', 'constructor'), ascii(10)),
          fc.oneof(fc.constantFrom('csv', 'ndjson', '-1', '1e9', 'NaN', ''), ascii(20)),
        ),
        { maxLength: 4 },
      )
      .map((pairs) => `?${pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`),
    { nil: '' },
  );

  const pathArb = (): fc.Arbitrary<string> =>
    fc.oneof(
      fc.constantFrom('/v1/batches', '/v1/models', '/v1/models/colours', '/healthz', '/admin/queues', '/admin/queues/api/queues', '/v1', '/', '/v1/batches/'),
      fc
        .tuple(idParts(), fc.constantFrom('', '/results', '/events', '/images/0', '/images/-1', '/images/x', '/results/extra'))
        .map(([id, tail]) => `/v1/batches/${id}${tail}`),
      idParts().map((name) => `/v1/models/${name}`),
      fc.tuple(ascii(20).map(encodeURIComponent), ascii(20).map(encodeURIComponent)).map(([q, j]) => `/admin/queues/api/queues/${q}/${j}`),
      fc.constantFrom(
        '/admin/queues/api/queues/classify-colours/pause',
        '/admin/queues/api/queues/classify-colours/add',
        '/admin/queues/api/redis/stats',
        '/admin/queues/api/queues/classify-colours/retry/failed',
      ),
    );

  const imagePath = fc.oneof(
    fc.constantFrom('a.jpg', 'b.png', '../a.jpg', '/etc/passwd', 'a.jpg/..', './a.jpg', 'nope.jpg', '.hourglass', 'C:\\a.jpg', 'a\\..\\..\\x', ''),
    ascii(40),
    fc.string({ maxLength: 30 }),
  );

  const batchBody = fc.record(
    {
      model: fc.oneof(fc.constantFrom('colours', 'nope', '', '../colours', 'colours '), ascii(70), fc.integer(), fc.constant(null)),
      images: fc.oneof(
        fc.array(fc.record({ path: fc.oneof(imagePath, fc.integer(), fc.constant(null)) }, { requiredKeys: [] }), { maxLength: 12 }),
        fc.array(fc.record({ path: imagePath, extra: fc.jsonValue() }), { maxLength: 3 }),
        fc.jsonValue(),
      ),
      chunkSize: fc.oneof(fc.integer({ min: -5, max: 300 }), fc.double(), ascii(5)),
      extra: fc.jsonValue(),
    },
    { requiredKeys: [] },
  );

  /** Mostly valid submits, so the deep path (paths, backpressure, idempotency, enqueue) runs too. */
  const nearlyValidBody = fc.record(
    {
      model: fc.constant('colours'),
      images: fc.array(fc.record({ path: fc.oneof({ weight: 9, arbitrary: fc.constantFrom('a.jpg', 'b.png') }, { weight: 1, arbitrary: imagePath }) }), {
        minLength: 1,
        maxLength: 6,
      }),
      chunkSize: fc.integer({ min: 1, max: 4 }),
    },
    { requiredKeys: ['model', 'images'] },
  );

  const jsonBody = fc.oneof(
    { weight: 3, arbitrary: nearlyValidBody.map((b) => JSON.stringify(b)) },
    { weight: 4, arbitrary: batchBody.map((b) => JSON.stringify(b)) },
    { weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
    { weight: 1, arbitrary: batchBody.map((b) => JSON.stringify(b).slice(0, -1)) },
  );

  const contentType = fc.oneof(
    { weight: 6, arbitrary: fc.constant('application/json') },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'application/json; charset=utf-16',
        'application/json; charset=koi8-r',
        'APPLICATION/JSON',
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data',
        'multipart/form-data; boundary=',
        'multipart/form-data; boundary=abc',
        'image/jpeg',
        '*/*',
        ';;;',
      ),
    },
    { weight: 1, arbitrary: headerValue(40) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );

  const extraHeaders = fc.record(
    {
      'idempotency-key': fc.oneof(fc.stringMatching(/^[A-Za-z0-9._~-]{1,20}$/), headerValue(140)),
      'content-encoding': fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'bogus'),
      accept: fc.constantFrom('text/event-stream', 'application/json', '*/*', 'text/csv'),
      'last-event-id': fc.stringMatching(/^[0-9a-z]{1,10}$/),
    },
    { requiredKeys: [] },
  );

  it('≥ 1,000 generated requests across every endpoint: no 5xx, no stack traces', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'GET', 'GET', 'POST', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'),
        pathArb(),
        query,
        authHeader,
        contentType,
        extraHeaders,
        fc.oneof(
          jsonBody,
          fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
        ),
        async (method, pathname, q, authorization, type, extra, body) => {
          const headers: Record<string, string> = { ...extra };
          if (authorization !== undefined) headers.authorization = authorization;
          if (type !== undefined) headers['content-type'] = type;
          const hasBody = method !== 'GET' && method !== 'HEAD';
          await send(`${method} ${pathname}${q} ${JSON.stringify(headers).slice(0, 200)}`, `${system.baseUrl}${pathname}${q}`, {
            method,
            headers,
            ...(hasBody ? { body } : {}),
          });
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('generated JSON submits to POST /v1/batches (valid key and type): batch-shaped, arbitrary and broken bodies', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        jsonBody,
        fc.option(fc.oneof(fc.stringMatching(/^[A-Za-z0-9._~-]{1,8}$/), headerValue(140)), { nil: undefined }),
        async (body, idempotencyKey) => {
          const headers: Record<string, string> = { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' };
          if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
          await send(`POST /v1/batches ${body.slice(0, 200)} key=${idempotencyKey}`, `${system.baseUrl}/v1/batches`, { method: 'POST', headers, body });
        },
      ),
      { numRuns: 400 },
    );
  });

  it('generated multipart uploads to POST /v1/batches: real, broken and random images, hostile names, broken forms', { timeout: 120_000 }, async () => {
    const truncated = await truncatedJpeg();
    const file = fc.record({
      field: fc.oneof({ weight: 5, arbitrary: fc.constant('images') }, { weight: 1, arbitrary: fc.oneof(fc.constantFrom('image', 'images[]', ''), ascii(10)) }),
      name: fc.oneof(
        fc.constantFrom('a.jpg', '../../etc/passwd', '/abs/x.png', 'C:\\x.jpg', '', '.hidden', 'x'.repeat(400), 'ü.jpg', 'a\u0000b.jpg'),
        fc.string({ maxLength: 40 }),
      ),
      bytes: fc.oneof(
        fc.constant(jpeg),
        fc.constant(truncated),
        fc.constant(textAsImage()),
        fc.constant(pngHeaderClaiming(20_000, 20_000)),
        fc.uint8Array({ maxLength: 2_000 }).map((b) => Buffer.from(b)),
        fc.integer({ min: 8, max: 2_000 }).map((n) => Buffer.concat([jpeg.subarray(0, n), Buffer.alloc(64, 0xff)])),
        fc.constant(Buffer.alloc(120_000, 1)),
      ),
    });
    const fields = fc.dictionary(
      fc.oneof(fc.constantFrom('model', 'chunkSize', 'images', '__proto__'), ascii(8)),
      fc.oneof(fc.constantFrom('colours', 'nope', '3', '0', ''), ascii(30)),
      { maxKeys: 3 },
    );

    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fields,
        fc.array(file, { maxLength: 10 }),
        fc.option(fc.constantFrom('multipart/form-data; boundary=wrong', 'application/json'), { nil: undefined }),
        async (withModel, extra, files, override) => {
          const form = new FormData();
          if (withModel) form.set('model', 'colours');
          for (const [k, v] of Object.entries(extra)) form.append(k, v);
          for (const f of files) form.append(f.field, new Blob([f.bytes]), f.name);
          const headers: Record<string, string> = { authorization: `Bearer ${TEST_API_KEY}` };
          let body: FormData | Buffer = form;
          if (override) {
            // Serialise the form, then lie about its boundary or type.
            const request = new Request('http://x', { method: 'POST', body: form });
            body = Buffer.from(await request.arrayBuffer());
            headers['content-type'] = override;
          }
          await send(
            `multipart model=${withModel} fields=${JSON.stringify(extra)} files=${files.map((f) => `${f.field}:${f.name}:${f.bytes.length}`).join(',')} ${override ?? ''}`,
            `${system.baseUrl}/v1/batches`,
            { method: 'POST', headers, body },
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('malformed HTTP on a raw socket: 4xx or a closed connection, never 5xx', { timeout: 60_000 }, async () => {
    const { port } = new URL(system.baseUrl);
    const rawRequest = (payload: Buffer): Promise<string> =>
      new Promise((resolve) => {
        const socket = net.connect(Number(port), '127.0.0.1');
        let data = '';
        socket.setTimeout(3_000, () => socket.destroy());
        socket.on('data', (chunk) => {
          data += chunk.toString('latin1');
        });
        socket.on('error', () => resolve(data));
        socket.on('close', () => resolve(data));
        socket.end(payload);
      });
    const auth = `Authorization: Bearer ${TEST_API_KEY}\r\n`;
    const requestLine = fc.oneof(
      fc.constantFrom(
        'GET /v1/models HTTP/1.1',
        'POST /v1/batches HTTP/1.1',
        'GET /v1/batches/%zz HTTP/1.1',
        'GET /../../etc/passwd HTTP/1.1',
        'BREW /v1 HTTP/1.1',
        'GET /v1/models HTTP/9.9',
        'GET  HTTP/1.1',
      ),
      ascii(60),
    );
    const tail = fc.oneof(
      fc.constant(`Host: x\r\n${auth}Content-Type: application/json\r\nContent-Length: 5\r\n\r\n{"a":`),
      fc.constant(`Host: x\r\n${auth}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nnot-hex\r\n0\r\n\r\n`),
      fc.constant(`Host: x\r\n${auth}Content-Length: 10\r\nContent-Length: 20\r\n\r\n0123456789`),
      fc.constant(`Host: x\r\n${auth}X-Big: ${'a'.repeat(20_000)}\r\n\r\n`),
      fc.constant(
        `Host: x\r\n${auth}Content-Type: multipart/form-data; boundary=zz\r\nContent-Length: 40\r\n\r\n--zz\r\nContent-Disposition: form-data\r\n\r\n`,
      ),
      ascii(200).map((s) => `Host: x\r\n${auth}${s}\r\n\r\n`),
    );
    await fc.assert(
      fc.asyncProperty(requestLine, tail, async (line, rest) => {
        sent++;
        const reply = await rawRequest(Buffer.from(`${line}\r\n${rest}`, 'latin1'));
        const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(reply)?.[1] ?? 0);
        if (status) statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status >= 500) serverErrors.push(`raw ${JSON.stringify(line)} -> ${reply.slice(0, 200)}`);
        expect(status, reply.slice(0, 200)).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
  });

  it('afterwards: ≥ 1,000 requests were sent, none 5xx, /healthz 200, the worker alive, a healthy batch completes', { timeout: 60_000 }, async () => {
    expect(sent).toBeGreaterThanOrEqual(1_000);
    expect(serverErrors).toEqual([]);
    expect((await fetch(`${system.baseUrl}/healthz`)).status).toBe(200);
    expect(worker.child.exitCode).toBeNull();
    // The fuzzer may have paused the queue through Bull Board (with the key): resume it.
    await system.api.context.queues.get('colours').resume();
    const response = await system.request('/v1/batches', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'colours', images: [{ path: 'a.jpg' }, { path: 'b.png' }] }),
    });
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    await waitForBatch(system, id, 30_000);
    expect((await fetchResults(system, id)).map((r) => r.label)).toEqual(['red', 'blue']);
  });
});

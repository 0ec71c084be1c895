/**
 * GET /openapi.json: an OpenAPI 3.1 document that covers every route the app registers (and no
 * route it lacks), whose examples all validate against their schemas, and whose schemas describe
 * what the running API really answers (checked on live responses from a real system).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_CHUNK_SIZE } from '@hourglass/core';
import { solidImage } from '../../helpers/images.js';
import { allExamples, documentedRoutes, registeredRoutes, validateAgainst } from '../../helpers/openapi.js';
import { startTestSystem, waitForBatch, type TestSystem } from '../../helpers/system.js';

const MOUNTED = ['/admin/queues'];

describe('OpenAPI document', () => {
  let system: TestSystem;
  let doc: any;
  const schema = (id: string) => ({ $ref: `#/components/schemas/${id}` });
  const expectValid = (id: string, value: unknown) =>
    expect(validateAgainst(doc, schema(id), value), `${id}: ${JSON.stringify(value).slice(0, 300)}`).toEqual([]);

  beforeAll(async () => {
    system = await startTestSystem();
    const response = await fetch(`${system.baseUrl}/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    doc = await response.json();
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('is OpenAPI 3.1 with bearer auth and component schemas', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBe('hourglass');
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining([
        'BatchRequest',
        'BatchUpload',
        'BatchView',
        'BatchList',
        'ResultRow',
        'Error',
        'Model',
        'ModelList',
        'Health',
        'BenchReport',
        'TrainRequest',
        'DatasetRequest',
      ]),
    );
  });

  it('documents every route the Express app registers, and only those', () => {
    const registered = registeredRoutes(system.api.app);
    const documented = documentedRoutes(doc);
    const covered = (route: string): boolean => {
      const [, p] = route.split(' ') as [string, string];
      const mount = MOUNTED.find((m) => p === m || p.startsWith(`${m}/`));
      return mount ? documented.includes(`GET ${mount}`) : documented.includes(route);
    };
    expect(registered.length).toBeGreaterThan(10);
    expect(
      registered.filter((r) => !covered(r)),
      'registered but not documented',
    ).toEqual([]);
    const mine = registered.filter((r) => !MOUNTED.some((m) => r.split(' ')[1]!.startsWith(m)));
    expect(
      documented.filter((r) => !mine.includes(r) && !MOUNTED.includes(r.split(' ')[1]!)),
      'documented but not registered',
    ).toEqual([]);
  });

  it('every example validates against its schema', () => {
    const examples = allExamples(doc);
    expect(examples.length).toBeGreaterThan(20);
    const failures = examples.flatMap((c) => validateAgainst(doc, c.schema, c.value).map((p) => `${c.where}: ${p}`));
    expect(failures).toEqual([]);
  });

  it('a wrong example would be caught (the validator is not a no-op)', () => {
    expect(validateAgainst(doc, schema('BatchView'), { id: 'x' })).not.toEqual([]);
    expect(validateAgainst(doc, schema('BatchRequest'), { model: 'm', images: [{ path: 'a.jpg' }], extra: 1 })).not.toEqual([]);
    expect(validateAgainst(doc, schema('Error'), { error: { code: 'NO_SUCH_CODE', message: 'x' } })).not.toEqual([]);
  });

  it('the request body schema is the one the route validates with (strict, same limits)', async () => {
    const body = doc.components.schemas.BatchRequest;
    expect(body.additionalProperties).toBe(false);
    expect(body.properties.chunkSize.maximum).toBe(MAX_CHUNK_SIZE);
    expect(body.required).toEqual(expect.arrayContaining(['model', 'images']));
    // What the schema rejects, the API rejects too.
    const extra = await system.request('/v1/batches', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'colours', images: [], color: 'red' }),
    });
    expect(extra.status).toBe(400);
    expectValid('Error', await extra.json());
    expect(doc.paths['/v1/batches'].post.requestBody.content['multipart/form-data'].schema).toEqual(schema('BatchUpload'));
  });

  it('live responses match the response schemas', async () => {
    await system.startWorker();
    await mkdir(path.join(system.dataRoot, 'oa'), { recursive: true });
    await writeFile(path.join(system.dataRoot, 'oa/red.jpg'), await solidImage({ colour: 'red', width: 64, height: 48 }));
    await writeFile(path.join(system.dataRoot, 'oa/bad.jpg'), Buffer.from('not an image'));
    const submitted = await system.request('/v1/batches', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'colours', images: [{ path: 'oa/red.jpg' }, { path: 'oa/bad.jpg' }] }),
    });
    expect(submitted.status).toBe(202);
    const created = (await submitted.json()) as { id: string };
    expectValid('BatchView', created);
    expectValid('BatchView', await waitForBatch(system, created.id));
    expectValid('BatchList', await (await system.request('/v1/batches')).json());
    const rows = (await (await system.request(`/v1/batches/${created.id}/results`)).text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows).toHaveLength(2);
    for (const row of rows) expectValid('ResultRow', row);
    expectValid('ModelList', await (await system.request('/v1/models')).json());
    expectValid('Model', await (await system.request('/v1/models/colours')).json());
    expectValid('ModelQueue', await (await system.request('/v1/models/colours/queue')).json());
    expectValid('Health', await (await fetch(`${system.baseUrl}/healthz`)).json());
    expectValid('BenchReport', await (await system.request('/v1/bench/report')).json());
    expectValid('DatasetList', await (await system.request('/v1/datasets')).json());
    expectValid('TrainList', await (await system.request('/v1/train')).json());
    expectValid('Error', await (await fetch(`${system.baseUrl}/v1/models`)).json());
    expectValid('Error', await (await system.request('/v1/batches/bnope12345678')).json());
  });
});

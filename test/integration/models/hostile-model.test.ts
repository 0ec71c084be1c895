/**
 * A hostile model at registration: a tiny ONNX whose one dummy batch would allocate gigabytes
 * (Expand then ReduceSum; it once took the API to 1.65 GB RSS). The check runs in a child process
 * under MODEL_CHECK_MEMORY_MB: the answer is 422 MODEL_RESOURCE_LIMIT, /healthz answers while it
 * runs, the API's own memory does not grow by the bomb, and a sane model registers afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildColourNet } from '@hourglass/core/testing';
import { expandBombModel } from '../../helpers/onnx-fixtures.js';
import { TEST_ADMIN_KEY, startTestSystem, type TestSystem } from '../../helpers/system.js';

describe('registering a model that explodes at run time', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem({ apiEnv: { MODEL_CHECK_MEMORY_MB: '1536', RATE_LIMIT_PER_MINUTE: '0' } });
  });
  afterAll(async () => {
    await system?.stop();
  });

  const register = (name: string, bytes: Uint8Array, labels: string): Promise<Response> => {
    const form = new FormData();
    form.set('name', name);
    form.set('labels', labels);
    form.append('model', new Blob([bytes]), 'model.onnx');
    return system.request('/v1/models', { method: 'POST', body: form, headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } });
  };

  it('is a 422 MODEL_RESOURCE_LIMIT; the API stays responsive and under its memory', async () => {
    const bomb = expandBombModel();
    expect(bomb.length).toBeLessThan(2000);
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    let healthy = 0;
    let probing = true;
    const probes = (async () => {
      while (probing) {
        const response = await fetch(`${system.baseUrl}/healthz`);
        if (response.status === 200) healthy++;
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const response = await register('bomb', bomb, 'a\nb\nc');
    probing = false;
    await probes;
    const body = (await response.json()) as any;
    expect([response.status, body.error.code], JSON.stringify(body)).toEqual([422, 'MODEL_RESOURCE_LIMIT']);
    expect(healthy).toBeGreaterThan(0);
    // The bomb's gigabyte lived (and died) in the child: the API process grew by far less.
    expect(peakRss - rssBefore).toBeLessThan(512 * 1024 * 1024);
    const listed = (await (await system.request('/v1/models', { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } })).json()) as any;
    expect(listed.models.map((m: any) => m.name)).not.toContain('bomb');

    const sane = await register('sane-after-bomb', buildColourNet({ name: 'x', size: 32, channels: 8 }).onnx, 'red\ngreen\nblue');
    expect(sane.status, await sane.clone().text()).toBe(201);
  }, 180_000);
});

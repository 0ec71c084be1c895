/**
 * GET /v1/batches/:id/images/:index (thumbnails for /ui) and the read-only benchmark report: only
 * the owner's images, only files under DATA_ROOT, types from magic bytes, no path tricks.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { solidImage } from '../../helpers/images.js';
import { TEST_MODEL, startTestSystem, waitForBatch, type TestSystem } from '../../helpers/system.js';

describe('batch images and the benchmark report', () => {
  let system: TestSystem;
  let benchDir: string;
  let batchId: string;
  let uploadId: string;
  let png: Buffer;

  beforeAll(async () => {
    benchDir = await mkdtemp(path.join(os.tmpdir(), 'hourglass-bench-'));
    await writeFile(path.join(benchDir, 'RESULTS.md'), '# Results\n');
    await writeFile(path.join(benchDir, 'a.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    await writeFile(path.join(benchDir, '.hidden.svg'), '<svg/>');
    await writeFile(path.join(benchDir, 'notes.txt'), 'x');
    // Where `hourglass bench` writes its per-run charts.
    await mkdir(path.join(benchDir, 'results/deeper'), { recursive: true });
    await writeFile(path.join(benchDir, 'results/2025-11-26-host-colours.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    await writeFile(path.join(benchDir, 'results/deeper/no.svg'), '<svg/>');
    system = await startTestSystem({ apiEnv: { HOURGLASS_API_KEYS: 'test-key-0123456789,other-key-0123456789', BENCH_REPORT_DIR: benchDir } });
    await system.startWorker();
    await mkdir(path.join(system.dataRoot, 'img'), { recursive: true });
    png = await solidImage({ colour: 'green', width: 40, height: 30, format: 'png' });
    await writeFile(path.join(system.dataRoot, 'img/a.png'), png);
    await writeFile(path.join(system.dataRoot, 'img/b.jpg'), Buffer.from('<html><script>alert(1)</script></html>'));
    const submitted = await system.request('/v1/batches', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: TEST_MODEL, images: [{ path: 'img/a.png' }, { path: 'img/b.jpg' }] }),
    });
    batchId = ((await submitted.json()) as { id: string }).id;
    await waitForBatch(system, batchId);
    const form = new FormData();
    form.set('model', TEST_MODEL);
    form.append('images', new Blob([await solidImage({ colour: 'red', width: 40, height: 30 })]), 'holiday.jpg');
    uploadId = ((await (await system.request('/v1/batches', { method: 'POST', body: form })).json()) as { id: string }).id;
    await waitForBatch(system, uploadId);
  });
  afterAll(async () => {
    await system?.stop();
    await rm(benchDir, { recursive: true, force: true });
  });

  it('streams the image with a sniffed type and a sandboxing CSP', async () => {
    const response = await system.request(`/v1/batches/${batchId}/images/0`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(response.headers.get('content-security-policy')).toContain('sandbox');
    expect(Buffer.from(await response.arrayBuffer()).equals(png)).toBe(true);
  });

  it('serves an uploaded image from its blob (the row keeps the original name as source)', async () => {
    const [row] = (await (await system.request(`/v1/batches/${uploadId}/results`)).text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(row.source).toBe('holiday.jpg');
    const response = await system.request(`/v1/batches/${uploadId}/images/0`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/jpeg');
  });

  it('refuses a file that is not an image (no HTML served from DATA_ROOT)', async () => {
    const response = await system.request(`/v1/batches/${batchId}/images/1`);
    expect(response.status).toBe(415);
    expect(((await response.json()) as any).error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('another key, a bad index or no key get nothing', async () => {
    expect((await system.request(`/v1/batches/${batchId}/images/0`, { headers: { authorization: 'Bearer other-key-0123456789' } })).status).toBe(404);
    expect((await fetch(`${system.baseUrl}/v1/batches/${batchId}/images/0`)).status).toBe(401);
    for (const index of ['2', '-1', '1e3', '..%2F..%2Fetc%2Fpasswd', '0x1']) {
      const response = await system.request(`/v1/batches/${batchId}/images/${index}`);
      expect([400, 404], index).toContain(response.status);
    }
  });

  it('the benchmark report lists RESULTS.md and plain .svg names only, and serves a chart inert', async () => {
    const report = (await (await system.request('/v1/bench/report')).json()) as any;
    expect(report.markdown).toBe('# Results\n');
    expect(report.charts.map((c: { name: string }) => c.name).sort()).toEqual(['2025-11-26-host-colours.svg', 'a.svg']);
    expect((await system.request('/v1/bench/charts/2025-11-26-host-colours.svg')).status).toBe(200);
    const chart = await system.request('/v1/bench/charts/a.svg');
    expect(chart.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(chart.headers.get('content-security-policy')).toContain('sandbox');
    for (const name of ['.hidden.svg', 'notes.txt', '..%2FRESULTS.md', 'missing.svg', 'no.svg', 'deeper%2Fno.svg', 'results%2Fa.svg']) {
      expect((await system.request(`/v1/bench/charts/${name}`)).status, name).toBe(404);
    }
    expect((await fetch(`${system.baseUrl}/v1/bench/report`)).status).toBe(401);
  });
});

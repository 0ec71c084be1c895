/**
 * The tenancy model, tried by a hostile second key B against key A's models, datasets and uploads
 * (rules in packages/core models/ownership.ts and apps/api private-paths.ts): B cannot add a
 * version to A's model or to a shared one, cannot re-point A's dataset, and cannot see, use or
 * read A's private models, datasets and uploaded images. A keeps full use of its own.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildColourNet } from '@hourglass/core/testing';
import { solidImage } from '../../helpers/images.js';
import { zipArchive } from '../../helpers/archives.js';
import { makeColourDataset } from '../../helpers/training.js';
import { TEST_ADMIN_KEY, TEST_API_KEY, startTestSystem, waitForBatch, type TestSystem } from '../../helpers/system.js';

const KEY_B = 'tenant-b-key-0123456789';
const as = (key: string) => ({ authorization: `Bearer ${key}` });

describe("tenancy: one key cannot touch another key's models, datasets and uploads", () => {
  let system: TestSystem;
  const onnx = buildColourNet({ name: 'x', size: 32, channels: 8 }).onnx;

  beforeAll(async () => {
    system = await startTestSystem({ apiEnv: { HOURGLASS_API_KEYS: `${TEST_API_KEY},${KEY_B}`, RATE_LIMIT_PER_MINUTE: '0' } });
    await makeColourDataset(system.dataRoot, 'a-folder', { perClass: 4 });
    await makeColourDataset(system.dataRoot, 'b-folder', { perClass: 4, colours: ['red', 'green'] });
  });
  afterAll(async () => {
    await system?.stop();
  });

  const registerModel = (key: string, name: string): Promise<Response> => {
    const form = new FormData();
    form.set('name', name);
    form.set('labels', 'red\ngreen\nblue');
    form.set('size', '32');
    form.append('model', new Blob([onnx]), 'model.onnx');
    return system.request('/v1/models', { method: 'POST', headers: as(key), body: form });
  };
  const json = (key: string, pathname: string, body: unknown): Promise<Response> =>
    system.request(pathname, { method: 'POST', headers: { ...as(key), 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const code = async (response: Response): Promise<[number, string]> => [response.status, ((await response.json()) as any).error?.code];

  it("models: A's upload is private to A; B cannot overwrite, list, describe or use it", async () => {
    const created = await registerModel(TEST_API_KEY, 'a-model');
    expect(created.status, await created.clone().text()).toBe(201);
    expect(await code(await registerModel(KEY_B, 'a-model'))).toEqual([409, 'NAME_TAKEN']);
    // Still A's version 1, from A's upload.
    const mine = (await (await system.request('/v1/models/a-model')).json()) as any;
    expect(mine.version).toBe(1);

    const listedByB = (await (await system.request('/v1/models', { headers: as(KEY_B) })).json()) as any;
    expect(listedByB.models.map((m: any) => m.name)).not.toContain('a-model');
    expect(listedByB.models.map((m: any) => m.name)).toContain('colours');
    expect(await code(await system.request('/v1/models/a-model', { headers: as(KEY_B) }))).toEqual([404, 'MODEL_NOT_FOUND']);
    expect(await code(await system.request('/v1/models/a-model/queue', { headers: as(KEY_B) }))).toEqual([404, 'MODEL_NOT_FOUND']);
    await solidImage({ colour: 'red' }).then((bytes) => import('node:fs/promises').then((fs) => fs.writeFile(path.join(system.dataRoot, 'red.jpg'), bytes)));
    expect(await code(await json(KEY_B, '/v1/batches', { model: 'a-model', images: [{ path: 'red.jpg' }] }))).toEqual([404, 'MODEL_NOT_FOUND']);
    expect((await json(TEST_API_KEY, '/v1/batches', { model: 'a-model', images: [{ path: 'red.jpg' }] })).status).toBe(202);
    // B cannot train into A's name either.
    expect(await code(await json(KEY_B, '/v1/train', { baseModel: 'colours', dataset: 'b-folder', name: 'a-model' }))).toEqual([409, 'NAME_TAKEN']);
    // The admin sees it (to operate the fleet) but cannot take it over.
    expect((await system.request('/v1/models/a-model', { headers: as(TEST_ADMIN_KEY) })).status).toBe(200);
    expect(await code(await registerModel(TEST_ADMIN_KEY, 'a-model'))).toEqual([409, 'NAME_TAKEN']);
  });

  it('models: shared ones are read-only to tenants; an admin adds their versions', async () => {
    expect(await code(await registerModel(KEY_B, 'colours'))).toEqual([409, 'NAME_TAKEN']);
    expect(await code(await registerModel(TEST_API_KEY, 'colours'))).toEqual([409, 'NAME_TAKEN']);
    const admin = await registerModel(TEST_ADMIN_KEY, 'shared-new');
    expect(admin.status).toBe(201);
    const seenByB = (await (await system.request('/v1/models/shared-new', { headers: as(KEY_B) })).json()) as any;
    expect(seenByB.name).toBe('shared-new');
    expect(await code(await registerModel(KEY_B, 'shared-new'))).toEqual([409, 'NAME_TAKEN']);
  });

  it("datasets: B cannot re-point A's name, nor see or train on A's dataset", async () => {
    expect((await json(TEST_API_KEY, '/v1/datasets', { path: 'a-folder', name: 'a-set' })).status).toBe(201);
    expect(await code(await json(KEY_B, '/v1/datasets', { path: 'b-folder', name: 'a-set' }))).toEqual([409, 'NAME_TAKEN']);
    const entry = (await (await system.request('/v1/datasets/a-set')).json()) as any;
    expect(entry).toMatchObject({ name: 'a-set', path: 'a-folder' });
    expect(JSON.stringify(entry.classes)).toContain('blue');

    const listedByB = (await (await system.request('/v1/datasets', { headers: as(KEY_B) })).json()) as any;
    expect(listedByB.datasets.map((d: any) => d.name)).not.toContain('a-set');
    expect(await code(await system.request('/v1/datasets/a-set', { headers: as(KEY_B) }))).toEqual([404, 'DATASET_NOT_FOUND']);
    expect(await code(await json(KEY_B, '/v1/train', { baseModel: 'colours', dataset: 'a-set' }))).toEqual([404, 'DATASET_NOT_FOUND']);
    // A re-registers its own name freely.
    expect((await json(TEST_API_KEY, '/v1/datasets', { path: 'a-folder', name: 'a-set' })).status).toBe(201);
  });

  it("uploads: blob paths cannot be named in a JSON batch; an uploaded dataset's files are its owner's", async () => {
    const form = new FormData();
    form.set('model', 'colours');
    form.append('images', new Blob([await solidImage({ colour: 'green' })]), 'secret.jpg');
    const uploaded = await system.request('/v1/batches', { method: 'POST', body: form });
    expect(uploaded.status).toBe(202);
    await system.startWorker();
    const { id } = (await uploaded.json()) as { id: string };
    await waitForBatch(system, id);
    const rows = (await (await system.request(`/v1/batches/${id}/results`)).text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const blobPath = rows[0].path as string;
    expect(blobPath).toMatch(/^\.hourglass\/blobs\//);
    for (const key of [KEY_B, TEST_API_KEY]) {
      for (const p of [blobPath, `./${blobPath}`, `a-folder/../${blobPath}`]) {
        expect(await code(await json(key, '/v1/batches', { model: 'colours', images: [{ path: p }] }))).toEqual([400, 'PATH_PRIVATE']);
      }
    }
    expect(await code(await json(KEY_B, '/v1/datasets', { path: '.hourglass/blobs', name: 'steal' }))).toEqual([400, 'PATH_PRIVATE']);

    const archive = new FormData();
    archive.set('name', 'a-upload');
    const jpeg = await solidImage({ colour: 'blue', width: 16, height: 16 });
    archive.set('archive', new Blob([zipArchive(['a/1.jpg', 'a/2.jpg', 'b/1.jpg', 'b/2.jpg'].map((name) => ({ name: `up/${name}`, data: jpeg })))]), 'up.zip');
    expect((await system.request('/v1/datasets', { method: 'POST', body: archive })).status).toBe(201);
    const files = (await readdir(path.join(system.dataRoot, 'datasets', 'a-upload'), { recursive: true })).filter((f) => f.endsWith('.jpg'));
    const inside = `datasets/a-upload/${files[0]!.split(path.sep).join('/')}`;
    expect(await code(await json(KEY_B, '/v1/batches', { model: 'colours', images: [{ path: inside }] }))).toEqual([400, 'PATH_PRIVATE']);
    expect(await code(await json(KEY_B, '/v1/train', { baseModel: 'colours', dataset: 'datasets/a-upload' }))).toEqual([400, 'PATH_PRIVATE']);
    expect((await json(TEST_API_KEY, '/v1/batches', { model: 'colours', images: [{ path: inside }] })).status).toBe(202);
    expect((await fetch(`${system.baseUrl}/healthz`)).status).toBe(200);
  }, 120_000);
});

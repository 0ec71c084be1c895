/**
 * infra/docker/runtime-manifests.mjs, run on copies of the repo's manifests: the image builds'
 * `npm ci` must see no import-only package (nsfwjs, TF.js) and otherwise the lockfile as it is.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const WORKSPACES = ['packages/core', 'apps/api', 'apps/worker', 'apps/cli', 'apps/harness'];
type Lock = { packages: Record<string, { dependencies?: Record<string, string>; devDependencies?: Record<string, string> }> };

describe('infra/docker/runtime-manifests.mjs', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hg-manifests-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  for (const f of ['package.json', 'package-lock.json', ...WORKSPACES.map((w) => `${w}/package.json`)]) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    cpSync(path.join(root, f), path.join(dir, f));
  }
  execFileSync(process.execPath, [path.join(root, 'infra/docker/runtime-manifests.mjs')], { cwd: dir });
  const read = <T>(f: string): T => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as T;
  const before = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as Lock;
  const after = read<Lock>('package-lock.json');

  it('no manifest and no lockfile root names nsfwjs or @tensorflow/tfjs', () => {
    for (const f of ['package.json', ...WORKSPACES.map((w) => `${w}/package.json`)]) {
      const text = readFileSync(path.join(dir, f), 'utf8');
      expect(text, f).not.toMatch(/"nsfwjs"|"@tensorflow\/tfjs"/);
    }
    expect(after.packages['node_modules/nsfwjs']).toBeUndefined();
    expect(after.packages['node_modules/@tensorflow/tfjs']).toBeUndefined();
    for (const w of ['', ...WORKSPACES]) {
      const e = after.packages[w]!;
      expect(Object.keys({ ...e.dependencies, ...e.devDependencies }), w).not.toEqual(expect.arrayContaining(['nsfwjs']));
    }
  });

  it('drops the TF.js stack with them, and keeps what the apps and the build need, entries unchanged', () => {
    const dropped = Object.keys(before.packages).filter((k) => !(k in after.packages));
    expect(dropped).toEqual(expect.arrayContaining(['node_modules/nsfwjs', 'node_modules/@tensorflow/tfjs', 'node_modules/@tensorflow/tfjs-core']));
    for (const where of Object.keys(before.packages).filter((k) => k.startsWith('node_modules/@tensorflow/'))) expect(dropped).toContain(where);
    for (const name of ['onnxruntime-node', 'sharp', 'bullmq', 'ioredis', 'express', '@bull-board/api', 'typescript', 'vitest', '@hourglass/core']) {
      expect(after.packages[`node_modules/${name}`], name).toEqual(before.packages[`node_modules/${name}`]);
    }
    for (const [where, entry] of Object.entries(after.packages)) {
      if (where.includes('node_modules/')) expect(entry, where).toEqual(before.packages[where]);
    }
    const core = (l: Lock) => l.packages['packages/core']!.dependencies!;
    const { nsfwjs: _gone, ...rest } = core(before);
    expect(core(after)).toEqual(rest);
  });
});

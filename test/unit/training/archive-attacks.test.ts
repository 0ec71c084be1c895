/**
 * Hostile dataset archives: files of zeros named .jpg (once stored as 954 MB), a zip bomb, a name
 * that is both a file and a folder (once a 500 EEXIST), and one large tar entry (once quadratic).
 * Each is refused or skipped with a code, and no message names a path on this server.
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '@hourglass/core';
import { extractDatasetArchive, type ArchiveKind } from '@hourglass/core/testing';
import { tarArchive, zipArchive, type ArchiveEntry } from '../../helpers/archives.js';
import { solidImage } from '../../helpers/images.js';

let root: string;
let jpeg: Buffer;
let n = 0;
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'hourglass-archive-attacks-'));
  jpeg = await solidImage({ colour: 'green', width: 8, height: 8 });
});
afterAll(() => rm(root, { recursive: true, force: true }));

async function unpack(kind: ArchiveKind, bytes: Buffer, limits?: Parameters<typeof extractDatasetArchive>[3]) {
  const file = path.join(root, `a${n++}.${kind === 'zip' ? 'zip' : 'tar.gz'}`);
  await writeFile(file, bytes);
  const target = path.join(root, 'data', `ds${n}`);
  return { report: await extractDatasetArchive(file, kind, target, limits), target };
}
const build = (kind: ArchiveKind, entries: ArchiveEntry[]): Buffer => (kind === 'zip' ? zipArchive(entries) : tarArchive(entries));
async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).message).not.toContain(root);
  return error as AppError;
}

describe.each(['zip', 'tar.gz'] as const)('%s attacks', (kind) => {
  it('entries named .jpg/.png that are not images are skipped with the reason, never stored', async () => {
    const { report, target } = await unpack(
      kind,
      build(kind, [
        { name: 'set/a/real.jpg', data: jpeg },
        { name: 'set/a/zeros.jpg', data: Buffer.alloc(64 * 1024) },
        { name: 'set/b/real.jpg', data: jpeg },
        { name: 'set/b/text.png', data: Buffer.from('not a png at all') },
        { name: 'set/b/fake.jpg', data: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(100)]) },
      ]),
    );
    expect(report.written).toBe(2);
    expect(report.skipped.map((s) => s.path).sort()).toEqual(['set/a/zeros.jpg', 'set/b/fake.jpg', 'set/b/text.png']);
    expect(report.skipped.every((s) => /content is/.test(s.reason))).toBe(true);
    expect((await readdir(path.join(target, 'a'))).sort()).toEqual(['real.jpg']);
  });

  it('green/a.jpg and green/a.jpg/c.jpg, in either order: 400 ARCHIVE_NAME_COLLISION, nothing left behind', async () => {
    for (const entries of [
      [
        { name: 'green/a.jpg', data: jpeg },
        { name: 'green/a.jpg/c.jpg', data: jpeg },
      ],
      [
        { name: 'green/a.jpg/c.jpg', data: jpeg },
        { name: 'green/a.jpg', data: jpeg },
      ],
    ]) {
      const error = await failure(unpack(kind, build(kind, [{ name: 'red/x.jpg', data: jpeg }, ...entries])));
      expect([error.code, error.httpStatus]).toEqual(['ARCHIVE_NAME_COLLISION', 400]);
    }
    expect((await readdir(path.join(root, 'data')).catch(() => [])).filter((d) => d.startsWith('.staging'))).toEqual([]);
  });

  it('an archive that expands far beyond its size: 413 ARCHIVE_TOO_LARGE', async () => {
    const zeros = Buffer.alloc(24 * 1024 * 1024);
    const bomb = build(
      kind,
      Array.from({ length: 4 }, (_, i) => ({ name: `set/a/${i}.jpg`, data: zeros })),
    );
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const error = await failure(unpack(kind, bomb));
    expect([error.code, error.httpStatus]).toEqual(['ARCHIVE_TOO_LARGE', 413]);
  });
});

describe('tar reader', () => {
  it('reads one 20 MB entry among small ones, byte for byte (linear: chunks copied once)', async () => {
    const big = Buffer.alloc(20 * 1024 * 1024, 7);
    jpeg.copy(big);
    const { report, target } = await unpack(
      'tar.gz',
      tarArchive([
        { name: 'set/a/1.jpg', data: jpeg },
        { name: 'set/a/big.jpg', data: big },
        { name: 'set/b/1.jpg', data: jpeg },
      ]),
      {
        maxEntries: 10,
        maxFileBytes: 25 * 1024 * 1024,
        maxTotalBytes: 1e9,
        maxExpansionRatio: 100_000,
      },
    );
    expect(report.written).toBe(3);
    expect((await readFile(path.join(target, 'a', 'big.jpg'))).equals(big)).toBe(true);
  });
});

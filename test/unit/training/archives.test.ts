import { mkdtemp, readdir, rm, writeFile, access } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, archiveKindOf } from '@hourglass/core';
import { entrySegments, extractDatasetArchive, scanDataset, type ArchiveKind } from '@hourglass/core/testing';
import { tarArchive, zipArchive, type ArchiveEntry } from '../../helpers/archives.js';
import { solidImage } from '../../helpers/images.js';

let root: string;
let jpeg: Buffer;
let n = 0;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'hourglass-archives-'));
  jpeg = await solidImage({ colour: 'red', width: 8, height: 8 });
});
afterAll(() => rm(root, { recursive: true, force: true }));

async function unpack(kind: ArchiveKind, bytes: Buffer, limits?: Parameters<typeof extractDatasetArchive>[3]) {
  const file = path.join(root, `a${n++}.${kind === 'zip' ? 'zip' : 'tar.gz'}`);
  await writeFile(file, bytes);
  const target = path.join(root, 'data', `ds${n}`);
  const report = await extractDatasetArchive(file, kind, target, limits);
  return { report, target };
}

const build = (kind: ArchiveKind, entries: ArchiveEntry[]): Buffer => (kind === 'zip' ? zipArchive(entries) : tarArchive(entries));
const expectCode = async (promise: Promise<unknown>, code: string, message?: RegExp) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
  expect((error as AppError).httpStatus).toBe(400);
  if (message) expect((error as AppError).message).toMatch(message);
};

describe('entry names', () => {
  it('rejects absolute paths and ..; keeps the rest as segments', () => {
    expect(entrySegments('a/./b\\c.jpg')).toEqual(['a', 'b', 'c.jpg']);
    for (const bad of ['../x.jpg', 'a/../../x.jpg', '/etc/passwd', 'C:\\x.jpg', 'a\\..\\..\\x', 'a\0b'])
      expect(() => entrySegments(bad), bad).toThrow(AppError);
    expect(archiveKindOf('X.TGZ')).toBe('tar.gz');
    expect(archiveKindOf('x.tar.gz')).toBe('tar.gz');
    expect(archiveKindOf('x.zip')).toBe('zip');
    expect(archiveKindOf('x.rar')).toBeUndefined();
  });
});

describe.each(['zip', 'tar.gz'] as const)('%s datasets', (kind) => {
  it('unpacks <dataset>/<label>/<image>, strips the single top folder, skips and reports the rest', async () => {
    const { report, target } = await unpack(
      kind,
      build(kind, [
        { name: 'pets/', type: 'dir' },
        { name: 'pets/cat/1.jpg', data: jpeg },
        { name: 'pets/cat/2.JPG', data: jpeg },
        { name: 'pets/dog/1.png', data: jpeg },
        { name: 'pets/dog/notes.txt', data: Buffer.from('hi') },
        { name: 'pets/dog/.DS_Store', data: Buffer.from('x') },
        { name: 'pets/dog/deep/er/x.jpg', data: jpeg },
        { name: 'pets/dog/link.jpg', type: 'symlink', link: '/etc/passwd' },
        { name: `pets/cat/${'long-name-'.repeat(12)}.jpg`, data: jpeg },
      ]),
    );
    expect(report.written).toBe(4);
    expect(report.skipped.map((s) => [s.path, s.reason])).toEqual(
      expect.arrayContaining([
        ['pets/dog/notes.txt', 'not an image (.txt)'],
        ['pets/dog/.DS_Store', 'hidden or system file'],
        ['pets/dog/deep/er/x.jpg', 'deeper than <dataset>/<label>/<file>'],
        ['pets/dog/link.jpg', 'link (not extracted)'],
      ]),
    );
    expect((await readdir(target)).sort()).toEqual(['cat', 'dog']);
    const scan = await scanDataset(path.dirname(target), path.basename(target));
    expect(scan.classes).toEqual([
      { label: 'cat', count: 3 },
      { label: 'dog', count: 1 },
    ]);
    // No staging folder is left beside it.
    expect((await readdir(path.dirname(target))).filter((d) => d.startsWith('.staging'))).toEqual([]);
  });

  it('rejects an entry that climbs out, and writes nothing anywhere', async () => {
    const before = await readdir(root);
    await expectCode(
      unpack(
        kind,
        build(kind, [
          { name: 'ok/a.jpg', data: jpeg },
          { name: '../../evil.jpg', data: jpeg },
        ]),
      ),
      'ARCHIVE_INVALID',
      /climbs out/,
    );
    await expectCode(unpack(kind, build(kind, [{ name: '/tmp/evil.jpg', data: jpeg }])), 'ARCHIVE_INVALID', /absolute/);
    expect(
      await access(path.join(root, '..', 'evil.jpg')).then(
        () => true,
        () => false,
      ),
    ).toBe(false);
    expect((await readdir(path.join(root, 'data'))).filter((d) => d.startsWith('.staging'))).toEqual([]);
    expect((await readdir(root)).length).toBe(before.length + 2);
  });

  it('caps entries, file size and total size', async () => {
    const many = Array.from({ length: 6 }, (_, i) => ({ name: `c/${i}.jpg`, data: jpeg }));
    await expectCode(unpack(kind, build(kind, many), { maxEntries: 5, maxFileBytes: 1e6, maxTotalBytes: 1e9 }), 'ARCHIVE_INVALID', /more than 5 entries/);
    await expectCode(
      unpack(kind, build(kind, [{ name: 'c/big.jpg', data: Buffer.alloc(5000) }]), { maxEntries: 10, maxFileBytes: 4000, maxTotalBytes: 1e9 }),
      'ARCHIVE_INVALID',
      /limit is 4000|larger than 4000/,
    );
    await expectCode(
      unpack(kind, build(kind, many), { maxEntries: 10, maxFileBytes: 1e6, maxTotalBytes: jpeg.length * 3 }),
      'ARCHIVE_INVALID',
      /unpacks to more than/,
    );
  });

  it('says so when there is no image at all', async () => {
    await expectCode(unpack(kind, build(kind, [{ name: 'readme.md', data: Buffer.from('#') }])), 'ARCHIVE_INVALID', /no image files/);
  });
});

describe('zip specifics', () => {
  it('does not trust a declared size: a bomb that inflates past it is rejected', async () => {
    const bomb = zipArchive([{ name: 'c/bomb.jpg', data: Buffer.alloc(1_000_000), declaredSize: 100 }]);
    await expectCode(unpack('zip', bomb), 'ARCHIVE_INVALID', /declared size|header says/);
  });

  it('refuses what is not a zip', async () => {
    await expectCode(unpack('zip', Buffer.from('not a zip at all')), 'ARCHIVE_INVALID', /not a zip/);
  });
});

describe('tar specifics', () => {
  it('refuses a truncated or non-gzip stream', async () => {
    const whole = tarArchive([{ name: 'c/a.jpg', data: jpeg }], { gzip: false });
    const { gzipSync } = await import('node:zlib');
    await expectCode(unpack('tar.gz', gzipSync(whole.subarray(0, 700))), 'ARCHIVE_INVALID', /truncated/);
    await expectCode(unpack('tar.gz', Buffer.from('plain text')), 'ARCHIVE_INVALID', /not a readable/);
  });
});

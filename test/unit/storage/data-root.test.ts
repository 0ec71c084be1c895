import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, MAX_PATH_LENGTH, normaliseRelativePath, realDataRoot, resolveImagePath, type ErrorCode } from '@hourglass/core';

async function codeOf(promise: Promise<unknown>): Promise<ErrorCode> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected a rejection').toBeInstanceOf(AppError);
  return (error as AppError).code;
}

let sandbox: string;
let root: string;
let outside: string;

beforeAll(async () => {
  sandbox = await realDataRoot(await mkdtemp(path.join(os.tmpdir(), 'hg-data-root-')));
  root = path.join(sandbox, 'data');
  outside = path.join(sandbox, 'secret');
  await mkdir(path.join(root, 'cats'), { recursive: true });
  await mkdir(outside);
  await writeFile(path.join(root, 'cats', 'tom.jpg'), 'jpeg');
  await writeFile(path.join(root, 'top.jpg'), 'jpeg');
  await writeFile(path.join(root, '..dots.jpg'), 'jpeg');
  await writeFile(path.join(outside, 'passwd'), 'root:x:0:0');
  // Links planted inside DATA_ROOT.
  await symlink(path.join(outside, 'passwd'), path.join(root, 'evil.jpg'));
  await symlink(outside, path.join(root, 'evil-dir'));
  await symlink('../secret/passwd', path.join(root, 'relative-evil.jpg'));
  await symlink(path.join(root, 'cats', 'tom.jpg'), path.join(root, 'alias.jpg'));
  await symlink('cats', path.join(root, 'kittens'));
  await symlink(path.join(root, 'nowhere.jpg'), path.join(root, 'dangling.jpg'));
  root = await realDataRoot(root);
});

afterAll(async () => {
  await rm(sandbox, { recursive: true, force: true });
});

describe('resolveImagePath', () => {
  it('resolves a plain relative path to the real file', async () => {
    expect(await resolveImagePath(root, 'cats/tom.jpg')).toBe(path.join(root, 'cats', 'tom.jpg'));
    expect(await resolveImagePath(root, './cats/../top.jpg')).toBe(path.join(root, 'top.jpg'));
  });

  it('accepts a file whose name merely starts with two dots', async () => {
    expect(await resolveImagePath(root, '..dots.jpg')).toBe(path.join(root, '..dots.jpg'));
  });

  it.each([['../secret/passwd'], ['..'], ['cats/../../secret/passwd'], ['..\\secret\\passwd']])('refuses %j, which climbs out of DATA_ROOT', async (p) => {
    expect(await codeOf(resolveImagePath(root, p))).toBe('PATH_OUTSIDE_DATA_ROOT');
  });

  it('refuses absolute paths, even ones that point inside DATA_ROOT', async () => {
    expect(await codeOf(resolveImagePath(root, path.join(outside, 'passwd')))).toBe('PATH_OUTSIDE_DATA_ROOT');
    expect(await codeOf(resolveImagePath(root, path.join(root, 'top.jpg')))).toBe('PATH_OUTSIDE_DATA_ROOT');
    expect(await codeOf(resolveImagePath(root, '/etc/passwd'))).toBe('PATH_OUTSIDE_DATA_ROOT');
  });

  it.each([['C:\\Windows\\win.ini'], ['c:/boot.ini'], ['\\\\server\\share\\x.jpg'], ['\\rooted.jpg']])('refuses the Windows path %j', async (p) => {
    expect(await codeOf(resolveImagePath(root, p))).toBe('PATH_OUTSIDE_DATA_ROOT');
  });

  it('refuses a NUL byte', async () => {
    expect(await codeOf(resolveImagePath(root, 'top.jpg\0.png'))).toBe('PATH_OUTSIDE_DATA_ROOT');
  });

  it('refuses a symlink inside DATA_ROOT that leads outside (file, folder, relative link)', async () => {
    expect(await codeOf(resolveImagePath(root, 'evil.jpg'))).toBe('PATH_OUTSIDE_DATA_ROOT');
    expect(await codeOf(resolveImagePath(root, 'evil-dir/passwd'))).toBe('PATH_OUTSIDE_DATA_ROOT');
    expect(await codeOf(resolveImagePath(root, 'relative-evil.jpg'))).toBe('PATH_OUTSIDE_DATA_ROOT');
  });

  it('follows a symlink that stays inside DATA_ROOT to its real file', async () => {
    expect(await resolveImagePath(root, 'alias.jpg')).toBe(path.join(root, 'cats', 'tom.jpg'));
    expect(await resolveImagePath(root, 'kittens/tom.jpg')).toBe(path.join(root, 'cats', 'tom.jpg'));
  });

  it('reports a missing file, a dangling link and a directory as IMAGE_NOT_FOUND', async () => {
    expect(await codeOf(resolveImagePath(root, 'cats/garfield.jpg'))).toBe('IMAGE_NOT_FOUND');
    expect(await codeOf(resolveImagePath(root, 'dangling.jpg'))).toBe('IMAGE_NOT_FOUND');
    expect(await codeOf(resolveImagePath(root, 'cats'))).toBe('IMAGE_NOT_FOUND');
    expect(await codeOf(resolveImagePath(root, '.'))).toBe('IMAGE_NOT_FOUND');
  });

  it('names the offending path in the error details', async () => {
    const error = await resolveImagePath(root, 'cats/garfield.jpg').catch((e: AppError) => e);
    expect((error as AppError).details).toEqual({ path: 'cats/garfield.jpg' });
    expect((error as AppError).isClientError).toBe(true);
  });
});

describe('normaliseRelativePath', () => {
  it('normalises separators and dots without touching the disk', () => {
    expect(normaliseRelativePath('a/./b/../c.jpg')).toBe('a/c.jpg');
    expect(normaliseRelativePath('a\\b\\c.jpg')).toBe('a/b/c.jpg');
    expect(normaliseRelativePath('a//b.jpg')).toBe('a/b.jpg');
  });

  it('rejects empty and over-long paths as VALIDATION_FAILED', () => {
    expect(() => normaliseRelativePath('')).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    expect(() => normaliseRelativePath(42 as unknown as string)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    expect(() => normaliseRelativePath('a'.repeat(MAX_PATH_LENGTH + 1))).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    expect(normaliseRelativePath('a'.repeat(MAX_PATH_LENGTH))).toHaveLength(MAX_PATH_LENGTH);
  });
});

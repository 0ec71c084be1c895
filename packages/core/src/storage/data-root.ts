/**
 * Every image path a client names is resolved here, under DATA_ROOT, and nowhere else: relative
 * paths only, no '..' that climbs out, and symlinks are followed and checked again, so a link
 * planted inside DATA_ROOT cannot lead the worker to /etc/passwd.
 */
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors.js';

export const MAX_PATH_LENGTH = 1024;

/** Checks the shape of a client path without touching the disk; returns it normalised. */
export function normaliseRelativePath(relative: string): string {
  if (typeof relative !== 'string' || relative.length === 0) {
    throw new AppError('VALIDATION_FAILED', 'image path must be a non-empty string');
  }
  if (relative.length > MAX_PATH_LENGTH) {
    throw new AppError('VALIDATION_FAILED', `image path is longer than ${MAX_PATH_LENGTH} characters`);
  }
  if (relative.includes('\0')) throw new AppError('PATH_OUTSIDE_DATA_ROOT', 'image path contains a NUL byte');
  if (path.isAbsolute(relative) || /^[a-zA-Z]:[\\/]/.test(relative) || relative.startsWith('\\')) {
    throw new AppError('PATH_OUTSIDE_DATA_ROOT', `"${relative}": absolute paths are not accepted; give a path relative to DATA_ROOT`);
  }
  const normal = path.posix.normalize(relative.replaceAll('\\', '/'));
  if (normal === '..' || normal.startsWith('../')) {
    throw new AppError('PATH_OUTSIDE_DATA_ROOT', `"${relative}" points outside DATA_ROOT`);
  }
  return normal;
}

function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  // '..' or '../x' climbs out; a name that merely starts with dots ('..x.jpg') is inside.
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/**
 * Resolves a client path to the real absolute path of an existing regular file under `dataRoot`
 * (which must itself be a real path: see realDataRoot).
 */
export async function resolveImagePath(dataRoot: string, relative: string): Promise<string> {
  const normal = normaliseRelativePath(relative);
  const joined = path.join(dataRoot, normal);
  if (!isInside(dataRoot, joined)) throw new AppError('PATH_OUTSIDE_DATA_ROOT', `"${relative}" points outside DATA_ROOT`);
  let real: string;
  try {
    real = await realpath(joined);
  } catch {
    throw new AppError('IMAGE_NOT_FOUND', `"${relative}" does not exist under DATA_ROOT`, { details: { path: relative } });
  }
  if (!isInside(dataRoot, real)) {
    throw new AppError('PATH_OUTSIDE_DATA_ROOT', `"${relative}" is a link that leads outside DATA_ROOT`, { details: { path: relative } });
  }
  const info = await stat(real);
  if (!info.isFile()) throw new AppError('IMAGE_NOT_FOUND', `"${relative}" is not a regular file`, { details: { path: relative } });
  return real;
}

/** DATA_ROOT with its own symlinks resolved, so containment checks compare like with like. */
export async function realDataRoot(dataRoot: string): Promise<string> {
  return realpath(dataRoot);
}

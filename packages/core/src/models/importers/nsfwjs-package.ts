/** Finds the installed `nsfwjs` package (its exports map hides package.json, so walk up from its entry). */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { AppError } from '../../errors.js';

export interface NsfwjsPackage {
  dir: string;
  version: string;
}

export async function findNsfwjsPackage(from: string = import.meta.url): Promise<NsfwjsPackage> {
  let entry: string;
  try {
    entry = createRequire(from).resolve('nsfwjs');
  } catch (cause) {
    throw new AppError('MODEL_NOT_FOUND', 'the nsfwjs package is not installed (npm install)', { cause });
  }
  for (let dir = path.dirname(entry); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const pkg = await readFile(path.join(dir, 'package.json'), 'utf8').then(
      (t) => JSON.parse(t) as { name?: string; version?: string },
      () => undefined,
    );
    if (pkg?.name === 'nsfwjs' && pkg.version) return { dir, version: pkg.version };
  }
  throw new AppError('MODEL_NOT_FOUND', `cannot find nsfwjs's package.json above ${entry}`);
}

/**
 * Reads the value a UMD/browserify bundle exports (`module.exports = ...`), as nsfwjs ships its
 * model topology and weight shards (`model.min.js`, `group1-shardNofM.min.js`). The bundle runs in
 * a fresh V8 context that sees only `module` and `exports`: no `require`, no `process`, no globals
 * of this process. These files come from an installed dependency, so this is no security boundary
 * against hostile code, only against a bundle that reaches for the environment by accident.
 */
import { readFile } from 'node:fs/promises';
import vm from 'node:vm';
import { AppError } from '../../errors.js';

export async function readUmdExport(file: string): Promise<unknown> {
  const code = await readFile(file, 'utf8');
  const module: { exports: unknown } = { exports: {} };
  try {
    vm.runInNewContext(code, { module, exports: module.exports }, { filename: file, timeout: 30_000 });
  } catch (cause) {
    throw new AppError('MODEL_INVALID', `${file}: cannot evaluate the bundle (${(cause as Error).message})`, { cause, details: { file } });
  }
  const value = module.exports;
  // An ES-module-shaped bundle exports { default: value }.
  if (value !== null && typeof value === 'object' && 'default' in value) return (value as { default: unknown }).default;
  return value;
}

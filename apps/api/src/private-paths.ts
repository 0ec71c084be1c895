/**
 * What a client may name by path under DATA_ROOT. DATA_ROOT is the operator's image store, shared
 * by every key; two places in it hold what tenants uploaded, and are theirs:
 * - `.hourglass/` (uploaded images, content-addressed blobs, and other internal state): never
 *   named by a client. An upload is classified by the request that uploads it; naming its blob
 *   path in a JSON batch would let any key read another's upload byte for byte.
 * - `datasets/<name>/` (unpacked dataset archives): only by the key that owns dataset <name>.
 * Both answer 400 PATH_PRIVATE. Paths are checked after resolution (symlinks and `..` followed),
 * as workers will read them.
 */
import { AppError, type DatasetCaller, type DatasetRegistry } from '@hourglass/core';

const INTERNAL_DIR = '.hourglass';
const UPLOADED_DATASETS = 'datasets';

const segments = (relative: string): string[] => relative.split(/[\\/]+/).filter((s) => s !== '' && s !== '.');

/** Synchronous part: internal paths. */
export function assertReadableFolder(relative: string): void {
  if (segments(relative)[0] === INTERNAL_DIR) {
    throw new AppError('PATH_PRIVATE', `"${relative.slice(0, 200)}" is internal to the server (uploads are referenced by the request that uploads them)`);
  }
}

/** A checker for one request: dataset ownership is looked up once per dataset name. */
export function privatePathCheck(registry: DatasetRegistry, caller: DatasetCaller): (relative: string) => Promise<void> {
  const verdicts = new Map<string, Promise<boolean>>();
  return async (relative) => {
    assertReadableFolder(relative);
    const [first, name] = segments(relative);
    if (first !== UPLOADED_DATASETS || name === undefined) return;
    let allowed = verdicts.get(name);
    if (!allowed) {
      allowed = Promise.all([registry.get(name), registry.get(name, caller)]).then(([any, visible]) => any === undefined || visible !== undefined);
      verdicts.set(name, allowed);
    }
    if (!(await allowed)) throw new AppError('PATH_PRIVATE', `"${relative.slice(0, 200)}" belongs to another key's dataset`);
  };
}

/**
 * Who a model belongs to, and who may see it or add versions to it. The tenancy model:
 * - A model without an owner (the bundled and generated ones, those placed in MODELS_DIR by the
 *   operator, those an admin key registers) is shared: every key sees and uses it; only admin keys
 *   add versions to it.
 * - A model a tenant key registers or fine-tunes is that key's: others neither see nor use it
 *   (404 MODEL_NOT_FOUND, as if absent), and nobody else adds a version to it.
 * - Names are one namespace: a name in use by another key is 409 NAME_TAKEN, never a new version.
 * The owner is recorded in the manifest as `source.owner`: the non-secret hash of the key.
 */
import { AppError } from '../errors.js';
import type { ModelManifest } from './manifest.js';

export interface Caller {
  /** The hash of the caller's key (see the API's ownerOf). */
  owner: string;
  admin: boolean;
}

export function modelOwner(manifest: ModelManifest): string | undefined {
  const owner = (manifest.source as Record<string, unknown>).owner;
  return typeof owner === 'string' && owner.length > 0 ? owner : undefined;
}

/** Shared models are everyone's; a private one is its owner's (and any admin's, to operate it). */
export function canSeeModel(manifest: ModelManifest, caller: Caller): boolean {
  const owner = modelOwner(manifest);
  return owner === undefined || owner === caller.owner || caller.admin;
}

/** The owner a model registered by this caller gets: none (shared) for an admin key. */
export const ownerForNewModel = (caller: Caller): string | undefined => (caller.admin ? undefined : caller.owner);

/** Throws NAME_TAKEN unless the caller may add a version under this name. */
export function assertMayWriteModel(name: string, existing: ModelManifest | undefined, caller: Caller): void {
  if (!existing) return;
  const owner = modelOwner(existing);
  if (owner === undefined ? caller.admin : owner === caller.owner) return;
  throw new AppError(
    'NAME_TAKEN',
    owner === undefined
      ? `model "${name}" is a shared model: only an admin key adds versions to it; choose another name`
      : `the name "${name}" is taken by another key's model; choose another name`,
    { details: { name } },
  );
}

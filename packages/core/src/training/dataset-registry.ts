/**
 * Registered datasets: a name → its folder under DATA_ROOT, classes, counts and content hash, in
 * one Redis hash. Registration scans and hashes the folder once; a train job re-hashes it when it
 * runs. A train request may also name an unregistered folder directly under DATA_ROOT. An
 * uploaded archive is unpacked into DATA_ROOT/datasets/<name> first.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { DEFAULT_ARCHIVE_LIMITS, extractDatasetArchive, type ArchiveKind, type ArchiveLimits, type ArchiveReport } from './archives.js';
import { hashDataset, scanDataset, summariseDataset, type DatasetScan, type DatasetSummary, type HashedDataset } from './datasets.js';

/** Dataset names follow the model-name rule: they end up in model names and Redis keys. */
export const datasetNameSchema = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'lower-case letters, digits, ".", "_" and "-", at most 64 characters');

/** Uploaded archives are unpacked into DATA_ROOT/<this>/<name>. */
export const UPLOADED_DATASETS_DIR = 'datasets';

export interface RegisteredDataset extends DatasetSummary {
  registeredAt: string;
  /** The key that registered it (hash); only that key sees, uses or re-points the name. */
  owner?: string;
}

/** Who asks: the hash of their key, and whether it is an admin key (sees every dataset). */
export interface DatasetCaller {
  owner: string;
  admin: boolean;
}

const visibleTo = (dataset: RegisteredDataset, caller: DatasetCaller | undefined): boolean =>
  caller === undefined || caller.admin || dataset.owner === undefined || dataset.owner === caller.owner;

// KEYS: the datasets hash. ARGV: name, entry JSON, owner. Stores the entry unless the name is
// another owner's (one atomic step: two keys racing for a new name cannot both get it).
const CLAIM_DATASET = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current then
  local ok, decoded = pcall(cjson.decode, current)
  local owner = ok and decoded.owner or nil
  if owner ~= nil and owner ~= cjson.null and owner ~= ARGV[3] then return 0 end
  if (owner == nil or owner == cjson.null) and ARGV[3] ~= '' then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
`;

/** Turns a folder name into a dataset name ("Fluffy or not" → "fluffy-or-not"). */
export function datasetNameFromPath(relative: string): string {
  const last = relative.split('/').filter(Boolean).at(-1) ?? '';
  const name = last
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-._]+|[-._]+$/g, '')
    .slice(0, 64);
  return name || 'dataset';
}

export class DatasetRegistry {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(): string {
    return `${this.prefix}:datasets`;
  }

  /**
   * Scans and hashes the folder, then stores (or replaces) its entry. With an owner, a name that
   * another owner registered (or one registered without an owner, by the operator) is 409
   * NAME_TAKEN: nobody re-points another's dataset.
   */
  async register(dataRoot: string, relative: string, name?: string, owner?: string): Promise<{ dataset: RegisteredDataset; scan: HashedDataset }> {
    const early = name === undefined ? undefined : datasetNameSchema.parse(name);
    if (early !== undefined) await this.assertMayWrite(early, owner);
    const scan = await hashDataset(dataRoot, await scanDataset(dataRoot, relative));
    const datasetName = early ?? datasetNameSchema.parse(datasetNameFromPath(scan.path));
    const dataset: RegisteredDataset = { ...summariseDataset(datasetName, scan), registeredAt: new Date().toISOString(), ...(owner ? { owner } : {}) };
    const claimed = await this.redis.eval(CLAIM_DATASET, 1, this.key(), datasetName, JSON.stringify(dataset), owner ?? '');
    if (claimed !== 1) throw nameTaken(datasetName);
    return { dataset, scan };
  }

  /** 409 NAME_TAKEN when the name is registered by someone else (checked again atomically on write). */
  async assertMayWrite(name: string, owner: string | undefined): Promise<void> {
    const current = await this.get(name);
    if (current && (current.owner ?? '') !== (owner ?? '')) throw nameTaken(name);
  }

  /**
   * Unpacks an uploaded archive into DATA_ROOT/datasets/<name> and registers it. The folder must
   * not exist yet (a dataset is never overwritten by an upload).
   */
  async registerArchive(
    dataRoot: string,
    archive: { file: string; kind: ArchiveKind },
    name: string,
    limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS,
    owner?: string,
  ): Promise<{ dataset: RegisteredDataset; archive: ArchiveReport }> {
    const datasetName = datasetNameSchema.parse(name);
    await this.assertMayWrite(datasetName, owner);
    const relative = `${UPLOADED_DATASETS_DIR}/${datasetName}`;
    const target = path.join(dataRoot, UPLOADED_DATASETS_DIR, datasetName);
    if (
      await stat(target).then(
        () => true,
        () => false,
      )
    ) {
      throw new AppError('VALIDATION_FAILED', `a dataset folder "${relative}" already exists under DATA_ROOT; upload under another name`);
    }
    const report = await extractDatasetArchive(archive.file, archive.kind, target, limits);
    const { dataset } = await this.register(dataRoot, relative, datasetName, owner);
    return { dataset, archive: report };
  }

  /** The entry, if the caller may see it (no caller: any). */
  async get(name: string, caller?: DatasetCaller): Promise<RegisteredDataset | undefined> {
    const raw = await this.redis.hget(this.key(), name);
    const dataset = raw ? (JSON.parse(raw) as RegisteredDataset) : undefined;
    return dataset && visibleTo(dataset, caller) ? dataset : undefined;
  }

  async list(caller?: DatasetCaller): Promise<RegisteredDataset[]> {
    const all = await this.redis.hgetall(this.key());
    return Object.values(all)
      .map((raw) => JSON.parse(raw) as RegisteredDataset)
      .filter((dataset) => visibleTo(dataset, caller))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * What a train request's `dataset` names: a registered dataset (re-scanned now; `hash` is the
   * one recorded at registration), else a folder of that name under DATA_ROOT (no hash yet: the
   * job hashes the images when it reads them). Listing only, no image is read, so a submit stays
   * fast on big datasets. DATASET_NOT_FOUND when neither exists.
   */
  async resolve(dataRoot: string, name: string, caller?: DatasetCaller): Promise<{ name: string; scan: DatasetScan; hash: string }> {
    const registered = await this.get(name, caller);
    if (!registered && (await this.get(name))) throw notFound(name);
    if (registered) return { name, scan: await scanDataset(dataRoot, registered.path), hash: registered.hash };
    try {
      const scan = await scanDataset(dataRoot, name);
      return { name: datasetNameFromPath(scan.path), scan, hash: '' };
    } catch (error) {
      if (error instanceof AppError && (error.code === 'DATASET_NOT_FOUND' || error.code === 'PATH_OUTSIDE_DATA_ROOT' || error.code === 'VALIDATION_FAILED')) {
        throw notFound(name);
      }
      throw error;
    }
  }
}

function notFound(name: string): AppError {
  return new AppError(
    'DATASET_NOT_FOUND',
    `dataset "${name.slice(0, 64)}" is not registered and is not a folder under DATA_ROOT (POST /v1/datasets registers one)`,
    { details: { dataset: name.slice(0, 64) } },
  );
}

function nameTaken(name: string): AppError {
  return new AppError('NAME_TAKEN', `the dataset name "${name}" is taken by another key; choose another name`, { details: { name } });
}

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
export const datasetNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'lower-case letters, digits, ".", "_" and "-", at most 64 characters');

/** Uploaded archives are unpacked into DATA_ROOT/<this>/<name>. */
export const UPLOADED_DATASETS_DIR = 'datasets';

export interface RegisteredDataset extends DatasetSummary {
  registeredAt: string;
}

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

  /** Scans and hashes the folder, then stores (or replaces) its entry. */
  async register(dataRoot: string, relative: string, name?: string): Promise<{ dataset: RegisteredDataset; scan: HashedDataset }> {
    const scan = await hashDataset(dataRoot, await scanDataset(dataRoot, relative));
    const datasetName = datasetNameSchema.parse(name ?? datasetNameFromPath(scan.path));
    const dataset: RegisteredDataset = { ...summariseDataset(datasetName, scan), registeredAt: new Date().toISOString() };
    await this.redis.hset(this.key(), datasetName, JSON.stringify(dataset));
    return { dataset, scan };
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
  ): Promise<{ dataset: RegisteredDataset; archive: ArchiveReport }> {
    const datasetName = datasetNameSchema.parse(name);
    const relative = `${UPLOADED_DATASETS_DIR}/${datasetName}`;
    const target = path.join(dataRoot, UPLOADED_DATASETS_DIR, datasetName);
    if (await stat(target).then(() => true, () => false)) {
      throw new AppError('VALIDATION_FAILED', `a dataset folder "${relative}" already exists under DATA_ROOT; upload under another name`);
    }
    const report = await extractDatasetArchive(archive.file, archive.kind, target, limits);
    const { dataset } = await this.register(dataRoot, relative, datasetName);
    return { dataset, archive: report };
  }

  async get(name: string): Promise<RegisteredDataset | undefined> {
    const raw = await this.redis.hget(this.key(), name);
    return raw ? (JSON.parse(raw) as RegisteredDataset) : undefined;
  }

  async list(): Promise<RegisteredDataset[]> {
    const all = await this.redis.hgetall(this.key());
    return Object.values(all)
      .map((raw) => JSON.parse(raw) as RegisteredDataset)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * What a train request's `dataset` names: a registered dataset (re-scanned now; `hash` is the
   * one recorded at registration), else a folder of that name under DATA_ROOT (no hash yet: the
   * job hashes the images when it reads them). Listing only, no image is read, so a submit stays
   * fast on big datasets. DATASET_NOT_FOUND when neither exists.
   */
  async resolve(dataRoot: string, name: string): Promise<{ name: string; scan: DatasetScan; hash: string }> {
    const registered = await this.get(name);
    if (registered) return { name, scan: await scanDataset(dataRoot, registered.path), hash: registered.hash };
    try {
      const scan = await scanDataset(dataRoot, name);
      return { name: datasetNameFromPath(scan.path), scan, hash: '' };
    } catch (error) {
      if (error instanceof AppError && (error.code === 'DATASET_NOT_FOUND' || error.code === 'PATH_OUTSIDE_DATA_ROOT' || error.code === 'VALIDATION_FAILED')) {
        throw new AppError('DATASET_NOT_FOUND', `dataset "${name}" is not registered and is not a folder under DATA_ROOT (POST /v1/datasets registers one)`, { details: { dataset: name } });
      }
      throw error;
    }
  }
}

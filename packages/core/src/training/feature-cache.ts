/**
 * Backbone features of images, cached by (backbone fingerprint, image content hash): a retried
 * train job, a second head on the same dataset, or another dataset holding the same files skips
 * the backbone for every image already seen. Two stores: Redis (shared by every worker of a
 * deployment; what the worker uses) and a folder (the CLI experiment, no Redis needed).
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { mapLimit } from '../concurrency.js';
import type { RegisteredModel } from '../models/registry.js';

export interface FeatureCache {
  /** Features for each hash, undefined where absent. */
  getMany(backbone: string, hashes: readonly string[]): Promise<Array<Float32Array | undefined>>;
  setMany(backbone: string, entries: ReadonlyArray<{ hash: string; features: Float32Array }>): Promise<void>;
}

/**
 * What identifies a backbone's features: name, version, and a digest of what shapes them (the
 * preprocessing, the features output, the ONNX file's size), so a re-imported model with the same
 * version but other weights or input size does not reuse stale features.
 */
export function backboneFingerprint(model: RegisteredModel): string {
  const { manifest } = model;
  const digest = createHash('sha256')
    .update(JSON.stringify({ input: manifest.input, features: manifest.features, bytes: model.onnxBytes, source: manifest.source }))
    .digest('hex')
    .slice(0, 12);
  return `${manifest.name}@${manifest.version}-${digest}`;
}

const toBuffer = (f: Float32Array): Buffer => Buffer.from(f.buffer, f.byteOffset, f.byteLength);
const fromBuffer = (b: Buffer): Float32Array => {
  const copy = new Float32Array(b.byteLength / 4);
  Buffer.from(copy.buffer).set(b);
  return copy;
};

export const FEATURE_CACHE_TTL_SECONDS = 14 * 24 * 3600;

/** Features as raw float32 strings in Redis, one key per image, expiring after two weeks. */
export class RedisFeatureCache implements FeatureCache {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlSeconds = FEATURE_CACHE_TTL_SECONDS,
  ) {}

  /** One hash tag per backbone: the MGET of a job's images stays in one Redis Cluster slot. */
  key(backbone: string, hash: string): string {
    return `${this.prefix}:{features:${backbone}}:${hash}`;
  }

  async getMany(backbone: string, hashes: readonly string[]): Promise<Array<Float32Array | undefined>> {
    if (hashes.length === 0) return [];
    const out: Array<Float32Array | undefined> = [];
    // MGET in slices: one reply for 100k images would be hundreds of megabytes.
    for (let i = 0; i < hashes.length; i += 500) {
      const slice = hashes.slice(i, i + 500);
      const values = await this.redis.mgetBuffer(...slice.map((h) => this.key(backbone, h)));
      for (const value of values) out.push(value && value.byteLength > 0 && value.byteLength % 4 === 0 ? fromBuffer(value) : undefined);
    }
    return out;
  }

  async setMany(backbone: string, entries: ReadonlyArray<{ hash: string; features: Float32Array }>): Promise<void> {
    if (entries.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const { hash, features } of entries) pipeline.set(this.key(backbone, hash), toBuffer(features), 'EX', this.ttlSeconds);
    await pipeline.exec();
  }
}

/** Features as files: <dir>/<backbone>/<hash[0:2]>/<hash>.f32, written atomically. */
export class DiskFeatureCache implements FeatureCache {
  constructor(private readonly dir: string) {}

  private file(backbone: string, hash: string): string {
    return path.join(this.dir, backbone, hash.slice(0, 2), `${hash}.f32`);
  }

  async getMany(backbone: string, hashes: readonly string[]): Promise<Array<Float32Array | undefined>> {
    // A bounded number of open files: 100,000 hashes at once would run out of file descriptors.
    return mapLimit(hashes, 64, async (hash) => {
      const bytes = await readFile(this.file(backbone, hash)).catch(() => undefined);
      return bytes && bytes.byteLength > 0 && bytes.byteLength % 4 === 0 ? fromBuffer(bytes) : undefined;
    });
  }

  async setMany(backbone: string, entries: ReadonlyArray<{ hash: string; features: Float32Array }>): Promise<void> {
    for (const { hash, features } of entries) {
      const file = this.file(backbone, hash);
      await mkdir(path.dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, toBuffer(features));
      await rename(tmp, file);
    }
  }
}

/** In memory, for tests. */
export class MemoryFeatureCache implements FeatureCache {
  readonly entries = new Map<string, Float32Array>();

  async getMany(backbone: string, hashes: readonly string[]): Promise<Array<Float32Array | undefined>> {
    return hashes.map((h) => this.entries.get(`${backbone}:${h}`));
  }

  async setMany(backbone: string, entries: ReadonlyArray<{ hash: string; features: Float32Array }>): Promise<void> {
    for (const { hash, features } of entries) this.entries.set(`${backbone}:${hash}`, features.slice());
  }
}

/**
 * Coordination between processes that write the model registry (MODELS_DIR) and those that read it.
 *
 * - Writers of one model name take `MODELS_DIR/.lock-<name>`, a file created with O_EXCL: two
 *   registrations of the same name run one after the other instead of racing their renames. A
 *   lock whose holder died (same host, pid gone) or that is older than `staleMs` is taken over.
 * - A writer swaps folders in two renames (`<name>` -> `.staging-<name>-<uuid>-old`, then the new
 *   staging folder -> `<name>`). Readers that find `<name>` missing while such an `-old` folder
 *   exists know a swap is in flight and wait for it (see {@link waitForSwap}); a writer that finds
 *   one left by a crash puts it back ({@link recoverModelFolder}).
 */
import { randomUUID } from 'node:crypto';
import { link, open, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '../errors.js';

export const LOCK_PREFIX = '.lock-';
export const STAGING_PREFIX = '.staging-';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const STAGING_NAME = new RegExp(`^\\.staging-(.+)-(${UUID})(-old)?$`);

/** A registry entry left by a writer: its model name, and whether it is a moved-aside old copy. */
export function parseStagingName(entry: string): { model: string; old: boolean } | undefined {
  const match = STAGING_NAME.exec(entry);
  return match ? { model: match[1]!, old: match[3] !== undefined } : undefined;
}

export const stagingName = (model: string): string => `${STAGING_PREFIX}${model}-${randomUUID()}`;

export interface ModelLockOptions {
  /** Give up (MODEL_BUSY) after waiting this long for another writer. Default 120 s. */
  timeoutMs?: number;
  /** A lock older than this is taken over whoever holds it. Default 30 min. */
  staleMs?: number;
}

interface LockBody {
  token: string;
  pid: number;
  host: string;
  at: number;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readLock(file: string): Promise<{ body: LockBody | undefined; raw: string; mtimeMs: number } | undefined> {
  try {
    const [raw, info] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
    let body: LockBody | undefined;
    try {
      body = JSON.parse(raw) as LockBody;
    } catch {
      body = undefined;
    }
    return { body, raw, mtimeMs: info.mtimeMs };
  } catch {
    return undefined;
  }
}

function isStale(lock: { body: LockBody | undefined; mtimeMs: number }, staleMs: number): boolean {
  const age = Date.now() - lock.mtimeMs;
  if (age > staleMs) return true;
  // Created but not yet written (the holder is between open and write): give it a moment.
  if (!lock.body) return age > 5_000;
  return lock.body.host === os.hostname() && !pidAlive(lock.body.pid);
}

/** Moves a stale lock out of the way; puts it back if it turned out to be a fresh one. */
async function breakLock(file: string, judged: string): Promise<void> {
  const aside = `${file}.stale-${randomUUID()}`;
  try {
    await rename(file, aside);
  } catch {
    return; // someone else broke or released it first
  }
  const moved = await readFile(aside, 'utf8').catch(() => judged);
  if (moved !== judged) await link(aside, file).catch(() => undefined); // a new holder's lock: restore it
  await rm(aside, { force: true });
}

/**
 * Runs `fn` holding the write lock of one model name in `modelsDir` (which must exist). Waits for
 * another holder with backoff; MODEL_BUSY after `timeoutMs`.
 */
export async function withModelLock<T>(modelsDir: string, name: string, fn: () => Promise<T>, options: ModelLockOptions = {}): Promise<T> {
  const file = path.join(modelsDir, `${LOCK_PREFIX}${name}`);
  const timeoutMs = options.timeoutMs ?? 120_000;
  const staleMs = options.staleMs ?? 30 * 60_000;
  const body: LockBody = { token: randomUUID(), pid: process.pid, host: os.hostname(), at: Date.now() };
  const raw = JSON.stringify(body);
  const deadline = Date.now() + timeoutMs;
  let delay = 5;
  for (;;) {
    try {
      const handle = await open(file, 'wx');
      try {
        await handle.writeFile(raw);
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const held = await readLock(file);
    if (held && isStale(held, staleMs)) {
      await breakLock(file, held.raw);
      continue;
    }
    if (Date.now() > deadline) {
      const by = held?.body ? ` by pid ${held.body.pid} on ${held.body.host}` : '';
      throw new AppError(
        'MODEL_BUSY',
        `model "${name}" is being written${by}; gave up after ${Math.round(timeoutMs / 1000)} s (remove ${file} if no registration is running)`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(200, delay * 2);
  }
  try {
    return await fn();
  } finally {
    // Release only our own lock (a stale-lock breaker may have replaced it).
    const current = await readFile(file, 'utf8').catch(() => undefined);
    if (current === raw) await rm(file, { force: true });
  }
}

async function entriesOf(modelsDir: string): Promise<string[]> {
  return readdir(modelsDir).catch(() => [] as string[]);
}

const exists = async (p: string): Promise<boolean> => (await stat(p).catch(() => undefined)) !== undefined;

/** True while a writer has moved `<name>` aside and not yet renamed the new folder into place. */
export async function swapInFlight(modelsDir: string, name: string): Promise<boolean> {
  return (await entriesOf(modelsDir)).some((entry) => {
    const parsed = parseStagingName(entry);
    return parsed?.old === true && parsed.model === name;
  });
}

/**
 * Waits (up to `timeoutMs`) for `<name>` to reappear when a swap is in flight. Answers whether the
 * folder exists now. Costs one stat when nothing is being written.
 */
export async function waitForSwap(modelsDir: string, name: string, timeoutMs = 2_000): Promise<boolean> {
  const dir = path.join(modelsDir, name);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await exists(dir)) return true;
    if (Date.now() > deadline || !(await swapInFlight(modelsDir, name))) return exists(dir);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Cleans up after crashed writers of one model; call it holding that model's lock. Leftover
 * staging folders are removed; when `<name>` is missing but a moved-aside copy exists (a crash
 * between the two renames), the newest copy is put back so the model stays registered.
 */
export async function recoverModelFolder(modelsDir: string, name: string): Promise<void> {
  const target = path.join(modelsDir, name);
  const leftovers = (await entriesOf(modelsDir)).filter((entry) => parseStagingName(entry)?.model === name);
  if (leftovers.length === 0) return;
  const olds: Array<{ dir: string; mtimeMs: number }> = [];
  for (const entry of leftovers) {
    const dir = path.join(modelsDir, entry);
    if (parseStagingName(entry)?.old) {
      const info = await stat(dir).catch(() => undefined);
      if (info) olds.push({ dir, mtimeMs: info.mtimeMs });
    } else {
      await rm(dir, { recursive: true, force: true });
    }
  }
  olds.sort((a, b) => b.mtimeMs - a.mtimeMs);
  if (!(await exists(target)) && olds[0]) {
    await rename(olds[0].dir, target);
    olds.shift();
  }
  for (const old of olds) await rm(old.dir, { recursive: true, force: true });
}

/**
 * {@link recoverModelFolder} for every model that has leftovers, each under its own lock. A name
 * whose lock is held is skipped: its writer is alive and cleans up itself (by default this never
 * waits; pass timeoutMs to wait for writers). Answers the names it recovered.
 */
export async function recoverModelsDir(modelsDir: string, options: ModelLockOptions = {}): Promise<string[]> {
  const names = new Set<string>();
  for (const entry of await entriesOf(modelsDir)) {
    const parsed = parseStagingName(entry);
    if (parsed) names.add(parsed.model);
  }
  const recovered: string[] = [];
  for (const name of names) {
    try {
      await withModelLock(modelsDir, name, () => recoverModelFolder(modelsDir, name), { timeoutMs: 0, ...options });
      recovered.push(name);
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'MODEL_BUSY')) throw error;
    }
  }
  return recovered;
}

/** What a client sees of a batch, derived from its record (BatchStore) and the counters the result store maintains. */
import { BATCH_FIELD as F } from '../batch-fields.js';
import type { ChunkSizeSource } from './chunk-size-policy.js';

export type BatchStatus = 'queued' | 'running' | 'completed';

export interface BatchView {
  id: string;
  model: string;
  modelVersion: number;
  total: number;
  /** Images per job (1 = one job per image). */
  chunkSize: number;
  /** Who chose chunkSize: the request, the server's DEFAULT_CHUNK_SIZE, or the auto policy. */
  chunkSizeSource: ChunkSizeSource;
  /** Why that size (for auto: the rule that decided and the rates it used). */
  chunkSizeReason: string;
  status: BatchStatus;
  counts: { queued: number; active: number; completed: number; failed: number };
  timings: { createdAt: string; firstResultAt: string | null; finishedAt: string | null };
  /** From creation to the last result (or to now while running), ms. */
  elapsedMs: number;
  /** Finished images per second over elapsedMs. */
  imagesPerSecond: number;
}

const iso = (ms: string | undefined): string | null => (ms ? new Date(Number(ms)).toISOString() : null);

/** `meta`: the batch's hash as HGETALL returns it. */
export function toBatchView(meta: Record<string, string>, now = Date.now()): BatchView {
  const total = Number(meta[F.total]);
  const completed = Number(meta[F.completed] ?? 0);
  const failed = Number(meta[F.failed] ?? 0);
  const done = completed + failed;
  const started = Math.max(done, Math.min(total, Number(meta[F.started] ?? 0)));
  const createdAt = Number(meta[F.createdAt]);
  const end = meta[F.finishedAt] ? Number(meta[F.finishedAt]) : now;
  const elapsedMs = Math.max(0, end - createdAt);
  return {
    id: meta[F.id]!,
    model: meta[F.model]!,
    modelVersion: Number(meta[F.modelVersion] ?? 1),
    total,
    chunkSize: Number(meta[F.chunkSize] ?? 1),
    // Batches created before sizes were chosen automatically carry neither field.
    chunkSizeSource: (meta[F.chunkSizeSource] as ChunkSizeSource | undefined) ?? 'default',
    chunkSizeReason: meta[F.chunkSizeReason] ?? `${Number(meta[F.chunkSize] ?? 1)} images/job`,
    status: done >= total ? 'completed' : started > 0 ? 'running' : 'queued',
    counts: { queued: total - started, active: started - done, completed, failed },
    timings: { createdAt: iso(meta[F.createdAt])!, firstResultAt: iso(meta[F.firstResultAt]), finishedAt: iso(meta[F.finishedAt]) },
    elapsedMs,
    imagesPerSecond: elapsedMs > 0 ? Math.round((done / elapsedMs) * 1000 * 100) / 100 : 0,
  };
}

/**
 * The shape rules of a batch submit, written once. The API builds its request schemas from these
 * fields and calls these checks before it does any work (an upload, a model lookup); submitBatch
 * calls checkBatchShape for every caller (the API, the bench, tests), so a caller that skipped the
 * API gets the same codes and messages, and a chunkSize of 0 can never loop the enqueue.
 */
import { z } from 'zod';
import { AppError } from '../errors.js';
import { MAX_CHUNK_SIZE } from '../limits.js';
import { MAX_PATH_LENGTH } from '../storage/data-root.js';

export const idempotencyKeyPattern = /^[A-Za-z0-9._~-]{1,128}$/;

export const modelNameField = z.string().min(1).max(64);
export const imagePathField = z.string().min(1).max(MAX_PATH_LENGTH);

/** chunkSize's bounds on a number schema: plain for a JSON body, coerced for a form field. */
export function chunkSizeRule<T extends z.ZodNumber | z.ZodCoercedNumber>(number: T): T {
  return number.int().min(1).max(MAX_CHUNK_SIZE) as T;
}
const chunkSizeField = chunkSizeRule(z.number());

/** A header value the API refuses before reading the body; undefined (no key) is fine. */
export function checkIdempotencyKey(key: string | undefined): void {
  if (key !== undefined && !idempotencyKeyPattern.test(key)) {
    throw new AppError('IDEMPOTENCY_KEY_INVALID', 'Idempotency-Key must be 1-128 characters of A-Z a-z 0-9 . _ ~ -');
  }
}

/** At least one image; at most `max` when the caller has a limit (the API's MAX_BATCH_IMAGES). */
export function checkImageCount(count: number, max = Number.POSITIVE_INFINITY): void {
  if (count === 0) throw new AppError('EMPTY_BATCH', 'a batch needs at least one image');
  if (count > max) throw new AppError('TOO_MANY_IMAGES', `a batch holds at most ${max} images; this one has ${count}`, { details: { max, count } });
}

/** The API parses chunkSize with chunkSizeRule in its body schema; other callers meet it here. */
export function checkChunkSize(chunkSize: number): void {
  if (!chunkSizeField.safeParse(chunkSize).success) throw new AppError('VALIDATION_FAILED', `chunkSize must be an integer from 1 to ${MAX_CHUNK_SIZE}`);
}

/** Every shape rule of one submit, as submitBatch applies them (an empty key means none). */
export function checkBatchShape(shape: { idempotencyKey?: string | undefined; count: number; chunkSize: number }): void {
  checkImageCount(shape.count);
  checkChunkSize(shape.chunkSize);
  if (shape.idempotencyKey) checkIdempotencyKey(shape.idempotencyKey);
}

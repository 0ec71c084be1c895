/** A submit's shape rules, written once in core: the API's schemas and submitBatch both use them. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError, MAX_CHUNK_SIZE, checkBatchShape, checkChunkSize, checkIdempotencyKey, checkImageCount, chunkSizeRule } from '@hourglass/core';

function codeOf(run: () => void): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return (error as AppError).code;
  }
}

describe('batch shape rules', () => {
  it('the Idempotency-Key: 1-128 of A-Z a-z 0-9 . _ ~ -, or none', () => {
    for (const ok of [undefined, 'a', 'A'.repeat(128), 'a.b_c~d-e']) expect(codeOf(() => checkIdempotencyKey(ok))).toBeUndefined();
    for (const bad of ['', 'has space', 'a:b', 'x'.repeat(129), 'ünï']) expect(codeOf(() => checkIdempotencyKey(bad))).toBe('IDEMPOTENCY_KEY_INVALID');
  });

  it("the image count: at least one, at most the caller's limit", () => {
    expect(codeOf(() => checkImageCount(0))).toBe('EMPTY_BATCH');
    expect(codeOf(() => checkImageCount(1_000_000))).toBeUndefined();
    expect(codeOf(() => checkImageCount(3, 2))).toBe('TOO_MANY_IMAGES');
  });

  it('chunkSize: an integer from 1 to MAX_CHUNK_SIZE, plain or coerced from a form field', () => {
    for (const bad of [0, MAX_CHUNK_SIZE + 1, 1.5, Number.NaN]) expect(codeOf(() => checkChunkSize(bad))).toBe('VALIDATION_FAILED');
    expect(codeOf(() => checkChunkSize(MAX_CHUNK_SIZE))).toBeUndefined();
    const form = chunkSizeRule(z.coerce.number());
    expect(form.parse('16')).toBe(16);
    expect(form.safeParse('0').success).toBe(false);
    expect(form.safeParse(String(MAX_CHUNK_SIZE + 1)).success).toBe(false);
  });

  it('checkBatchShape applies them all (an empty key means none, as submitBatch has it)', () => {
    expect(codeOf(() => checkBatchShape({ idempotencyKey: '', count: 1, chunkSize: 1 }))).toBeUndefined();
    expect(codeOf(() => checkBatchShape({ idempotencyKey: 'a b', count: 1, chunkSize: 1 }))).toBe('IDEMPOTENCY_KEY_INVALID');
    expect(codeOf(() => checkBatchShape({ count: 0, chunkSize: 0 }))).toBe('EMPTY_BATCH');
  });
});

import { describe, expect, it } from 'vitest';
import { AppError, describeError, type ErrorCode } from '@hourglass/core';
import { httpStatusOf, isAppError } from '@hourglass/core/testing';

const expected: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  PAYLOAD_TOO_LARGE: 413,
  TOO_MANY_IMAGES: 413,
  EMPTY_BATCH: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  CROSS_SITE_REFUSED: 403,
  AUTH_RATE_LIMITED: 429,
  BODY_EMPTY: 400,
  REQUEST_TIMEOUT: 408,
  NAME_TAKEN: 409,
  JOB_REMOVED: 410,
  ARCHIVE_NAME_COLLISION: 400,
  ARCHIVE_TOO_LARGE: 413,
  ARCHIVE_ENTRY_NOT_IMAGE: 400,
  QUEUE_LAYOUT_MISMATCH: 503,
  SUBMIT_BUSY: 503,
  MODEL_RESOURCE_LIMIT: 422,
  PATH_PRIVATE: 400,
  NOT_FOUND: 404,
  MODEL_NOT_FOUND: 404,
  BATCH_NOT_FOUND: 404,
  DATASET_NOT_FOUND: 404,
  DATASET_INVALID: 400,
  TRAIN_JOB_NOT_FOUND: 404,
  ARCHIVE_INVALID: 400,
  PATH_OUTSIDE_DATA_ROOT: 400,
  IMAGE_NOT_FOUND: 400,
  IDEMPOTENCY_KEY_INVALID: 400,
  IDEMPOTENCY_KEY_REUSED: 422,
  QUEUE_FULL: 429,
  RATE_LIMITED: 429,
  IMAGE_DECODE_FAILED: 422,
  IMAGE_TOO_LARGE: 422,
  INFERENCE_FAILED: 500,
  WORKER_LOST: 500,
  MODEL_INVALID: 422,
  MANIFEST_INVALID: 500,
  MODEL_NOT_ONNX: 422,
  MODEL_NO_IMAGE_INPUT: 422,
  MODEL_NO_CLASS_OUTPUT: 422,
  MODEL_EXTERNAL_DATA_INVALID: 422,
  MODEL_RUN_FAILED: 422,
  MODEL_BUSY: 409,
  CONFIG_INVALID: 500,
  REDIS_UNAVAILABLE: 503,
  REDIS_MISCONFIGURED: 500,
  INTERNAL: 500,
};

describe('AppError', () => {
  it.each(Object.entries(expected) as Array<[ErrorCode, number]>)('%s maps to HTTP %i', (code, status) => {
    expect(httpStatusOf(code)).toBe(status);
    expect(new AppError(code, 'x').httpStatus).toBe(status);
  });

  it('classes what the client caused (4xx) apart from what a retry may fix (5xx)', () => {
    for (const code of [
      'VALIDATION_FAILED',
      'IMAGE_DECODE_FAILED',
      'IMAGE_TOO_LARGE',
      'PATH_OUTSIDE_DATA_ROOT',
      'IMAGE_NOT_FOUND',
      'MODEL_NOT_FOUND',
      'EMPTY_BATCH',
    ] as const) {
      expect(new AppError(code, 'x').isClientError, code).toBe(true);
    }
    for (const code of ['INFERENCE_FAILED', 'REDIS_UNAVAILABLE', 'INTERNAL', 'CONFIG_INVALID', 'MANIFEST_INVALID'] as const) {
      expect(new AppError(code, 'x').isClientError, code).toBe(false);
    }
  });

  it('is an Error with a stable code, details and cause', () => {
    const cause = new Error('root');
    const error = new AppError('IMAGE_NOT_FOUND', 'missing', { cause, details: { path: 'a.jpg' } });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('AppError');
    expect(error.code).toBe('IMAGE_NOT_FOUND');
    expect(error.message).toBe('missing');
    expect(error.details).toEqual({ path: 'a.jpg' });
    expect(error.cause).toBe(cause);
    expect(new AppError('INTERNAL', 'x').cause).toBeUndefined();
    expect(new AppError('INTERNAL', 'x').details).toBeUndefined();
  });

  it('isAppError tells AppErrors from other throwables', () => {
    expect(isAppError(new AppError('INTERNAL', 'x'))).toBe(true);
    expect(isAppError(new Error('x'))).toBe(false);
    expect(isAppError({ code: 'INTERNAL', message: 'x' })).toBe(false);
    expect(isAppError(undefined)).toBe(false);
  });
});

describe('describeError', () => {
  it('keeps the first line of an Error message', () => {
    expect(describeError(new Error('first line\nstack-ish detail\nmore'))).toBe('first line');
  });
  it('stringifies what is not an Error', () => {
    expect(describeError('plain')).toBe('plain');
    expect(describeError(42)).toBe('42');
    expect(describeError(null)).toBe('null');
  });
});

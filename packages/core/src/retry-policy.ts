/**
 * Whether a failed job is tried again is decided here, per error code, and nowhere else. The HTTP
 * status of a code says who caused it; it is not what decides a retry. A code's entry says whether
 * running the same job again can succeed: a transient failure (a lost connection, a crashed
 * session) can, a bad input (an image that does not decode, a dataset with one class) cannot.
 * Job processors throw `NonRetryableJobError` for the second kind; it is BullMQ's
 * `UnrecoverableError`, so BullMQ fails the job at once instead of spending its attempts.
 */
import { UnrecoverableError } from 'bullmq';
import { AppError, type ErrorCode } from './errors.js';

/** true: a retry of the same job may succeed. false: the input must change first. */
const RETRY_CAN_FIX: Record<ErrorCode, boolean> = {
  BAD_REQUEST: false,
  VALIDATION_FAILED: false,
  MALFORMED_JSON: false,
  UNSUPPORTED_MEDIA_TYPE: false,
  PAYLOAD_TOO_LARGE: false,
  TOO_MANY_IMAGES: false,
  EMPTY_BATCH: false,
  UNAUTHORIZED: false,
  FORBIDDEN: false,
  CROSS_SITE_REFUSED: false,
  AUTH_RATE_LIMITED: false,
  BODY_EMPTY: false,
  REQUEST_TIMEOUT: false,
  NAME_TAKEN: false,
  // Written by the API's sweeper as a per-image outcome; a job never throws it.
  JOB_REMOVED: false,
  ARCHIVE_NAME_COLLISION: false,
  ARCHIVE_TOO_LARGE: false,
  ARCHIVE_ENTRY_NOT_IMAGE: false,
  MODEL_RESOURCE_LIMIT: false,
  PATH_PRIVATE: false,
  NOT_FOUND: false,
  MODEL_NOT_FOUND: false,
  BATCH_NOT_FOUND: false,
  DATASET_NOT_FOUND: false,
  DATASET_INVALID: false,
  TRAIN_JOB_NOT_FOUND: false,
  ARCHIVE_INVALID: false,
  PATH_OUTSIDE_DATA_ROOT: false,
  IMAGE_NOT_FOUND: false,
  IDEMPOTENCY_KEY_INVALID: false,
  IDEMPOTENCY_KEY_REUSED: false,
  // Back-pressure answers to a client; a job never retries into them, so a job that meets one
  // fails at once rather than hammering the limit.
  QUEUE_FULL: false,
  RATE_LIMITED: false,
  IMAGE_DECODE_FAILED: false,
  IMAGE_TOO_LARGE: false,
  INFERENCE_FAILED: true,
  // Written as a per-image outcome once a job has lost its worker too often; never rethrown.
  WORKER_LOST: true,
  MODEL_INVALID: false,
  MANIFEST_INVALID: true,
  MODEL_NOT_ONNX: false,
  MODEL_NO_IMAGE_INPUT: false,
  MODEL_NO_CLASS_OUTPUT: false,
  MODEL_EXTERNAL_DATA_INVALID: false,
  MODEL_RUN_FAILED: false,
  MODEL_BUSY: false,
  CONFIG_INVALID: true,
  REDIS_UNAVAILABLE: true,
  // A deployment's settings disagree: no job retries its way out of that.
  QUEUE_LAYOUT_MISMATCH: false,
  // An API answer to a submit, never a job's failure.
  SUBMIT_BUSY: true,
  REDIS_MISCONFIGURED: true,
  INTERNAL: true,
};

/** Whether running the same job again can turn a failure with this code into a success. */
export function retryCanFix(code: ErrorCode): boolean {
  return RETRY_CAN_FIX[code];
}

/**
 * True for a failure no retry can fix: an AppError whose code says so. Anything else thrown (a
 * crash, a lost connection, a bug) may be transient and is retried.
 */
export function isNonRetryable(error: unknown): error is AppError {
  return error instanceof AppError && !RETRY_CAN_FIX[error.code];
}

/**
 * What a job processor throws for a failure no retry can fix. BullMQ moves the job to failed at
 * once (it is an `UnrecoverableError`); `failure` keeps the code, for whoever records the outcome.
 */
export class NonRetryableJobError extends UnrecoverableError {
  readonly failure: AppError;

  constructor(failure: AppError) {
    super(`${failure.code}: ${failure.message}`);
    this.failure = failure;
  }
}

/**
 * The error a job processor rethrows for `error`: a NonRetryableJobError when no retry can fix
 * it, so the job stops, else `error` itself, so BullMQ retries it with the queue's backoff.
 */
export function toJobError(error: unknown): unknown {
  if (error instanceof NonRetryableJobError) return error;
  return isNonRetryable(error) ? new NonRetryableJobError(error) : error;
}

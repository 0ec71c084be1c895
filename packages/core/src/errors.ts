/**
 * One error family for the whole project. Every error a client or an operator can see carries a
 * stable string `code`; the API maps it to an HTTP status in one place (apps/api error middleware)
 * and result rows store it as the per-image failure reason.
 */
export type ErrorCode =
  | 'BAD_REQUEST'
  | 'VALIDATION_FAILED'
  | 'MALFORMED_JSON'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'PAYLOAD_TOO_LARGE'
  | 'TOO_MANY_IMAGES'
  | 'EMPTY_BATCH'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'CROSS_SITE_REFUSED'
  | 'AUTH_RATE_LIMITED'
  | 'BODY_EMPTY'
  | 'REQUEST_TIMEOUT'
  | 'NAME_TAKEN'
  | 'JOB_REMOVED'
  | 'ARCHIVE_NAME_COLLISION'
  | 'ARCHIVE_TOO_LARGE'
  | 'ARCHIVE_ENTRY_NOT_IMAGE'
  | 'MODEL_RESOURCE_LIMIT'
  | 'NOT_FOUND'
  | 'MODEL_NOT_FOUND'
  | 'BATCH_NOT_FOUND'
  | 'DATASET_NOT_FOUND'
  | 'DATASET_INVALID'
  | 'TRAIN_JOB_NOT_FOUND'
  | 'ARCHIVE_INVALID'
  | 'PATH_OUTSIDE_DATA_ROOT'
  | 'PATH_PRIVATE'
  | 'IMAGE_NOT_FOUND'
  | 'IDEMPOTENCY_KEY_INVALID'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'QUEUE_FULL'
  | 'RATE_LIMITED'
  | 'IMAGE_DECODE_FAILED'
  | 'IMAGE_TOO_LARGE'
  | 'INFERENCE_FAILED'
  | 'WORKER_LOST'
  | 'MODEL_INVALID'
  | 'MANIFEST_INVALID'
  | 'MODEL_NOT_ONNX'
  | 'MODEL_NO_IMAGE_INPUT'
  | 'MODEL_NO_CLASS_OUTPUT'
  | 'MODEL_EXTERNAL_DATA_INVALID'
  | 'MODEL_RUN_FAILED'
  | 'MODEL_BUSY'
  | 'CONFIG_INVALID'
  | 'REDIS_UNAVAILABLE'
  | 'QUEUE_LAYOUT_MISMATCH'
  | 'SUBMIT_BUSY'
  | 'REDIS_MISCONFIGURED'
  | 'INTERNAL';

const HTTP_STATUS: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  PAYLOAD_TOO_LARGE: 413,
  TOO_MANY_IMAGES: 413,
  EMPTY_BATCH: 400,
  UNAUTHORIZED: 401,
  /** A valid key without the role: a tenant key on Bull Board or on an admin-only write. */
  FORBIDDEN: 403,
  /** A Bull Board write that a browser could have sent from another site (form body, foreign Origin). */
  CROSS_SITE_REFUSED: 403,
  /** Too many failed authentications from one client address; Retry-After says when to try again. */
  AUTH_RATE_LIMITED: 429,
  /** A JSON content type with no body at all. */
  BODY_EMPTY: 400,
  /** The request body did not arrive within the server's request timeout. */
  REQUEST_TIMEOUT: 408,
  /** A model or dataset name that another key (or an admin, for shared models) owns. */
  NAME_TAKEN: 409,
  /** Per-image failure: the image's queue job was removed (Bull Board clean/empty/remove) before it ran. */
  JOB_REMOVED: 410,
  /** An archive holding both a file and a folder of the same name (green/a.jpg and green/a.jpg/c.jpg). */
  ARCHIVE_NAME_COLLISION: 400,
  /** An archive over the total uncompressed size or the expansion-ratio cap. */
  ARCHIVE_TOO_LARGE: 413,
  /** An archive entry named like an image whose bytes are not a decodable image. */
  ARCHIVE_ENTRY_NOT_IMAGE: 400,
  /** Registration: the model's check run went over its memory or time limit (a graph that explodes). */
  MODEL_RESOURCE_LIMIT: 422,
  NOT_FOUND: 404,
  MODEL_NOT_FOUND: 404,
  BATCH_NOT_FOUND: 404,
  /** A dataset name that is not registered, or a folder absent under DATA_ROOT. */
  DATASET_NOT_FOUND: 404,
  /** A dataset that cannot be trained on: < 2 classes, a class too small for the split, too many images. */
  DATASET_INVALID: 400,
  TRAIN_JOB_NOT_FOUND: 404,
  /** A dataset archive with a path that climbs out ('..', absolute), over a cap, or unreadable. */
  ARCHIVE_INVALID: 400,
  PATH_OUTSIDE_DATA_ROOT: 400,
  /** A path under DATA_ROOT that holds another key's uploads (blobs, an uploaded dataset): see the API's private-paths.ts. */
  PATH_PRIVATE: 400,
  IMAGE_NOT_FOUND: 400,
  IDEMPOTENCY_KEY_INVALID: 400,
  IDEMPOTENCY_KEY_REUSED: 422,
  QUEUE_FULL: 429,
  RATE_LIMITED: 429,
  IMAGE_DECODE_FAILED: 422,
  IMAGE_TOO_LARGE: 422,
  INFERENCE_FAILED: 500,
  /** Per-image failure: the worker processing this image died again and again (a poison input?). */
  WORKER_LOST: 500,
  MODEL_INVALID: 422,
  MANIFEST_INVALID: 500,
  /** Registration: the file is not an ONNX ModelProto (text, an image, truncated, a Git LFS pointer). */
  MODEL_NOT_ONNX: 422,
  /** Registration: no single float input shaped like an image batch ([N,3,H,W] or [N,H,W,3]), or a fixed batch > 1. */
  MODEL_NO_IMAGE_INPUT: 422,
  /** Registration: no output shaped [batch, classes]. */
  MODEL_NO_CLASS_OUTPUT: 422,
  /** Registration: external weights missing, too short, or located outside the model's folder. */
  MODEL_EXTERNAL_DATA_INVALID: 422,
  /** Registration: onnxruntime cannot load the graph or run one dummy batch through it. */
  MODEL_RUN_FAILED: 422,
  /** Another registration of the same model name held its lock for too long. */
  MODEL_BUSY: 409,
  CONFIG_INVALID: 500,
  REDIS_UNAVAILABLE: 503,
  /** The API would enqueue to queue shards that none of the model's live workers consumes (QUEUE_SHARDS differ). */
  QUEUE_LAYOUT_MISMATCH: 503,
  /** Another submit for the same model held its queue (the MAX_QUEUED_PER_MODEL check and the enqueue) too long; Retry-After says when to try again. */
  SUBMIT_BUSY: 503,
  REDIS_MISCONFIGURED: 500,
  INTERNAL: 500,
};

export class AppError extends Error {
  readonly code: ErrorCode;
  /** Extra machine-readable facts for the client (counts, limits, the offending field). */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.details = options?.details;
  }

  get httpStatus(): number {
    return HTTP_STATUS[this.code];
  }

  /**
   * True when the client caused it (4xx): the request or image must change, or, for QUEUE_FULL, wait.
   * It answers who caused a failure; whether a job retries it is retry-policy.ts's to say.
   */
  get isClientError(): boolean {
    return this.httpStatus >= 400 && this.httpStatus < 500;
  }
}

/** Every error code, for API descriptions (OpenAPI) and clients that switch on them. */
export const ERROR_CODES = Object.keys(HTTP_STATUS) as ErrorCode[];

export function httpStatusOf(code: ErrorCode): number {
  return HTTP_STATUS[code];
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** A short, single-line message for logs and result rows, whatever was thrown. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n')[0] ?? error.name;
  return String(error);
}

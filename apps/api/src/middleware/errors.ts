/**
 * The one place errors become HTTP responses: `{ "error": { "code", "message", ...details } }`.
 * Client mistakes map to 4xx with a stable code; anything unexpected is a 500 INTERNAL whose
 * message says nothing about internals (the log has the stack).
 */
import type { NextFunction, Request, Response } from 'express';
import multer from 'multer';
import { ZodError } from 'zod';
import { AppError, type ErrorCode, type Logger } from '@hourglass/core';
import { scrubDetails, type PathScrubber } from './scrub-paths.js';

function fromZod(error: ZodError): AppError {
  const problems = error.issues.slice(0, 10).map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`);
  return new AppError('VALIDATION_FAILED', problems.join('; '), {
    details: { issues: error.issues.slice(0, 10).map((i) => ({ path: i.path, message: i.message })) },
  });
}

const MULTER_CODES: Record<string, ErrorCode> = {
  LIMIT_FILE_SIZE: 'PAYLOAD_TOO_LARGE',
  LIMIT_FILE_COUNT: 'TOO_MANY_IMAGES',
  LIMIT_PART_COUNT: 'TOO_MANY_IMAGES',
  LIMIT_FIELD_KEY: 'VALIDATION_FAILED',
  LIMIT_FIELD_VALUE: 'PAYLOAD_TOO_LARGE',
  LIMIT_FIELD_COUNT: 'VALIDATION_FAILED',
  LIMIT_UNEXPECTED_FILE: 'VALIDATION_FAILED',
  MISSING_FIELD_NAME: 'VALIDATION_FAILED',
};

/** Turns whatever was thrown into an AppError (unknown errors become INTERNAL). */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof ZodError) return fromZod(error);
  if (error instanceof multer.MulterError) {
    return new AppError(MULTER_CODES[error.code] ?? 'BAD_REQUEST', `upload rejected: ${error.message}${error.field ? ` (${error.field})` : ''}`);
  }
  const e = error as { type?: string; status?: number; message?: string; code?: string };
  // body-parser (express.json) errors carry a type.
  if (e?.type === 'entity.parse.failed') return new AppError('MALFORMED_JSON', 'request body is not valid JSON');
  if (e?.type === 'entity.too.large') return new AppError('PAYLOAD_TOO_LARGE', 'request body is too large');
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported')
    return new AppError('UNSUPPORTED_MEDIA_TYPE', e.message ?? 'unsupported encoding');
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return new AppError('BAD_REQUEST', e.message ?? 'bad request');
  // Busboy (under multer) reports broken multipart bodies as plain Errors.
  if (typeof e?.message === 'string' && /^(Multipart|Malformed|Unexpected end of form|Boundary)/i.test(e.message)) {
    return new AppError('BAD_REQUEST', `malformed multipart body: ${e.message}`);
  }
  if (e?.code === 'ECONNREFUSED' || /Connection is closed|max retries per request|Stream isn't writeable/i.test(e?.message ?? '')) {
    return new AppError('REDIS_UNAVAILABLE', 'the queue store is unavailable; retry shortly');
  }
  return new AppError('INTERNAL', 'internal error', { cause: error });
}

export function errorHandler(log: Logger, scrub: PathScrubber = (t) => t) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const appError = toAppError(error);
    if (appError.httpStatus >= 500) log.error({ err: error, path: req.path, method: req.method }, 'request failed');
    if (res.headersSent) {
      res.end();
      return;
    }
    if (
      appError.code === 'QUEUE_FULL' ||
      appError.code === 'RATE_LIMITED' ||
      appError.code === 'AUTH_RATE_LIMITED' ||
      appError.code === 'REDIS_UNAVAILABLE' ||
      appError.code === 'SUBMIT_BUSY'
    ) {
      res.set('Retry-After', String(appError.details?.retryAfterSeconds ?? 5));
    }
    res
      .status(appError.httpStatus)
      .json({ error: { code: appError.code, message: scrub(appError.message), ...(scrubDetails(appError.details, scrub) ?? {}) } });
  };
}

export function notFound(req: Request, _res: Response, next: NextFunction): void {
  next(new AppError('NOT_FOUND', `no route for ${req.method} ${req.path}`));
}

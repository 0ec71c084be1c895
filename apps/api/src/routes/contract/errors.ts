/** The error envelope every operation answers with, and the error responses several share word for word. */
import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from '@hourglass/core';
import { json, ref, type Json } from './openapi-parts.js';

export const errorCodeSchema = z.enum(ERROR_CODES as [ErrorCode, ...ErrorCode[]]);

/** Published as components.schemas.Error (openapi/components.ts registers it for every document). */
export const errorBodySchema = z.object({
  error: z
    .looseObject({
      code: errorCodeSchema,
      message: z.string(),
    })
    .describe('Machine-readable code, a human message, and sometimes details (limits, counts, the offending items).'),
});

export const errorResponse = (description: string, code: string, message: string): Json => ({
  description,
  content: json(ref('Error'), { [code]: { error: { code, message } } }),
});

export const errors = {
  401: errorResponse('Missing or invalid API key', 'UNAUTHORIZED', 'missing API key: send `Authorization: Bearer <key>`'),
  batch404: errorResponse(
    "No such batch for this key (another key's batch looks the same)",
    'BATCH_NOT_FOUND',
    'batch "b0000000000" does not exist (or its results expired)',
  ),
};

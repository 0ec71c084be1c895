/** Building blocks shared by the path files: schema references, JSON content with examples, error responses. */

export type Json = Record<string, unknown>;
/** One entry of `paths`: path template -> method -> operation. */
export type PathItems = Record<string, Record<string, Json>>;

export const ref = (id: string): Json => ({ $ref: `#/components/schemas/${id}` });
export const json = (schema: Json, examples: Record<string, unknown>): Json => ({
  'application/json': { schema, examples: Object.fromEntries(Object.entries(examples).map(([k, value]) => [k, { value }])) },
});
export const errorResponse = (description: string, code: string, message: string): Json => ({
  description,
  content: json(ref('Error'), { [code]: { error: { code, message } } }),
});
/** Error responses several operations share word for word. */
export const errors = {
  401: errorResponse('Missing or invalid API key', 'UNAUTHORIZED', 'missing API key: send `Authorization: Bearer <key>`'),
  batch404: errorResponse('No such batch for this key (another key\'s batch looks the same)', 'BATCH_NOT_FOUND', 'batch "b0000000000" does not exist (or its results expired)'),
};

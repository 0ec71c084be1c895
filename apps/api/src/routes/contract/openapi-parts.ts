/**
 * What a route module's contract is made of, and the helpers its path entries are written with.
 * This folder is a leaf: it imports zod and core only. Route contracts (routes/<area>.contract.ts)
 * import it; openapi/ assembles the contracts into the document; nothing here imports either.
 */
import { z } from 'zod';

export type Json = Record<string, unknown>;
/** Entries of `paths`: path template -> method -> operation object. */
export type PathItems = Record<string, Record<string, Json>>;

/** A zod schema published as components.schemas[id] (the id is its key in the contract). */
export interface NamedSchema {
  schema: z.ZodType;
  description?: string;
}

/** Everything the OpenAPI document says about one route module. */
export interface RouteContract {
  /** The operations the module's router serves, with full paths (mount prefix included). */
  paths: PathItems;
  /** What clients send: the very schemas the route parses with (rendered input side). */
  requests?: Record<string, NamedSchema>;
  /** What clients get back (rendered output side). */
  responses?: Record<string, NamedSchema>;
}

export const ref = (id: string): Json => ({ $ref: `#/components/schemas/${id}` });
export const json = (schema: Json, examples: Record<string, unknown>): Json => ({
  'application/json': { schema, examples: Object.fromEntries(Object.entries(examples).map(([k, value]) => [k, { value }])) },
});

export const isoTime = z.iso.datetime({ offset: true });

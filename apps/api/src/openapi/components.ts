/**
 * components.schemas of the OpenAPI document, generated from the zod schemas the route contracts
 * name: requests rendered input side (what clients send), responses output side (what they get).
 */
import { z } from 'zod';
import { errorBodySchema } from '../routes/contract/errors.js';
import type { Json, NamedSchema, RouteContract } from '../routes/contract/openapi-parts.js';

type Registry = ReturnType<typeof z.registry<{ id: string; description?: string }>>;

function register(registry: Registry, schemas: Record<string, NamedSchema> | undefined): void {
  for (const [id, { schema, description }] of Object.entries(schemas ?? {})) registry.add(schema, { id, ...(description ? { description } : {}) });
}

export function componentSchemas(contracts: readonly RouteContract[]): Record<string, Json> {
  const requests = z.registry<{ id: string; description?: string }>();
  const responses = z.registry<{ id: string; description?: string }>();
  // Every operation's error envelope; the contracts refer to it as ref('Error').
  responses.add(errorBodySchema, { id: 'Error' });
  for (const contract of contracts) {
    register(requests, contract.requests);
    register(responses, contract.responses);
  }
  const uri = (id: string): string => `#/components/schemas/${id}`;
  const all = {
    ...z.toJSONSchema(requests, { io: 'input', uri, unrepresentable: 'any' }).schemas,
    ...z.toJSONSchema(responses, { io: 'output', uri, unrepresentable: 'any' }).schemas,
  };
  // Component schemas are embedded, not standalone documents.
  return Object.fromEntries(Object.entries(all).map(([id, { $schema: _s, $id: _i, ...schema }]) => [id, schema as Json]));
}

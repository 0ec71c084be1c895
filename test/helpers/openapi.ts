/**
 * Helpers for checking the OpenAPI document: the (method, path) pairs an Express 5 app registers,
 * and validation of a value against a document schema (refs resolved, then zod's JSON Schema reader).
 */
import type { Express } from 'express';
import { z } from 'zod';

type Json = any;

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
  rawPath?: string | string[];
}

const join = (prefix: string, p: string): string => `${prefix}/${p}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1') || '/';

/** Every route of the app as "METHOD /path/{param}", mounted routers included. */
export function registeredRoutes(app: Express): string[] {
  const out = new Set<string>();
  const walk = (stack: Layer[], prefix: string): void => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const p of paths) {
          for (const [method, on] of Object.entries(layer.route.methods)) {
            if (on && method !== '_all') out.add(`${method.toUpperCase()} ${join(prefix, p).replace(/:(\w+)/g, '{$1}')}`);
          }
        }
      } else if (layer.handle?.stack) {
        const raw = Array.isArray(layer.rawPath) ? layer.rawPath[0] : layer.rawPath;
        walk(layer.handle.stack, join(prefix, typeof raw === 'string' ? raw : '/'));
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return [...out].sort();
}

/** "METHOD /path" for every operation in the document. */
export function documentedRoutes(doc: Json): string[] {
  const out: string[] = [];
  for (const [p, item] of Object.entries<Json>(doc.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch', 'head', 'options']) if (item[method]) out.push(`${method.toUpperCase()} ${p}`);
  }
  return out.sort();
}

/** A schema with every local $ref replaced by what it points to (the document has no cycles). */
export function deref(doc: Json, node: Json, depth = 0): Json {
  if (depth > 50) throw new Error('$ref too deep (a cycle?)');
  if (Array.isArray(node)) return node.map((n) => deref(doc, n, depth + 1));
  if (node && typeof node === 'object') {
    if (typeof node.$ref === 'string') {
      const target = node.$ref
        .replace(/^#\//, '')
        .split('/')
        .reduce((o: Json, k: string) => o?.[k], doc);
      if (target === undefined) throw new Error(`dangling $ref ${node.$ref}`);
      return deref(doc, target, depth + 1);
    }
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, deref(doc, v, depth + 1)]));
  }
  return node;
}

/** Validates a value against a document schema; returns the problems (empty when valid). */
export function validateAgainst(doc: Json, schema: Json, value: unknown): string[] {
  const result = z.fromJSONSchema(deref(doc, schema)).safeParse(value);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
}

export interface ExampleCase {
  where: string;
  schema: Json;
  value: unknown;
}

/** Every example in the document (request bodies, responses, parameters) with the schema it belongs to. */
export function allExamples(doc: Json): ExampleCase[] {
  const cases: ExampleCase[] = [];
  const fromContent = (where: string, content: Json): void => {
    for (const [type, media] of Object.entries<Json>(content ?? {})) {
      if (!media.schema) continue;
      if ('example' in media) cases.push({ where: `${where} ${type} example`, schema: media.schema, value: media.example });
      for (const [name, ex] of Object.entries<Json>(media.examples ?? {}))
        cases.push({ where: `${where} ${type} examples.${name}`, schema: media.schema, value: ex.value });
    }
  };
  for (const [p, item] of Object.entries<Json>(doc.paths)) {
    for (const [method, op] of Object.entries<Json>(item)) {
      const where = `${method.toUpperCase()} ${p}`;
      for (const param of op.parameters ?? [])
        if ('example' in param) cases.push({ where: `${where} parameter ${param.name}`, schema: param.schema, value: param.example });
      if (op.requestBody) fromContent(`${where} request`, op.requestBody.content);
      for (const [status, response] of Object.entries<Json>(op.responses ?? {})) fromContent(`${where} ${status}`, response.content);
    }
  }
  return cases;
}

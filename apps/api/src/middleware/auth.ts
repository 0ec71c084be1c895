/**
 * API keys, sent as `Authorization: Bearer <key>` (or as the password of HTTP Basic auth, so a
 * browser can open Bull Board). Two roles: tenant keys (HOURGLASS_API_KEYS) act on what they own;
 * admin keys (HOURGLASS_ADMIN_KEYS) also get Bull Board and the shared model namespace. Keys are
 * compared as SHA-256 digests with timingSafeEqual: constant time, whatever the length of what a
 * client sends.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { AppError } from '@hourglass/core';

const digest = (key: string): Buffer => createHash('sha256').update(key, 'utf8').digest();

/** A stable, non-secret id of a key: batches and idempotency keys belong to it. */
export const ownerOf = (key: string): string => digest(key).toString('hex').slice(0, 16);

export const ANONYMOUS_OWNER = 'anonymous';

export type Role = 'tenant' | 'admin';

export interface PresentedKey {
  key: string;
  /** Basic credentials are the ones a browser caches and replays by itself (see board-guard.ts). */
  scheme: 'bearer' | 'basic';
}

export function presentedKey(req: Request): PresentedKey | undefined {
  const header = req.get('authorization');
  if (!header) return undefined;
  const [scheme, value] = header.split(' ', 2);
  if (!value) return undefined;
  if (scheme?.toLowerCase() === 'bearer') return { key: value.trim(), scheme: 'bearer' };
  if (scheme?.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    return { key: decoded.slice(decoded.indexOf(':') + 1), scheme: 'basic' };
  }
  return undefined;
}

declare module 'express-serve-static-core' {
  interface Request {
    /** Who is calling: the hash of their API key, or "anonymous" with auth off. */
    owner?: string;
    /** What the caller's key may do; "admin" with auth off (everything is open then). */
    role?: Role;
    /** How the key came: Basic (a browser may replay it by itself) or Bearer. */
    authScheme?: PresentedKey['scheme'];
  }
}

export interface KeyRing {
  tenant: readonly string[];
  admin: readonly string[];
}

/** Every digest is compared (no early exit) so timing does not tell which one nearly matched. */
function matches(candidate: Buffer, digests: readonly Buffer[]): boolean {
  let match = false;
  for (const d of digests) match = timingSafeEqual(candidate, d) || match;
  return match;
}

export function requireApiKey(keys: KeyRing, enabled: boolean, options: { browserPrompt?: boolean; onFailure?: (req: Request) => void } = {}) {
  const tenant = keys.tenant.map(digest);
  const admin = keys.admin.map(digest);
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!enabled) {
      req.owner = ANONYMOUS_OWNER;
      req.role = 'admin';
      return next();
    }
    const presented = presentedKey(req);
    if (presented !== undefined) {
      const candidate = digest(presented.key);
      const isAdmin = matches(candidate, admin);
      const isTenant = matches(candidate, tenant);
      if (isAdmin || isTenant) {
        req.owner = ownerOf(presented.key);
        req.role = isAdmin ? 'admin' : 'tenant';
        req.authScheme = presented.scheme;
        return next();
      }
    }
    options.onFailure?.(req);
    if (options.browserPrompt) res.set('WWW-Authenticate', 'Basic realm="hourglass", charset="UTF-8"');
    next(new AppError('UNAUTHORIZED', presented === undefined ? 'missing API key: send `Authorization: Bearer <key>`' : 'invalid API key'));
  };
}

/** After requireApiKey: only admin keys pass; a tenant key gets 403 FORBIDDEN. */
export function requireAdmin(req: Request, _res: Response, next: NextFunction): void {
  if (req.role === 'admin') return next();
  next(new AppError('FORBIDDEN', 'this needs an admin key (HOURGLASS_ADMIN_KEYS); tenant keys act on their own batches, datasets and models only'));
}

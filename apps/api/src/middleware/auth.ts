/**
 * API keys from HOURGLASS_API_KEYS, sent as `Authorization: Bearer <key>` (or as the password of
 * HTTP Basic auth, so a browser can open Bull Board). Keys are compared as SHA-256 digests with
 * timingSafeEqual: constant time, whatever the length of what a client sends.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { AppError } from '@hourglass/core';

const digest = (key: string): Buffer => createHash('sha256').update(key, 'utf8').digest();

/** A stable, non-secret id of a key: batches and idempotency keys belong to it. */
export const ownerOf = (key: string): string => digest(key).toString('hex').slice(0, 16);

export const ANONYMOUS_OWNER = 'anonymous';

function presentedKey(req: Request): string | undefined {
  const header = req.get('authorization');
  if (!header) return undefined;
  const [scheme, value] = header.split(' ', 2);
  if (!value) return undefined;
  if (scheme?.toLowerCase() === 'bearer') return value.trim();
  if (scheme?.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    return decoded.slice(decoded.indexOf(':') + 1);
  }
  return undefined;
}

declare module 'express-serve-static-core' {
  interface Request {
    /** Who is calling: the hash of their API key, or "anonymous" with auth off. */
    owner?: string;
  }
}

export function requireApiKey(keys: readonly string[], enabled: boolean, options: { browserPrompt?: boolean } = {}) {
  const digests = keys.map(digest);
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!enabled) {
      req.owner = ANONYMOUS_OWNER;
      return next();
    }
    const key = presentedKey(req);
    if (key !== undefined) {
      const candidate = digest(key);
      // Check every key (no early exit) so timing does not tell which one nearly matched.
      let match = false;
      for (const d of digests) match = timingSafeEqual(candidate, d) || match;
      if (match) {
        req.owner = ownerOf(key);
        return next();
      }
    }
    if (options.browserPrompt) res.set('WWW-Authenticate', 'Basic realm="hourglass", charset="UTF-8"');
    next(new AppError('UNAUTHORIZED', key === undefined ? 'missing API key: send `Authorization: Bearer <key>`' : 'invalid API key'));
  };
}

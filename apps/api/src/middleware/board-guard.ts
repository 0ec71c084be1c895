/**
 * Bull Board's writes (pause, clean, empty, add, update-data, retry, promote, remove...) must not be
 * triggerable from another site. A page elsewhere can make a browser send a "simple" request with
 * the Basic credentials it cached for the board: a POST whose body is form-encoded, multipart or
 * text/plain, or has no type at all. So every board write:
 * - carries no body, or a JSON one: form-encoded, multipart and text bodies are refused (415);
 * - when it comes from a browser (Sec-Fetch-Site or Origin present), comes from this origin;
 * - when authenticated with Basic credentials (the kind a browser replays by itself), carries a
 *   same-origin Origin header: the board's own page sends one on every write, a forged form or a
 *   no-cors fetch from another site carries that site's origin instead.
 * Bearer requests from scripts (curl, the CLI) send no Origin and pass on the first two rules:
 * no browser attaches a Bearer header by itself.
 */
import type { NextFunction, Request, Response } from 'express';
import { AppError } from '@hourglass/core';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function sameOrigin(origin: string, req: Request): boolean {
  try {
    return new URL(origin).host === req.get('host');
  } catch {
    return false;
  }
}

export function boardWriteGuard(req: Request, _res: Response, next: NextFunction): void {
  if (SAFE_METHODS.has(req.method)) return next();
  const type = req.get('content-type');
  const hasBody = Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;
  if ((type !== undefined || hasBody) && !req.is('application/json')) {
    return next(
      new AppError(
        'UNSUPPORTED_MEDIA_TYPE',
        'Bull Board writes take a JSON body or none (form, multipart and text bodies are refused: a page on another site can send those)',
      ),
    );
  }
  const site = req.get('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    return next(new AppError('CROSS_SITE_REFUSED', `Bull Board writes are refused from another site (Sec-Fetch-Site: ${site})`));
  }
  const origin = req.get('origin');
  if (origin !== undefined && !sameOrigin(origin, req)) {
    return next(new AppError('CROSS_SITE_REFUSED', 'Bull Board writes are refused from another origin'));
  }
  if (req.authScheme === 'basic' && origin === undefined) {
    return next(
      new AppError(
        'CROSS_SITE_REFUSED',
        'a Bull Board write with Basic credentials must come from the board page (same-origin Origin header); scripts send `Authorization: Bearer <admin key>`',
      ),
    );
  }
  next();
}

/**
 * /ui: the results page, static files from apps/api/src/ui (plain HTML + JS, no build step, no
 * CDN). The page itself is public; everything it shows comes from /v1 with the key the user types,
 * kept in sessionStorage. A strict Content-Security-Policy allows only this origin's own script.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Router, type NextFunction, type Request, type Response } from 'express';

export const UI_PATH = '/ui';

const ASSETS: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The folder holding the page: src/ui next to dist (also in the container image, see infra/Dockerfile). */
export function uiDirectory(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.resolve(here, '../ui'), path.resolve(here, '../../src/ui')];
  return candidates.find((dir) => existsSync(path.join(dir, 'index.html'))) ?? candidates[1]!;
}

export function uiRouter(dir = uiDirectory()): Router {
  const router = Router();
  const send = async (res: Response, name: string): Promise<void> => {
    res.set({ 'Content-Type': ASSETS[name]!, 'Content-Security-Policy': CSP, 'Cache-Control': 'no-cache' });
    res.send(await readFile(path.join(dir, name)));
  };
  router.get(UI_PATH, async (_req: Request, res: Response) => {
    await send(res, 'index.html');
  });
  router.get(`${UI_PATH}/:file`, async (req: Request, res: Response, next: NextFunction) => {
    const file = String(req.params.file ?? '');
    if (file === 'index.html' || !Object.hasOwn(ASSETS, file)) return next();
    await send(res, file);
  });
  return router;
}

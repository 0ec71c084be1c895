/**
 * The latest benchmark report, read-only, for /ui: GET /v1/bench/report lists what BENCH_REPORT_DIR
 * holds (RESULTS.md as text, the newest SVG charts there or in its results/ folder, where
 * `hourglass bench` writes them); GET /v1/bench/charts/:name serves one chart. Only plain file
 * names in those two folders are served (no other sub-folders, no dot files).
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Router, type Request, type Response } from 'express';
import { AppError } from '@hourglass/core';
import type { ApiContext } from '../context.js';

export const REPORT_FILE = 'RESULTS.md';
const CHART_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\.svg$/;
const MAX_REPORT_BYTES = 2 * 1024 * 1024;
/** Charts shown: the newest this many. */
const MAX_CHARTS = 12;

/** Where charts are looked for, in order: the folder itself, then its results/ folder. */
const chartDirs = (dir: string): string[] => [dir, path.join(dir, 'results')];

export interface BenchReport {
  /** RESULTS.md as written by the benchmark, or null when there is none. */
  markdown: string | null;
  updatedAt: string | null;
  charts: Array<{ name: string; url: string; bytes: number }>;
}

export async function readBenchReport(dir: string): Promise<BenchReport> {
  const names = await readdir(dir).catch(() => [] as string[]);
  let markdown: string | null = null;
  let updatedAt: number | null = null;
  if (names.includes(REPORT_FILE)) {
    const info = await stat(path.join(dir, REPORT_FILE));
    if (info.isFile() && info.size <= MAX_REPORT_BYTES) {
      markdown = await readFile(path.join(dir, REPORT_FILE), 'utf8');
      updatedAt = info.mtimeMs;
    }
  }
  const found = new Map<string, { name: string; bytes: number; mtimeMs: number }>();
  for (const folder of chartDirs(dir)) {
    const entries = folder === dir ? names : await readdir(folder).catch(() => [] as string[]);
    for (const name of entries.filter((n) => CHART_NAME.test(n) && !found.has(n))) {
      const info = await stat(path.join(folder, name)).catch(() => undefined);
      if (!info?.isFile() || info.size > MAX_REPORT_BYTES) continue;
      found.set(name, { name, bytes: info.size, mtimeMs: info.mtimeMs });
    }
  }
  const newest = [...found.values()].sort((a, b) => b.mtimeMs - a.mtimeMs || a.name.localeCompare(b.name)).slice(0, MAX_CHARTS);
  const charts: BenchReport['charts'] = newest.map((c) => ({ name: c.name, url: `/v1/bench/charts/${c.name}`, bytes: c.bytes }));
  for (const c of newest) updatedAt = Math.max(updatedAt ?? 0, c.mtimeMs);
  return { markdown, updatedAt: updatedAt === null ? null : new Date(updatedAt).toISOString(), charts };
}

export function benchReportRouter(ctx: ApiContext): Router {
  const router = Router();
  const dir = ctx.config.BENCH_REPORT_DIR;

  router.get('/report', async (_req: Request, res: Response) => {
    res.json(await readBenchReport(dir));
  });

  router.get('/charts/:name', async (req: Request, res: Response) => {
    const name = String(req.params.name ?? '');
    if (!CHART_NAME.test(name)) throw new AppError('NOT_FOUND', 'no such chart');
    let file: string | undefined;
    for (const folder of chartDirs(dir)) {
      const info = await stat(path.join(folder, name)).catch(() => undefined);
      if (info?.isFile() && info.size <= MAX_REPORT_BYTES) {
        file = path.join(folder, name);
        break;
      }
    }
    if (!file) throw new AppError('NOT_FOUND', `no chart named ${name}`);
    res.status(200).set({
      'Content-Type': 'image/svg+xml; charset=utf-8',
      // An SVG can carry script: never let it run, even when opened on its own.
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox",
      'Cache-Control': 'no-store',
    });
    res.send(await readFile(file));
  });

  return router;
}

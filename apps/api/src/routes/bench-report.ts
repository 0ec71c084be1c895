/**
 * The latest benchmark report, read-only, for /ui: GET /v1/bench/report lists what BENCH_REPORT_DIR
 * holds (RESULTS.md as text, the names of its SVG charts); GET /v1/bench/charts/:name serves one
 * chart. Only plain file names in that one folder are served (no sub-folders, no dot files).
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Router, type Request, type Response } from 'express';
import { AppError } from '@hourglass/core';
import type { ApiContext } from '../context.js';

export const REPORT_FILE = 'RESULTS.md';
const CHART_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\.svg$/;
const MAX_REPORT_BYTES = 2 * 1024 * 1024;

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
  const charts: BenchReport['charts'] = [];
  for (const name of names.filter((n) => CHART_NAME.test(n)).sort()) {
    const info = await stat(path.join(dir, name));
    if (!info.isFile() || info.size > MAX_REPORT_BYTES) continue;
    charts.push({ name, url: `/v1/bench/charts/${name}`, bytes: info.size });
    updatedAt = Math.max(updatedAt ?? 0, info.mtimeMs);
  }
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
    const file = path.join(dir, name);
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile() || info.size > MAX_REPORT_BYTES) throw new AppError('NOT_FOUND', `no chart named ${name}`);
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

/**
 * bench/RESULTS.md holds the drain benchmark's report and, after it, sections other benchmarks
 * (queue-only ceiling, scaling curve) keep up to date between markers:
 *   <!-- section:NAME -->
 *   ...
 *   <!-- /section:NAME -->
 * A benchmark replaces its own section and keeps the others; the drain benchmark, which rewrites
 * the file, carries every section over.
 */
import { readFile, writeFile } from 'node:fs/promises';

const pattern = /<!-- section:([a-z0-9-]+) -->\n[\s\S]*?<!-- \/section:\1 -->\n?/g;

/** The marked sections of a RESULTS.md text, in order, markers included. */
export function resultsSections(text: string): string[] {
  return [...text.matchAll(pattern)].map((m) => m[0].endsWith('\n') ? m[0] : `${m[0]}\n`);
}

/** `text` with section `name` set to `body` (replaced where it was, else appended). */
export function withResultsSection(text: string, name: string, body: string): string {
  if (!/^[a-z0-9-]+$/.test(name)) throw new RangeError(`bad section name "${name}"`);
  const block = `<!-- section:${name} -->\n${body.endsWith('\n') ? body : `${body}\n`}<!-- /section:${name} -->\n`;
  const existing = new RegExp(`<!-- section:${name} -->\\n[\\s\\S]*?<!-- /section:${name} -->\\n?`);
  if (existing.test(text)) return text.replace(existing, () => block);
  return `${text}${text.endsWith('\n') || text === '' ? '' : '\n'}\n${block}`;
}

export async function upsertResultsSection(file: string, name: string, body: string): Promise<void> {
  const text = await readFile(file, 'utf8').catch(() => '');
  await writeFile(file, withResultsSection(text, name, body));
}

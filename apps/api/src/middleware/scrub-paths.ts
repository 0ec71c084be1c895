/**
 * No error a client sees names a path on this server: the roots the API works in (DATA_ROOT,
 * MODELS_DIR, the temp folder where uploads are staged) are replaced in messages and details by
 * what a client knows them as. Upload folders inside MODELS_DIR (`.upload-<uuid>/model.onnx`)
 * become "the upload". Applied once, in the error middleware, so no route can forget it.
 */
import os from 'node:os';
import path from 'node:path';

export type PathScrubber = (text: string) => string;

export function pathScrubber(roots: { dataRoot: string; modelsDir: string }): PathScrubber {
  const candidates: Array<[string, string]> = [
    [roots.modelsDir, 'MODELS_DIR'],
    [roots.dataRoot, 'DATA_ROOT'],
    [os.tmpdir(), 'TMP'],
  ];
  // Longest first: MODELS_DIR may lie inside TMP (tests) or DATA_ROOT.
  const replacements = candidates.filter(([root]) => root.length > 1).sort((a, b) => b[0].length - a[0].length);
  const upload = /MODELS_DIR[\\/]\.upload-[0-9a-f-]+[\\/]?/g;
  return (text) => {
    let out = text;
    for (const [root, name] of replacements)
      out = out
        .split(root + path.sep)
        .join(`${name}/`)
        .split(root)
        .join(name);
    return out.replace(upload, 'the upload: ');
  };
}

/** Scrubs every string in a details object (one level of arrays and objects deep is enough). */
export function scrubDetails(details: Record<string, unknown> | undefined, scrub: PathScrubber): Record<string, unknown> | undefined {
  if (!details) return details;
  const walk = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') return scrub(value);
    if (depth > 3 || value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((v) => walk(v, depth + 1));
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, depth + 1)]));
  };
  return walk(details, 0) as Record<string, unknown>;
}

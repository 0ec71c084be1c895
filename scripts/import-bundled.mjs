#!/usr/bin/env node
/**
 * Imports the pretrained CNNs bundled in the nsfwjs package into MODELS_DIR (default ./models) as
 * ONNX models: mobilenet-v2, mobilenet-v2-mid, inception-v3. Cached: models already imported by
 * this importer version from this nsfwjs version are skipped, so a second run is instant.
 *
 *   npm run models:import [-- [--force] [model ...]]
 *
 * Needs the built @hourglass/core (npm run build).
 */
import path from 'node:path';

const args = process.argv.slice(2);
const force = args.includes('--force');
const only = args.filter((a) => !a.startsWith('--'));
const modelsDir = path.resolve(process.env.MODELS_DIR || './models');

let importers;
try {
  importers = await import('@hourglass/core/importers');
} catch (error) {
  console.error(`models:import: cannot load @hourglass/core/importers (${error instanceof Error ? error.message : error}); run \`npm run build\` first`);
  process.exit(1);
}

try {
  const t0 = performance.now();
  const results = await importers.importBundledModels(modelsDir, {
    ...(only.length ? { only } : {}),
    force,
    log: (line) => console.log(`models:import: ${line}`),
  });
  const imported = results.filter((r) => r.status === 'imported').length;
  console.log(
    `models:import: ${imported} imported, ${results.length - imported} up to date, in ${modelsDir} (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
} catch (error) {
  console.error(`models:import: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}

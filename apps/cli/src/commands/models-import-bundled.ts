/**
 * `hourglass models import-bundled [--force] [model ...]`: converts the pretrained CNNs bundled in
 * the nsfwjs package to ONNX and registers them in MODELS_DIR (what `npm run models:import` does).
 * Cached: models already imported by this importer version are skipped.
 */
import path from 'node:path';
import { BUNDLED_MODELS, importBundledModels } from '@hourglass/core/importers';
import { EXIT, EXIT_CODES_HELP, parse, runCommand, writeJson, type Io } from './common.js';
import { registerModelsSubcommand } from './models.js';

export const MODELS_IMPORT_BUNDLED_USAGE = `usage: hourglass models import-bundled [--force] [model ...]

Converts the pretrained CNNs shipped inside the nsfwjs package (${BUNDLED_MODELS.map((m) => m.name).join(', ')})
to ONNX and registers them in MODELS_DIR (env, default ./models). Models already imported by this
importer version are left alone unless --force.

options:
  --force              re-import even when up to date
  --models-dir DIR     registry folder (default: MODELS_DIR, else ./models)
  --json               print the results as JSON
  -h, --help           this help
${EXIT_CODES_HELP}`;

const options = {
  force: { type: 'boolean', default: false },
  'models-dir': { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export async function modelsImportBundledCommand(args: string[], io: Io): Promise<number> {
  return runCommand(io, MODELS_IMPORT_BUNDLED_USAGE, async () => {
    const { values, positionals } = parse(args, options);
    if (values.help) {
      io.stdout.write(MODELS_IMPORT_BUNDLED_USAGE);
      return EXIT.OK;
    }
    const modelsDir = path.resolve(values['models-dir'] ?? io.env.MODELS_DIR);
    const t0 = performance.now();
    const results = await importBundledModels(modelsDir, {
      ...(positionals.length ? { only: positionals } : {}),
      force: values.force ?? false,
      ...(values.json ? {} : { log: (line: string) => io.stdout.write(`${line}\n`) }),
    });
    if (values.json) writeJson(io, { modelsDir, results });
    else {
      const imported = results.filter((r) => r.status === 'imported').length;
      io.stdout.write(`${imported} imported, ${results.length - imported} up to date, in ${modelsDir} (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
    }
    return EXIT.OK;
  });
}

registerModelsSubcommand('import-bundled', {
  summary: 'convert and register the pretrained CNNs bundled in nsfwjs',
  run: modelsImportBundledCommand,
});

/**
 * `hourglass models add <file.onnx|folder> --name NAME [...]`: registers an ONNX model (a timm
 * export, say) straight into MODELS_DIR — no API needed; workers and the API pick it up from
 * there. Inspects the graph, runs one dummy batch through onnxruntime, copies external data along,
 * and stores it as the next version of NAME. See packages/core/src/models/byo.
 */
import path from 'node:path';
import { AppError, parseResize, parseSize, parseTriple, readLabelsFile, recoverModelsDir, registerOnnxModel, type RegisterOnnxOptions } from '@hourglass/core';
import { EXIT, EXIT_CODES_HELP, UsageError, formatBytes, parse, runCommand, writeJson, type Io } from './common.js';
import { registerModelsSubcommand } from './models.js';

export const MODELS_ADD_USAGE = `usage: hourglass models add <file.onnx|folder> --name NAME [options]

Registers an ONNX image classifier into MODELS_DIR (env, default ./models) as the next version of
NAME. A folder may hold model.onnx, its external data (model.onnx.data), a model.json with
metadata and a labels.txt — what infra/export_timm.py writes. The graph must take one float image
batch ([N,3,H,W] or [N,H,W,3]) and give [N, classes]; one dummy batch is run before registering.

options:
  --name NAME          registry name: a-z 0-9 . _ - (default: model.json's name)
  --labels FILE        labels, one per line or a JSON array (default: model.json, else class_0..N-1)
  --mean a,b,c         per-channel mean of pixel/255 (default ImageNet 0.485,0.456,0.406)
  --std a,b,c          per-channel std (default ImageNet 0.229,0.224,0.225)
  --size N|WxH         input size when the graph's is symbolic (default 224)
  --resize MODE        fill | cover | contain (default cover: scale, centre-crop, as timm evaluates)
  --description TEXT   shown by models list
  --input NAME         the graph input to feed, when there are several
  --output NAME        the graph output to read, when there are several (default: logits, else the first [N, classes])
  --models-dir DIR     registry folder (default: MODELS_DIR, else ./models)
  --json               print the registration (manifest, inspection, warnings) as JSON
  -h, --help           this help

rejections (exit 1, with the code): MODEL_NOT_ONNX, MODEL_NO_IMAGE_INPUT, MODEL_NO_CLASS_OUTPUT,
MODEL_EXTERNAL_DATA_INVALID, MODEL_RUN_FAILED, VALIDATION_FAILED (labels/size do not fit), MODEL_BUSY.
A fixed batch of 1 is accepted with a warning (the worker then runs one image at a time).
${EXIT_CODES_HELP}`;

const options = {
  name: { type: 'string' },
  labels: { type: 'string' },
  mean: { type: 'string' },
  std: { type: 'string' },
  size: { type: 'string' },
  resize: { type: 'string' },
  description: { type: 'string' },
  input: { type: 'string' },
  output: { type: 'string' },
  'models-dir': { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** Flags to registration settings; a bad value is a usage error (exit 2). */
async function settingsFrom(values: ReturnType<typeof parse<typeof options>>['values']): Promise<RegisterOnnxOptions> {
  try {
    return {
      ...(values.name !== undefined ? { name: values.name } : {}),
      ...(values.labels !== undefined ? { labels: await readLabelsFile(values.labels) } : {}),
      ...(values.mean !== undefined ? { mean: parseTriple(values.mean, 'mean') } : {}),
      ...(values.std !== undefined ? { std: parseTriple(values.std, 'std') } : {}),
      ...(values.size !== undefined ? { size: parseSize(values.size) } : {}),
      ...(values.resize !== undefined ? { resize: parseResize(values.resize) } : {}),
      ...(values.description !== undefined ? { description: values.description } : {}),
      ...(values.input !== undefined ? { input: values.input } : {}),
      ...(values.output !== undefined ? { output: values.output } : {}),
    };
  } catch (error) {
    if (error instanceof AppError && error.code === 'VALIDATION_FAILED') throw new UsageError(error.message);
    throw error;
  }
}

const count = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(n));

export async function modelsAddCommand(args: string[], io: Io): Promise<number> {
  return runCommand(io, MODELS_ADD_USAGE, async () => {
    const { values, positionals } = parse(args, options);
    if (values.help) {
      io.stdout.write(MODELS_ADD_USAGE);
      return EXIT.OK;
    }
    if (positionals.length !== 1)
      throw new UsageError(
        positionals.length === 0 ? 'which model? give an .onnx file or an export folder' : `one model at a time (got ${positionals.length} paths)`,
      );
    const settings = await settingsFrom(values);
    const modelsDir = path.resolve(values['models-dir'] ?? io.env.MODELS_DIR);
    // Registrations that crashed earlier leave staging folders (and maybe a model moved aside): tidy first.
    await recoverModelsDir(modelsDir).catch(() => undefined);
    const registered = await registerOnnxModel(modelsDir, positionals[0]!, { ...settings, source: { registeredVia: 'hourglass models add' } });
    if (values.json) {
      writeJson(io, {
        name: registered.name,
        version: registered.version,
        dir: registered.dir,
        manifest: registered.manifest,
        inspection: registered.inspection,
        validation: registered.validation,
        warnings: registered.warnings,
      });
      return EXIT.OK;
    }
    const { manifest, inspection } = registered;
    const { input, output } = manifest;
    const external = manifest.onnx.externalData;
    const lines = [
      `registered ${registered.name} version ${registered.version} in ${registered.dir}`,
      `  input    ${input.name} [${inspection.input.shape.map((d) => d ?? '?').join(', ')}] ${input.layout}, fed ${input.width}x${input.height}, ${input.dynamicBatch ? 'dynamic batch' : 'batch size 1'}`,
      `  output   ${output.name}: ${manifest.labels.length} classes (${output.kind === 'logits' ? 'logits, softmax in the worker' : 'probabilities'}); labels ${manifest.labels.slice(0, 3).join(', ')}${manifest.labels.length > 3 ? ', ...' : ''}`,
      `  weights  ${count(manifest.onnx.params)} params, opset ${manifest.onnx.opset ?? '?'}, ${inspection.producer || 'unknown producer'}; model.onnx ${formatBytes(inspection.fileBytes)}${external.length ? ` + external ${external.map((f) => `${f.path} ${formatBytes(f.bytes)}`).join(', ')}` : ''}`,
      `  preproc  resize ${input.resize}, mean ${input.mean?.join(',')}, std ${input.std?.join(',')}`,
      `  checked  a dummy batch of ${registered.validation.batch} ran in ${registered.validation.ms.toFixed(0)} ms`,
      `serve it:  npm run worker -- --model ${registered.name}`,
    ];
    io.stdout.write(`${lines.join('\n')}\n`);
    for (const warning of registered.warnings) io.stderr.write(`warning: ${warning}\n`);
    return EXIT.OK;
  });
}

registerModelsSubcommand('add', {
  summary: 'register an ONNX model (file or export folder) into MODELS_DIR',
  run: modelsAddCommand,
});

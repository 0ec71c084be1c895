/** The client commands (each in its own file) and their one-line summaries for `hourglass --help`. */
export { submitCommand, SUBMIT_USAGE } from './submit.js';
export { watchCommand, WATCH_USAGE } from './watch.js';
export { resultsCommand, RESULTS_USAGE } from './results.js';
export { modelsCommand, registerModelsSubcommand, type ModelsSubcommand } from './models.js';
// `models add` and `models import-bundled` register themselves with the models dispatcher.
export { modelsAddCommand, MODELS_ADD_USAGE } from './models-add.js';
export { modelsImportBundledCommand, MODELS_IMPORT_BUNDLED_USAGE } from './models-import-bundled.js';
export { trainCommand, TRAIN_USAGE } from './train.js';
export { datasetsCommand, DATASETS_USAGE } from './datasets.js';
export { EXIT, EXIT_CODES_HELP, UsageError, exitCodeOf, processIo, type Io } from './common.js';

export const CLIENT_COMMANDS_USAGE = `  submit <folder|files...> --model M   submit images, follow progress, write results
  watch <batchId>                      follow a batch's progress until it completes
  results <batchId> [--format csv]     print a batch's result rows (NDJSON or CSV)
  models list                          registered models and their workers
  models add <file|folder> --name N   register an ONNX model (e.g. a timm export) into MODELS_DIR
  models import-bundled [--force]      convert and register nsfwjs's bundled CNNs
`;

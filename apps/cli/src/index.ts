/**
 * What the client package lends the harness (@hourglass/harness), which drives the system as a
 * user would: the typed REST client, the terminal table and progress line, the usage error that
 * exits 2, and the client's environment schema the harness extends. The `hourglass` command
 * itself is main.ts.
 */
export { ApiError, HourglassClient, UnreachableError, type ModelInfo, type TrainQueued, type TrainView } from './api-client.js';
export { EXIT, UsageError, exitCodeOf } from './commands/common.js';
export { cliEnvSchema, loadCliEnv, type CliEnv } from './env.js';
export { ProgressLine } from './progress.js';
export { runMain } from './run-main.js';
export { renderTable } from './table.js';

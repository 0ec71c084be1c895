/**
 * `hourglass models <subcommand>`. `list` is here; other subcommands (`add`, `import-bundled`, ...)
 * register themselves with registerModelsSubcommand from their own files, and show up in the help.
 */
import { renderTable } from '../table.js';
import {
  CONNECTION_HELP,
  EXIT,
  EXIT_CODES_HELP,
  UsageError,
  clientFrom,
  connectionOptions,
  formatBytes,
  parse,
  runCommand,
  writeJson,
  type Io,
} from './common.js';

/** 3.5M, 39.7k, 950; - when unknown. */
function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined) return '-';
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}

export interface ModelsSubcommand {
  /** One line for `hourglass models --help`, e.g. "list [--json]   registered models and their workers". */
  summary: string;
  run(args: string[], io: Io): Promise<number>;
}

const subcommands = new Map<string, ModelsSubcommand>();

export function registerModelsSubcommand(name: string, command: ModelsSubcommand): void {
  subcommands.set(name, command);
}

export function modelsUsage(): string {
  const lines = [...subcommands.entries()].map(([name, c]) => `  ${name.padEnd(16)} ${c.summary}`);
  return `usage: hourglass models <subcommand> [options]

subcommands:
${lines.join('\n')}

Run \`hourglass models <subcommand> --help\` for its options.
`;
}

export const MODELS_LIST_USAGE = `usage: hourglass models list [--json]

Lists the models the API serves: name, version, input (name, size, layout; b=1 when the graph's
batch is fixed at 1), classes, parameters, file size (with external data), source, whether a live
worker serves it, how many workers do, and the last measured end-to-end img/s (from the newest
\`hourglass bench\` report for that model; - when none).

options:
  --json         print GET /v1/models as JSON on stdout
  -h, --help     this help
${CONNECTION_HELP}${EXIT_CODES_HELP}`;

registerModelsSubcommand('list', {
  summary: 'registered models with their live workers (GET /v1/models)',
  run: (args, io) =>
    runCommand(io, MODELS_LIST_USAGE, async () => {
      const { values, positionals } = parse(args, connectionOptions);
      if (values.help) {
        io.stdout.write(MODELS_LIST_USAGE);
        return EXIT.OK;
      }
      if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
      const body = await clientFrom(values, io.env).listModels();
      if (values.json) {
        writeJson(io, body);
        return EXIT.OK;
      }
      if (body.models.length === 0) io.stdout.write('no models registered\n');
      else {
        io.stdout.write(
          `${renderTable(
            ['name', 'version', 'input', 'classes', 'params', 'file size', 'source', 'served', 'workers', 'img/s'],
            body.models.map((m) => [
              m.name,
              m.version,
              `${m.input.name} ${m.input.width}x${m.input.height} ${m.input.layout}${m.input.dynamicBatch === false ? ' b=1' : ''}`,
              m.classes,
              formatCount(m.params),
              formatBytes(m.totalBytes ?? m.fileBytes),
              m.source.kind,
              m.served ? 'yes' : 'no',
              m.workers.length,
              m.benchmark ? `${m.benchmark.imagesPerSecond.toFixed(1)}` : '-',
            ]),
          )}\n`,
        );
      }
      for (const problem of body.problems) io.stderr.write(`warning: ${problem.file}: ${problem.message}\n`);
      return EXIT.OK;
    }),
});

export async function modelsCommand(args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    (sub === undefined ? io.stderr : io.stdout).write(modelsUsage());
    return sub === undefined ? EXIT.USAGE : EXIT.OK;
  }
  const command = subcommands.get(sub);
  if (!command) {
    io.stderr.write(`error: unknown subcommand "models ${sub}"\n\n${modelsUsage()}\n${EXIT_CODES_HELP}`);
    return EXIT.USAGE;
  }
  return command.run(rest, io);
}

/** `hourglass watch <batchId>`: live progress of a batch until it completes. */
import { CONNECTION_HELP, EXIT, EXIT_CODES_HELP, UsageError, clientFrom, connectionOptions, parse, runCommand, writeJson, type Io } from './common.js';
import { followWithProgress, summary } from './follow.js';

export const WATCH_USAGE = `usage: hourglass watch <batchId> [--json]

Follows a batch's progress (done/total, images/s, ETA, failures) on stderr until every image has a
result, then prints a summary (or, with --json, the final batch view).

options:
  --json         print the final batch view as JSON on stdout
  -h, --help     this help
${CONNECTION_HELP}${EXIT_CODES_HELP}`;

export function watchCommand(args: string[], io: Io): Promise<number> {
  return runCommand(io, WATCH_USAGE, async () => {
    const { values, positionals } = parse(args, connectionOptions);
    if (values.help) {
      io.stdout.write(WATCH_USAGE);
      return EXIT.OK;
    }
    const [id, ...extra] = positionals;
    if (!id || extra.length > 0) throw new UsageError('give exactly one batch id');
    const client = clientFrom(values, io.env);
    const first = await client.getBatch(id);
    const final = first.status === 'completed' ? first : await followWithProgress(client, first, io, false);
    if (values.json) writeJson(io, final);
    else io.stdout.write(`${summary(final)}\n`);
    return final.counts.failed > 0 ? EXIT.FAILED : EXIT.OK;
  });
}

/** `hourglass demo` / `npm run demo`: its flags; the run itself is run.ts. */
import { parseArgs } from 'node:util';
import { parseCount } from '../flags.js';
import { runDemo } from './run.js';

export const DEMO_USAGE = `  demo [--images N] [--workers W] [--keep] [--no-transfer]
                                             run the whole system on a demo batch, then fine-tune the
                                             bundled MobileNetV2 on the demo images and classify with it
`;

export async function demoCommand(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      images: { type: 'string', default: '60' },
      workers: { type: 'string', default: '1' },
      keep: { type: 'boolean', default: false },
      'no-transfer': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`usage:\n${DEMO_USAGE}`);
    return 0;
  }
  return runDemo(
    { images: parseCount(values.images, 'images'), workers: parseCount(values.workers, 'workers'), keep: values.keep, transfer: !values['no-transfer'] },
    env,
  );
}

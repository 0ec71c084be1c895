/**
 * `npm run demo`, the README's first command, end to end as a user runs it (built CLI, a child
 * process): a batch through the API and a worker, then a fine-tune of the bundled MobileNetV2 and
 * a batch through the new model. Points it at the test run's private Redis.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { testRedisUrl, uniquePrefix } from '../../helpers/redis.js';

const run = promisify(execFile);

describe('npm run demo', () => {
  it('classifies a real batch, fine-tunes a backbone, prints the results and the Bull Board URL', async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'hourglass-demo-'));
    try {
      const { stdout } = await run(process.execPath, ['apps/harness/dist/main.js', 'demo', '--images', '12'], {
        env: {
          PATH: process.env.PATH,
          REDIS_URL: testRedisUrl(),
          HOURGLASS_PREFIX: uniquePrefix('demo'),
          DATA_ROOT: path.join(home, 'data'),
          MODELS_DIR: path.join(home, 'models'),
          PORT: '0',
          LOG_LEVEL: 'warn',
        },
        timeout: 240_000,
      }).catch((error: { stdout?: string; stderr?: string }) => {
        throw new Error(`demo failed:\n${error.stdout}\n${error.stderr}`);
      });
      expect(stdout).toMatch(/12 results, 12 labelled as expected, 0 failed/);
      expect(stdout).toMatch(/drain time [\d.]+ s for 12 images/);
      expect(stdout).toMatch(/epoch\s+train_loss\s+valid_loss\s+error_rate/);
      expect(stdout).toMatch(/registered mobilenet-v2-demo-set v1/);
      expect(stdout).toMatch(/\d+\/12 held-out images labelled as expected by the fine-tuned mobilenet-v2-demo-set/);
      expect(stdout).toMatch(/Bull Board: http:\/\/127\.0\.0\.1:\d+\/admin\/queues/);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  }, 300_000);
});

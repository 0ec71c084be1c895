/**
 * /ui in a real headless browser (Debian's chromium driven by playwright-core) against a real
 * system: the key prompt, the caller's batches with live progress from the event stream, a batch's
 * results with thumbnails, labels and confidences, and the latest benchmark report. Leaves a
 * screenshot in test/artifacts/ui-results.png. Needs `apt-get install -y chromium` (see .ci/run).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { solidImage } from '../../helpers/images.js';
import { TEST_API_KEY, TEST_MODEL, startTestSystem, type TestSystem } from '../../helpers/system.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../artifacts/', import.meta.url));
const SCREENSHOT = path.join(ARTIFACTS, 'ui-results.png');
const WAIT = { timeout: 30_000 };

const REPORT = `# Benchmark results

Drain time of N images, measured, next to the naive projection.

| images | workers | drain s | naive s |
|---|---|---|---|
| 100 | 1 | 1.9 | 0.9 |
| 10000 | 2 | 71.3 | 89.0 |

- measured on **2 cores**
`;
const CHART = `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="120" viewBox="0 0 320 120"><rect width="320" height="120" fill="#f5f7fa"/><rect x="20" y="30" width="180" height="24" fill="#2f6fdb"/><rect x="20" y="70" width="260" height="24" fill="#c0392b"/><script>document.title='pwned'</script></svg>`;

/**
 * Polls a browser-side expression until it is true. Not page.waitForFunction: its polling loop
 * compiles the expression with `new Function` inside the page, which the page's own CSP
 * (script-src 'self', no 'unsafe-eval') rightly refuses whenever the first check is false.
 * page.evaluate goes through the DevTools protocol, which CSP does not govern.
 */
async function waitForPageCondition(page: Page, expression: string): Promise<void> {
  await expect.poll(() => page.evaluate(expression), { timeout: WAIT.timeout, interval: 100 }).toBe(true);
}

describe('/ui in headless chromium', () => {
  let system: TestSystem;
  let context: BrowserContext;
  let page: Page;
  let userDataDir: string;
  let batchId: string;
  let benchDir: string;
  const requested: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} is missing: the /ui test needs Debian's chromium (apt-get install -y --no-install-recommends chromium); .ci/run installs it`,
      );
    }
    benchDir = await mkdtemp(path.join(os.tmpdir(), 'hourglass-bench-'));
    await writeFile(path.join(benchDir, 'RESULTS.md'), REPORT);
    await writeFile(path.join(benchDir, 'drain.svg'), CHART);
    system = await startTestSystem({ apiEnv: { BENCH_REPORT_DIR: benchDir } });

    await mkdir(path.join(system.dataRoot, 'ui'), { recursive: true });
    const images = [];
    for (let i = 0; i < 7; i++) {
      const colour = (['red', 'green', 'blue'] as const)[i % 3]!;
      await writeFile(path.join(system.dataRoot, `ui/${i}-${colour}.jpg`), await solidImage({ colour, width: 160, height: 120, seed: i }));
      images.push({ path: `ui/${i}-${colour}.jpg` });
    }
    await writeFile(path.join(system.dataRoot, 'ui/broken.jpg'), Buffer.from('not a JPEG at all'));
    images.push({ path: 'ui/broken.jpg' });
    // Queued while no worker runs: the page must show it waiting, then follow it live.
    const response = await system.request('/v1/batches', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: TEST_MODEL, images }),
    });
    batchId = ((await response.json()) as { id: string }).id;

    userDataDir = await mkdtemp(path.join(os.tmpdir(), 'hourglass-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1200, height: 1000 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('request', (request) => requested.push(request.url()));
  });

  afterAll(async () => {
    await context?.close();
    await system?.stop();
    if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
    if (benchDir) await rm(benchDir, { recursive: true, force: true });
  });

  it("asks for the key, refuses a wrong one, then lists the caller's batches", async () => {
    await page.goto(`${system.baseUrl}/ui`);
    await page.waitForSelector('#key-form:not([hidden])', WAIT);
    await page.fill('#key', 'wrong-key');
    await page.click('#key-form button[type=submit]');
    await page.waitForSelector('#key-error:text("refused")', WAIT);

    await page.fill('#key', TEST_API_KEY);
    await page.click('#key-form button[type=submit]');
    const row = page.locator(`tr[data-batch="${batchId}"]`);
    await row.waitFor(WAIT);
    expect(await page.isVisible('#key-form')).toBe(false);
    expect(await page.isVisible('#app')).toBe(true);
    expect(await row.getAttribute('data-status')).toBe('queued');
    expect(await row.locator('.done').textContent()).toBe('0 / 8');
  });

  it('follows progress live: the row completes once a worker runs', async () => {
    await system.startWorker();
    await page.waitForSelector(`tr[data-batch="${batchId}"][data-status="completed"]`, WAIT);
    const row = page.locator(`tr[data-batch="${batchId}"]`);
    expect(await row.locator('.done').textContent()).toBe('8 / 8');
    expect(await row.locator('.failed').textContent()).toBe('1');
  });

  it("shows a batch's results: thumbnails, labels, confidences, and the failure", async () => {
    await page.click(`tr[data-batch="${batchId}"]`);
    await page.waitForSelector('#results tbody tr[data-index="7"]', WAIT);
    const rows = page.locator('#results tbody tr');
    expect(await rows.count()).toBe(8);
    expect(await rows.nth(0).locator('.label').textContent()).toBe('red');
    expect(await rows.nth(1).locator('.label').textContent()).toBe('green');
    expect(await rows.nth(2).locator('.label').textContent()).toBe('blue');
    expect(Number(await rows.nth(0).locator('.confidence').textContent())).toBeGreaterThan(0.5);
    expect(await rows.nth(7).locator('.err').textContent()).toContain('IMAGE_DECODE_FAILED');
    // Thumbnails are real decoded images (fetched with the key, shown through blob: URLs).
    // (Browser-side code as strings: the test program has no DOM types.)
    await waitForPageCondition(page, "[...document.querySelectorAll('#results tbody tr')].slice(0, 7).every((tr) => tr.querySelector('img').naturalWidth > 0)");
    expect(
      await rows
        .nth(0)
        .locator('img')
        .evaluate((img: { naturalWidth: number; src: string }) => [img.naturalWidth, img.src.startsWith('blob:')]),
    ).toEqual([160, true]);
  });

  it("shows the latest benchmark report and its chart (the chart's script does not run)", async () => {
    await page.waitForSelector('#bench-report table', WAIT);
    expect(await page.locator('#bench-report h3').textContent()).toBe('Benchmark results');
    expect(await page.locator('#bench-report tbody tr').count()).toBe(2);
    expect(await page.locator('#bench-report strong').textContent()).toBe('2 cores');
    await waitForPageCondition(page, "(document.querySelector('#bench-charts img')?.naturalWidth ?? 0) > 0");
    expect(await page.title()).toBe('hourglass');

    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);
  });

  it('keeps the key in sessionStorage only, never in a URL; forgetting it shows the prompt again', async () => {
    expect(await page.evaluate("sessionStorage.getItem('hourglass.apiKey')")).toBe(TEST_API_KEY);
    expect(await page.evaluate('localStorage.length')).toBe(0);
    expect(requested.length).toBeGreaterThan(10);
    expect(requested.filter((url) => url.includes(TEST_API_KEY) || url.includes('wrong-key'))).toEqual([]);
    // A reload in the same tab stays signed in.
    await page.reload();
    await page.locator(`tr[data-batch="${batchId}"]`).waitFor(WAIT);
    await page.click('#forget');
    await page.waitForSelector('#key-form', { state: 'visible', ...WAIT });
    expect(await page.isVisible('#app')).toBe(false);
    expect(await page.evaluate("sessionStorage.getItem('hourglass.apiKey')")).toBeNull();
  });

  it('is served with a strict Content-Security-Policy and no third-party requests', async () => {
    const response = await fetch(`${system.baseUrl}/ui`);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(requested.every((url) => url.startsWith(system.baseUrl) || url.startsWith('blob:') || url.startsWith('data:'))).toBe(true);
  });
});

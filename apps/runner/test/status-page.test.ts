/// <reference lib="dom" />
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Sandbox, startSandbox } from '@siphon/sandbox';
import { uniqueName } from '@siphon/testkit';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_TOKEN, type ApiRunner, type RunView, startApiRunner, waitFor } from './helpers/control.js';
import { freePort, pipelinesYaml, sandboxEnv } from './helpers/pipelines.js';
import { runnerDir, tempFile } from './helpers/runner.js';

/** Debian's chromium (scripts/chromium.sh installs it); nothing is downloaded at run time. */
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.join(runnerDir, 'test/artifacts');

/** WCAG contrast of every text element the check names against the first opaque background behind it. */
function lowContrast(selectors: string[]): string[] {
  const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
  const lum = ([r = 0, g = 0, b = 0]: number[]) => {
    const f = (v: number) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (node: Element | null): number[] => {
    for (let n = node; n; n = n.parentElement) {
      const c = rgb(getComputedStyle(n).backgroundColor);
      if (c.length === 3 || (c[3] ?? 0) > 0.9) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const problems: string[] = [];
  for (const selector of selectors) {
    for (const node of Array.from(document.querySelectorAll(selector))) {
      if (!(node as HTMLElement).textContent?.trim() || (node as HTMLButtonElement).disabled) continue;
      const a = lum(rgb(getComputedStyle(node).color));
      const b = lum(background(node));
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      if (ratio < 4.5)
        problems.push(
          `${selector} "${(node as HTMLElement).textContent?.slice(0, 30)}": ${ratio.toFixed(2)}`,
        );
    }
  }
  return problems;
}

describe('status page in headless Chromium', () => {
  let sandbox: Sandbox;
  let runner: ApiRunner | undefined;
  let context: BrowserContext | undefined;
  let profile: string | undefined;
  beforeAll(async () => {
    sandbox = await startSandbox({
      size: 120,
      sizes: { billing: { invoices: 4000 }, analytics: { fees: 600 } },
      latencyMs: 150,
    });
  });
  afterAll(async () => {
    await context?.close();
    runner?.spawned.child.kill('SIGKILL');
    await sandbox?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  it('shows live progress during a run, runs a pipeline now with the token, and is readable', async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: run \`bash scripts/chromium.sh\``).toBe(true);
    profile = await mkdtemp(path.join(tmpdir(), 'siphon-chromium-'));
    // The browser starts first, so that the page opens while the runner's first run goes.
    context = await chromium.launchPersistentContext(profile, {
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
      viewport: { width: 1280, height: 800 },
      colorScheme: 'light',
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const external: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith('http://127.0.0.1:')) external.push(request.url());
    });

    const file = await tempFile(
      'pipelines.yaml',
      pipelinesYaml({
        prefix: uniqueName('page'),
        sandbox,
        billingResources: ['invoices', 'customers', 'plans'],
        analyticsResources: ['fees', 'metrics', 'coupons'],
        schedule: '{ every: 6h }',
        // A page per transaction, so progress moves in small steps.
        extraDefaults: '  sink: { transaction: { pages: 1 } }\n',
      }),
    );
    // Every invoices page after the first answers slowly, so the run is surely still going while the
    // page is looked at, however loaded the machine (a run of 20 pages is over in a blink otherwise).
    sandbox.setFaults([{ api: 'billing', path: /invoices/, kind: 'slow', delayMs: 2000, afterRequests: 1 }]);
    const port = await freePort();
    runner = await startApiRunner(file, port, { ...sandboxEnv(sandbox), SIPHON_API_TOKEN: API_TOKEN });
    const api = runner;
    await page.goto(`${api.base}/`);

    // Live progress: the invoices row of billing shows a run going with a growing record count.
    const invoices = page.locator('section[data-pipeline="billing"] tr[data-resource="invoices"]');
    const records = invoices.locator('td[data-field="records"]');
    const count = async () => Number((await records.textContent())?.replaceAll(',', '')) || 0;
    await expect.poll(() => invoices.locator('.badge').textContent(), { timeout: 60_000 }).toBe('running');
    const seen = await waitFor(count, (n) => n > 0, 'a first record count', 60_000);
    const later = await waitFor(count, (n) => n > seen, 'the record count to grow', 60_000);
    expect(later).toBeGreaterThan(seen);
    expect(await invoices.getByRole('progressbar').count()).toBe(1);

    // The run ends: the row shows its outcome and the full count.
    sandbox.setFaults([]);
    await expect.poll(() => invoices.locator('.badge').textContent(), { timeout: 120_000 }).toBe('success');
    expect(await count()).toBe(4000);
    await expect
      .poll(() => page.locator('section[data-pipeline="analytics"] h2 .badge').first().textContent(), {
        timeout: 120_000,
      })
      .toBe('success');

    // Without a token the buttons are disabled; with it, "Run now" starts a run.
    const runNow = page.locator('section[data-pipeline="billing"]').getByRole('button', { name: 'Run now' });
    expect(await runNow.isDisabled()).toBe(true);
    await page.getByLabel('API token').fill(API_TOKEN);
    await page.getByRole('button', { name: 'Set token', exact: true }).click();
    await expect.poll(() => runNow.isEnabled(), { timeout: 10_000 }).toBe(true);
    await runNow.click();
    await expect
      .poll(() => page.getByRole('status').textContent(), { timeout: 30_000 })
      .toMatch(/Run now billing \(run [0-9a-f]{8}\): done/);
    await expect
      .poll(() => page.locator('section[data-pipeline="billing"] h2 .badge').first().textContent(), {
        timeout: 30_000,
      })
      .toBe('running');
    const runs = (await api.call('GET', '/pipelines/billing/runs')).body.runs as RunView[];
    expect(runs[0]).toMatchObject({ trigger: 'api' });
    await waitFor(count, (n) => n > 0 && n < 4000, 'progress of the second run', 60_000).catch(() => 0);

    // Accessibility basics: the token field has its label, every button a name, text enough contrast.
    expect(await page.getByLabel('API token').count()).toBe(1);
    for (const button of await page.getByRole('button').all())
      expect((await button.textContent())?.trim()).toBeTruthy();
    expect(
      await page.evaluate(lowContrast, ['th', 'td', '.meta', '.badge', 'button', 'h1', 'h2', 'footer']),
    ).toEqual([]);
    expect(await page.locator('svg[role="img"][aria-label]').count()).toBe(2);

    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'status-page.png'), fullPage: true });
    expect(external, 'the page loads nothing from outside the runner').toEqual([]);

    await waitFor(
      async () => ((await api.call('GET', '/pipelines/billing/runs')).body.runs as RunView[])[0],
      (run) => run?.status === 'success',
      'the second run to end',
    );
    api.spawned.child.kill('SIGTERM');
    expect((await api.spawned.exited).code).toBe(0);
  }, 400_000);
});

import { describe, expect, it } from 'vitest';
import { catalog, digestRecords, type Sandbox, sampleRecords, startSandbox } from '../src/index.js';
import {
  type AnalyticsPage,
  accessToken,
  analyticsGet,
  type BillingPage,
  billingGet,
  collect,
  type Json,
} from './helpers.js';

async function withSandbox<T>(options: Parameters<typeof startSandbox>[0], body: (s: Sandbox) => Promise<T>) {
  const sandbox = await startSandbox(options);
  try {
    return await body(sandbox);
  } finally {
    await sandbox.close();
  }
}

describe('determinism', () => {
  it('the same seed serves the same records; another seed serves others', async () => {
    const first = await withSandbox({ seed: 21, size: 40 }, (s) => s.digest('billing', 'invoices'));
    const again = await withSandbox({ seed: 21, size: 40 }, (s) => s.digest('billing', 'invoices'));
    const other = await withSandbox({ seed: 22, size: 40 }, (s) => s.digest('billing', 'invoices'));
    expect(again).toEqual(first);
    expect(other.count).toBe(40);
    expect(other.sha256).not.toBe(first.sha256);
  });

  it('sampleRecords returns what a sandbox with that seed serves', async () => {
    const sample = sampleRecords('analytics', 'plans', 3, 21);
    const served = await withSandbox({ seed: 21 }, (s) => collect(s.groundTruth('analytics', 'plans')));
    expect(served.slice(-3).reverse()).toEqual(sample);
  });
});

describe('sizes', () => {
  it('serves 0-size resources as empty lists on both APIs', () =>
    withSandbox({ size: 0 }, async (sandbox) => {
      const token = await accessToken(sandbox);
      const billing = (await (await billingGet(sandbox, '/invoices', token)).json()) as BillingPage;
      expect(billing.invoices).toEqual([]);
      expect(billing.page_context.has_more_page).toBe(false);
      const analytics = (await (await analyticsGet(sandbox, '/v1/fees')).json()) as AnalyticsPage;
      expect(analytics.fees).toEqual([]);
      expect(analytics.meta).toMatchObject({ current_page: 0, total_pages: 0, next_page: null });
      expect(await sandbox.digest('analytics', 'fees')).toEqual({
        count: 0,
        sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      });
    }));

  it('takes per-resource sizes by seed name or data key', () =>
    withSandbox(
      { size: 2, sizes: { billing: { quotes: 5, recurringexpenses: 6 }, analytics: { usage_periods: 7 } } },
      async (sandbox) => {
        const counts = Object.fromEntries(sandbox.catalog().billing.map((r) => [r.name, r.count]));
        expect(counts).toMatchObject({ quotes: 5, recurring_expenses: 6, invoices: 2 });
        expect(sandbox.catalog().analytics.find((r) => r.name === 'customer_usage_past')?.count).toBe(7);
      },
    ));

  it('rejects an unknown resource or a negative size, naming it', async () => {
    await expect(startSandbox({ sizes: { billing: { invoice: 3 } } })).rejects.toThrow(
      /unknown billing resource 'invoice': expected one of products, plans/,
    );
    await expect(startSandbox({ size: -1 })).rejects.toThrow(/size/);
    await expect(startSandbox({ ports: { billing: 70000 } })).rejects.toThrow(/ports\.billing/);
  });

  it('rejects a clock that is not a function, naming the option', async () => {
    await expect(startSandbox({ now: 5 as unknown as () => number })).rejects.toThrow(
      'invalid sandbox options: now must be a function returning epoch milliseconds',
    );
  });

  it('serves a million-record resource lazily: any page, right away', () =>
    withSandbox({ size: 1, sizes: { billing: { invoices: 1_000_000 } } }, async (sandbox) => {
      const token = await accessToken(sandbox);
      const last = (await (
        await billingGet(sandbox, '/invoices?page=5000&per_page=200', token)
      ).json()) as BillingPage;
      expect(last.invoices).toHaveLength(200);
      expect(last.page_context.has_more_page).toBe(false);
      expect((last.invoices as Json[]).at(-1)!.invoice_number).toBe('INV-000001');
    }));
});

describe('mutations and ground truth', () => {
  it('updates move updated_time forward, deletes drop records, inserts lead page 1 (billing)', () =>
    withSandbox({ seed: 4, size: 30 }, async (sandbox) => {
      const before = new Map(
        (await collect(sandbox.groundTruth('billing', 'invoices'))).map((r) => [r.id, r]),
      );
      const result = await sandbox.mutate('billing', 'invoices', { update: 4, delete: 3, insert: 2 });
      expect(result.updated).toHaveLength(4);
      expect(result.deleted).toHaveLength(3);
      expect(result.inserted).toHaveLength(2);
      expect(result.updated.filter((id) => result.deleted.includes(id))).toEqual([]);

      const token = await accessToken(sandbox);
      const page = (await (await billingGet(sandbox, '/invoices', token)).json()) as BillingPage;
      const served = page.invoices as Json[];
      expect(served).toHaveLength(29);
      expect(
        served
          .slice(0, 2)
          .map((r) => r.id)
          .sort(),
      ).toEqual([...result.inserted].sort());
      const servedIds = new Set(served.map((r) => r.id));
      for (const id of result.deleted) expect(servedIds.has(id)).toBe(false);
      for (const id of result.updated) {
        const now = served.find((r) => r.id === id)!;
        const then = before.get(id)!;
        expect(String(now.updated_time) > String(then.updated_time)).toBe(true);
        expect(now.created_time).toBe(then.created_time);
      }
      for (const record of served) {
        if (!result.updated.includes(record.id as string) && before.has(record.id as string)) {
          expect(record).toEqual(before.get(record.id as string));
        }
      }
      expect(await collect(sandbox.groundTruth('billing', 'invoices'))).toEqual(served);
    }));

  it('a second update moves the time again (analytics updated_at)', () =>
    withSandbox({ seed: 4, size: 5 }, async (sandbox) => {
      const times: string[] = [];
      for (let i = 0; i < 3; i++) {
        await sandbox.mutate('analytics', 'customers', { update: 5 });
        const truth = await collect(sandbox.groundTruth('analytics', 'customers'));
        times.push(String(truth[0]!.updated_at));
      }
      expect([...times].sort()).toEqual(times);
      expect(new Set(times).size).toBe(3);
    }));

  it('the digest changes with a mutation and matches digestRecords over the served records', () =>
    withSandbox({ seed: 8, size: 150 }, async (sandbox) => {
      const initial = await sandbox.digest('analytics', 'subscriptions');
      await sandbox.mutate('analytics', 'subscriptions', { update: 10, delete: 5, insert: 3 });
      const after = await sandbox.digest('analytics', 'subscriptions');
      expect(after.count).toBe(148);
      expect(after.sha256).not.toBe(initial.sha256);

      const served: Json[] = [];
      let page: number | null = 1;
      while (page !== null) {
        const body = (await (
          await analyticsGet(sandbox, `/v1/subscriptions?page=${page}`)
        ).json()) as AnalyticsPage;
        served.push(...(body.subscriptions as Json[]));
        page = body.meta.next_page;
      }
      // Key order must not matter: digestRecords hashes canonical JSON.
      const shuffled = served.reverse().map((r) => Object.fromEntries(Object.entries(r).reverse()));
      expect(await digestRecords(shuffled)).toEqual(after);
    }));

  it('billing digests agree with digestRecords too', () =>
    withSandbox({ seed: 8, size: 50 }, async (sandbox) => {
      await sandbox.mutate('billing', 'quotes', { delete: 7 });
      const truth = await collect(sandbox.groundTruth('billing', 'quotes'));
      expect(await digestRecords(truth)).toEqual(await sandbox.digest('billing', 'quotes'));
    }));

  it('deleting more than exists deletes everything; a bad mutation is refused', () =>
    withSandbox({ size: 4 }, async (sandbox) => {
      const result = await sandbox.mutate('analytics', 'wallets', { delete: 10 });
      expect(result.deleted).toHaveLength(4);
      expect(await sandbox.digest('analytics', 'wallets')).toMatchObject({ count: 0 });
      await expect(sandbox.mutate('analytics', 'wallets', { insert: -1 })).rejects.toThrow(
        /insert must be a non-negative integer/,
      );
      await expect(sandbox.mutate('billing', 'nope', { insert: 1 })).rejects.toThrow(
        /unknown billing resource 'nope'/,
      );
    }));
});

describe('catalog', () => {
  it('describes every seed resource with its path, data key and real id field', () => {
    expect(catalog.billing.resources.map((r) => r.path)).toEqual([
      '/products',
      '/plans',
      '/addons',
      '/coupons',
      '/customers',
      '/estimates',
      '/invoices',
      '/expenses',
      '/subscriptions',
      '/settings/taxes',
      '/transactions',
      '/recurringexpenses',
    ]);
    expect(catalog.billing.resources.find((r) => r.name === 'quotes')).toMatchObject({
      dataKey: 'estimates',
      idField: 'estimate_id',
      updatedField: 'last_modified_time',
    });
    expect(catalog.analytics.resources).toHaveLength(11);
    expect(catalog.analytics.resources.find((r) => r.name === 'customer_usage_past')?.dataKey).toBe(
      'usage_periods',
    );
    expect(catalog.analytics.defaultPerPage).toBe(100);
    expect(catalog.billing.maxPerPage).toBe(200);
  });
});

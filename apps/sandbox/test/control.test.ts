import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../src/index.js';
import { analyticsGet, collect, type Json } from './helpers.js';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 13, size: 12 });
});
afterAll(() => sandbox.close());

const control = (path: string, init?: RequestInit) => fetch(`${sandbox.analyticsUrl}/_sandbox${path}`, init);
const json = (value: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(value),
});

describe('control endpoints', () => {
  it('are on every origin and describe the sandbox without auth', async () => {
    for (const origin of [sandbox.billingUrl, sandbox.analyticsUrl, new URL(sandbox.tokenUrl).origin]) {
      const body = (await (await fetch(`${origin}/_sandbox/health`)).json()) as Json;
      expect(body).toMatchObject({ billingUrl: sandbox.billingUrl, tokenUrl: sandbox.tokenUrl, seed: 13 });
      expect(body.credentials).toEqual(sandbox.credentials);
    }
  });

  it('list resources with their current counts', async () => {
    const body = (await (await control('/catalog')).json()) as { billing: Json[]; analytics: Json[] };
    expect(body.billing.find((r) => r.name === 'taxes')).toMatchObject({
      path: '/settings/taxes',
      count: 12,
    });
  });

  it('set, list and clear faults (path patterns as JSON)', async () => {
    const put = await control('/faults', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ api: 'analytics', pathPattern: '^/v1/p', kind: 'status', status: 503 }]),
    });
    expect(put.status).toBe(200);
    expect((await analyticsGet(sandbox, '/v1/plans')).status).toBe(503);
    expect((await analyticsGet(sandbox, '/v1/fees')).status).toBe(200);
    expect(await (await control('/faults')).json()).toEqual([
      { api: 'analytics', pathPattern: /^\/v1\/p/.source, kind: 'status', status: 503 },
    ]);
    expect((await control('/faults', { method: 'DELETE' })).status).toBe(200);
    expect((await analyticsGet(sandbox, '/v1/plans')).status).toBe(200);
  });

  it('refuses a bad fault list with 400 and the reason', async () => {
    const response = await control('/faults', {
      method: 'PUT',
      body: JSON.stringify([{ kind: 'status', status: 200 }]),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as Json).error).toMatch(/faults\[0\]\.status/);
  });

  it('mutate, then ground truth (NDJSON) and digest reflect it', async () => {
    const mutated = (await (
      await control('/mutate', json({ api: 'analytics', resource: 'metrics', delete: 2, insert: 1 }))
    ).json()) as {
      deleted: string[];
      inserted: string[];
    };
    expect(mutated.deleted).toHaveLength(2);
    const response = await control('/ground-truth?api=analytics&resource=metrics');
    expect(response.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = (await response.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Json);
    expect(lines).toHaveLength(11);
    expect(lines[0]!.id).toBe(mutated.inserted[0]);
    expect(lines).toEqual(await collect(sandbox.groundTruth('analytics', 'metrics')));
    const digest = await (await control('/digest?api=analytics&resource=metrics')).json();
    expect(digest).toEqual(await sandbox.digest('analytics', 'metrics'));
  });

  it('name what is wrong with a bad control request', async () => {
    const badApi = await control('/digest?api=crm&resource=x');
    expect(badApi.status).toBe(400);
    expect(((await badApi.json()) as Json).error).toMatch(/'api' must be 'billing' or 'analytics'/);
    const badResource = await control('/ground-truth?api=billing&resource=widgets');
    expect(badResource.status).toBe(400);
    expect(((await badResource.json()) as Json).error).toMatch(/unknown billing resource 'widgets'/);
    const badJson = await control('/mutate', { method: 'POST', body: '{nope' });
    expect(badJson.status).toBe(400);
    const unknown = await control('/nothing');
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as Json).endpoints).toContain('POST /_sandbox/mutate');
  });

  it('report and reset stats; control calls are not counted', async () => {
    await control('/stats/reset', { method: 'POST' });
    await analyticsGet(sandbox, '/v1/fees');
    await analyticsGet(sandbox, '/v1/fees');
    await fetch(`${sandbox.analyticsUrl}/v1/fees`);
    const stats = (await (await control('/stats')).json()) as Json;
    expect(stats).toEqual({
      requests: 3,
      byRoute: { 'analytics GET /v1/fees': 3 },
      byStatus: { '200': 2, '401': 1 },
      tokensIssued: 0,
    });
    expect(sandbox.stats()).toEqual(stats);
  });
});

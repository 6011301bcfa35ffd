import { networkInterfaces } from 'node:os';
import { type Sandbox, startSandbox } from '@siphon/sandbox';
import { infraConfig } from '@siphon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  API_TOKEN,
  type ApiRunner,
  controlEnv,
  type PipelineView,
  type RunView,
  startApiRunner,
  waitFor,
} from './helpers/control.js';
import { compactedView, decodeTopics } from './helpers/kafka.js';
import { freePort, groundTruth, ON_REQUEST, pipelinesFile } from './helpers/pipelines.js';

/** An address of this machine that is not loopback: requests from it are not "local". */
function externalAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const address of list ?? [])
      if (address.family === 'IPv4' && !address.internal) return address.address;
  }
  return undefined;
}

describe('control API on the real runner, broker and sandbox', () => {
  let sandbox: Sandbox;
  let runner: ApiRunner | undefined;
  beforeAll(async () => {
    sandbox = await startSandbox({
      size: 150,
      sizes: { billing: { invoices: 1200 }, analytics: { fees: 400 } },
      latencyMs: 80,
    });
  });
  afterAll(async () => {
    runner?.spawned.child.kill('SIGKILL');
    await sandbox?.close();
  });

  it('lists, runs, pauses, resumes and resets; guards with the token; rebuilds runs after a restart', async () => {
    const { prefix, file } = await pipelinesFile('control', { sandbox, ...ON_REQUEST });
    const port = await freePort();
    const env = controlEnv(sandbox);
    runner = await startApiRunner(file, port, env);
    const api = runner;
    const view = (name: string) => api.pipeline(name);

    // The first scheduled runs of both pipelines finish.
    for (const name of ['billing', 'analytics']) {
      await waitFor(
        () => view(name),
        (p) => !p.running && p.last_run?.status === 'success',
        `${name}'s first run`,
      );
    }

    // GET /pipelines: config summary, schedule, state per resource; no secret anywhere.
    const list = await api.call('GET', '/pipelines');
    expect(list.status).toBe(200);
    const pipelines = list.body.pipelines as PipelineView[];
    expect(pipelines.map((p) => p.name)).toEqual(['billing', 'analytics']);
    const billing = pipelines[0] as PipelineView;
    expect(billing.schedule?.description).toBe('every 21600s');
    expect(billing.paused).toBe(false);
    expect(Date.parse(billing.next_run_at ?? '')).toBeGreaterThan(Date.now());
    const invoices = billing.resources.find((r) => r.name === 'invoices');
    expect(invoices?.topic).toBe(`${prefix}.billing.invoices`);
    expect(invoices?.state.last_run?.records).toBe(1200);
    expect(invoices?.last_run?.records).toBe(1200);
    for (const secret of [
      sandbox.credentials.clientSecret,
      sandbox.credentials.refreshToken,
      sandbox.credentials.apiKey,
      API_TOKEN,
    ]) {
      expect(list.text).not.toContain(secret);
    }

    // Runs: the first one, from the schedule.
    const runs = await api.call('GET', '/pipelines/billing/runs');
    expect(runs.status).toBe(200);
    const firstRuns = runs.body.runs as RunView[];
    expect(firstRuns).toHaveLength(1);
    expect(firstRuns[0]).toMatchObject({ status: 'success', trigger: 'schedule', records: 1350 });

    // 404s, 405s and a 400.
    expect((await api.call('GET', '/pipelines/nope')).status).toBe(404);
    expect((await api.call('GET', '/pipelines/nope/runs')).status).toBe(404);
    expect((await api.call('POST', '/pipelines/nope/run')).status).toBe(404);
    expect((await api.call('GET', '/pipelines/billing/whatever')).status).toBe(404);
    expect((await api.call('DELETE', '/pipelines/billing/resources/nope/state')).status).toBe(404);
    expect((await api.call('GET', '/pipelines/billing/run')).status).toBe(405);
    const badResource = await api.call('POST', '/pipelines/billing/run?resources=nope');
    expect(badResource.status).toBe(400);
    expect(badResource.body.error).toContain('invoices');

    // Token rules: mutating endpoints want the bearer token.
    const noToken = await api.call('POST', '/pipelines/billing/pause', { token: null });
    expect(noToken.status).toBe(401);
    expect(noToken.headers.get('www-authenticate')).toContain('Bearer');
    expect(
      (await api.call('POST', '/pipelines/billing/run', { token: 'wrong-token-0123456789' })).status,
    ).toBe(401);
    expect(
      (await api.call('DELETE', '/pipelines/billing/resources/invoices/state', { token: null })).status,
    ).toBe(401);
    // Reads from another address than loopback need the token too (SIPHON_API_READ=loopback).
    const external = externalAddress();
    expect(external, 'this test needs a non-loopback IPv4 address').toBeDefined();
    const remoteBase = `http://${external}:${port}`;
    expect((await api.call('GET', '/pipelines', { token: null, base: remoteBase })).status).toBe(401);
    expect((await api.call('GET', '/', { token: null, base: remoteBase })).status).toBe(401);
    expect((await api.call('GET', '/pipelines', { base: remoteBase })).status).toBe(200);
    // The ops endpoints stay open.
    expect((await api.call('GET', '/healthz', { token: null, base: remoteBase })).status).toBe(200);

    // Pause and resume the schedule.
    const paused = await api.call('POST', '/pipelines/billing/pause');
    expect(paused).toMatchObject({ status: 200, body: { pipeline: 'billing', paused: true } });
    expect(await view('billing')).toMatchObject({ paused: true, next_run_at: null });
    expect((await api.call('POST', '/pipelines/billing/resume')).body).toEqual({
      pipeline: 'billing',
      paused: false,
    });
    const resumed = await view('billing');
    expect(resumed.paused).toBe(false);
    expect(Date.parse(resumed.next_run_at ?? '')).toBeGreaterThan(Date.now());

    // Run now, for one resource; a second request while it runs is a 409, and so is a reset. One
    // slow page keeps the run going for a while, however fast the machine.
    sandbox.setFaults([{ api: 'billing', path: /invoices/, kind: 'slow', delayMs: 3000, count: 1 }]);
    const started = await api.call('POST', '/pipelines/billing/run?resources=invoices');
    expect(started.status).toBe(202);
    expect(started.body.resources).toEqual(['invoices']);
    const runId = started.body.run_id as string;
    expect(runId).toMatch(/^[0-9a-f-]{36}$/);
    const again = await api.call('POST', '/pipelines/billing/run');
    expect(again.status).toBe(409);
    expect(again.body.run_id).toBe(runId);
    expect((await api.call('DELETE', '/pipelines/billing/resources/invoices/state')).status).toBe(409);
    const during = await view('billing');
    expect(during.running).toBe(true);
    expect(during.current_run?.run_id).toBe(runId);
    const manual = await waitFor(
      async () => (await api.runs('billing'))[0],
      (run) => run?.run_id === runId && run.status !== 'running',
      'the requested run to end',
    );
    expect(manual).toMatchObject({ status: 'success', trigger: 'api', records: 1200 });
    expect(manual?.resources.map((r) => r.resource)).toEqual(['invoices']);
    sandbox.setFaults([]);

    // A reset followed by a full re-sync.
    const reset = await api.call('DELETE', '/pipelines/analytics/resources/fees/state');
    expect(reset).toMatchObject({
      status: 200,
      body: { pipeline: 'analytics', resource: 'fees', reset: true },
    });
    const afterReset = await view('analytics');
    expect(afterReset.resources.find((r) => r.name === 'fees')?.state.last_run).toBeNull();
    const resync = await api.call('POST', '/pipelines/analytics/run');
    expect(resync.status).toBe(202);
    const resynced = await waitFor(
      () => view('analytics'),
      (p) => p.last_run?.run_id === resync.body.run_id && !p.running,
      'the re-sync to end',
    );
    const fees = resynced.resources.find((r) => r.name === 'fees');
    const truth = await groundTruth(sandbox, 'analytics', 'fees');
    expect(fees?.state.last_run).toMatchObject({ run_id: resync.body.run_id, records: truth.length });
    const topic = `${prefix}.analytics.fees`;
    const decoded = await decodeTopics(infraConfig().brokers, infraConfig().registryUrl, [topic]);
    expect([...compactedView(decoded.get(topic) ?? []).values()].map((v) => v.id).sort()).toEqual(
      truth.map((r) => r.id).sort(),
    );

    // The page and the OpenAPI document.
    const page = await api.call('GET', '/', { token: null });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.text).toContain('<title>Siphon runner</title>');
    const spec = await api.call('GET', '/openapi.json', { token: null });
    expect(spec.body.openapi).toBe('3.1.0');
    expect(Object.keys(spec.body.paths as object)).toEqual(
      expect.arrayContaining([
        '/pipelines',
        '/pipelines/{name}',
        '/pipelines/{name}/runs',
        '/pipelines/{name}/run',
        '/pipelines/{name}/pause',
        '/pipelines/{name}/resume',
        '/pipelines/{name}/resources/{resource}/state',
      ]),
    );

    // Restart without a token: the runs come back from the state topic; mutating endpoints are off.
    api.spawned.child.kill('SIGTERM');
    expect((await api.spawned.exited).code).toBe(0);
    const { SIPHON_API_TOKEN: _, ...noTokenEnv } = env;
    runner = await startApiRunner(file, port, { ...noTokenEnv, SIPHON_API_TOKEN: '' });
    const restarted = runner;
    const rebuilt = await waitFor(
      () => restarted.runs('billing'),
      (list) => list.some((r) => r.run_id === runId),
      'the runs rebuilt from the state topic',
    );
    const old = rebuilt.find((r) => r.run_id === runId);
    expect(old).toMatchObject({ status: 'success', trigger: 'state topic', records: 1200 });
    expect(rebuilt.find((r) => r.run_id === firstRuns[0]?.run_id)).toMatchObject({ records: 1350 });
    const off = await restarted.call('POST', '/pipelines/billing/run', { token: API_TOKEN });
    expect(off.status).toBe(403);
    expect(off.body.error).toContain('SIPHON_API_TOKEN');
    restarted.spawned.child.kill('SIGTERM');
    expect((await restarted.spawned.exited).code).toBe(0);
  }, 400_000);
});

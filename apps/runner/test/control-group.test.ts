import { type Sandbox, startSandbox } from '@siphon/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiRunner, controlEnv, startApiRunner, waitFor } from './helpers/control.js';
import { freePort, ON_REQUEST, pipelinesFile } from './helpers/pipelines.js';

describe('control API with --group: owners, forwarding', () => {
  let sandbox: Sandbox;
  const replicas: ApiRunner[] = [];
  beforeAll(async () => {
    sandbox = await startSandbox({ size: 200, latencyMs: 40 });
  });
  afterAll(async () => {
    for (const r of replicas) r.spawned.child.kill('SIGKILL');
    await sandbox?.close();
  });

  it('shows which replica owns each unit and forwards run, reset and pause to the owner', async () => {
    const { prefix, file } = await pipelinesFile('control-group', { sandbox, ...ON_REQUEST });
    const group = `${prefix}-group`;
    for (const name of ['a', 'b']) {
      const port = await freePort();
      replicas.push(
        await startApiRunner(
          file,
          port,
          controlEnv(sandbox, { SIPHON_API_ADVERTISE_URL: `http://127.0.0.1:${port}` }),
          [
            '--group',
            group,
            '--session-timeout',
            '6s',
            '--rebalance-delay',
            '1s',
            '--shutdown-timeout',
            '20s',
          ],
        ),
      );
      void name;
    }
    const [a, b] = replicas as [ApiRunner, ApiRunner];
    const units = async (r: ApiRunner) =>
      (await r.pipelines()).flatMap((p) =>
        p.resources.map((x) => ({ pipeline: p.name, resource: x.name, owner: x.owner, state: x.state })),
      );
    // Both replicas own units, and both see the same owners (from Kafka's description of the group).
    const seen = await waitFor(
      () => units(a),
      (list) =>
        list.every((u) => u.owner) &&
        list.some((u) => u.owner?.local) &&
        list.some((u) => u.owner && !u.owner.local),
      'every unit owned, some by each replica',
    );
    const fromB = await units(b);
    for (const u of seen) {
      const other = fromB.find((x) => x.pipeline === u.pipeline && x.resource === u.resource);
      expect(other?.owner?.member_id).toBe(u.owner?.member_id);
      expect(other?.owner?.local).toBe(!u.owner?.local);
      expect(u.owner?.api).toBe(u.owner?.local ? a.base : b.base);
    }
    // Every unit's first run is committed before anything is requested.
    await waitFor(
      () => units(a),
      (list) => list.every((u) => u.state.last_run),
      'every unit run once',
    );

    // Run now, asked of replica a for a unit replica b owns: forwarded, and run there.
    const remote = seen.find((u) => !u.owner?.local) as (typeof seen)[number];
    const forwarded = await a.call('POST', `/pipelines/${remote.pipeline}/run?resources=${remote.resource}`);
    expect(forwarded.status).toBe(202);
    expect(forwarded.body).toMatchObject({ replica: b.base, resources: [remote.resource] });
    const runId = forwarded.body.run_id as string;
    const onB = await waitFor(
      async () => (await b.runs(remote.pipeline)).find((r) => r.run_id === runId),
      (run) => run?.status === 'success',
      'the forwarded run to end on its owner',
    );
    expect(onB).toMatchObject({
      trigger: 'api',
      resources: [{ resource: remote.resource, status: 'success' }],
    });

    // A unit replica a owns runs on a itself.
    const local = seen.find((u) => u.owner?.local) as (typeof seen)[number];
    const here = await a.call('POST', `/pipelines/${local.pipeline}/run?resources=${local.resource}`);
    expect(here.status).toBe(202);
    expect(here.body.replica).toBeUndefined();

    // A state reset is forwarded to the owner too.
    const reset = await a.call('DELETE', `/pipelines/${remote.pipeline}/resources/${remote.resource}/state`);
    expect(reset).toMatchObject({ status: 200, body: { reset: true, replica: b.base } });

    // Pause applies on every replica.
    const paused = await b.call('POST', '/pipelines/billing/pause');
    expect(paused.body).toMatchObject({ paused: true, replicas: [{ api: a.base, status: 200 }] });
    expect((await a.pipeline('billing')).paused).toBe(true);

    for (const r of replicas) r.spawned.child.kill('SIGTERM');
    for (const r of replicas) expect((await r.spawned.exited).code).toBe(0);
  }, 300_000);
});

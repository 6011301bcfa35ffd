import type { Page, ResourceState, ResourceWriter, Sink } from '@siphon/core';
import { KafkaSinkError } from '@siphon/sink-kafka';
import { describe, expect, it } from 'vitest';
import { balanceUnits } from '../src/cluster/balance.js';
import { firstRunAt } from '../src/cluster/due.js';
import { type HandoverOutcome, handoverSink } from '../src/cluster/handover-sink.js';
import {
  decodeMemberInfo,
  encodeMemberInfo,
  type MemberInfo,
  planAssignment,
} from '../src/cluster/protocol.js';
import { listUnits, UnitWeights } from '../src/cluster/units.js';
import { parsePipelinesText } from '../src/config/load.js';
import { UsageError } from '../src/errors.js';

const ids = (n: number) => Array.from({ length: n }, (_, i) => `billing/r${String(i).padStart(2, '0')}`);
const counts = (out: Map<string, string[]>) => [...out.values()].map((l) => l.length);
const loads = (out: Map<string, string[]>, weight: (id: string) => number) =>
  [...out.values()].map((l) => l.reduce((s, id) => s + weight(id), 0));

describe('balanceUnits', () => {
  it('gives each member ⌊n/m⌋ or ⌈n/m⌉ units, every unit exactly once, for any n and m', () => {
    for (let n = 0; n <= 30; n++) {
      for (let m = 1; m <= 7; m++) {
        const units = ids(n).map((id) => ({ id, weight: 1 }));
        const members = Array.from({ length: m }, (_, i) => `member-${i}`);
        const out = balanceUnits({ members, units });
        const all = [...out.values()].flat();
        expect(all.sort()).toEqual(ids(n));
        expect(Math.max(...counts(out)) - Math.min(...counts(out)), `${n} units on ${m}`).toBeLessThanOrEqual(
          1,
        );
      }
    }
  });

  it('keeps units with their previous owner when that is fair (scaling 1 → 3 moves only 8 of 12)', () => {
    const units = ids(12).map((id) => ({ id, weight: 1 }));
    const previousOwner = new Map(ids(12).map((id) => [id, 'a']));
    const out = balanceUnits({ members: ['a', 'b', 'c'], units, previousOwner });
    expect(counts(out)).toEqual([4, 4, 4]);
    // A rebalance that changes nothing moves nothing.
    const again = new Map([...out].flatMap(([m, list]) => list.map((id) => [id, m] as const)));
    expect(balanceUnits({ members: ['a', 'b', 'c'], units, previousOwner: again })).toEqual(out);
    // A member leaving: only its units move.
    const after = balanceUnits({ members: ['a', 'c'], units, previousOwner: again });
    expect(after.get('a')).toEqual(expect.arrayContaining(out.get('a') as string[]));
    expect(after.get('c')).toEqual(expect.arrayContaining(out.get('c') as string[]));
    expect(counts(after)).toEqual([6, 6]);
  });

  it('balances weights, heaviest first: one big unit gets a member to itself', () => {
    const weight = (id: string) => (id === 'billing/r00' ? 10 : 1);
    const units = ids(12).map((id) => ({ id, weight: weight(id) }));
    const out = balanceUnits({ members: ['a', 'b', 'c'], units });
    const big = [...out].find(([, list]) => list.includes('billing/r00'));
    expect(big?.[1]).toEqual(['billing/r00']);
    expect(loads(out, weight).sort((x, y) => x - y)).toEqual([5, 6, 10]);
  });

  it('is deterministic whatever order members and units come in', () => {
    const units = ids(9).map((id, i) => ({ id, weight: (i % 3) + 1 }));
    const a = balanceUnits({ members: ['x', 'y', 'z'], units });
    const b = balanceUnits({ members: ['z', 'x', 'y'], units: [...units].reverse() });
    expect(b).toEqual(a);
  });

  it('gives nothing when there is no member', () => {
    expect(balanceUnits({ members: [], units: [{ id: 'p/r', weight: 1 }] }).size).toBe(0);
  });
});

describe('the group protocol', () => {
  const info = (units: string[], extra: Partial<MemberInfo> = {}): MemberInfo => ({
    units,
    weights: {},
    owned: [],
    ...extra,
  });

  it('round-trips member info and rejects what it does not understand', () => {
    const original = info(['a/x', 'a/y'], { weights: { 'a/x': 3 }, owned: ['a/y'] });
    expect(decodeMemberInfo(encodeMemberInfo(original))).toEqual(original);
    expect(decodeMemberInfo(Buffer.from('{"v":2,"units":[],"owned":[]}'))).toBeUndefined();
    expect(decodeMemberInfo(Buffer.from('not json'))).toBeUndefined();
    expect(decodeMemberInfo(Buffer.alloc(0))).toBeUndefined();
    // Nonsense weights are dropped, not trusted.
    const odd = Buffer.from(
      JSON.stringify({ v: 1, units: ['a/x'], owned: [], weights: { 'a/x': -1, 'a/y': 'big' } }),
    );
    expect(decodeMemberInfo(odd)?.weights).toEqual({});
  });

  it('gives units only to the members that agree on the unit list, the others idle', () => {
    const list = ids(6);
    const { plan, unitList } = planAssignment([
      { memberId: 'm1', info: info(list) },
      { memberId: 'm2', info: info(list) },
      { memberId: 'm3', info: info(ids(7)) },
      { memberId: 'm4', info: undefined },
    ]);
    expect(unitList).toEqual(list);
    expect(plan.members.get('m1')).toHaveLength(3);
    expect(plan.members.get('m2')).toHaveLength(3);
    expect(plan.members.get('m3')).toEqual([]);
    expect(plan.members.get('m4')).toEqual([]);
    expect(plan.outvoted.map((o) => o.memberId).sort()).toEqual(['m3', 'm4']);
  });

  it("takes a unit's weight from its previous owner, else the largest report, else 1", () => {
    const list = ['p/a', 'p/b', 'p/c'];
    const { plan } = planAssignment([
      { memberId: 'm1', info: info(list, { owned: ['p/a'], weights: { 'p/a': 100, 'p/b': 2 } }) },
      { memberId: 'm2', info: info(list, { weights: { 'p/a': 5, 'p/b': 7 } }) },
    ]);
    expect(plan.totalWeight).toBe(100 + 7 + 1);
    expect(plan.members.get('m1')).toEqual(['p/a']);
    expect(plan.members.get('m2')).toEqual(['p/b', 'p/c']);
  });
});

describe('units and weights', () => {
  const config = (weights: string) =>
    parsePipelinesText(
      `defaults:\n  kafka: { brokers: "k:9092" }\n  registry: { url: "http://r" }\npipelines:\n  - name: p\n    source: { rest_api: { client: { base_url: "http://x" }, resources: [a, b] } }\n    schedule: { every: 1h }\n${weights}`,
      'pipelines.yaml',
    ).pipelines[0];

  it('lists units sorted by id, the same on every replica', () => {
    expect(
      listUnits([
        { name: 'z', resources: ['b', 'a'] },
        { name: 'a', resources: ['c'] },
      ]).map((u) => u.id),
    ).toEqual(['a/c', 'z/a', 'z/b']);
  });

  it('weighs units by config, by their last run, or equally', () => {
    const fixed = config('    weights: { a: 5 }\n');
    const byRun = config('    weights: last_run\n');
    const plain = config('');
    if (!fixed || !byRun || !plain) throw new Error('no pipeline');
    const [ua, ub] = listUnits([{ name: 'p', resources: ['a', 'b'] }]) as [
      ReturnType<typeof listUnits>[0],
      ReturnType<typeof listUnits>[0],
    ];
    const w1 = new UnitWeights([{ config: fixed, allResources: ['a', 'b'] }]);
    expect([w1.of(ua), w1.of(ub)]).toEqual([5, 1]);
    const w2 = new UnitWeights([{ config: byRun, allResources: ['a', 'b'] }]);
    expect(w2.of(ua)).toBeUndefined();
    w2.learn(ua, 1200);
    w2.learn(ub, 0);
    expect([w2.of(ua), w2.of(ub)]).toEqual([1200, 1]);
    const w3 = new UnitWeights([{ config: plain, allResources: ['a', 'b'] }]);
    expect(w3.of(ua)).toBe(1);
  });

  it('rejects weights for resources the pipeline does not have, naming them', () => {
    const bad = config('    weights: { a: 5, invoicez: 2 }\n');
    if (!bad) throw new Error('no pipeline');
    expect(() => new UnitWeights([{ config: bad, allResources: ['a', 'b'] }])).toThrow(UsageError);
    expect(() => new UnitWeights([{ config: bad, allResources: ['a', 'b'] }])).toThrow(
      'pipeline p: weights: no resource named invoicez (it has a, b)',
    );
  });

  it('rejects a weight that is not a positive number, with its line', () => {
    expect(() => config('    weights: { a: -2 }\n')).toThrow(
      /pipelines\.yaml:\d+:\d+: pipelines\[0\]\.weights/,
    );
  });
});

describe('firstRunAt: when a unit taken over first runs', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');
  const done = (completedAt: string): ResourceState => ({
    last_run: { run_id: 'r', completed_at: completedAt, records: 10 },
    checkpoint: null,
  });

  it('runs at once when it never completed a run or was interrupted', () => {
    expect(firstRunAt({ every: 900_000 }, undefined, now)).toBe(now);
    expect(
      firstRunAt({ every: 900_000 }, { checkpoint: { run_id: 'r', paginator: {}, pages: 3 } }, now),
    ).toBe(now);
    const interrupted = {
      ...done('2026-01-01T11:59:00Z'),
      checkpoint: { run_id: 'r', paginator: {}, pages: 3 },
    };
    expect(firstRunAt({ every: 900_000 }, interrupted, now)).toBe(now);
  });

  it('waits for the next slot after the last complete run, or runs at once when it is overdue', () => {
    expect(firstRunAt({ every: 900_000 }, done('2026-01-01T11:55:00Z'), now)).toBe(
      Date.parse('2026-01-01T12:10:00Z'),
    );
    expect(firstRunAt({ every: 900_000 }, done('2026-01-01T11:00:00Z'), now)).toBe(now);
    expect(firstRunAt({ cron: '0 * * * *', timezone: 'UTC' }, done('2026-01-01T11:30:00Z'), now)).toBe(now);
    expect(firstRunAt({ cron: '*/30 * * * *', timezone: 'UTC' }, done('2026-01-01T12:00:00Z'), now)).toBe(
      Date.parse('2026-01-01T12:30:00Z'),
    );
  });
});

describe('handoverSink: a stopped unit commits what it read', () => {
  class FakeWriter implements ResourceWriter {
    calls: string[] = [];
    constructor(private readonly failFinish?: Error) {}
    async write(page: Page) {
      this.calls.push(`write ${page.index}`);
    }
    async finish(result: { complete: boolean; pages: number }, state: ResourceState) {
      this.calls.push(
        `finish complete=${result.complete} pages=${result.pages} state=${JSON.stringify(state)}`,
      );
      if (this.failFinish) throw this.failFinish;
    }
    async abort() {
      this.calls.push('abort');
    }
  }
  const page = (index: number): Page => ({
    resource: 'invoices',
    index,
    url: `http://x/${index}`,
    records: [{ id: index }],
    state: { checkpoint: { run_id: 'r', paginator: { page: index }, pages: index } },
  });
  const setup = (writer: FakeWriter) => {
    const controller = new AbortController();
    const outcomes: HandoverOutcome[] = [];
    const inner: Sink = { open: async () => writer, close: async () => {} };
    const sink = handoverSink(inner, controller.signal, (o) => outcomes.push(o));
    return { controller, outcomes, sink };
  };
  const ctx = { pipeline: 'p', source: 'billing', runId: 'r' };
  const resource = { name: 'invoices', primaryKey: ['id'], writeDisposition: 'append' as const };

  it('commits the pages written, with the last page state, as an incomplete run', async () => {
    const writer = new FakeWriter();
    const { controller, outcomes, sink } = setup(writer);
    const w = await sink.open(resource, ctx);
    await w.write(page(1));
    await w.write(page(2));
    controller.abort();
    await w.abort(new Error('aborted'));
    expect(writer.calls).toEqual([
      'write 1',
      'write 2',
      `finish complete=false pages=2 state=${JSON.stringify(page(2).state)}`,
    ]);
    expect(outcomes).toEqual([{ type: 'committed', resource: 'invoices', pages: 2 }]);
  });

  it('reports a fenced late commit and aborts', async () => {
    const fenced = new KafkaSinkError('FENCED', 'producer was fenced by a newer one');
    const writer = new FakeWriter(fenced);
    const { controller, outcomes, sink } = setup(writer);
    const w = await sink.open(resource, ctx);
    await w.write(page(1));
    controller.abort();
    await w.abort(new Error('aborted'));
    expect(writer.calls.at(-1)).toBe('abort');
    expect(outcomes).toEqual([{ type: 'fenced', resource: 'invoices', error: fenced }]);
  });

  it('aborts as usual on an error that is not a stop, or when nothing was written', async () => {
    const writer = new FakeWriter();
    const { outcomes, sink } = setup(writer);
    const w = await sink.open(resource, ctx);
    await w.write(page(1));
    await w.abort(new Error('HTTP 500'));
    expect(writer.calls).toEqual(['write 1', 'abort']);
    const idle = new FakeWriter();
    const stopped = setup(idle);
    stopped.controller.abort();
    await (await stopped.sink.open(resource, ctx)).abort(new Error('aborted'));
    expect(idle.calls).toEqual(['abort']);
    expect([...outcomes, ...stopped.outcomes]).toEqual([]);
  });
});

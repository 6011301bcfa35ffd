import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from '../src/args.ts';
import { rotate, type ScenarioReport } from '../src/context.ts';
import { RUNNER_CLI } from '../src/paths.ts';
import { packageOf, summarizeProfile } from '../src/profile.ts';
import { judge, markdownTable, targetsTable } from '../src/report.ts';
import type { SandboxProcess } from '../src/sandbox.ts';
import { theoreticalMinimumSeconds } from '../src/scenarios/rate-limit.ts';
import { pipelinesFile, shebangNodeFlags } from '../src/siphon.ts';
import { summarize } from '../src/stats.ts';

describe('summarize', () => {
  it('gives the median, range and spread of the runs', () => {
    expect(summarize([12, 10, 11])).toEqual({
      median: 11,
      min: 10,
      max: 12,
      spreadPct: (2 / 11) * 100,
      n: 3,
    });
    expect(summarize([4, 2]).median).toBe(3);
  });

  it('ignores runs without a number and reports none as NaN', () => {
    expect(summarize([Number.NaN, 5]).n).toBe(1);
    expect(summarize([]).median).toBeNaN();
  });
});

describe('theoreticalMinimumSeconds', () => {
  it('waits one window per full budget after the first', () => {
    expect(theoreticalMinimumSeconds(1000, 600, 60)).toBe(60);
    expect(theoreticalMinimumSeconds(1200, 600, 60)).toBe(60);
    expect(theoreticalMinimumSeconds(1201, 600, 60)).toBe(120);
    expect(theoreticalMinimumSeconds(600, 600, 60)).toBe(0);
    expect(theoreticalMinimumSeconds(50, 20, 5)).toBe(10);
  });
});

describe('parseBenchArgs', () => {
  it('defaults to the issue sizes: 1,000,000 records, 3 runs after 1 warm-up, all scenarios', () => {
    const options = parseBenchArgs([]);
    if (options === 'help') throw new Error('unexpected help');
    expect(options.records).toBe(1_000_000);
    expect(options.memoryRecords).toBe(100_000);
    // dlt is by far the slowest contender: it runs on 200,000 records to keep the run near 35 minutes.
    expect(options.dltRecords).toBe(200_000);
    expect([options.runs, options.warmup]).toEqual([3, 1]);
    expect(options.clients).toEqual(['kafkajs', 'confluent']);
    expect(options.rateRuns).toBe(2);
    expect([options.profile, options.profileRecords]).toEqual([true, 200_000]);
    expect([...options.scenarios]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(options.rateLimit).toEqual({ requests: 600, windowSeconds: 60 });
    expect([options.latencyRecords, options.latencyMs]).toEqual([20_000, 50]);
  });

  it("takes sizes after pnpm's `--` and scales the memory size with --records", () => {
    const options = parseBenchArgs(['--', '--records', '10_000', '--runs', '1', '--scenarios', '1,2']);
    if (options === 'help') throw new Error('unexpected help');
    expect(options.records).toBe(10_000);
    expect(options.memoryRecords).toBe(1_000);
    expect(options.runs).toBe(1);
    expect([...options.scenarios]).toEqual([1, 2]);
  });

  it('makes --smoke small: 10,000 records, one run, no warm-up, a rate limit crossed in seconds', () => {
    const options = parseBenchArgs(['--smoke']);
    if (options === 'help') throw new Error('unexpected help');
    expect([options.records, options.runs, options.warmup]).toEqual([10_000, 1, 0]);
    expect([options.rateRuns, options.profile, options.dltRecords]).toEqual([1, false, 10_000]);
    expect(options.rateLimit).toEqual({ requests: 20, windowSeconds: 5 });
    expect(theoreticalMinimumSeconds(options.rateRecords / 200, 20, 5)).toBeGreaterThan(0);
  });

  it('names the bad option and what it expects', () => {
    expect(() => parseBenchArgs(['--rate-limit', '600'])).toThrow(
      '--rate-limit expects REQUESTS/SECONDS such as 600/60, got "600"',
    );
    expect(() => parseBenchArgs(['--runs', '0'])).toThrow('--runs expects a whole number >= 1, got "0"');
    expect(() => parseBenchArgs(['--scenarios', ''])).toThrow('--scenarios lists no scenario');
    expect(() => parseBenchArgs(['--bogus'])).toThrow(/bogus/);
    expect(() => parseBenchArgs(['--clients', 'kafkajs,rdkafka'])).toThrow(
      '--clients: "rdkafka" is not a Kafka adapter; expected kafkajs or confluent',
    );
  });

  it('takes one adapter, and --no-profile', () => {
    const options = parseBenchArgs(['--clients', 'confluent', '--no-profile']);
    if (options === 'help') throw new Error('unexpected help');
    expect(options.clients).toEqual(['confluent']);
    expect(options.profile).toBe(false);
  });
});

describe('profile summary', () => {
  it('attributes self time to functions and packages, idle apart', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bench-profile-'));
    try {
      const file = path.join(dir, 'x.cpuprofile');
      const frame = (functionName: string, url: string) => ({
        functionName,
        url,
        lineNumber: 9,
        columnNumber: 0,
        scriptId: '1',
      });
      writeFileSync(
        file,
        JSON.stringify({
          nodes: [
            { id: 1, callFrame: frame('(root)', '') },
            { id: 2, callFrame: frame('(idle)', '') },
            {
              id: 3,
              callFrame: frame(
                'encode',
                'file:///r/node_modules/.pnpm/avsc@5.7.9/node_modules/avsc/lib/types.js',
              ),
            },
            { id: 4, callFrame: frame('write', 'file:///r/packages/sink-kafka/dist/writer.js') },
          ],
          samples: [2, 3, 3, 4, 3],
          timeDeltas: [5000, 1000, 1000, 1000, 1000],
          startTime: 0,
          endTime: 9000,
        }),
      );
      const summary = summarizeProfile(file);
      expect(summary.idleMs).toBe(5);
      expect(summary.busyMs).toBe(4);
      expect(summary.topFunctions[0]).toMatchObject({ name: 'encode', selfMs: 3, pct: 75 });
      expect(summary.byPackage).toEqual([
        { name: 'avsc', selfMs: 3, pct: 75 },
        { name: '@siphon/sink-kafka', selfMs: 1, pct: 25 },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names Node internals and native frames', () => {
    expect(packageOf('node:internal/streams/readable', 'read')).toBe('node (internals)');
    expect(packageOf('', '(garbage collector)')).toBe('(garbage collector)');
    expect(packageOf('file:///x/apps/runner/dist/cli.js', 'main')).toBe('@siphon/runner');
  });
});

describe('judge', () => {
  it('says whether a median meets its target and by how much', () => {
    expect(judge(0.45, { op: '≥', bound: 0.8 })).toEqual({ met: false, margin: '44% short' });
    expect(judge(0.9, { op: '≥', bound: 0.8 })).toEqual({ met: true, margin: '13% to spare' });
    expect(judge(1.67, { op: '≤', bound: 1.25 })).toEqual({ met: false, margin: '34% over' });
    expect(judge(262, { op: '<', bound: 200 })).toEqual({ met: false, margin: '31% over' });
    expect(judge(200, { op: '<', bound: 200 }).met).toBe(false);
    expect(judge(Number.NaN, { op: '≥', bound: 8 })).toEqual({ met: false, margin: 'not measured' });
  });
});

describe('markdownTable and targetsTable', () => {
  const reports: ScenarioReport[] = [
    {
      id: 2 as const,
      title: 'References',
      status: 'ok' as const,
      headlines: [
        {
          label: 'records/s, Siphon ÷ best floor',
          client: 'kafkajs',
          ratio: summarize([0.5, 0.45, 0.55]),
          target: '≥ 0.8',
          ...judge(0.5, { op: '≥', bound: 0.8 }),
        },
        { label: 'records/s, Siphon ÷ naive floor', client: 'kafkajs', ratio: summarize([0.9]) },
        {
          label: 'records/s, Siphon ÷ best floor',
          client: 'confluent',
          ratio: summarize([0.85]),
          target: '≥ 0.8',
          ...judge(0.85, { op: '≥', bound: 0.8 }),
        },
      ],
      figures: {
        'best floor records/s': summarize([30_000, 29_000, 31_000]),
        'Siphon records/s [kafkajs]': summarize([15_000]),
        'Siphon records/s [confluent]': summarize([25_500]),
      },
      runs: [],
      notes: [],
    },
    {
      id: 5 as const,
      title: 'Rate limit',
      status: 'failed' as const,
      reason: 'the runner exited with 1',
      headlines: [],
      figures: {},
      runs: [],
      notes: [],
    },
  ];

  it("has a row per target and adapter, with its margin and that adapter's figures", () => {
    const table = markdownTable(reports);
    expect(table).toContain(
      '| 2 | References | kafkajs | **0.50 (0.45–0.55)** records/s, Siphon ÷ best floor | ≥ 0.8 | **no** (38% short) | best floor records/s 30,000 (29,000–31,000); Siphon records/s 15,000 |',
    );
    expect(table).toContain('|  |  | kafkajs | **0.90** records/s, Siphon ÷ naive floor |  |  |  |');
    expect(table).toContain(
      '|  |  | confluent | **0.85** records/s, Siphon ÷ best floor | ≥ 0.8 | yes (6% to spare) | Siphon records/s 25,500 |',
    );
    expect(table).toContain('| 5 | Rate limit | | failed: the runner exited with 1 | | | |');
  });

  it('lists every target, and only targets', () => {
    const table = targetsTable(reports);
    expect(table).toContain(
      '| 2 | records/s, Siphon ÷ best floor ≥ 0.8 | kafkajs | 0.50 (0.45–0.55) | **no** | 38% short |',
    );
    expect(table).toContain(
      '| 2 | records/s, Siphon ÷ best floor ≥ 0.8 | confluent | 0.85 | yes | 6% to spare |',
    );
    expect(table).not.toContain('naive floor');
  });
});

describe('rotate', () => {
  it('lets each contender go first in turn, iteration 0 as given', () => {
    expect(rotate(0, ['a', 'b', 'c'])).toEqual(['a', 'b', 'c']);
    expect(rotate(1, ['a', 'b', 'c'])).toEqual(['b', 'c', 'a']);
    expect(rotate(3, ['a', 'b', 'c'])).toEqual(['a', 'b', 'c']);
  });
});

describe('pipelinesFile', () => {
  it('names the Kafka adapter of the run as kafka.client', () => {
    const sandbox = {
      billingUrl: 'http://127.0.0.1:1/billing',
      tokenUrl: 'http://127.0.0.1:1/token',
      credentials: { clientId: 'i', clientSecret: 's', refreshToken: 'r' },
    } as SandboxProcess;
    const file = pipelinesFile(
      sandbox,
      { brokers: ['b:9092'], registryUrl: 'http://r', prefix: 'p', client: 'confluent' },
      { kind: 'package', resources: ['invoices'] },
    ) as { defaults: { kafka: { client: string } } };
    expect(file.defaults.kafka.client).toBe('confluent');
  });
});

describe('shebangNodeFlags', () => {
  it('reads the Node flags of an env -S shebang, of a plain node shebang, and none without flags', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'shebang-'));
    try {
      const file = (name: string, first: string) => {
        const f = path.join(dir, name);
        writeFileSync(f, `${first}\nconsole.log(1);\n`);
        return f;
      };
      expect(
        shebangNodeFlags(file('a.js', '#!/usr/bin/env -S node --max-semi-space-size=4 --no-warnings')),
      ).toEqual(['--max-semi-space-size=4', '--no-warnings']);
      expect(shebangNodeFlags(file('b.js', '#!/usr/local/bin/node --expose-gc'))).toEqual(['--expose-gc']);
      expect(shebangNodeFlags(file('c.js', '#!/usr/bin/env node'))).toEqual([]);
      expect(shebangNodeFlags(file('d.js', "import x from 'y';"))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finds the flags the built runner ships with', () => {
    expect(shebangNodeFlags(RUNNER_CLI)).toContain('--max-semi-space-size=4');
  });
});

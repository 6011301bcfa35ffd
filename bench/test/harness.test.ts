import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from '../src/args.ts';
import { RUNNER_CLI } from '../src/paths.ts';
import { packageOf, summarizeProfile } from '../src/profile.ts';
import { markdownTable } from '../src/report.ts';
import { theoreticalMinimumSeconds } from '../src/scenarios/rate-limit.ts';
import { shebangNodeFlags } from '../src/siphon.ts';
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
    expect(options.dltRecords).toBe(1_000_000);
    expect([options.runs, options.warmup]).toEqual([3, 1]);
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

describe('markdownTable', () => {
  it('shows the headline ratio with its range, the target, and failures with their reason', () => {
    const table = markdownTable([
      {
        id: 2,
        title: 'The floor',
        status: 'ok',
        headline: {
          label: 'records/s, Siphon ÷ floor',
          ratio: summarize([0.9, 0.85, 0.95]),
          target: '≥ 0.8',
          met: true,
        },
        figures: { 'floor records/s': summarize([10_500, 10_000, 11_000]) },
        runs: [],
        notes: [],
      },
      {
        id: 5,
        title: 'Rate limit',
        status: 'failed',
        reason: 'the runner exited with 1',
        figures: {},
        runs: [],
        notes: [],
      },
    ]);
    expect(table).toContain(
      '| 2 | The floor | **0.90 (0.85–0.95)** records/s, Siphon ÷ floor | ≥ 0.8 | yes | floor records/s 10,500 (10,000–11,000) |',
    );
    expect(table).toContain('| 5 | Rate limit | failed: the runner exited with 1 | | | |');
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

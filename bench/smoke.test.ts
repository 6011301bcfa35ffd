/**
 * Keeps the harness from rotting: runs `node bench/run.ts --smoke` (10,000 records, one run, every
 * scenario) against the real Kafka + registry and checks that the report holds every scenario with
 * numbers. It asserts no timing: CI machines are shared and noisy.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const RUN = path.join(import.meta.dirname, 'run.ts');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function harness(args: string[], timeoutMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RUN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

interface Summary {
  median: number;
  n: number;
}

interface Scenario {
  id: number;
  status: 'ok' | 'skipped' | 'failed';
  reason?: string;
  headlines: { label: string; client?: string; ratio: Summary; target?: string; met?: boolean }[];
  figures: Record<string, Summary>;
}

describe('bench command line', () => {
  it('rejects an unknown scenario with exit code 2 and says which', async () => {
    const run = await harness(['--scenarios', '1,9'], 30_000);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--scenarios: "9" is not a scenario');
  });

  it('rejects a record count that is not a number', async () => {
    const run = await harness(['--', '--records', 'many'], 30_000);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--records expects a whole number >= 1, got "many"');
  });

  it('prints its usage with --help', async () => {
    const run = await harness(['--help'], 30_000);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('--scenarios 1,2,...');
  });
});

describe('bench --smoke', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'siphon-bench-smoke-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('reports all six scenarios with numbers, on both Kafka adapters', { timeout: 20 * 60_000 }, async () => {
    const run = await harness(['--smoke', '--out', out], 19 * 60_000);
    expect(run.code, `the harness failed:\n${run.stderr.slice(-4000)}`).toBe(0);

    const files = readdirSync(out).filter((f) => f.endsWith('-smoke.json'));
    expect(files).toHaveLength(1);
    const report = JSON.parse(readFileSync(path.join(out, files[0] as string), 'utf8')) as {
      scenarios: Scenario[];
      markdown: string;
    };
    expect(report.scenarios.map((s) => s.id)).toEqual([1, 2, 3, 4, 5, 6]);

    for (const scenario of report.scenarios) {
      if (scenario.id === 6 && scenario.status === 'skipped') {
        // Without the dlt venv, smoke mode skips the peer and says so.
        expect(scenario.reason).toContain('no dlt venv');
        continue;
      }
      expect(scenario.status, `scenario ${scenario.id}: ${scenario.reason ?? ''}`).toBe('ok');
      const figures = Object.entries(scenario.figures);
      expect(figures.length, `scenario ${scenario.id} has no figures`).toBeGreaterThan(0);
      for (const [name, summary] of figures) {
        if (name.startsWith('ratio of in-run durations')) continue; // present only when the runner logs its duration
        expect(Number.isFinite(summary.median), `scenario ${scenario.id}: ${name} = ${summary.median}`).toBe(
          true,
        );
      }
      expect(scenario.headlines.length, `scenario ${scenario.id} has no headline`).toBeGreaterThan(0);
      for (const h of scenario.headlines)
        expect(Number.isFinite(h.ratio.median), `scenario ${scenario.id}: ${h.label} (${h.client})`).toBe(
          true,
        );
      // Every Siphon scenario runs on both Kafka adapters.
      expect(new Set(scenario.headlines.map((h) => h.client)), `scenario ${scenario.id}`).toEqual(
        new Set(['kafkajs', 'confluent']),
      );
    }
    // The references of scenario 2 all ran: the best floor and the source ceiling are targets.
    const references = report.scenarios.find((s) => s.id === 2);
    expect(Object.keys(references?.figures ?? {})).toEqual(
      expect.arrayContaining(['best floor records/s', 'source ceiling records/s', 'naive floor records/s']),
    );
    expect(run.stdout).toContain('| # | Scenario |');
    expect(run.stdout).toContain('| # | Target |');
  });
});

/**
 * Runs one measured child process: wall time from spawn to exit, and the child's own CPU time and
 * peak RSS as the child reports them at exit (Node: the `--import` preload; Python: the peer script),
 * so nothing of the harness, the sandbox or the broker is counted.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { track } from './children.ts';

export const PRELOAD = path.join(import.meta.dirname, 'usage-preload.mjs');

export interface Usage {
  cpuSeconds: number;
  userSeconds: number;
  systemSeconds: number;
  peakRssMB: number;
}

export interface Measured {
  wallSeconds: number;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  usage: Usage | undefined;
}

export interface MeasureOptions {
  env?: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
  /** Streams stderr lines here as they come (progress of a long run). */
  onStderr?: (chunk: string) => void;
}

/** Keeps the tail of a stream: enough for an error report, never the whole log of a long run. */
class Tail {
  private text = '';
  private readonly max: number;
  constructor(max = 64 * 1024) {
    this.max = max;
  }
  push(chunk: string): void {
    this.text += chunk;
    if (this.text.length > this.max * 2) this.text = this.text.slice(-this.max);
  }
  toString(): string {
    return this.text.slice(-this.max);
  }
}

export function readUsage(file: string): Usage | undefined {
  try {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as {
      userCPUTime: number;
      systemCPUTime: number;
      maxRSS: number;
    };
    const userSeconds = raw.userCPUTime / 1e6;
    const systemSeconds = raw.systemCPUTime / 1e6;
    return {
      userSeconds,
      systemSeconds,
      cpuSeconds: userSeconds + systemSeconds,
      peakRssMB: raw.maxRSS / 1024,
    };
  } catch {
    return undefined;
  }
}

/** Spawns `command args`; `SIPHON_BENCH_USAGE_FILE` (and `BENCH_USAGE_FILE`) tell the child where to report. */
export async function runMeasured(
  command: string,
  args: string[],
  options: MeasureOptions = {},
): Promise<Measured> {
  const dir = mkdtempSync(path.join(tmpdir(), 'siphon-bench-usage-'));
  const usageFile = path.join(dir, 'usage.json');
  const stdout = new Tail(4 * 1024 * 1024);
  const stderr = new Tail();
  const started = process.hrtime.bigint();
  try {
    const child = track(
      spawn(command, args, {
        cwd: options.cwd,
        env: {
          ...process.env,
          ...options.env,
          SIPHON_BENCH_USAGE_FILE: usageFile,
          BENCH_USAGE_FILE: usageFile,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => stdout.push(chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr.push(chunk);
      options.onStderr?.(chunk);
    });
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            stderr.push(`\n[bench] killed after ${options.timeoutMs} ms\n`);
            child.kill('SIGKILL');
          }, options.timeoutMs);
    const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(
      (resolve, reject) => {
        child.once('error', reject);
        child.once('close', (code, sig) => resolve([code, sig]));
      },
    );
    if (timer) clearTimeout(timer);
    const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    return {
      wallSeconds,
      exitCode,
      signal,
      stdout: stdout.toString(),
      stderr: stderr.toString(),
      usage: readUsage(usageFile),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Node with the usage preload, for a measured Node child. */
export function nodeArgs(script: string, args: string[], nodeOptions: string[] = []): [string, string[]] {
  return [process.execPath, [...nodeOptions, '--import', PRELOAD, script, ...args]];
}

/** One line of why a child failed: its exit, then the last lines of its stderr. */
export function failureOf(label: string, run: Measured): Error {
  const tail = run.stderr.trim().split('\n').slice(-15).join('\n');
  const how = run.signal ? `was killed by ${run.signal}` : `exited with ${run.exitCode}`;
  return new Error(`${label} ${how}${tail ? `:\n${tail}` : ''}`);
}

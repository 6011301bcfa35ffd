/**
 * Siphon as users run it: `siphon run --once -c <pipelines file>`, i.e. `apps/runner/dist/cli.js`
 * with the Node flags of its shebang, in its own process, measured from outside (wall time) and from inside (CPU, peak RSS via the usage preload).
 * Its JSON log lines on stderr are read for the run's own counts.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { KafkaClientName } from '@siphon/sink-kafka';
import type { RateLimit } from './args.ts';
import { BILLING_SEED_FILE, RUNNER_CLI } from './paths.ts';
import { failureOf, type Measured, nodeArgs, runMeasured } from './proc.ts';
import type { SandboxProcess } from './sandbox.ts';

export interface SiphonTarget {
  brokers: string[];
  registryUrl: string;
  /** Topic prefix of this run: its topics are `<prefix>.billing.<resource>`, state `<prefix>._state`. */
  prefix: string;
  /** The Kafka adapter the runner uses (`kafka.client`). */
  client: KafkaClientName;
}

export type SiphonSource =
  /** The billing source package (declared Avro schemas), as the demo and most users run it. */
  | { kind: 'package'; resources: string[] }
  /** The billing seed file verbatim (`rest_api_file`), with the sandbox's URLs and a request budget. */
  | { kind: 'seed'; resources: string[]; rateLimit?: RateLimit };

/** The pipelines file of one run (JSON, which the runner reads like YAML). */
export function pipelinesFile(sandbox: SandboxProcess, target: SiphonTarget, source: SiphonSource): object {
  const { credentials } = sandbox;
  const pipeline =
    source.kind === 'package'
      ? {
          name: 'billing',
          source: {
            package: 'billing',
            options: {
              base_url: sandbox.billingUrl,
              token_url: sandbox.tokenUrl,
              client_id: credentials.clientId,
              client_secret: credentials.clientSecret,
              refresh_token: credentials.refreshToken,
              allow_insecure_http: true,
            },
          },
          resources: source.resources,
        }
      : {
          name: 'billing',
          source: {
            rest_api_file: BILLING_SEED_FILE,
            overrides: {
              client: {
                base_url: sandbox.billingUrl,
                auth: { token_url: sandbox.tokenUrl, allow_insecure_http: true },
                ...(source.rateLimit
                  ? {
                      rate_limit: {
                        requests: source.rateLimit.requests,
                        interval_seconds: source.rateLimit.windowSeconds,
                      },
                    }
                  : {}),
              },
            },
          },
          resources: source.resources,
          secrets: {
            client_id: credentials.clientId,
            client_secret: credentials.clientSecret,
            refresh_token: credentials.refreshToken,
          },
        };
  return {
    defaults: {
      kafka: { brokers: target.brokers, client_id: 'siphon-bench', client: target.client },
      registry: { url: target.registryUrl },
      topics: { prefix: target.prefix },
      state: { store: 'kafka' },
    },
    pipelines: [pipeline],
  };
}

/** What the runner's own log lines said about the run. */
export interface RunnerLog {
  /** Records per resource from `resource finished`. */
  records: Record<string, number>;
  pages: Record<string, number>;
  /** `run finished` duration, ms. */
  runMs: number | undefined;
  rateLimitedLines: number;
  retryLines: number;
  errors: string[];
  /** The run's info-level milestones, seconds after the first log line: where the wall time went. */
  timeline: { s: number; msg: string; resource?: string; detail?: Record<string, unknown> }[];
}

const LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

/** pino's level: a number, or its label when the runner formats it so. */
function levelOf(value: unknown): number {
  return typeof value === 'string' ? (LEVELS[value] ?? 0) : Number(value);
}

const TIMELINE_SKIP = new Set(['rate limited', 'page', 'transaction committed']);
const TIMELINE_MAX = 200;

function logReader(): { push(chunk: string): void; result: RunnerLog } {
  const result: RunnerLog = {
    records: {},
    pages: {},
    runMs: undefined,
    rateLimitedLines: 0,
    retryLines: 0,
    errors: [],
    timeline: [],
  };
  let partial = '';
  let firstTime: number | undefined;
  const line = (text: string) => {
    if (!text.startsWith('{')) return;
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    const msg = String(entry.msg ?? '');
    // pino's time: epoch ms, or an ISO string with the runner's isoTime setting.
    const time = typeof entry.time === 'string' ? Date.parse(entry.time) : Number(entry.time);
    if (Number.isFinite(time)) firstTime ??= time;
    if (
      firstTime !== undefined &&
      levelOf(entry.level) >= 30 &&
      !TIMELINE_SKIP.has(msg) &&
      result.timeline.length < TIMELINE_MAX
    ) {
      const {
        level: _l,
        time: _t,
        msg: _m,
        pid: _p,
        hostname: _h,
        name: _n,
        service: _s,
        resource,
        ...detail
      } = entry;
      result.timeline.push({
        s: Math.round(time - firstTime) / 1000,
        msg,
        ...(typeof resource === 'string' ? { resource } : {}),
        ...(Object.keys(detail).length > 0 ? { detail } : {}),
      });
    }
    if (msg === 'resource finished' && typeof entry.resource === 'string') {
      result.records[entry.resource] = Number(entry.records);
      result.pages[entry.resource] = Number(entry.pages);
    } else if (msg === 'run finished') result.runMs = Number(entry.duration_ms);
    else if (msg === 'rate limited') result.rateLimitedLines++;
    else if (msg.startsWith('retrying')) result.retryLines++;
    if (levelOf(entry.level) >= 50 && result.errors.length < 20) result.errors.push(msg);
  };
  return {
    push(chunk) {
      partial += chunk;
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) line(l);
    },
    result,
  };
}

export interface SiphonRun extends Measured {
  log: RunnerLog;
}

export interface SiphonRunOptions {
  /** Extra node flags, e.g. `--cpu-prof`. */
  nodeOptions?: string[];
  timeoutMs?: number;
}

/**
 * The Node flags the `siphon` executable runs with (`#!/usr/bin/env -S node <flags>`): the harness
 * starts `node` itself (to add the usage preload), and must not measure a differently tuned runtime.
 */
export function shebangNodeFlags(script: string): string[] {
  const first = readFileSync(script, 'utf8').split('\n', 1)[0] ?? '';
  const match = /^#!\S*env\s+-S\s+node\s+(.*)$/.exec(first) ?? /^#!\S*node\s+(.*)$/.exec(first);
  return match?.[1] ? match[1].trim().split(/\s+/) : [];
}

/** Runs the pipeline once; throws with the runner's last log lines when it fails. */
export async function runSiphon(
  sandbox: SandboxProcess,
  target: SiphonTarget,
  source: SiphonSource,
  options: SiphonRunOptions = {},
): Promise<SiphonRun> {
  const dir = mkdtempSync(path.join(tmpdir(), 'siphon-bench-'));
  const file = path.join(dir, 'pipelines.json');
  writeFileSync(file, JSON.stringify(pipelinesFile(sandbox, target, source), null, 2));
  const reader = logReader();
  try {
    const [command, args] = nodeArgs(
      RUNNER_CLI,
      ['run', '--once', '-c', file, '--http-port', '0', '--no-progress', '--log-level', 'info'],
      [...shebangNodeFlags(RUNNER_CLI), ...(options.nodeOptions ?? [])],
    );
    const run = await runMeasured(command, args, {
      cwd: dir,
      onStderr: (chunk) => reader.push(chunk),
      timeoutMs: options.timeoutMs ?? 60 * 60_000,
    });
    if (run.exitCode !== 0) throw failureOf('the Siphon runner', run);
    return { ...run, log: reader.result };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function topicOf(target: SiphonTarget, resource: string): string {
  return `${target.prefix}.billing.${resource}`;
}

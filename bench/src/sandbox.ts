/**
 * The sandbox as its own process (`apps/sandbox/dist/cli.js`), so the CPU it spends serving pages is
 * never counted in the measured process. Its banner on stdout says where it listens.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { track } from './children.ts';
import { SANDBOX_CLI } from './paths.ts';

export interface SandboxSpec {
  /** Records per billing resource, e.g. `{ invoices: 1_000_000 }`; every other resource is empty. */
  billing: Record<string, number>;
  latencyMs?: number;
  /** `{ requests: 600, windowSeconds: 60 }` */
  rateLimit?: { requests: number; windowSeconds: number };
}

export interface SandboxStats {
  requests: number;
  byRoute: Record<string, number>;
  byStatus: Record<string, number>;
  tokensIssued: number;
}

export interface SandboxProcess {
  pid: number;
  billingUrl: string;
  tokenUrl: string;
  credentials: { clientId: string; clientSecret: string; refreshToken: string };
  stats(): Promise<SandboxStats>;
  resetStats(): Promise<void>;
  /** CPU seconds the sandbox process has used so far (from /proc). */
  cpuSeconds(): number;
  close(): Promise<void>;
}

const CLI = SANDBOX_CLI;
const BANNER_TIMEOUT_MS = 30_000;
const CLK_TCK = 100;

function field(banner: string, label: string): string {
  const match = new RegExp(`^\\s*${label}\\s+(\\S+)`, 'm').exec(banner);
  if (!match?.[1]) throw new Error(`the sandbox banner has no "${label}" line:\n${banner}`);
  return match[1];
}

function processCpuSeconds(pid: number): number {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / CLK_TCK;
  } catch {
    return Number.NaN;
  }
}

export async function startSandboxProcess(spec: SandboxSpec): Promise<SandboxProcess> {
  const args = [CLI, '--port', '0', '--size', '0', '--log-level', 'warn'];
  // Every measured run fetches its own token; the default 10 per 10 minutes would refuse them.
  args.push('--token-limit', '100000/600');
  for (const [resource, n] of Object.entries(spec.billing))
    args.push('--size-of', `billing.${resource}=${n}`);
  if (spec.latencyMs) args.push('--latency-ms', String(spec.latencyMs));
  if (spec.rateLimit) args.push('--rate-limit', `${spec.rateLimit.requests}/${spec.rateLimit.windowSeconds}`);

  const child: ChildProcess = track(spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-8192);
  });
  const banner = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `the sandbox did not print its banner within ${BANNER_TIMEOUT_MS / 1000} s:\n${out}${stderr}`,
        ),
      );
    }, BANNER_TIMEOUT_MS);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (/^control: /m.test(out)) {
        clearTimeout(timer);
        resolve(out);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(
        new Error(`the sandbox exited with ${code} before it was ready (is apps/sandbox built?):\n${stderr}`),
      );
    });
  });

  const billingUrl = field(banner, 'billing');
  const control = `${billingUrl}/_sandbox`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    pid: child.pid as number,
    billingUrl,
    tokenUrl: field(banner, 'token URL'),
    credentials: {
      clientId: field(banner, 'client_id'),
      clientSecret: field(banner, 'client_secret'),
      refreshToken: field(banner, 'refresh_token'),
    },
    async stats() {
      const res = await fetch(`${control}/stats`);
      if (!res.ok) throw new Error(`GET ${control}/stats answered ${res.status}`);
      return (await res.json()) as SandboxStats;
    },
    async resetStats() {
      const res = await fetch(`${control}/stats/reset`, { method: 'POST' });
      if (!res.ok) throw new Error(`POST ${control}/stats/reset answered ${res.status}`);
    },
    cpuSeconds: () => processCpuSeconds(child.pid as number),
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

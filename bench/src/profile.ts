/**
 * Reads a V8 `.cpuprofile` (from `node --cpu-prof`) and says where the time went: the top functions
 * by self time, and self time per package (a workspace package, a dependency, Node's internals, GC).
 */
import { readFileSync } from 'node:fs';
import { round } from './stats.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  where: string;
  selfMs: number;
  pct: number;
}

export interface ProfileSummary {
  /** The profile files: one per thread (the main thread and any worker). */
  files: string[];
  /** The Kafka adapter and record count of the profiled run (set by the harness). */
  client?: string;
  records?: number;
  /** Sampled time, idle excluded. */
  busyMs: number;
  idleMs: number;
  topFunctions: ProfileEntry[];
  byPackage: { name: string; selfMs: number; pct: number }[];
  /** The profiled run's milestones from the runner's log (set by the harness). */
  timeline?: { s: number; msg: string; resource?: string; detail?: Record<string, unknown> }[];
}

/** Which package a script URL belongs to. */
export function packageOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native or generated code)';
  if (url.startsWith('node:')) return 'node (internals)';
  const pnpm = /node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pnpm?.[1]) return pnpm[1];
  const plain = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (plain?.[1]) return plain[1];
  const workspace = /\/(?:packages|apps)\/([^/]+)\//.exec(url);
  if (workspace?.[1]) return `@siphon/${workspace[1]}`;
  return url;
}

function shortWhere(url: string, line: number): string {
  if (url === '') return '';
  const trimmed = url
    .replace(/^file:\/\//, '')
    .replace(/^.*\/node_modules\/\.pnpm\/[^/]+\/node_modules\//, '');
  const repo = trimmed.replace(/^.*?\/((?:packages|apps)\/.*)$/, '$1');
  return `${repo}:${line + 1}`;
}

/** Self time per function and package over one or more profiles (the threads of one process). */
export function summarizeProfile(file: string | string[], top = 20): ProfileSummary {
  const files = typeof file === 'string' ? [file] : file;
  const functions = new Map<string, { name: string; where: string; us: number }>();
  const packages = new Map<string, number>();
  let busyUs = 0;
  let idleUs = 0;
  for (const one of files) {
    const profile = JSON.parse(readFileSync(one, 'utf8')) as CpuProfile;
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const selfUs = new Map<number, number>();
    profile.samples.forEach((id, i) => {
      selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
    });
    for (const [id, us] of selfUs) {
      const node = byId.get(id);
      if (!node) continue;
      const { functionName, url, lineNumber } = node.callFrame;
      if (functionName === '(idle)') {
        idleUs += us;
        continue;
      }
      busyUs += us;
      const name = functionName || '(anonymous)';
      const where = shortWhere(url, lineNumber);
      const key = `${name} ${where}`;
      const entry = functions.get(key) ?? { name, where, us: 0 };
      entry.us += us;
      functions.set(key, entry);
      const pkg = packageOf(url, functionName);
      packages.set(pkg, (packages.get(pkg) ?? 0) + us);
    }
  }
  const pct = (us: number) => round((us / Math.max(1, busyUs)) * 100, 1);
  return {
    files,
    busyMs: round(busyUs / 1000, 0),
    idleMs: round(idleUs / 1000, 0),
    topFunctions: [...functions.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((f) => ({ name: f.name, where: f.where, selfMs: round(f.us / 1000, 0), pct: pct(f.us) })),
    byPackage: [...packages]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, selfMs: round(us / 1000, 0), pct: pct(us) })),
  };
}

/**
 * Scenario 6's peer: dlt from PyPI in its own venv (`.cache/bench-venv`, created on first use), running
 * `bench/peer/dlt_billing.py` against the same sandbox resource, measured like the other processes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BENCH_VENV, DLT_SCRIPT } from './paths.ts';
import { failureOf, type Measured, runMeasured } from './proc.ts';
import type { SandboxProcess } from './sandbox.ts';

/** Pinned so that reruns compare like with like; bump deliberately. */
export const DLT_REQUIREMENT = 'dlt[filesystem]==1.31.0';
const PYTHON = path.join(BENCH_VENV, 'bin/python');

export function dltInstalled(): boolean {
  return existsSync(PYTHON);
}

/** Creates the venv and installs dlt when missing; throws saying what failed. */
export function ensureDlt(log: (line: string) => void): void {
  if (dltInstalled()) {
    const check = spawnSync(PYTHON, ['-c', 'import dlt'], { stdio: 'ignore' });
    if (check.status === 0) return;
  }
  const python = process.env.PYTHON ?? 'python3';
  log(`creating ${BENCH_VENV} with ${python} and installing ${DLT_REQUIREMENT} (once)`);
  const venv = spawnSync(python, ['-m', 'venv', BENCH_VENV], { stdio: ['ignore', 2, 2] });
  if (venv.status !== 0)
    throw new Error(`\`${python} -m venv ${BENCH_VENV}\` failed: scenario 6 needs Python 3.9+ with venv`);
  const pip = spawnSync(PYTHON, ['-m', 'pip', 'install', '--quiet', DLT_REQUIREMENT], {
    stdio: ['ignore', 2, 2],
  });
  if (pip.status !== 0)
    throw new Error(`pip install ${DLT_REQUIREMENT} into ${BENCH_VENV} failed (see above)`);
}

export interface DltResult extends Measured {
  records: number;
  pipelineSeconds: number;
  steps: Record<string, number>;
  version: string;
  /** How the seed config was changed for dlt, as the peer script reports it. */
  adaptations: string[];
}

export async function runDlt(sandbox: SandboxProcess, resource: string): Promise<DltResult> {
  const out = mkdtempSync(path.join(tmpdir(), 'siphon-bench-dlt-'));
  try {
    const run = await runMeasured(PYTHON, [DLT_SCRIPT], {
      timeoutMs: 3 * 60 * 60_000,
      env: {
        BENCH_BASE_URL: sandbox.billingUrl,
        BENCH_TOKEN_URL: sandbox.tokenUrl,
        BENCH_RESOURCE: resource,
        BENCH_OUT_DIR: out,
        // The seed's dlt.secrets["client_id"] etc. resolve from these, as dlt documents.
        CLIENT_ID: sandbox.credentials.clientId,
        CLIENT_SECRET: sandbox.credentials.clientSecret,
        REFRESH_TOKEN: sandbox.credentials.refreshToken,
      },
    });
    if (run.exitCode !== 0) throw failureOf('the dlt peer', run);
    const line = run.stdout.trim().split('\n').pop() ?? '';
    const parsed = JSON.parse(line) as {
      records: number;
      pipelineSeconds: number;
      steps: Record<string, number>;
      dlt: string;
      adaptations: string[];
    };
    return {
      ...run,
      records: parsed.records,
      pipelineSeconds: parsed.pipelineSeconds,
      steps: parsed.steps,
      version: parsed.dlt,
      adaptations: parsed.adaptations,
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

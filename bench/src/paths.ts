import path from 'node:path';

export const BENCH_DIR = path.resolve(import.meta.dirname, '..');
export const REPO_ROOT = path.resolve(BENCH_DIR, '..');
/**
 * Where the built runner and sandbox come from: this checkout, or a frozen copy of it
 * (`SIPHON_BENCH_CODE_ROOT`, holding apps/, packages/, node_modules/ and examples/) so that a long
 * run on a shared machine is not hit by a rebuild half-way.
 */
export const CODE_ROOT = path.resolve(process.env.SIPHON_BENCH_CODE_ROOT ?? REPO_ROOT);
export const RUNNER_CLI = path.join(CODE_ROOT, 'apps/runner/dist/cli.js');
export const SANDBOX_CLI = path.join(CODE_ROOT, 'apps/sandbox/dist/cli.js');
export const BILLING_SEED_FILE = path.join(CODE_ROOT, 'examples/seeds/billing-source.md');
export const FLOOR_SCRIPT = path.join(BENCH_DIR, 'floor.ts');
export const DLT_SCRIPT = path.join(BENCH_DIR, 'peer/dlt_billing.py');
export const BENCH_VENV = path.join(REPO_ROOT, '.cache/bench-venv');

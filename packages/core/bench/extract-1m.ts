/**
 * Extracts 1,000,000 invoices from the sandbox with the billing seed (page_number, per_page 200)
 * and reports records/s and peak RSS. Three processes: the sandbox, the extractor
 * (extract-worker.mjs, plain JS like the runner in production, so only Siphon is measured), and
 * this one, which starts both and checks the result. Exits 1 if a record is missing or the
 * extractor's peak RSS is 200 MB or more.
 *
 * Build first (`pnpm turbo run build --filter @siphon/core...`), then `pnpm --filter @siphon/core
 * bench`, or `node bench/extract-1m.ts [records] [--v8-defaults]`.
 *
 * V8 sizes its young generation from the host's memory (up to tens of MB per semi-space on a
 * large machine), and parsed pages that live across an await fill it, so RSS depends on that more
 * than on Siphon. The extractor runs with `--max-semi-space-size=4`, the setting meant for the
 * runner; `--v8-defaults` runs it with V8's defaults instead.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const records = Number(process.argv.find((arg) => /^\d+$/.test(arg)) ?? '1000000');
const v8Flags = process.argv.includes('--v8-defaults') ? [] : ['--max-semi-space-size=4'];
const RSS_LIMIT_MB = 200;

async function firstLine(child: ReturnType<typeof spawn>): Promise<string> {
  if (!child.stdout) throw new Error('no stdout');
  for await (const line of createInterface({ input: child.stdout })) return line;
  throw new Error('the process printed nothing');
}

const sandbox = spawn(
  process.execPath,
  [new URL('./sandbox-process.ts', import.meta.url).pathname, String(records)],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
try {
  const info = await firstLine(sandbox);
  const worker = spawn(
    process.execPath,
    [...v8Flags, new URL('./extract-worker.mjs', import.meta.url).pathname],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, SANDBOX_INFO: info, RECORDS: String(records) },
    },
  );
  const exited = new Promise<number | null>((resolve) => worker.on('exit', resolve));
  const result = JSON.parse(await firstLine(worker)) as { records: number; peakRssMb: number };
  if ((await exited) !== 0) throw new Error('the extractor failed');
  console.log(JSON.stringify(result, null, 2));
  if (result.records !== records) throw new Error(`expected ${records} records, got ${result.records}`);
  if (result.peakRssMb >= RSS_LIMIT_MB)
    throw new Error(`peak RSS ${result.peakRssMb} MB is over ${RSS_LIMIT_MB} MB`);
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  sandbox.kill('SIGTERM');
}

/**
 * How fast, and in how much memory, the sandbox serves 1,000,000 billing invoices.
 *
 * Starts the built CLI (`dist/cli.js`) as a child process, so the server's RSS is measured
 * apart from this client, then walks every page of /invoices at per_page=200 — first one
 * request at a time (what a paginator does), then with several requests in flight.
 * The server's RSS (VmRSS) and peak (VmHWM) are read from /proc every 200 ms.
 *
 *   pnpm --filter @siphon/sandbox bench            # builds, then runs with Node's type stripping
 *   node bench/serve-memory.ts --records 200000 --concurrency 4
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '1000000' },
    'per-page': { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '4' },
  },
});
const RECORDS = Number(values.records);
const PER_PAGE = Number(values['per-page']);
const CONCURRENCY = Number(values.concurrency);

/** CPU seconds (user + system) the process has used: a rate per CPU-second does not depend on machine load. */
function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

async function startServer() {
  const child = spawn(
    process.execPath,
    [
      join(here, '../dist/cli.js'),
      '--port',
      '0',
      '--seed',
      '42',
      '--size-of',
      `billing.invoices=${RECORDS}`,
      '--token-limit',
      '1000/60',
      '--log-level',
      'warn',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  for await (const chunk of child.stdout) {
    out += chunk;
    if (out.includes('control:')) break;
  }
  const field = (label: string) => new RegExp(`${label}\\s+(\\S+)`).exec(out)?.[1] ?? '';
  return {
    child,
    billingUrl: field('billing'),
    tokenUrl: field('token URL'),
    clientId: field('client_id'),
    clientSecret: field('client_secret'),
    refreshToken: field('refresh_token'),
  };
}

interface Walk {
  serverCpuSeconds: number;
  records: number;
  pages: number;
  bytes: number;
  seconds: number;
  samples: { atRecords: number; rssMb: number }[];
}

const ID_FIELD = Buffer.from('"invoice_id":');

function countOccurrences(haystack: Buffer, needle: Buffer): number {
  let count = 0;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + needle.length))
    count++;
  return count;
}

/**
 * Walks every page. `parse` makes the client decode and check each page (order, has_more_page)
 * like a paginator would; without it the client only counts records in the raw bytes, so the
 * figure is the sandbox's own serving rate.
 */
async function walk(
  server: Awaited<ReturnType<typeof startServer>>,
  token: string,
  concurrency: number,
  parse: boolean,
): Promise<Walk> {
  const totalPages = Math.ceil(RECORDS / PER_PAGE);
  const pid = server.child.pid as number;
  let nextPage = 1;
  let records = 0;
  let pages = 0;
  let bytes = 0;
  let lastId = '';
  const samples: Walk['samples'] = [];
  const sampler = setInterval(() => samples.push({ atRecords: records, rssMb: memoryOf(pid).rssMb }), 200);
  const started = performance.now();
  const cpuBefore = cpuSecondsOf(pid);
  const worker = async () => {
    for (;;) {
      const page = nextPage++;
      if (page > totalPages) return;
      const res = await fetch(`${server.billingUrl}/invoices?page=${page}&per_page=${PER_PAGE}`, {
        headers: { authorization: `Zoho-oauthtoken ${token}` },
      });
      if (res.status !== 200) throw new Error(`page ${page}: HTTP ${res.status} ${await res.text()}`);
      if (!parse) {
        const bytesOfPage = Buffer.from(await res.arrayBuffer());
        bytes += bytesOfPage.length;
        records += countOccurrences(bytesOfPage, ID_FIELD);
        pages++;
        continue;
      }
      const text = await res.text();
      const body = JSON.parse(text) as {
        invoices: { id: string }[];
        page_context: { has_more_page: boolean };
      };
      bytes += Buffer.byteLength(text);
      records += body.invoices.length;
      pages++;
      if (concurrency === 1) {
        // Newest first and ids grow with age: every id must be smaller than the one before.
        for (const invoice of body.invoices) {
          if (lastId !== '' && invoice.id >= lastId) throw new Error(`order broken at ${invoice.id}`);
          lastId = invoice.id;
        }
        if (body.page_context.has_more_page !== page < totalPages)
          throw new Error(`has_more_page wrong on ${page}`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  clearInterval(sampler);
  const seconds = (performance.now() - started) / 1000;
  if (records !== RECORDS) throw new Error(`expected ${RECORDS} records, got ${records}`);
  return { records, pages, bytes, seconds, samples, serverCpuSeconds: cpuSecondsOf(pid) - cpuBefore };
}

function summary(name: string, result: Walk) {
  const deciles = [0.1, 0.25, 0.5, 0.75, 1].map((fraction) => {
    const sample = result.samples.find((s) => s.atRecords >= RECORDS * fraction) ?? result.samples.at(-1);
    return `${Math.round(fraction * 100)}%: ${sample?.rssMb.toFixed(0)} MB`;
  });
  console.log(
    `${name}: ${result.records} records, ${result.pages} pages in ${result.seconds.toFixed(1)} s → ` +
      `${Math.round(result.records / result.seconds)} records/s, ${(result.bytes / 1e6 / result.seconds).toFixed(1)} MB/s ` +
      `(${(result.bytes / result.records).toFixed(0)} bytes/record)`,
  );
  console.log(
    `  server CPU ${result.serverCpuSeconds.toFixed(1)} s → ${Math.round(result.records / result.serverCpuSeconds)} records per server CPU-second`,
  );
  console.log(`  server RSS along the walk: ${deciles.join(', ')}`);
}

const server = await startServer();
try {
  const pid = server.child.pid as number;
  const idle = memoryOf(pid);
  const loadBefore = loadavg()[0]!;
  console.log(
    `sandbox pid ${pid}, ${RECORDS} invoices, idle RSS ${idle.rssMb.toFixed(0)} MB, ` +
      `machine load ${loadBefore.toFixed(1)} on ${availableParallelism()} cores`,
  );
  const grant = await fetch(server.tokenUrl, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: server.clientId,
      client_secret: server.clientSecret,
      refresh_token: server.refreshToken,
    }),
  });
  const { access_token: token } = (await grant.json()) as { access_token: string };
  const runs = [
    { name: 'sequential, client parses and checks every page', concurrency: 1, parse: true },
    { name: 'sequential, client only counts bytes', concurrency: 1, parse: false },
    {
      name: `${CONCURRENCY} requests in flight, client only counts bytes`,
      concurrency: CONCURRENCY,
      parse: false,
    },
  ];
  const measured = [];
  for (const run of runs) {
    const result = await walk(server, token, run.concurrency, run.parse);
    summary(run.name, result);
    measured.push({
      ...run,
      seconds: Number(result.seconds.toFixed(2)),
      recordsPerSecond: Math.round(result.records / result.seconds),
      serverCpuSeconds: Number(result.serverCpuSeconds.toFixed(1)),
      recordsPerServerCpuSecond: Math.round(result.records / result.serverCpuSeconds),
      megabytesPerSecond: Number((result.bytes / 1e6 / result.seconds).toFixed(1)),
      bytesPerRecord: Math.round(result.bytes / result.records),
      rssMbAlongWalk: result.samples.filter((_, i) => i % 10 === 0).map((s) => Math.round(s.rssMb)),
    });
  }
  const end = memoryOf(pid);
  console.log(`server RSS at end ${end.rssMb.toFixed(0)} MB, peak (VmHWM) ${end.peakMb.toFixed(0)} MB`);
  const results = {
    date: new Date().toISOString(),
    node: process.version,
    records: RECORDS,
    perPage: PER_PAGE,
    cores: availableParallelism(),
    loadAverageBefore: Number(loadBefore.toFixed(2)),
    loadAverageAfter: Number(loadavg()[0]!.toFixed(2)),
    idleRssMb: Math.round(idle.rssMb),
    endRssMb: Math.round(end.rssMb),
    peakRssMb: Math.round(end.peakMb),
    runs: measured,
  };
  // Kept out of git (.cache): the figures worth keeping go in the README.
  const out = join(here, '../.cache/bench/serve-memory.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`results: ${out}`);
} finally {
  server.child.kill('SIGTERM');
}

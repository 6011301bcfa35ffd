/**
 * Scenario 5: the sandbox answers 429 past `rateLimit` (a fixed window per API); the pipeline (the
 * billing seed file as written, plus core's `client.rate_limit` budget at the same limit) must finish
 * without being refused. Each run gets a fresh sandbox, so no run inherits another's window.
 * There is no warm-up: the figure is time spent waiting for the budget, not throughput.
 */
import type { KafkaClientName } from '@siphon/sink-kafka';
import type { BenchContext } from '../context.ts';
import { dropTopics } from '../context.ts';
import { startSandboxProcess } from '../sandbox.ts';
import { runSiphon } from '../siphon.ts';
import { round } from '../stats.ts';

const RESOURCE = 'invoices';
const PAGE_SIZE = 200;

export interface RateRun {
  client: KafkaClientName;
  wallSeconds: number;
  runSeconds: number | undefined;
  records: number;
  apiRequests: number;
  status429: number;
  pct429: number;
  retryLogLines: number;
  budgetWaitLogLines: number;
}

export interface RateData {
  pages: number;
  theoreticalMinSeconds: number;
  runs: RateRun[];
}

/**
 * The least time `pages` requests can take without a refusal: every full budget of requests after
 * the first has to wait one more window (the first window's requests may all go at once).
 */
export function theoreticalMinimumSeconds(pages: number, requests: number, windowSeconds: number): number {
  return Math.floor(Math.max(0, pages - 1) / requests) * windowSeconds;
}

export async function runRateLimit(ctx: BenchContext): Promise<RateData> {
  const { options } = ctx;
  const { rateLimit } = options;
  const pages = Math.ceil(options.rateRecords / PAGE_SIZE);
  const data: RateData = {
    pages,
    theoreticalMinSeconds: theoreticalMinimumSeconds(pages, rateLimit.requests, rateLimit.windowSeconds),
    runs: [],
  };
  for (let n = 0; n < options.rateRuns * options.clients.length; n++) {
    // Clients alternate run by run: kafkajs, confluent, kafkajs, confluent...
    const client = options.clients[n % options.clients.length] as KafkaClientName;
    const i = Math.floor(n / options.clients.length);
    ctx.log(
      `scenario 5: run ${i + 1} (${client}): ${options.rateRecords} ${RESOURCE} (${pages} pages) at ${rateLimit.requests}/${rateLimit.windowSeconds}s`,
    );
    const sandbox = await startSandboxProcess({ billing: { [RESOURCE]: options.rateRecords }, rateLimit });
    const target = {
      brokers: ctx.infra.brokers,
      registryUrl: ctx.infra.registryUrl,
      prefix: `${ctx.tag}-rate-${client}-${i}`,
      client,
    };
    try {
      const run = await runSiphon(sandbox, target, { kind: 'seed', resources: [RESOURCE], rateLimit });
      const stats = await sandbox.stats();
      const apiRequests = Object.entries(stats.byRoute)
        .filter(([route]) => route.startsWith('billing '))
        .reduce((n, [, c]) => n + c, 0);
      const status429 = stats.byStatus['429'] ?? 0;
      const records = run.log.records[RESOURCE] ?? Number.NaN;
      if (records !== options.rateRecords) {
        throw new Error(`the rate-limited run reported ${records} records, expected ${options.rateRecords}`);
      }
      const result: RateRun = {
        client,
        wallSeconds: round(run.wallSeconds, 3),
        runSeconds: run.log.runMs === undefined ? undefined : round(run.log.runMs / 1000, 3),
        records,
        apiRequests,
        status429,
        pct429: round((status429 / Math.max(1, stats.requests)) * 100, 3),
        retryLogLines: run.log.retryLines,
        budgetWaitLogLines: run.log.rateLimitedLines,
      };
      ctx.log(
        `  ${result.wallSeconds} s (minimum ${data.theoreticalMinSeconds} s), ${status429} × 429 of ${stats.requests} requests`,
      );
      data.runs.push(result);
    } finally {
      await sandbox.close();
      await dropTopics(ctx, target.prefix);
    }
  }
  return data;
}

/**
 * Scenario 4's small size: Siphon end to end at `memoryRecords` (default 100,000), whose peak RSS is
 * set against the large size's (scenario 1's runs) iteration by iteration.
 */
import type { KafkaClientName } from '@siphon/sink-kafka';
import { type BenchContext, rotate } from '../context.ts';
import { startSandboxProcess } from '../sandbox.ts';
import { RESOURCE, type SiphonFigures, siphonOnce } from './throughput.ts';

export interface MemoryData {
  records: number;
  /** Measured runs (warm-ups excluded), per Kafka adapter. */
  runs: Partial<Record<KafkaClientName, SiphonFigures[]>>;
}

export async function runMemory(ctx: BenchContext): Promise<MemoryData> {
  const { options } = ctx;
  ctx.log(`scenario 4: sandbox with ${options.memoryRecords} ${RESOURCE}`);
  const sandbox = await startSandboxProcess({ billing: { [RESOURCE]: options.memoryRecords } });
  const runs: MemoryData['runs'] = {};
  try {
    for (let i = 0; i < options.warmup + options.runs; i++) {
      const warmup = i < options.warmup;
      for (const client of rotate(i, options.clients)) {
        ctx.log(`  ${warmup ? 'warm-up' : 'run'}: Siphon (${client}), ${options.memoryRecords} records`);
        const figures = await siphonOnce(ctx, sandbox, options.memoryRecords, `mem-${client}-${i}`, client);
        ctx.log(`    ${figures.peakRssMB} MB peak RSS, ${figures.recordsPerSecond} records/s`);
        if (!warmup) runs[client] = [...(runs[client] ?? []), figures];
      }
    }
  } finally {
    await sandbox.close();
  }
  return { records: options.memoryRecords, runs };
}

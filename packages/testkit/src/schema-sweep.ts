/**
 * A source package's declared schemas against the sandbox's records: several data seeds, each
 * after updates and inserts (they take other code paths in the generators: revised statuses,
 * later dates), every record of every resource checked by a `SchemaChecker`.
 */
import { type AvroRecordSchema, declaredPaths } from '@siphon/avro';
import { SchemaChecker } from './schema-check.js';

/** What the sweep needs of a sandbox (`@siphon/sandbox`'s `Sandbox`): testkit does not import it. */
export interface SweptSandbox {
  mutate(api: string, resource: string, mutation: { update: number; insert: number }): Promise<unknown>;
  groundTruth(api: string, resource: string): AsyncIterable<Record<string, unknown>>;
  close(): Promise<void>;
}

export const SCHEMA_SWEEP = Object.freeze({ seeds: [42, 7, 20_240_607] as readonly number[], size: 300 });

export interface SweepResult {
  /** Records checked, over all seeds. */
  records: number;
  invalid: string[];
  undeclared: string[];
  /** Declared fields (as paths) that no record carried. */
  neverSeen: string[];
}

export async function sweepSchemas(
  api: string,
  schemas: Readonly<Record<string, AvroRecordSchema>>,
  start: (options: { seed: number; size: number }) => Promise<SweptSandbox>,
): Promise<Map<string, SweepResult>> {
  const names = Object.keys(schemas);
  const checkers = new Map(names.map((name) => [name, new SchemaChecker(schemas[name] as AvroRecordSchema)]));
  const counts = new Map<string, number>();
  for (const seed of SCHEMA_SWEEP.seeds) {
    const sb = await start({ seed, size: SCHEMA_SWEEP.size });
    try {
      for (const name of names) await sb.mutate(api, name, { update: 40, insert: 10 });
      for (const name of names) {
        const checker = checkers.get(name) as SchemaChecker;
        for await (const record of sb.groundTruth(api, name)) {
          counts.set(name, (counts.get(name) ?? 0) + 1);
          checker.check(record, `seed ${seed} ${name} id=${String(record.id)}`);
        }
      }
    } finally {
      await sb.close();
    }
  }
  return new Map(
    names.map((name) => {
      const checker = checkers.get(name) as SchemaChecker;
      const { invalid, undeclared, seen } = checker.result();
      const neverSeen = [...declaredPaths(checker.schema)].filter((path) => !seen.has(path));
      return [name, { records: counts.get(name) ?? 0, invalid, undeclared, neverSeen }];
    }),
  );
}

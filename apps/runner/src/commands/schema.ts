import { loadContext } from '../context.js';
import { EXIT_OK } from '../errors.js';
import type { Io } from '../io.js';
import type { SchemaOptions } from '../program.js';
import { planPipelines } from './plan.js';

/** `siphon schema`: each resource's topic and Avro key/value schemas, computed without writing anything. */
export async function schemaCommand(options: SchemaOptions, io: Io): Promise<number> {
  const ctx = await loadContext(options, io);
  const plans = await planPipelines(ctx, options.resources);
  const rows = plans.flatMap(({ pipeline, source, plan }) =>
    plan.resources.map((r) => ({
      pipeline,
      source,
      resource: r.resource,
      topic: r.topic,
      write_disposition: r.writeDisposition,
      cleanup_policy: r.cleanupPolicy,
      key: { subject: r.keySubject, schema: r.keySchema ?? null },
      value: {
        subject: r.valueSubject,
        schema: r.valueSchema ?? null,
        source: r.valueSchemaSource,
      },
    })),
  );
  if (options.json) {
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return EXIT_OK;
  }
  for (const row of rows) {
    io.stdout.write(
      `# ${row.topic}  (pipeline ${row.pipeline}, resource ${row.resource}, ${row.write_disposition}, cleanup.policy=${row.cleanup_policy})\n`,
    );
    io.stdout.write(
      `key   ${row.key.subject}\n${row.key.schema ? JSON.stringify(row.key.schema, null, 2) : '(no key: keyless append)'}\n`,
    );
    const value = row.value.schema
      ? JSON.stringify(row.value.schema, null, 2)
      : '(no declared schema: inferred from the first records written)';
    io.stdout.write(`value ${row.value.subject} (${row.value.source})\n${value}\n\n`);
  }
  return EXIT_OK;
}

import { loadContext } from '../context.js';
import { EXIT_OK } from '../errors.js';
import type { Io } from '../io.js';
import type { SchemaOptions } from '../program.js';
import { planPipelines } from './plan.js';

/**
 * `siphon schema`: each resource's topic and the Avro key/value schemas a run would register.
 * A declared schema is printed as is. Without one, a run infers both schemas from the first
 * records it writes: `--sample` fetches the first page with records and infers them the same way
 * (and says so); otherwise the output says the types are decided at the first write.
 */
export async function schemaCommand(options: SchemaOptions, io: Io): Promise<number> {
  const ctx = await loadContext(options, io);
  const plans = await planPipelines(ctx, {
    resources: options.resources,
    sampleTimeoutMs: options.sample ? options.timeout : undefined,
  });
  const rows = plans.flatMap(({ pipeline, source, plan, sampledFrom }) =>
    plan.resources.map((r) => ({
      pipeline,
      source,
      resource: r.resource,
      topic: r.topic,
      write_disposition: r.writeDisposition,
      cleanup_policy: r.cleanupPolicy,
      ...(sampledFrom[r.resource] ? { sampled_from: sampledFrom[r.resource] } : {}),
      key: {
        subject: r.keySubject,
        fields: r.keySchema?.fields.map((f) => f.name) ?? [],
        // Without a value schema the key's field types are not known until the first write.
        schema: r.valueSchemaSource === 'at-first-write' ? null : (r.keySchema ?? null),
        source: r.valueSchemaSource,
      },
      value: { subject: r.valueSubject, schema: r.valueSchema ?? null, source: r.valueSchemaSource },
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
    const origin =
      row.value.source === 'declared'
        ? 'declared by the source'
        : row.value.source === 'inferred'
          ? `inferred from the first page of ${row.sampled_from}, as a run infers it from its first records`
          : 'decided at the first write: inferred from the first records (--sample infers it now from the first page)';
    io.stdout.write(`schemas: ${origin}\n`);
    let key: string;
    if (row.key.fields.length === 0) key = '(no key: keyless append)';
    else if (row.key.schema) key = JSON.stringify(row.key.schema, null, 2);
    else key = `fields ${row.key.fields.join(', ')}; their types are decided at the first write`;
    io.stdout.write(`key   ${row.key.subject}\n${key}\n`);
    const value = row.value.schema
      ? JSON.stringify(row.value.schema, null, 2)
      : 'decided at the first write (inferred from the first records)';
    io.stdout.write(`value ${row.value.subject}\n${value}\n\n`);
  }
  return EXIT_OK;
}

/**
 * What a source package's end-to-end test compares: the sandbox's ground truth keyed as the sink
 * keys records, and the value schema the registry holds for a topic.
 */

/** What these helpers need of a sandbox (`@siphon/sandbox`'s `Sandbox`): testkit does not import it. */
export interface GroundTruthSource {
  groundTruth(api: string, resource: string): AsyncIterable<Record<string, unknown>>;
}

/**
 * The sandbox's records of a resource as the API serves them (JSON: `-0` is sent as `0`), keyed
 * as the sink keys them (the decoded key record's JSON, `{"id":"..."}`).
 */
export async function groundTruthByKey(
  sb: GroundTruthSource,
  api: string,
  resource: string,
  keyField: string,
): Promise<Map<string, Record<string, unknown>>> {
  const out = new Map<string, Record<string, unknown>>();
  for await (const record of sb.groundTruth(api, resource)) {
    out.set(JSON.stringify({ [keyField]: record[keyField] }), JSON.parse(JSON.stringify(record)));
  }
  return out;
}

export interface RegisteredRecordSchema {
  name: string;
  namespace?: string;
  fields: { name: string }[];
}

/** The latest value schema registered for `topic` (subject `<topic>-value`); throws when there is none. */
export async function latestValueSchema(registryUrl: string, topic: string): Promise<RegisteredRecordSchema> {
  const subject = `${topic}-value`;
  const response = await fetch(`${registryUrl}/subjects/${encodeURIComponent(subject)}/versions/latest`);
  if (response.status !== 200) {
    throw new Error(`registry subject ${subject}: HTTP ${response.status}, expected 200`);
  }
  return JSON.parse(((await response.json()) as { schema: string }).schema) as RegisteredRecordSchema;
}

import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every level, so two equal records hash equally whatever
 * order their keys arrived in (a Kafka round trip need not keep the API's key order).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const object = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of Object.keys(object).sort()) {
    if (object[key] === undefined) continue;
    parts.push(`${JSON.stringify(key)}:${canonicalJson(object[key])}`);
  }
  return `{${parts.join(',')}}`;
}

export interface Digest {
  count: number;
  /** sha256 (hex) over `canonicalJson(record) + "\n"` for every record, in ascending `id` order. */
  sha256: string;
}

/** Streams records that already arrive in ascending `id` order into a digest. */
export class DigestBuilder {
  private readonly hash = createHash('sha256');
  private count = 0;

  add(record: Record<string, unknown>): void {
    this.hash.update(`${canonicalJson(record)}\n`);
    this.count++;
  }

  finish(): Digest {
    return { count: this.count, sha256: this.hash.digest('hex') };
  }
}

/**
 * The digest the sandbox reports, computed from records gathered elsewhere (for instance,
 * read back from Kafka). Sorts by `id` in memory, so it suits test-sized sets.
 */
export async function digestRecords(
  records: Iterable<Record<string, unknown>> | AsyncIterable<Record<string, unknown>>,
): Promise<Digest> {
  const rows: { id: string; json: string }[] = [];
  for await (const record of records) {
    const id = record.id;
    if (typeof id !== 'string') {
      throw new Error(`digestRecords: every record needs a string 'id'; got ${JSON.stringify(id)}`);
    }
    rows.push({ id, json: canonicalJson(record) });
  }
  rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const hash = createHash('sha256');
  for (const row of rows) hash.update(`${row.json}\n`);
  return { count: rows.length, sha256: hash.digest('hex') };
}

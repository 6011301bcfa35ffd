import type { AvroRecordSchema, JsonRecord } from '@siphon/core';
import { afterAll, describe, expect, it } from 'vitest';
import { EncodePool } from '../../src/encode-pool.js';
import { PageBuilder, unpack } from '../../src/packed.js';
import { compilePageCodec, type PageCodecSpec, packPage } from '../../src/page-codec.js';
import { fromWireFormat } from '../../src/wire.js';

const value: AvroRecordSchema = {
  type: 'record',
  name: 'items',
  namespace: 't',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'total', type: ['null', 'double'], default: null },
    { name: 'deleted', type: ['null', 'boolean'], default: null },
  ],
};
const key: AvroRecordSchema = {
  type: 'record',
  name: 'items_key',
  namespace: 't',
  fields: [{ name: 'id', type: 'string' }],
};
const spec: PageCodecSpec = {
  value: { schema: value, id: 7 },
  key: { schema: key, id: 8, primaryKey: ['id'] },
  hardDelete: { path: 'deleted', equals: true },
  maxRecordBytes: 1000,
};
const records: JsonRecord[] = Array.from({ length: 300 }, (_, i) => ({
  id: `item-${i}`,
  total: i * 1.5,
  ...(i % 100 === 7 ? { deleted: true } : {}),
}));

function onMainThread(page: JsonRecord[]) {
  const builder = new PageBuilder(64, 4);
  const counts = packPage(compilePageCodec(spec), page, builder);
  return counts && { ...counts, packed: builder.finish({}) };
}

describe('encoding workers', () => {
  const pool = new EncodePool(2);
  afterAll(() => pool.close());

  it('pack a page into the same bytes as the main thread, tombstones included', async () => {
    const main = onMainThread(records);
    const result = await pool.run({ codecId: 'items|7|8', spec, records });
    expect(result.ok).toBe(true);
    if (!result.ok || !main) return;
    expect({ records: result.records, tombstones: result.tombstones }).toEqual({
      records: 297,
      tombstones: 3,
    });
    expect(Buffer.from(result.bytes)).toEqual(main.packed.buffer);
    expect([...result.offsets]).toEqual([...main.packed.offsets]);
    const messages = unpack({ buffer: Buffer.from(result.bytes), offsets: result.offsets, headers: {} });
    expect(messages[7]?.value).toBeNull();
    expect(fromWireFormat(messages[0]?.value as Buffer).schemaId).toBe(7);
    expect(fromWireFormat(messages[0]?.key as Buffer).schemaId).toBe(8);
  });

  it('leave a page with a record that does not fit, a missing key or an oversized record to the full path', async () => {
    for (const odd of [{ id: 'x', total: 'not a number' }, { total: 1 }, { id: 'y'.repeat(2000) }]) {
      const page = [...records.slice(0, 5), odd as JsonRecord];
      expect(await pool.run({ codecId: 'items|7|8', spec, records: page })).toEqual({ ok: false });
      expect(onMainThread(page)).toBeUndefined();
    }
  });
});
